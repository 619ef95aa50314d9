"""GET /v1/calls/{call_id}/history: every structured event of the call, in order."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from dialtone import calls, http
from dialtone.auth import Scope
from dialtone.call_responses import CallHistory
from dialtone.calls import PageParams
from dialtone.errors import CallNotFound, InvalidCursor
from dialtone.http import Path, Query, Response
from dialtone.observability import api_handler

app = http.create_app()


@app.get(
    "/v1/calls/<call_id>/history",
    **http.operation(
        "Get a call's structured history",
        tag=http.Tag.CALLS,
        scope=Scope.CALLS_READ,
        ok={200: CallHistory},
        errors=(CallNotFound, InvalidCursor),
    ),
)
def get_call_history(
    call_id: Annotated[UUID, Path()],
    limit: Annotated[int, Query(ge=1, le=1000, description="Events per page")] = 1000,
    cursor: Annotated[str | None, Query(max_length=8192)] = None,
) -> Response[Any]:
    page = PageParams(limit=limit, cursor=cursor)
    history = calls.paged_reader().history(http.principal(app), str(call_id), page)
    return http.sized_json_response(app, history)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
