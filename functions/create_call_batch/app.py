"""POST /v1/calls/batch: queue up to 1,000 outbound calls (202), or with `dry_run=true` say
what the batch would do, storing and dialing nothing (200)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestUnsupportedContentType
from aws_lambda_powertools.event_handler.openapi.params import Query

from dialtone import http
from dialtone.auth import Scope
from dialtone.dialing import accept, rules
from dialtone.dialing.accept import BatchAccepted, BatchDialRequest, BatchDryRun
from dialtone.errors import BatchNotStored, TenantNotFound
from dialtone.observability import api_handler

app = http.create_app()


@app.post(
    "/v1/calls/batch",
    **http.operation(
        "Queue a batch of outbound calls",
        tag=http.Tag.DIALING,
        scope=Scope.CALLS_WRITE,
        ok={200: BatchDryRun, 202: BatchAccepted},
        errors=(TenantNotFound, BatchNotStored, RequestUnsupportedContentType),
    ),
)
def create_call_batch(
    request: BatchDialRequest,
    dry_run: Annotated[
        bool, Query(description="Answer what the batch would do; store and dial nothing")
    ] = False,
) -> Response[Any]:
    if dry_run:
        plan = accept.dialing().dry_run_batch(http.principal(app), request, rules.screen())
        return http.json_response(plan)
    accepted = accept.dialing().create_batch(http.principal(app), request)
    return http.json_response(accepted, status=202)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
