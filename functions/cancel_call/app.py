"""POST /v1/calls/{call_id}/cancel: a call still queued is never dialed (409 otherwise)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from dialtone import http
from dialtone.auth import Scope
from dialtone.dialing import accept
from dialtone.errors import CallNotCancelable, CallNotFound
from dialtone.http import Path, Response
from dialtone.models import Call
from dialtone.observability import api_handler

app = http.create_app()


@app.post(
    "/v1/calls/<call_id>/cancel",
    **http.operation(
        "Cancel a queued call",
        tag=http.Tag.DIALING,
        scope=Scope.CALLS_WRITE,
        ok={200: Call},
        errors=(CallNotFound, CallNotCancelable),
    ),
)
def cancel_call(call_id: Annotated[UUID, Path()]) -> Response[Any]:
    call = accept.dialing().cancel(http.principal(app), str(call_id))
    return http.json_response(call)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
