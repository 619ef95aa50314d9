"""Webhooks' settings: where subscriptions and deliveries live, and the delivery queue."""

from __future__ import annotations

from pydantic import Field

from dialtone.settings import EnvSettings


class WebhookSettings(EnvSettings):
    """Webhook subscriptions and deliveries: the webhooks table, and whether subscriptions may
    target plain-http loopback URLs (the local stack only: the template never sets it)."""

    webhooks_table: str = Field(alias="WEBHOOKS_TABLE", min_length=1)
    allow_local_urls: bool = Field(alias="WEBHOOK_ALLOW_LOCAL_URLS", default=False)


class WebhookQueueSettings(WebhookSettings):
    """What queues deliveries (the fan-out, the test endpoint, a retry) also needs."""

    delivery_queue_url: str = Field(alias="WEBHOOK_DELIVERY_QUEUE_URL", min_length=1)
