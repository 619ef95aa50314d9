"""GET /v1/webhooks/{webhook_id}/deliveries: a webhook's deliveries with their attempts, newest
first, cursor-paged."""

from __future__ import annotations

from typing import Annotated, Any

from dialtone import http
from dialtone.auth import Scope
from dialtone.errors import InvalidCursor, WebhookNotFound
from dialtone.http import Path, Query, Response
from dialtone.observability import api_handler
from dialtone.pagination import ListPage
from dialtone.webhooks import deliveries
from dialtone.webhooks.deliveries import DeliveryList
from dialtone.webhooks.models import SUBSCRIPTION_ID_PATTERN

app = http.create_app()


@app.get(
    "/v1/webhooks/<webhook_id>/deliveries",
    **http.operation(
        "List a webhook's deliveries",
        tag=http.Tag.WEBHOOKS,
        scope=Scope.WEBHOOKS_MANAGE,
        ok={200: DeliveryList},
        errors=(WebhookNotFound, InvalidCursor),
        description="Newest first; each delivery with its attempts (status code, latency, "
        "error, when the next attempt is due).",
    ),
)
def list_webhook_deliveries(
    webhook_id: Annotated[str, Path(pattern=SUBSCRIPTION_ID_PATTERN)],
    params: Annotated[ListPage, Query()],
) -> Response[Any]:
    answer = deliveries.service().list(http.principal(app), webhook_id, params)
    return http.sized_json_response(app, answer)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
