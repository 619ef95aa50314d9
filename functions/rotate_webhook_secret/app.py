"""POST /v1/webhooks/{webhook_id}/rotate-secret: a new signing secret, shown once; the old one
keeps signing beside it for 24 hours."""

from __future__ import annotations

from typing import Annotated, Any

from dialtone import http
from dialtone.auth import Scope
from dialtone.errors import WebhookChanged, WebhookNotFound
from dialtone.http import Path, Response
from dialtone.observability import api_handler
from dialtone.webhooks import service
from dialtone.webhooks.models import SUBSCRIPTION_ID_PATTERN
from dialtone.webhooks.service import WebhookSecret

app = http.create_app()


@app.post(
    "/v1/webhooks/<webhook_id>/rotate-secret",
    **http.operation(
        "Rotate a webhook's signing secret",
        tag=http.Tag.WEBHOOKS,
        scope=Scope.WEBHOOKS_MANAGE,
        ok={200: WebhookSecret},
        errors=(WebhookNotFound, WebhookChanged),
        description="The new secret is in this answer only. Until "
        "`previous_secret_expires_at` (24 hours) deliveries carry a signature by each secret, "
        "so receivers can switch to the new one without missing a delivery.",
    ),
)
def rotate_webhook_secret(
    webhook_id: Annotated[str, Path(pattern=SUBSCRIPTION_ID_PATTERN)],
) -> Response[Any]:
    rotated = service.service().rotate_secret(http.principal(app), webhook_id)
    return http.json_response(rotated)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
