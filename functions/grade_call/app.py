"""POST /v1/calls/{call_id}/grade: start grading a call (queued for the grader) → 200 with the
grade `pending`; a pending grade, or a recent completed one, is answered as it is unless
`force=true`."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from dialtone import http
from dialtone.auth import Scope
from dialtone.errors import CallNotFound, GradeQueueUnavailable
from dialtone.http import Path, Query, Response
from dialtone.observability import api_handler
from dialtone.quality import grading
from dialtone.quality.models import Grade

app = http.create_app()


@app.post(
    "/v1/calls/<call_id>/grade",
    **http.operation(
        "Grade a call",
        tag=http.Tag.QUALITY,
        scope=Scope.CALLS_WRITE,
        ok={200: Grade},
        errors=(CallNotFound, GradeQueueUnavailable),
        description="Grading runs asynchronously: poll GET .../grade until it is not pending.",
    ),
)
def grade_call(
    call_id: Annotated[UUID, Path()],
    force: Annotated[bool, Query()] = False,
) -> Response[Any]:
    grade = grading.service().request_grade(http.principal(app), str(call_id), force=force)
    return http.json_response(grade)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
