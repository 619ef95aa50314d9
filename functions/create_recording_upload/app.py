"""POST /v1/calls/{call_id}/recording/upload: a presigned upload of the call's recording."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from dialtone import http, recordings
from dialtone.auth import Scope
from dialtone.call_responses import RecordingUpload
from dialtone.errors import CallNotFound, RecordingsNotKept
from dialtone.http import Path, RequestUnsupportedContentType, Response
from dialtone.observability import api_handler
from dialtone.recordings import RecordingUploadRequest

app = http.create_app()


@app.post(
    "/v1/calls/<call_id>/recording/upload",
    **http.operation(
        "Create a presigned upload of a call's recording",
        tag=http.Tag.CALL_DATA,
        scope=Scope.CALLS_INGEST,
        ok={200: RecordingUpload},
        errors=(CallNotFound, RecordingsNotKept, RequestUnsupportedContentType),
    ),
)
def create_recording_upload(
    call_id: Annotated[UUID, Path()], request: RecordingUploadRequest
) -> Response[Any]:
    upload = recordings.recordings().create_upload(http.principal(app), str(call_id), request)
    return http.json_response(upload)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
