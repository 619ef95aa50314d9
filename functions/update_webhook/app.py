"""PATCH /v1/webhooks/{webhook_id}: change a webhook's URL (checked again), event types,
description, or enable it again (which forgets its past failures)."""

from __future__ import annotations

from typing import Annotated, Any

from dialtone import http
from dialtone.auth import Scope
from dialtone.errors import WebhookNotFound
from dialtone.http import Body, Path, RequestUnsupportedContentType, Response
from dialtone.observability import api_handler
from dialtone.webhooks import service
from dialtone.webhooks.models import SUBSCRIPTION_ID_PATTERN, Subscription
from dialtone.webhooks.service import WebhookUpdate

app = http.create_app()


@app.patch(
    "/v1/webhooks/<webhook_id>",
    **http.operation(
        "Update a webhook",
        tag=http.Tag.WEBHOOKS,
        scope=Scope.WEBHOOKS_MANAGE,
        ok={200: Subscription},
        errors=(WebhookNotFound, RequestUnsupportedContentType),
    ),
)
def update_webhook(
    webhook_id: Annotated[str, Path(pattern=SUBSCRIPTION_ID_PATTERN)],
    request: Annotated[WebhookUpdate, Body()],
) -> Response[Any]:
    updated = service.service().update(http.principal(app), webhook_id, request)
    return http.json_response(updated)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
