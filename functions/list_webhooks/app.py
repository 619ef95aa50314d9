"""GET /v1/webhooks: the tenant's webhook subscriptions, oldest first, cursor-paged."""

from __future__ import annotations

from typing import Annotated, Any

from dialtone import http
from dialtone.auth import Scope
from dialtone.errors import InvalidCursor
from dialtone.http import Query, Response
from dialtone.observability import api_handler
from dialtone.pagination import ListPage
from dialtone.webhooks import service
from dialtone.webhooks.service import WebhookList

app = http.create_app()


@app.get(
    "/v1/webhooks",
    **http.operation(
        "List webhooks",
        tag=http.Tag.WEBHOOKS,
        scope=Scope.WEBHOOKS_MANAGE,
        ok={200: WebhookList},
        errors=(InvalidCursor,),
    ),
)
def list_webhooks(params: Annotated[ListPage, Query()]) -> Response[Any]:
    return http.json_response(service.service().list(http.principal(app), params))


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
