"""GET /v1/dialer/status: the tenant's dial rate, backlog, calls in flight, next free slot and
when the backlog will have been dialed."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from dialtone import http
from dialtone.dialing import status as dial_queue
from dialtone.observability import api_handler

app = http.create_app()


@app.get("/v1/dialer/status")
def dialer_status() -> Response[Any]:
    return http.json_response(dial_queue.view().status(http.principal(app)))


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
