"""POST /v1/calls/batch: queue up to 1,000 outbound calls (202)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestUnsupportedContentType

from dialtone import http
from dialtone.auth import Scope
from dialtone.dialing import accept
from dialtone.dialing.accept import BatchAccepted, BatchDialRequest
from dialtone.errors import BatchNotStored, TenantNotFound
from dialtone.observability import api_handler

app = http.create_app()


@app.post(
    "/v1/calls/batch",
    **http.operation(
        "Queue a batch of outbound calls",
        tag=http.Tag.DIALING,
        scope=Scope.CALLS_WRITE,
        ok={202: BatchAccepted},
        errors=(TenantNotFound, BatchNotStored, RequestUnsupportedContentType),
    ),
)
def create_call_batch(request: BatchDialRequest) -> Response[Any]:
    accepted = accept.dialing().create_batch(http.principal(app), request)
    return http.json_response(accepted, status=202)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
