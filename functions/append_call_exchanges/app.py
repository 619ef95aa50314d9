"""POST /v1/calls/{call_id}/exchanges: append transcript exchanges, each stored once."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from dialtone import http, ingest
from dialtone.auth import Scope
from dialtone.errors import CallNotFound, ChildConflict
from dialtone.http import Path, RequestUnsupportedContentType, Response
from dialtone.ingest import AppendReceipt, ExchangesRequest
from dialtone.observability import api_handler

app = http.create_app()


@app.post(
    "/v1/calls/<call_id>/exchanges",
    **http.operation(
        "Append transcript exchanges to a call",
        tag=http.Tag.CALL_DATA,
        scope=Scope.CALLS_INGEST,
        ok={200: AppendReceipt},
        errors=(CallNotFound, ChildConflict, RequestUnsupportedContentType),
    ),
)
def append_call_exchanges(
    call_id: Annotated[UUID, Path()], request: ExchangesRequest
) -> Response[Any]:
    receipt = ingest.ingestor().append_exchanges(http.principal(app), str(call_id), request)
    return http.json_response(receipt)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
