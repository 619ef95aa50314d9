"""The shapes the webhook modules share: event types, the subscription as the API shows it,
an event as produced from the stream, and a message on the delivery queue.

Items live in the webhooks table (`WEBHOOKS_TABLE`):
- a subscription at (`T#<tenant>`, `W#<subscription id>`), with its signing secrets;
- its deliveries at (`T#<tenant>#W#<subscription id>`, `D#<delivery id>`), newest first by id;
- one item per event produced at (`T#<tenant>#E#<event id>`, `EVENT`), so a transition seen
  twice (a redelivered stream record) produces one event.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dialtone.model_types import ApiModel, Timestamp

SUBSCRIPTION_ID_PREFIX = "wh_"
DELIVERY_ID_PREFIX = "msg_"
SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix of every signing secret, not one)
# A subscription id as a path parameter: `wh_` and lower-case letters and digits.
SUBSCRIPTION_ID_PATTERN = r"^wh_[0-9a-z]{8,64}$"

# `msg_`, the event's time in milliseconds (12 hex digits, so ids sort by time) and 16 to 32 hex
# digits more (a digest of event and subscription, or random for a ping).
DELIVERY_ID_PATTERN = r"^msg_[0-9a-f]{12}[0-9a-f]{16,32}$"


class EventType(StrEnum):
    """What a subscription can choose to hear about; `ping` is sent by the test endpoint only."""

    CALL_STARTED = "call.started"
    CALL_COMPLETED = "call.completed"
    CALL_FAILED = "call.failed"
    CALL_ESCALATED = "call.escalated"
    CALL_RECORDING_READY = "call.recording.ready"
    CALL_GRADED = "call.graded"
    BATCH_COMPLETED = "batch.completed"
    PING = "ping"


SUBSCRIBABLE_EVENTS = tuple(t for t in EventType if t is not EventType.PING)


def subscription_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}"


def subscription_sk(subscription_id: str) -> str:
    return f"W#{subscription_id}"


def deliveries_pk(tenant_id: str, subscription_id: str) -> str:
    return f"T#{tenant_id}#W#{subscription_id}"


def delivery_sk(delivery_id: str) -> str:
    return f"D#{delivery_id}"


def delivery_id(event_id: str, subscription_id: str, at: datetime) -> str:
    """The delivery id (the `webhook-id` header) of one event for one subscription: the same
    for the same pair, so producing the event again cannot mint a second delivery; and ordered
    by `at` (the event's timestamp), so a subscription's deliveries read newest first by a
    reverse query. (The fan-out's ids are made the same way.)"""
    millis = max(0, int(at.astimezone(UTC).timestamp() * 1000))
    digest = hashlib.sha256(f"{event_id}\n{subscription_id}".encode()).hexdigest()
    return f"{DELIVERY_ID_PREFIX}{millis:012x}{digest[:20]}"


def event_pk(tenant_id: str, event_id: str) -> str:
    return f"T#{tenant_id}#E#{event_id}"


class WebhookEvent(BaseModel):
    """One event, as produced from a stream record (or by the test endpoint). `id` is stable for
    the transition it stands for, so producing it again is recognised."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    id: str
    tenant_id: str
    type: EventType
    timestamp: Timestamp
    data: dict[str, Any]
    # The change of the call (or batch) it comes from, as 40 digits: orders a call's events.
    # None for a ping.
    sequence: str | None = None

    def payload(self) -> dict[str, Any]:
        """The body a receiver gets: `{"type", "timestamp", "data"}`, with `sequence` in
        `data` when the event has one."""
        body = self.model_dump(mode="json", include={"type", "timestamp", "data"})
        if self.sequence is not None:
            body["data"] = {**body["data"], "sequence": self.sequence}
        return body


class DeliveryMessage(BaseModel):
    """A message on the delivery queue: one event for one subscription. `delivery_id` is the
    `webhook-id` header, the same on every attempt."""

    model_config = ConfigDict(defer_build=True)

    tenant_id: str
    subscription_id: str
    delivery_id: str
    event: WebhookEvent
    attempt: int = Field(default=1, ge=1)


class Subscription(ApiModel):
    """A webhook subscription as the API shows it (never with its secret)."""

    id: str = Field(description="The subscription's id (`wh_...`).")
    url: str = Field(description="Where events are POSTed (https).")
    events: list[EventType] = Field(description="The event types sent to this URL.")
    description: str | None = None
    enabled: bool = Field(description="Whether events are sent; a 410 answer disables it.")
    disabled_reason: str | None = Field(
        default=None, description="Why it was disabled, when Dialtone disabled it."
    )
    failing_since: Timestamp | None = Field(
        default=None,
        description="When deliveries began to fail, if the latest failed; after 3 days of "
        "failures only, the subscription is disabled.",
    )
    created_at: Timestamp
    updated_at: Timestamp
