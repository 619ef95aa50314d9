"""POST /v1/calls: queue one outbound call (202); honours Idempotency-Key."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from dialtone import http
from dialtone.dialing import accept as dialing
from dialtone.dialing.accept import DialRequest
from dialtone.observability import api_handler

app = http.create_app()


@app.post("/v1/calls")
def create_call(request: DialRequest) -> Response[Any]:
    key = app.current_event.headers.get("idempotency-key")
    accepted = dialing.create_call(http.principal(app), request, key, app.lambda_context)
    return http.json_response(accepted, status=202)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
