"""The delivery log: every delivery of an event to a subscription, with each of its attempts.

One item per delivery in the webhooks table at (`T#<tenant>#W#<subscription>`, `D#<delivery
id>`). Delivery ids begin with the event's time (`models.delivery_id`), so a reverse query reads
a subscription's deliveries newest first. Each item keeps the event (a retry asked for by a
client sends it again), its status, its attempts in order (at most MAX_ATTEMPTS_KEPT, the
oldest dropped first) and expires LOG_TTL after its last change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from pydantic import Field

from dialtone import settings
from dialtone.auth import Principal, Scope
from dialtone.dynamo import TableStore, condition_failed, from_item, string_key, to_item
from dialtone.errors import DeliveryNotFound, WebhookQueueUnavailable
from dialtone.model_types import ApiModel, Timestamp, format_timestamp
from dialtone.pagination import CursorCodec, KeyCursors, ListPage, codec_factory
from dialtone.webhooks.config import WebhookQueueSettings, WebhookSettings
from dialtone.webhooks.models import (
    DeliveryMessage,
    EventType,
    WebhookEvent,
    deliveries_pk,
    delivery_sk,
)
from dialtone.webhooks.queue import DeliveryQueue, DeliveryQueueError

if TYPE_CHECKING:
    from dialtone.webhooks.subscriptions import SubscriptionStore

DELIVERY_SK_PREFIX = "D#"
LOG_TTL = timedelta(days=30)
# A delivery is tried about 20 times a day; a client's retries add more. The oldest attempts
# are dropped past this many, so an item never nears DynamoDB's 400 KB.
MAX_ATTEMPTS_KEPT = 100
MAX_ERROR_CHARS = 300


class DeliveryStatus(StrEnum):
    """`pending` until an attempt succeeds (`delivered`) or the retries end (`failed`)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class DeliveryAttempt(ApiModel):
    """One POST to the subscription's URL (or one that could not be made)."""

    number: int = Field(description="1 for the first attempt, then 2, 3...")
    at: Timestamp = Field(description="When the attempt started.")
    status_code: int | None = Field(
        default=None, description="The receiver's HTTP status; null when no answer came."
    )
    latency_ms: int | None = Field(
        default=None, description="From connecting to the answer's status line, in ms."
    )
    error: str | None = Field(
        default=None, description="Why the attempt failed (a timeout, a refused URL...)."
    )
    next_retry_at: Timestamp | None = Field(
        default=None, description="When the next attempt is due; null when none follows."
    )


class Delivery(ApiModel):
    """One event sent to one webhook, with its attempts; `id` is the `webhook-id` header."""

    id: str = Field(description="The delivery's id (`msg_...`), the `webhook-id` header.")
    webhook_id: str
    event_type: EventType
    event_id: str
    status: DeliveryStatus
    attempts: list[DeliveryAttempt] = Field(default_factory=list)
    next_retry_at: Timestamp | None = Field(
        default=None, description="When the next attempt is due, while `pending`."
    )
    created_at: Timestamp
    updated_at: Timestamp


class DeliveryList(ApiModel):
    """A page of a webhook's deliveries, newest first."""

    deliveries: list[Delivery]
    # Where the next page starts (`?cursor=`), or null on the last page.
    next_cursor: str | None = None


class StoredDelivery(ApiModel):
    """A delivery as stored: what the API shows, and the event it carries."""

    delivery: Delivery
    tenant_id: str
    event: WebhookEvent

    def message(self) -> DeliveryMessage:
        """The queue message that tries this delivery again (the same `webhook-id`)."""
        return DeliveryMessage(
            tenant_id=self.tenant_id,
            subscription_id=self.delivery.webhook_id,
            delivery_id=self.delivery.id,
            event=self.event,
            attempt=len(self.delivery.attempts) + 1,
        )


def _key(tenant_id: str, subscription_id: str, delivery_id: str) -> dict[str, dict[str, str]]:
    return string_key(pk=deliveries_pk(tenant_id, subscription_id), sk=delivery_sk(delivery_id))


def _expires_at(now: datetime) -> int:
    return int((now + LOG_TTL).timestamp())


def _stored(item: dict[str, Any]) -> StoredDelivery:
    values = from_item(item)
    first = int(values.get("attempts_dropped", 0)) + 1
    attempts = [
        DeliveryAttempt(number=first + i, **attempt)
        for i, attempt in enumerate(values.get("attempts", []))
    ]
    delivery = Delivery.model_validate(
        {**values, "id": values["delivery_id"], "attempts": attempts}
    )
    return StoredDelivery(
        delivery=delivery,
        tenant_id=values["tenant_id"],
        event=WebhookEvent.model_validate_json(values["event"]),
    )


