"""GET /v1/calls/{call_id}/grade: the call's latest grade; 404 when it was never graded."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from dialtone import http
from dialtone.auth import Scope
from dialtone.errors import CallNotFound, CallNotGraded
from dialtone.http import Path, Response
from dialtone.observability import api_handler
from dialtone.quality import grades
from dialtone.quality.models import Grade

app = http.create_app()


@app.get(
    "/v1/calls/<call_id>/grade",
    **http.operation(
        "Get a call's grade",
        tag=http.Tag.QUALITY,
        scope=Scope.CALLS_READ,
        ok={200: Grade},
        errors=(CallNotFound, CallNotGraded),
    ),
)
def get_call_grade(call_id: Annotated[UUID, Path()]) -> Response[Any]:
    grade = grades.latest_grade(http.principal(app), str(call_id))
    return http.json_response(grade)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
