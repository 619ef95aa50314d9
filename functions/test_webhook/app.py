"""POST /v1/webhooks/{webhook_id}/test: queue a `ping` event for this webhook alone (202)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from dialtone import http
from dialtone.auth import Scope
from dialtone.errors import WebhookNotFound, WebhookQueueUnavailable
from dialtone.http import Path, Response
from dialtone.observability import api_handler
from dialtone.webhooks import service
from dialtone.webhooks.models import SUBSCRIPTION_ID_PATTERN
from dialtone.webhooks.service import PingQueued

app = http.create_app()


@app.post(
    "/v1/webhooks/<webhook_id>/test",
    **http.operation(
        "Send a test event to a webhook",
        tag=http.Tag.WEBHOOKS,
        scope=Scope.WEBHOOKS_MANAGE,
        ok={202: PingQueued},
        errors=(WebhookNotFound, WebhookQueueUnavailable),
        description='Queues a `ping` event, `{"webhook_id": ...}` as its data, signed and '
        "delivered like any other; its `delivery_id` is the delivery's `webhook-id`.",
    ),
)
def send_test_event(
    webhook_id: Annotated[str, Path(pattern=SUBSCRIPTION_ID_PATTERN)],
) -> Response[Any]:
    queued = service.service().send_test(http.principal(app), webhook_id)
    return http.json_response(queued, HTTPStatus.ACCEPTED)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
