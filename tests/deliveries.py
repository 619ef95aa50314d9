"""Webhook deliveries written straight into their log, as the fan-out and the sender leave
them, for tests of the routes that read them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from dialtone.webhooks.deliveries import DeliveryAttempt, DeliveryLog, DeliveryStatus
from dialtone.webhooks.models import DeliveryMessage, EventType, WebhookEvent, delivery_id


def log_delivery(
    table: str, tenant_id: str, webhook_id: str, at: datetime, *statuses: int | None
) -> DeliveryMessage:
    """A delivery of an event at `at`, with one attempt per status given (None: a timeout)."""
    event = WebhookEvent(
        id=f"evt_{uuid.uuid4().hex}",
        tenant_id=tenant_id,
        type=EventType.CALL_COMPLETED,
        timestamp=at,
        data={"id": str(uuid.uuid4()), "status": "completed"},
    )
    message = DeliveryMessage(
        tenant_id=tenant_id,
        subscription_id=webhook_id,
        delivery_id=delivery_id(event.id, webhook_id, at),
        event=event,
    )
    log = DeliveryLog(table)
    log.open(message, at)
    for i, status in enumerate(statuses):
        done = status is not None and 200 <= status < 300
        attempt = DeliveryAttempt(
            number=0,
            at=at + timedelta(minutes=i),
            status_code=status,
            latency_ms=None if status is None else 40 + i,
            error=None if done else "Timed out after 10 s" if status is None else f"HTTP {status}",
            next_retry_at=None if done else at + timedelta(minutes=i, seconds=30),
        )
        log.record_attempt(
            message, attempt, DeliveryStatus.DELIVERED if done else DeliveryStatus.PENDING
        )
    return message
