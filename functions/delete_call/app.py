"""DELETE /v1/calls/{call_id}: erase a call, its transcript, history and recording (204)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from dialtone import erasure, http
from dialtone.auth import Scope
from dialtone.errors import CallNotFound
from dialtone.http import Path, Response
from dialtone.observability import api_handler

app = http.create_app()


@app.delete(
    "/v1/calls/<call_id>",
    **http.operation(
        "Erase a call, its transcript, history and recording",
        tag=http.Tag.CALL_DATA,
        scope=Scope.ADMIN,
        ok={204: None},
        errors=(CallNotFound,),
    ),
)
def delete_call(call_id: Annotated[UUID, Path()]) -> Response[Any]:
    erasure.eraser().erase_call(http.principal(app), str(call_id))
    return Response(status_code=204)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
