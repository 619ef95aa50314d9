"""The fan-out: each event produced from the calls table's stream becomes one delivery message
per subscription that chose its type, on the delivery queue.

At least once, never twice by design: every event has an item in the webhooks table
(`T#<tenant>#E#<event id>`, `EVENT`), written `pending` by a conditional put before its messages
are sent and marked `queued` after. A record seen again finds its event `queued` and sends
nothing; a run that stopped between the two (SQS refused, the function timed out) left it
`pending`, so the retry sends the messages again, with the same delivery ids (a hash of the
event and the subscription), which the sender recognises. The item expires after
EVENT_TTL, longer than the stream keeps a record (24 h).

A tenant's subscriptions are read once per stream batch (`FanoutBatch`), not once per event; a
tenant without a subscription to an event's type costs no write at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from dialtone import aws, settings
from dialtone.dynamo import string_key
from dialtone.model_types import format_timestamp
from dialtone.webhooks import models
from dialtone.webhooks.config import WebhookQueueSettings
from dialtone.webhooks.events import events_of, tenant_of
from dialtone.webhooks.models import (
    DeliveryMessage,
    EventType,
    Subscription,
    WebhookEvent,
    event_pk,
)
from dialtone.webhooks.queue import DeliveryQueue

EVENT_SK = "EVENT"
EVENT_TTL = timedelta(days=3)
PENDING = "pending"
QUEUED = "queued"


# Subscriptions read per page while gathering a tenant's (a tenant has at most 20).
_SUBSCRIPTION_PAGE = 100


class SubscriptionSource(Protocol):
    """Where the fan-out finds subscriptions (`dialtone.webhooks.subscriptions`)."""

    def list_subscriptions(
        self, tenant_id: str, limit: int, after: str | None = None
    ) -> tuple[list[Subscription], str | None]: ...


def chosen_by(subscriptions: Sequence[Subscription], event_type: EventType) -> list[Subscription]:
    """The enabled subscriptions that chose the event type (as `SubscriptionStore.for_event`
    picks them)."""
    return [s for s in subscriptions if s.enabled and event_type in s.events]


def delivery_id(event: WebhookEvent, subscription_id: str) -> str:
    """The id of an event's delivery to one subscription (the `webhook-id` header): the same
    whenever it is made again, and in the order of the events' times
    (`models.delivery_id`)."""
    return models.delivery_id(event.id, subscription_id, event.timestamp)


def delivery_messages(
    event: WebhookEvent, subscriptions: Sequence[Subscription]
) -> list[DeliveryMessage]:
    """One first-attempt message per subscription."""
    return [
        DeliveryMessage(
            tenant_id=event.tenant_id,
            subscription_id=s.id,
            delivery_id=delivery_id(event, s.id),
            event=event,
        )
        for s in subscriptions
    ]


class EventLedger:
    """The event items of the webhooks table: which events have had their messages queued."""

    def __init__(self, table_name: str, dynamodb: Any | None = None) -> None:
        self.table_name = table_name
        self._dynamodb = dynamodb

    @property
    def dynamodb(self) -> Any:
        return self._dynamodb or aws.client("dynamodb")

    def _key(self, event: WebhookEvent) -> dict[str, Any]:
        return string_key(pk=event_pk(event.tenant_id, event.id), sk=EVENT_SK)

    def claim(self, event: WebhookEvent, now: datetime) -> bool:
        """Whether the event's messages are still to be sent: True for an event seen for the
        first time (its item written `pending`) or left pending by a run that stopped before
        it was done; False once they were queued."""
        item = {
            **self._key(event),
            "event_id": {"S": event.id},
            "type": {"S": event.type.value},
            "state": {"S": PENDING},
            "created_at": {"S": format_timestamp(now)},
            "expires_at": {"N": str(int((now + EVENT_TTL).timestamp()))},
        }
        if event.sequence is not None:
            item["sequence"] = {"S": event.sequence}
        try:
            self.dynamodb.put_item(
                TableName=self.table_name,
                Item=item,
                ConditionExpression="attribute_not_exists(pk) OR #state = :pending",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":pending": {"S": PENDING}},
            )
        except self.dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def mark_queued(self, event: WebhookEvent, deliveries: int) -> None:
        """Record that the event's messages (`deliveries` of them) are on the queue."""
        self.dynamodb.update_item(
            TableName=self.table_name,
            Key=self._key(event),
            UpdateExpression="SET #state = :queued, deliveries = :n",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={":queued": {"S": QUEUED}, ":n": {"N": str(deliveries)}},
        )

    def state(self, event: WebhookEvent) -> str | None:
        """The event's state (`pending`, `queued`), None when it was never produced."""
        response = self.dynamodb.get_item(
            TableName=self.table_name, Key=self._key(event), ConsistentRead=True
        )
        item = response.get("Item")
        return str(item["state"]["S"]) if item else None


