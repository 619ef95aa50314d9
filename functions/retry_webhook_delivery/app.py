"""POST /v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry: send a delivery again now."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from dialtone import http
from dialtone.auth import Scope
from dialtone.errors import DeliveryNotFound, WebhookNotFound, WebhookQueueUnavailable
from dialtone.http import Path, Response
from dialtone.observability import api_handler
from dialtone.webhooks import deliveries
from dialtone.webhooks.deliveries import Delivery
from dialtone.webhooks.models import DELIVERY_ID_PATTERN, SUBSCRIPTION_ID_PATTERN

app = http.create_app()


@app.post(
    "/v1/webhooks/<webhook_id>/deliveries/<delivery_id>/retry",
    **http.operation(
        "Retry a webhook delivery",
        tag=http.Tag.WEBHOOKS,
        scope=Scope.WEBHOOKS_MANAGE,
        ok={202: Delivery},
        errors=(WebhookNotFound, DeliveryNotFound, WebhookQueueUnavailable),
        description="Queues the delivery now, with the same `webhook-id`; its attempts "
        "continue in the delivery log.",
    ),
)
def retry_webhook_delivery(
    webhook_id: Annotated[str, Path(pattern=SUBSCRIPTION_ID_PATTERN)],
    delivery_id: Annotated[str, Path(pattern=DELIVERY_ID_PATTERN)],
) -> Response[Any]:
    answer = deliveries.service().retry(http.principal(app), webhook_id, delivery_id)
    return http.json_response(answer, HTTPStatus.ACCEPTED)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
