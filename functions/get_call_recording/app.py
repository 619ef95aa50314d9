"""GET /v1/calls/{call_id}/recording: a presigned link, or a 302 to download it."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from dialtone import calls, http
from dialtone.observability import api_handler

app = http.create_app()


@app.get("/v1/calls/<call_id>/recording")
def get_call_recording(
    call_id: Annotated[UUID, Path()],
    download: Annotated[bool, Query()] = False,
    expires_in: Annotated[int | None, Query(ge=60, le=3600)] = None,
) -> Response[Any]:
    reader = calls.reader()
    link = reader.recording(
        http.principal(app),
        str(call_id),
        expires_in=expires_in or reader.url_ttl_seconds,
        download=download,
    )
    if download:
        return Response(status_code=302, headers={"Location": link.recording_url}, body="")
    return http.json_response(link)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
