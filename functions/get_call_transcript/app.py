"""GET /v1/calls/{call_id}/transcript: exchanges (default), turns, or WebVTT captions."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from dialtone import calls, http
from dialtone.auth import Scope
from dialtone.errors import CallNotFound
from dialtone.models import TranscriptExchanges, TranscriptFormat, TranscriptTurns
from dialtone.observability import api_handler

app = http.create_app()

TRANSCRIPT = {
    "description": "The exchanges (default), the turns (`format=turns`) or WebVTT captions "
    "(`format=vtt`)",
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
        errors=(CallNotFound,),
    ),
)
def get_call_transcript(
    call_id: Annotated[UUID, Path()],
    format: Annotated[TranscriptFormat, Query()] = TranscriptFormat.EXCHANGES,
) -> Response[Any]:
    reader, principal = calls.reader(), http.principal(app)
    if format is TranscriptFormat.VTT:
        captions = reader.transcript_vtt(principal, str(call_id))
        return Response(status_code=200, content_type="text/vtt; charset=utf-8", body=captions)
    if format is TranscriptFormat.TURNS:
        return http.json_response(reader.transcript_turns(principal, str(call_id)))
    return http.json_response(reader.transcript_exchanges(principal, str(call_id)))


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
