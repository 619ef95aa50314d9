"""GET /v1/calls/batch/{batch_id}: a batch's progress and its calls."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from dialtone import http
from dialtone.auth import Scope
from dialtone.dialing import accept
from dialtone.dialing.accept import BatchStatus
from dialtone.errors import BatchNotFound
from dialtone.http import Path, Response
from dialtone.observability import api_handler

app = http.create_app()


@app.get(
    "/v1/calls/batch/<batch_id>",
    **http.operation(
        "Get a batch's progress and its calls",
        tag=http.Tag.DIALING,
        scope=Scope.CALLS_READ,
        ok={200: BatchStatus},
        errors=(BatchNotFound,),
    ),
)
def get_call_batch(batch_id: Annotated[UUID, Path()]) -> Response[Any]:
    status = accept.dialing().batch_status(http.principal(app), str(batch_id))
    return http.json_response(status)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
