"""DELETE /v1/webhooks/{webhook_id}: remove a webhook subscription (204)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from dialtone import http
from dialtone.auth import Scope
from dialtone.errors import WebhookNotFound
from dialtone.http import Path, Response
from dialtone.observability import api_handler
from dialtone.webhooks import service
from dialtone.webhooks.models import SUBSCRIPTION_ID_PATTERN

app = http.create_app()


@app.delete(
    "/v1/webhooks/<webhook_id>",
    **http.operation(
        "Delete a webhook",
        tag=http.Tag.WEBHOOKS,
        scope=Scope.WEBHOOKS_MANAGE,
        ok={204: None},
        errors=(WebhookNotFound,),
    ),
)
def delete_webhook(
    webhook_id: Annotated[str, Path(pattern=SUBSCRIPTION_ID_PATTERN)],
) -> Response[Any]:
    service.service().delete(http.principal(app), webhook_id)
    return Response(status_code=HTTPStatus.NO_CONTENT, body="")


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
