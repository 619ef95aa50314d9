"""POST /v1/calls/batch: queue up to 1,000 outbound calls (202; honours Idempotency-Key), or
with `dry_run=true` say what the batch would do, storing and dialing nothing (200)."""

from __future__ import annotations

from typing import Annotated, Any

from dialtone import http
from dialtone.auth import Scope
from dialtone.dialing import accept, rules
from dialtone.dialing.accept import BatchAccepted, BatchDialRequest, BatchDryRun
from dialtone.errors import (
    BatchNotStored,
    IdempotencyKeyReused,
    IdempotentRequestInProgress,
    TenantNotFound,
)
from dialtone.http import Header, Query, RequestUnsupportedContentType, Response
from dialtone.observability import api_handler

app = http.create_app()


@app.post(
    "/v1/calls/batch",
    **http.operation(
        "Queue a batch of outbound calls",
        tag=http.Tag.DIALING,
        scope=Scope.CALLS_WRITE,
        ok={
            200: BatchDryRun,
            202: http.with_headers(
                202,
                BatchAccepted,
                {
                    "Idempotent-Replayed": http.response_header(
                        "With an Idempotency-Key only: `true` when this is the stored answer of "
                        "an earlier request with the same key (nothing was stored or queued "
                        "again), `false` when this request created the batch",
                        "true",
                        "false",
                    )
                },
            ),
        },
        errors=(
            TenantNotFound,
            IdempotentRequestInProgress,
            IdempotencyKeyReused,
            BatchNotStored,
            RequestUnsupportedContentType,
        ),
    ),
)
def create_call_batch(
    request: BatchDialRequest,
    dry_run: Annotated[
        bool, Query(description="Answer what the batch would do; store and dial nothing")
    ] = False,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="A retry with the same key and body returns the first answer and "
            "queues the batch once (24 hours, per tenant); the same key with another body "
            "is refused (422). Not used by a dry run, which stores nothing",
        ),
    ] = None,
) -> Response[Any]:
    if dry_run:
        # A dry run stores and queues nothing, so there is nothing to replay: the key is
        # neither checked nor used up.
        plan = accept.dialing().dry_run_batch(http.principal(app), request, rules.screen())
        return http.json_response(plan)
    created = accept.create_batch(http.principal(app), request, idempotency_key, app.lambda_context)
    response = http.json_response(created.accepted, status=202)
    if created.replayed is not None:
        response.headers["Idempotent-Replayed"] = "true" if created.replayed else "false"
    return response


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
