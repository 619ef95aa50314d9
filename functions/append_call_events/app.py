"""POST /v1/calls/{call_id}/events: append history events; lifecycle events (`started`,
`ended`, `escalated`) move the call's status and outcome."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from dialtone import http, ingest
from dialtone.auth import Scope
from dialtone.errors import CallNotFound, ChildConflict, WriteContention
from dialtone.http import Path, RequestUnsupportedContentType, Response
from dialtone.ingest import EventsReceipt, EventsRequest
from dialtone.observability import api_handler

app = http.create_app()


@app.post(
    "/v1/calls/<call_id>/events",
    **http.operation(
        "Append history events to a call",
        tag=http.Tag.CALL_DATA,
        scope=Scope.CALLS_INGEST,
        ok={200: EventsReceipt},
        errors=(CallNotFound, ChildConflict, WriteContention, RequestUnsupportedContentType),
    ),
)
def append_call_events(call_id: Annotated[UUID, Path()], request: EventsRequest) -> Response[Any]:
    receipt = ingest.ingestor().append_events(http.principal(app), str(call_id), request)
    return http.json_response(receipt)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
