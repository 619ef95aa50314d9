"""GET /v1/calls: the tenant's calls, newest first, filtered and paginated."""

from __future__ import annotations

from typing import Annotated, Any

from dialtone import calls, http
from dialtone.auth import Scope
from dialtone.call_responses import CallList
from dialtone.calls import ListCallsParams
from dialtone.errors import InvalidCursor
from dialtone.http import Query, Response
from dialtone.observability import api_handler

app = http.create_app()


@app.get(
    "/v1/calls",
    **http.operation(
        "List calls",
        tag=http.Tag.CALLS,
        scope=Scope.CALLS_READ,
        ok={200: CallList},
        errors=(InvalidCursor,),
    ),
)
def list_calls(params: Annotated[ListCallsParams, Query()]) -> Response[Any]:
    page = calls.lister().list_calls(http.principal(app), params)
    return http.json_response(page)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
