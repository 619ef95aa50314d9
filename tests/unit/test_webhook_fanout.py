"""The fan-out's rules (`dialtone.webhooks.fanout`): one message per subscription that chose the
event, delivery ids that are the same whenever they are made again, subscriptions read once per
tenant per batch, and an event marked done only once its messages are on the queue."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from dialtone.webhooks.fanout import Fanout, delivery_id
from dialtone.webhooks.models import (
    DELIVERY_ID_PATTERN,
    DeliveryMessage,
    EventType,
    Subscription,
    WebhookEvent,
)

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def an_event(
    event_id: str = "evt_1", tenant_id: str = "t1", at: datetime = NOW, **overrides: Any
) -> WebhookEvent:
    values: dict[str, Any] = {
        "id": event_id,
        "tenant_id": tenant_id,
        "type": EventType.CALL_STARTED,
        "timestamp": at,
        "data": {"id": "c1"},
        "sequence": "1".zfill(40),
        **overrides,
    }
    return WebhookEvent(**values)


def a_subscription(sid: str, *events: EventType, enabled: bool = True) -> Subscription:
    return Subscription(
        id=sid,
        url="https://hooks.example.com/in",
        events=list(events),
        enabled=enabled,
        created_at=NOW,
        updated_at=NOW,
    )


class Subscriptions:
    """A tenant's subscriptions, in pages of 2, counting the pages read."""

    def __init__(self, by_tenant: dict[str, list[Subscription]]) -> None:
        self.by_tenant = by_tenant
        self.pages = 0

    def list_subscriptions(
        self, tenant_id: str, limit: int, after: str | None = None
    ) -> tuple[list[Subscription], str | None]:
        self.pages += 1
        found = self.by_tenant.get(tenant_id, [])
        start = 0 if after is None else int(after)
        end = start + 2
        return found[start:end], str(end) if end < len(found) else None


class Ledger:
    """The event items: pending, then queued."""

    def __init__(self) -> None:
        self.states: dict[str, str] = {}

    def claim(self, event: WebhookEvent, now: datetime) -> bool:
        if self.states.get(event.id) == "queued":
            return False
        self.states[event.id] = "pending"
        return True

    def mark_queued(self, event: WebhookEvent, deliveries: int) -> None:
        self.states[event.id] = "queued"


class Queue:
    def __init__(self, failures: int = 0) -> None:
        self.sent: list[DeliveryMessage] = []
        self.failures = failures

    def send(self, messages: Sequence[DeliveryMessage], delay_seconds: int = 0) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("SQS refused the messages")
        self.sent.extend(messages)


def fanout(
    subscriptions: Subscriptions, queue: Queue | None = None
) -> tuple[Fanout, Ledger, Queue]:
    ledger, queue = Ledger(), queue or Queue()
    return Fanout(subscriptions, ledger, queue), ledger, queue  # type: ignore[arg-type]


def test_an_event_goes_once_to_each_enabled_subscription_that_chose_its_type() -> None:
    # Given subscriptions: two to starts, one disabled, one to other events, another tenant's
    source = Subscriptions(
        {
            "t1": [
                a_subscription("wh_a", EventType.CALL_STARTED, EventType.CALL_COMPLETED),
                a_subscription("wh_b", EventType.CALL_STARTED),
                a_subscription("wh_c", EventType.CALL_STARTED, enabled=False),
                a_subscription("wh_d", EventType.CALL_FAILED),
            ],
            "t2": [a_subscription("wh_e", EventType.CALL_STARTED)],
        }
    )
    hub, ledger, queue = fanout(source)
    # When a start of t1 is published
    assert hub.batch().publish(an_event()) == 2
    # Then one first-attempt message each for wh_a and wh_b, and the event is done
    assert [(m.subscription_id, m.attempt, m.tenant_id) for m in queue.sent] == [
        ("wh_a", 1, "t1"),
        ("wh_b", 1, "t1"),
    ]
    assert [m.delivery_id for m in queue.sent] == [
        delivery_id(an_event(), "wh_a"),
        delivery_id(an_event(), "wh_b"),
    ]
    assert ledger.states == {"evt_1": "queued"}


