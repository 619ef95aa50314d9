"""GET /v1/calls/{call_id}/history: every structured event of the call, in order."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from dialtone import calls, http
from dialtone.auth import Scope
from dialtone.errors import CallNotFound
from dialtone.models import CallHistory
from dialtone.observability import api_handler

app = http.create_app()


@app.get(
    "/v1/calls/<call_id>/history",
    **http.operation(
        "Get a call's structured history",
        tag=http.Tag.CALLS,
        scope=Scope.CALLS_READ,
        ok={200: CallHistory},
        errors=(CallNotFound,),
    ),
)
def get_call_history(call_id: Annotated[UUID, Path()]) -> Response[Any]:
    return http.json_response(calls.reader().history(http.principal(app), str(call_id)))


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
