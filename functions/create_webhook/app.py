"""POST /v1/webhooks: a new webhook subscription (201), with its signing secret shown once."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from dialtone import http
from dialtone.auth import Scope
from dialtone.errors import WebhookLimitReached
from dialtone.http import Body, RequestUnsupportedContentType, Response
from dialtone.observability import api_handler
from dialtone.webhooks import service
from dialtone.webhooks.service import WebhookCreate, WebhookCreated

app = http.create_app()


@app.post(
    "/v1/webhooks",
    **http.operation(
        "Create a webhook",
        tag=http.Tag.WEBHOOKS,
        scope=Scope.WEBHOOKS_MANAGE,
        ok={201: WebhookCreated},
        errors=(WebhookLimitReached, RequestUnsupportedContentType),
        description="Subscribes an https:// URL to the event types chosen. The URL's host must "
        "resolve to public addresses only (422 with the reason otherwise); the signing secret "
        "is in this answer only. A tenant may have 20 webhooks (409 beyond).",
    ),
)
def create_webhook(request: Annotated[WebhookCreate, Body()]) -> Response[Any]:
    created = service.service().create(http.principal(app), request)
    return http.json_response(created, HTTPStatus.CREATED)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
