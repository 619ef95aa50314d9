"""POST /v1/calls: queue one outbound call (202); honours Idempotency-Key."""

from __future__ import annotations

from typing import Annotated, Any

from dialtone import http
from dialtone.auth import Scope
from dialtone.dialing import accept
from dialtone.dialing.accept import DialAccepted, DialRequest
from dialtone.errors import (
    DialQueueUnavailable,
    IdempotencyKeyReused,
    IdempotentRequestInProgress,
    TenantNotFound,
)
from dialtone.http import Header, RequestUnsupportedContentType, Response
from dialtone.observability import api_handler

app = http.create_app()


@app.post(
    "/v1/calls",
    **http.operation(
        "Queue an outbound call",
        tag=http.Tag.DIALING,
        scope=Scope.CALLS_WRITE,
        ok={
            202: http.with_headers(
                202,
                DialAccepted,
                {
                    "Idempotent-Replayed": http.response_header(
                        "With an Idempotency-Key only: `true` when this is the stored answer of "
                        "an earlier request with the same key (nothing was done again), `false` "
                        "when this request created the call",
                        "true",
                        "false",
                    )
                },
            )
        },
        errors=(
            TenantNotFound,
            IdempotentRequestInProgress,
            IdempotencyKeyReused,
            DialQueueUnavailable,
            RequestUnsupportedContentType,
        ),
    ),
)
def create_call(
    request: DialRequest,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="A retry with the same key returns the first answer and dials once",
        ),
    ] = None,
) -> Response[Any]:
    created = accept.create_call(http.principal(app), request, idempotency_key, app.lambda_context)
    response = http.json_response(created.accepted, status=202)
    if created.replayed is not None:
        response.headers["Idempotent-Replayed"] = "true" if created.replayed else "false"
    return response


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
