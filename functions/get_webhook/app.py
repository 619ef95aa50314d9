"""GET /v1/webhooks/{webhook_id}: one webhook subscription of the tenant (never its secret)."""

from __future__ import annotations

from typing import Annotated, Any

from dialtone import http
from dialtone.auth import Scope
from dialtone.errors import WebhookNotFound
from dialtone.http import Path, Response
from dialtone.observability import api_handler
from dialtone.webhooks import service
from dialtone.webhooks.models import SUBSCRIPTION_ID_PATTERN, Subscription

app = http.create_app()


@app.get(
    "/v1/webhooks/<webhook_id>",
    **http.operation(
        "Get a webhook",
        tag=http.Tag.WEBHOOKS,
        scope=Scope.WEBHOOKS_MANAGE,
        ok={200: Subscription},
        errors=(WebhookNotFound,),
    ),
)
def get_webhook(webhook_id: Annotated[str, Path(pattern=SUBSCRIPTION_ID_PATTERN)]) -> Response[Any]:
    return http.json_response(service.service().get(http.principal(app), webhook_id))


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
