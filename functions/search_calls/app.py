"""POST /v1/calls/search: the calls of up to 100 ids, in the order asked, and the ids not found."""

from __future__ import annotations

from typing import Any

from dialtone import calls, http
from dialtone.auth import Scope
from dialtone.call_responses import CallSearchResult
from dialtone.calls import SearchCallsRequest
from dialtone.errors import ReadThrottled
from dialtone.http import Response
from dialtone.observability import api_handler

app = http.create_app()


@app.post(
    "/v1/calls/search",
    **http.operation(
        "Get calls by id",
        tag=http.Tag.CALLS,
        scope=Scope.CALLS_READ,
        ok={200: CallSearchResult},
        errors=(ReadThrottled,),
    ),
)
def search_calls(request: SearchCallsRequest) -> Response[Any]:
    found = calls.reader().search_calls(http.principal(app), request.ids())
    return http.json_response(found)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
