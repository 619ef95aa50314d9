"""GET /v1/calls/{call_id}/recording: a presigned link, or a 302 to download it."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from dialtone import calls, http
from dialtone.auth import Scope
from dialtone.call_responses import RecordingLink
from dialtone.errors import CallNotFound, RecordingNotAvailable
from dialtone.http import Path, Query, Response
from dialtone.observability import api_handler

app = http.create_app()

# `download=true` answers with a redirect to the presigned link, which downloads as a file.
DOWNLOAD = http.redirect(
    "Found: `download=true` redirects to a presigned link that downloads the file",
    "The presigned S3 URL",
)


@app.get(
    "/v1/calls/<call_id>/recording",
    **http.operation(
        "Get a link to a call's recording",
        tag=http.Tag.CALLS,
        scope=Scope.CALLS_READ,
        ok={200: RecordingLink, 302: DOWNLOAD},
        errors=(CallNotFound, RecordingNotAvailable),
    ),
)
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
