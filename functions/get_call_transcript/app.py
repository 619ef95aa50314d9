"""GET /v1/calls/{call_id}/transcript: exchanges (default), turns, or WebVTT captions."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from dialtone import calls, http
from dialtone.auth import Scope
from dialtone.call_responses import TranscriptExchanges, TranscriptTurns
from dialtone.calls import PageParams
from dialtone.errors import CallNotFound, InvalidCursor, ResponseTooLarge
from dialtone.http import Path, Query, Response
from dialtone.model_types import TranscriptFormat
from dialtone.observability import api_handler

app = http.create_app()

TRANSCRIPT = {
    "description": "A page of the exchanges (default) or of the turns (`format=turns`), or the "
    "whole transcript as WebVTT captions (`format=vtt`, not paged); gzip-compressed when large "
    "and the client accepts it",
    "content": {
        "application/json": {"schema": http.response_schema(TranscriptExchanges | TranscriptTurns)},
        "text/vtt": {"schema": {"type": "string"}},
    },
}


@app.get(
    "/v1/calls/<call_id>/transcript",
    **http.operation(
        "Get a call's transcript",
        tag=http.Tag.CALLS,
        scope=Scope.CALLS_READ,
        ok={200: TRANSCRIPT},
        errors=(CallNotFound, InvalidCursor, ResponseTooLarge),
    ),
)
def get_call_transcript(
    call_id: Annotated[UUID, Path()],
    format: Annotated[TranscriptFormat, Query()] = TranscriptFormat.EXCHANGES,
    limit: Annotated[
        int, Query(ge=1, le=1000, description="Exchanges per page (not for `format=vtt`)")
    ] = 1000,
    cursor: Annotated[str | None, Query(max_length=8192)] = None,
) -> Response[Any]:
    reader, principal = calls.paged_reader(), http.principal(app)
    page = PageParams(limit=limit, cursor=cursor)
    if format is TranscriptFormat.VTT:
        captions = reader.transcript_vtt(principal, str(call_id))
        return http.sized_response(app, captions, "text/vtt; charset=utf-8")
    if format is TranscriptFormat.TURNS:
        return http.sized_json_response(app, reader.transcript_turns(principal, str(call_id), page))
    return http.sized_json_response(app, reader.transcript_exchanges(principal, str(call_id), page))


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
