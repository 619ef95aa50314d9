"""POST /v1/calls/{call_id}/cancel: a call still queued is never dialed (409 otherwise)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from dialtone import http
from dialtone.dialing import accept as dialing
from dialtone.observability import api_handler

app = http.create_app()


@app.post("/v1/calls/<call_id>/cancel")
def cancel_call(call_id: Annotated[UUID, Path()]) -> Response[Any]:
    call = dialing.dialing().cancel(http.principal(app), str(call_id))
    return http.json_response(call)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
