"""GET /v1/suppressions: the tenant's do-not-call list, by number, cursor-paged."""

from __future__ import annotations

from typing import Annotated, Any

from dialtone import http
from dialtone.auth import Scope
from dialtone.dialing import suppressions
from dialtone.dialing.suppressions import SuppressionList
from dialtone.errors import InvalidCursor
from dialtone.http import Query, Response
from dialtone.observability import api_handler
from dialtone.pagination import ListPage

app = http.create_app()


@app.get(
    "/v1/suppressions",
    **http.operation(
        "List the do-not-call list",
        tag=http.Tag.SUPPRESSIONS,
        scope=Scope.CALLS_READ,
        ok={200: SuppressionList},
        errors=(InvalidCursor,),
    ),
)
def list_suppressions(params: Annotated[ListPage, Query()]) -> Response[Any]:
    return http.json_response(suppressions.service().list(http.principal(app), params))


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
