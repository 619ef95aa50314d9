"""PUT /v1/calls/{call_id}: the voice runtime creates a call (201) or updates it (200)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from dialtone import http, ingest
from dialtone.auth import Scope
from dialtone.errors import FieldNotWritable, WriteContention
from dialtone.http import Path, RequestUnsupportedContentType, Response
from dialtone.ingest import CallUpdate
from dialtone.models import Call
from dialtone.observability import api_handler

app = http.create_app()


@app.put(
    "/v1/calls/<call_id>",
    **http.operation(
        "Create or update a call record",
        tag=http.Tag.CALL_DATA,
        scope=Scope.CALLS_INGEST,
        ok={200: Call, 201: Call},
        errors=(WriteContention, FieldNotWritable, RequestUnsupportedContentType),
    ),
)
def upsert_call(call_id: Annotated[UUID, Path()], update: CallUpdate) -> Response[Any]:
    call, created = ingest.ingestor().upsert_call(http.principal(app), str(call_id), update)
    return http.json_response(call, status=201 if created else 200)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
