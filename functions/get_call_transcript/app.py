"""GET /v1/calls/{call_id}/transcript: exchanges (default), turns, or WebVTT captions."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from dialtone import calls, http
from dialtone.models import TranscriptFormat
from dialtone.observability import api_handler

app = http.create_app()


@app.get("/v1/calls/<call_id>/transcript")
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