def test_subscriptions_are_read_once_per_tenant_per_batch() -> None:
    subscriptions = [a_subscription(f"wh_{n}", EventType.CALL_STARTED) for n in range(5)]
    source = Subscriptions({"t1": subscriptions})
    hub, _, queue = fanout(source)
    batch = hub.batch()
    for n in range(10):
        batch.publish(an_event(f"evt_{n}", type=list(EventType)[n % 3]))
    # Every page of the tenant's 5 subscriptions read once (3 pages of 2), not per event
    assert source.pages == 3
    assert len(queue.sent) == 5 * 4  # the 4 starts among the 10 events
    # A new batch reads them again (a subscription may have changed meanwhile)
    hub.batch().publish(an_event("evt_x"))
    assert source.pages == 6


def test_an_event_no_subscription_chose_writes_nothing() -> None:
    source = Subscriptions({"t1": [a_subscription("wh_a", EventType.CALL_FAILED)]})
    hub, ledger, queue = fanout(source)
    assert hub.batch().publish(an_event()) == 0
    assert (ledger.states, queue.sent) == ({}, [])


def test_an_event_whose_messages_were_refused_stays_pending_and_the_retry_sends_the_same() -> None:
    # Given the queue refusing the first send
    source = Subscriptions({"t1": [a_subscription("wh_a", EventType.CALL_STARTED)]})
    hub, ledger, queue = fanout(source, Queue(failures=1))
    # When the event is published: the failure is raised, the event stays pending
    with pytest.raises(RuntimeError):
        hub.batch().publish(an_event())
    assert ledger.states == {"evt_1": "pending"}
    # And published again (the record retried), then once more (redelivered)
    assert hub.batch().publish(an_event()) == 1
    assert hub.batch().publish(an_event()) == 0
    # Then it was queued once, with the id it would have had the first time
    assert [m.delivery_id for m in queue.sent] == [delivery_id(an_event(), "wh_a")]
    assert ledger.states == {"evt_1": "queued"}


def test_delivery_ids_are_stable_distinct_and_in_the_order_of_their_events() -> None:
    event = an_event()
    first = delivery_id(event, "wh_a")
    assert first == delivery_id(an_event(), "wh_a")
    # (the form the delivery routes accept as a path parameter)
    assert re.fullmatch(DELIVERY_ID_PATTERN, first)
    assert len({first, delivery_id(event, "wh_b"), delivery_id(an_event("evt_2"), "wh_a")}) == 3
    later = an_event("evt_0", at=NOW + timedelta(milliseconds=1))
    assert delivery_id(later, "wh_a") > first


def a_record(pk: str, sk: str, event: str = "MODIFY", **images: Any) -> dict[str, Any]:
    keys = {"pk": {"S": pk}, "sk": {"S": sk}}
    return {"eventName": event, "dynamodb": {"Keys": keys, "SequenceNumber": "7", **images}}


def test_a_record_is_read_only_for_a_tenant_with_an_enabled_subscription() -> None:
    # Given t1 with a disabled subscription only, and t2 with an enabled one
    source = Subscriptions(
        {
            "t1": [a_subscription("wh_a", EventType.CALL_STARTED, enabled=False)],
            "t2": [a_subscription("wh_b", EventType.CALL_STARTED)],
        }
    )
    hub, _, queue = fanout(source)
    batch = hub.batch()
    # A call record whose image is not even a call
    unreadable = {"NewImage": {"pk": {"S": "x"}}}
    # When t1's records come: nothing is read beyond its subscriptions, nothing is sent
    assert batch.add(a_record("T#t1#C#c1", "CALL", **unreadable)) == 0
    assert batch.add(a_record("T#t1#B#b1", "BATCH", **unreadable)) == 0
    assert source.pages == 1
    # And records that cannot tell an event (an exchange, a removal) read no subscription
    assert batch.add(a_record("T#t3#C#c1", "EX#0000000001", **unreadable)) == 0
    assert batch.add(a_record("T#t3#C#c1", "CALL", event="REMOVE", OldImage={})) == 0
    assert source.pages == 1
    assert queue.sent == []
    # While t2's call record is read (and this one is not a call)
    with pytest.raises(ValidationError):
        batch.add(a_record("T#t2#C#c1", "CALL", **unreadable))