class DeliveryLog(TableStore):
    """Reads and writes the delivery log in the webhooks table."""

    def open(self, message: DeliveryMessage, now: datetime) -> DeliveryStatus:
        """Log a delivery as `pending` unless it is logged already (its message received
        again); its status now."""
        event = message.event
        item = to_item(
            {
                "delivery_id": message.delivery_id,
                "tenant_id": message.tenant_id,
                "webhook_id": message.subscription_id,
                "event_type": event.type.value,
                "event_id": event.id,
                "event": event.model_dump_json(),
                "status": DeliveryStatus.PENDING.value,
                "attempts": [],
                "created_at": format_timestamp(now),
                "updated_at": format_timestamp(now),
                "expires_at": _expires_at(now),
            }
        )
        key = _key(message.tenant_id, message.subscription_id, message.delivery_id)
        try:
            self.dynamodb.put_item(
                TableName=self.table_name,
                Item={**key, **item},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if not condition_failed(error):
                raise
            stored = self.get(message.tenant_id, message.subscription_id, message.delivery_id)
            return stored.delivery.status
        return DeliveryStatus.PENDING

    def record_attempt(
        self,
        message: DeliveryMessage,
        attempt: DeliveryAttempt,
        status: DeliveryStatus,
    ) -> int:
        """Append an attempt (its `number` is ignored: the log numbers attempts in order) and
        set the delivery's status; the number the attempt got."""
        entry = attempt.model_dump(mode="json", exclude={"number"})
        if entry.get("error"):
            entry["error"] = entry["error"][:MAX_ERROR_CHARS]
        values = {
            ":attempt": to_item({"v": [entry]})["v"],
            ":empty": {"L": []},
            ":status": {"S": status.value},
            ":updated": {"S": format_timestamp(attempt.at)},
            ":expires": {"N": str(_expires_at(attempt.at))},
            ":zero": {"N": "0"},
        }
        changes = [
            "attempts = list_append(if_not_exists(attempts, :empty), :attempt)",
            "#status = :status",
            "updated_at = :updated",
            "expires_at = :expires",
            "attempts_dropped = if_not_exists(attempts_dropped, :zero)",
        ]
        if attempt.next_retry_at is not None:
            values[":retry"] = {"S": format_timestamp(attempt.next_retry_at)}
            changes.append("next_retry_at = :retry")
        expression = "SET " + ", ".join(changes)
        if attempt.next_retry_at is None:
            expression += " REMOVE next_retry_at"
        key = _key(message.tenant_id, message.subscription_id, message.delivery_id)
        response = self.dynamodb.update_item(
            TableName=self.table_name,
            Key=key,
            UpdateExpression=expression,
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
        stored = response["Attributes"]
        kept = len(stored["attempts"]["L"])
        dropped = int(stored["attempts_dropped"]["N"])
        if kept > MAX_ATTEMPTS_KEPT:
            self._drop_oldest(key, kept - MAX_ATTEMPTS_KEPT)
        return dropped + kept

    def _drop_oldest(self, key: dict[str, dict[str, str]], count: int) -> None:
        self.dynamodb.update_item(
            TableName=self.table_name,
            Key=key,
            UpdateExpression="REMOVE "
            + ", ".join(f"attempts[{i}]" for i in range(count))
            + " ADD attempts_dropped :count",
            ExpressionAttributeValues={":count": {"N": str(count)}},
        )

    def mark_pending(
        self, tenant_id: str, subscription_id: str, delivery_id: str, now: datetime
    ) -> StoredDelivery:
        """A delivery about to be tried again now: `pending`, its next attempt due now.
        DeliveryNotFound if the log has no such delivery."""
        try:
            response = self.dynamodb.update_item(
                TableName=self.table_name,
                Key=_key(tenant_id, subscription_id, delivery_id),
                UpdateExpression="SET #status = :pending, next_retry_at = :now, "
                "updated_at = :now, expires_at = :expires",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":pending": {"S": DeliveryStatus.PENDING.value},
                    ":now": {"S": format_timestamp(now)},
                    ":expires": {"N": str(_expires_at(now))},
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if condition_failed(error):
                raise DeliveryNotFound() from None
            raise
        return _stored(response["Attributes"])

    def restore(self, before: StoredDelivery) -> None:
        """Put back the status and next attempt a delivery had (a retry that could not be
        queued after `mark_pending`)."""
        delivery = before.delivery
        values: dict[str, Any] = {":status": {"S": delivery.status.value}}
        expression = "SET #status = :status"
        if delivery.next_retry_at is None:
            expression += " REMOVE next_retry_at"
        else:
            values[":retry"] = {"S": format_timestamp(delivery.next_retry_at)}
            expression += ", next_retry_at = :retry"
        self.dynamodb.update_item(
            TableName=self.table_name,
            Key=_key(before.tenant_id, delivery.webhook_id, delivery.id),
            UpdateExpression=expression,
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=values,
        )

    def get(self, tenant_id: str, subscription_id: str, delivery_id: str) -> StoredDelivery:
        """One delivery with its event; DeliveryNotFound if the log has none by that id."""
        response = self.dynamodb.get_item(
            TableName=self.table_name,
            Key=_key(tenant_id, subscription_id, delivery_id),
            ConsistentRead=True,
        )
        if "Item" not in response:
            raise DeliveryNotFound()
        return _stored(response["Item"])

    def page(
        self, tenant_id: str, subscription_id: str, limit: int, after: str | None = None
    ) -> tuple[list[Delivery], str | None]:
        """Up to `limit` deliveries of a subscription, newest first, after the sort key
        `after`; and the sort key the next page starts after (None on the last page)."""
        items, last = self.query_prefix_page(
            deliveries_pk(tenant_id, subscription_id),
            DELIVERY_SK_PREFIX,
            limit,
            after,
            descending=True,
        )
        return [_stored(item).delivery for item in items], last


def delivery_cursors(
    codec: Callable[[], CursorCodec], tenant_id: str, subscription_id: str
) -> KeyCursors:
    """The cursors of one webhook's delivery list (a cursor of another webhook's list, or of
    another tenant's, is refused)."""
    return KeyCursors(codec, tenant_id, f"webhook-deliveries:{subscription_id}")


def list_page(
    log: DeliveryLog,
    codec: Callable[[], CursorCodec],
    tenant_id: str,
    subscription_id: str,
    page: ListPage,
) -> DeliveryList:
    """A page of a webhook's deliveries, newest first (InvalidCursor for a cursor not issued
    for this list)."""
    cursors = delivery_cursors(codec, tenant_id, subscription_id)
    deliveries, last = log.page(tenant_id, subscription_id, page.limit, cursors.after(page.cursor))
    return DeliveryList(deliveries=deliveries, next_cursor=cursors.next(last))


class Deliveries:
    """The rules of the delivery endpoints: a webhook's log, and re-sending one delivery."""

    def __init__(
        self,
        subscriptions: SubscriptionStore,
        log: DeliveryLog,
        codec: Callable[[], CursorCodec] | None = None,
        queue: Callable[[], DeliveryQueue] | None = None,
    ) -> None:
        self.subscriptions = subscriptions
        self.log = log
        self._codec = codec
        self._queue = queue

    def list(self, principal: Principal, webhook_id: str, page: ListPage) -> DeliveryList:
        """A page of a webhook's deliveries, newest first; WebhookNotFound for a webhook the
        tenant does not have."""
        principal.require(Scope.WEBHOOKS_MANAGE)
        self.subscriptions.get(principal.tenant_id, webhook_id)
        if self._codec is None:  # pragma: no cover - wiring error
            raise RuntimeError("the delivery list needs CURSOR_SECRET_ARN")
        return list_page(self.log, self._codec, principal.tenant_id, webhook_id, page)

    def retry(self, principal: Principal, webhook_id: str, delivery_id: str) -> Delivery:
        """Send a delivery again now, with the same `webhook-id` (its attempts continue in the
        log); WebhookNotFound or DeliveryNotFound when the tenant has no such webhook or
        delivery, WebhookQueueUnavailable when it could not be queued."""
        principal.require(Scope.WEBHOOKS_MANAGE)
        tenant_id = principal.tenant_id
        self.subscriptions.get(tenant_id, webhook_id)
        stored = self.log.get(tenant_id, webhook_id, delivery_id)
        if self._queue is None:  # pragma: no cover - wiring error
            raise RuntimeError("a retry needs WEBHOOK_DELIVERY_QUEUE_URL")
        # Pending first, so the sender, finding it settled otherwise, does send it.
        pending = self.log.mark_pending(tenant_id, webhook_id, delivery_id, datetime.now(UTC))
        try:
            self._queue().send([stored.message()])
        except (DeliveryQueueError, ClientError) as error:
            self.log.restore(stored)
            raise WebhookQueueUnavailable() from error
        return pending.delivery


def _queue() -> DeliveryQueue:
    return DeliveryQueue(settings.load(WebhookQueueSettings).delivery_queue_url)


@settings.per_environment
def service() -> Deliveries:
    """The delivery endpoints' service, from the function's environment (the queue and the
    cursor secret only for the routes that use them)."""
    from dialtone.webhooks.subscriptions import SubscriptionStore

    table = settings.load(WebhookSettings).webhooks_table
    return Deliveries(SubscriptionStore(table), DeliveryLog(table), codec_factory(), _queue)