class Fanout:
    """Sends events to the subscriptions that chose their types."""

    def __init__(
        self, subscriptions: SubscriptionSource, ledger: EventLedger, queue: DeliveryQueue
    ) -> None:
        self.subscriptions = subscriptions
        self.ledger = ledger
        self.queue = queue

    def batch(self) -> FanoutBatch:
        """A fan-out for one stream batch: each tenant's subscriptions read once."""
        return FanoutBatch(self)


class FanoutBatch:
    """The fan-out of one stream batch, remembering the subscriptions it has read."""

    def __init__(self, fanout: Fanout) -> None:
        self.fanout = fanout
        self._subscriptions: dict[str, list[Subscription]] = {}
        self.queued = 0

    def _of_tenant(self, tenant_id: str) -> list[Subscription]:
        """Every subscription of the tenant, read once in this batch."""
        if tenant_id not in self._subscriptions:
            found: list[Subscription] = []
            after: str | None = None
            while True:
                page, after = self.fanout.subscriptions.list_subscriptions(
                    tenant_id, _SUBSCRIPTION_PAGE, after
                )
                found += page
                if after is None:
                    break
            self._subscriptions[tenant_id] = found
        return self._subscriptions[tenant_id]

    def subscribers(self, tenant_id: str, event_type: EventType) -> list[Subscription]:
        """The tenant's enabled subscriptions to the type."""
        return chosen_by(self._of_tenant(tenant_id), event_type)

    def publish(self, event: WebhookEvent, now: datetime | None = None) -> int:
        """Queue the event's deliveries unless they were queued before; how many were sent.
        Raises what the table or the queue raised: nothing is marked done then, and the
        caller's retry sends the same deliveries."""
        subscriptions = self.subscribers(event.tenant_id, event.type)
        if not subscriptions:
            return 0
        ledger = self.fanout.ledger
        if not ledger.claim(event, now or datetime.now(UTC)):
            return 0
        messages = delivery_messages(event, subscriptions)
        self.fanout.queue.send(messages)
        ledger.mark_queued(event, len(messages))
        self.queued += len(messages)
        return len(messages)

    def add(self, record: Mapping[str, Any]) -> int:
        """Queue the deliveries of the events a stream record stands for; how many. The record
        of a tenant without an enabled subscription is not even read."""
        tenant_id = tenant_of(record)
        if tenant_id is None or not any(s.enabled for s in self._of_tenant(tenant_id)):
            return 0
        return sum(self.publish(event) for event in events_of(record))


@settings.per_environment
def fanout() -> Fanout:
    """The fan-out of this execution environment (the calls table's stream consumer)."""
    from dialtone.webhooks.subscriptions import SubscriptionStore

    config = settings.load(WebhookQueueSettings)
    return Fanout(
        SubscriptionStore(config.webhooks_table),
        EventLedger(config.webhooks_table),
        DeliveryQueue(config.delivery_queue_url),
    )
