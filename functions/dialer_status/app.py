"""GET /v1/dialer/status: the tenant's dial rate, backlog, calls in flight, next free slot and
when the backlog will have been dialed."""

from __future__ import annotations

from typing import Any

from dialtone import http
from dialtone.auth import Scope
from dialtone.dialing import status
from dialtone.dialing.status import DialerStatus
from dialtone.errors import TenantNotFound
from dialtone.http import Response
from dialtone.observability import api_handler

app = http.create_app()


@app.get(
    "/v1/dialer/status",
    **http.operation(
        "The dialer's rate, backlog and calls in flight",
        tag=http.Tag.DIALING,
        scope=Scope.CALLS_READ,
        ok={200: DialerStatus},
        errors=(TenantNotFound,),
    ),
)
def dialer_status() -> Response[Any]:
    return http.json_response(status.view().status(http.principal(app)))


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
