"""Webhook events through the calls table's stream consumer, against the embedded endpoint:
real stream records of calls and batches, through the handler, onto the delivery queue, one
message per (event, subscription that chose it), however often a record is delivered."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from dialtone import aws
from dialtone.model_types import CallOutcome, CallStatus, Direction
from dialtone.store import BatchRecord, CallStore
from dialtone.webhooks.fanout import EventLedger
from dialtone.webhooks.models import DeliveryMessage, EventType, Subscription
from dialtone.webhooks.queue import DeliveryQueue
from dialtone.webhooks.subscriptions import SubscriptionStore
from local.invoke import api_event, invoke
from tests.streams import drain_calls_stream, take_calls_stream
from tests.tenants import TenantFixture

SECRET = "whsec_" + "A" * 32


@pytest.fixture
def subscriptions(handler_environment: dict[str, str]) -> Iterator[SubscriptionStore]:
    store = SubscriptionStore(handler_environment["WEBHOOKS_TABLE"])
    created: list[tuple[str, str]] = []
    create = store.create

    def creating(tenant_id: str, *args: Any, **kwargs: Any) -> Subscription:
        subscription = create(tenant_id, *args, **kwargs)
        created.append((tenant_id, subscription.id))
        return subscription

    store.create = creating  # type: ignore[method-assign]
    yield store
    for tenant_id, subscription_id in created:
        store.delete(tenant_id, subscription_id)


def subscribe(store: SubscriptionStore, tenant_id: str, *events: EventType) -> Subscription:
    return store.create(tenant_id, "https://hooks.example.com/in", list(events), SECRET)


def queued_messages(tenant_id: str) -> list[DeliveryMessage]:
    """Every message on the delivery queue for the tenant (taken off it); other tenants'
    messages are put back at once."""
    sqs = aws.client("sqs")
    url = os.environ["WEBHOOK_DELIVERY_QUEUE_URL"]
    found: list[DeliveryMessage] = []
    while True:
        response = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = response.get("Messages", [])
        if not messages:
            return found
        for message in messages:
            delivery = DeliveryMessage.model_validate_json(message["Body"])
            if delivery.tenant_id == tenant_id:
                found.append(delivery)
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            else:
                sqs.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )


def get_call(tenant: TenantFixture, call_id: str) -> dict[str, Any]:
    event = api_event(
        "get_call",
        "GET /v1/calls/{call_id}",
        f"/v1/calls/{call_id}",
        path_parameters={"call_id": call_id},
        authorizer=tenant.authorizer(),
    )
    response = invoke("get_call", event)
    assert response["statusCode"] == 200, response["body"]
    body: dict[str, Any] = json.loads(response["body"])
    return body


def consume(records: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = invoke("stream_consumer", {"Records": records})
    return result


def test_a_call_that_starts_and_completes_is_sent_to_the_subscriptions_that_chose_it(
    tenant: TenantFixture, call_store: CallStore, subscriptions: SubscriptionStore
) -> None:
    # Given a subscription to the start and end of calls, one to failures only, and one to
    # starts that is disabled
    lifecycle = subscribe(
        subscriptions, tenant.tenant_id, EventType.CALL_STARTED, EventType.CALL_COMPLETED
    )
    subscribe(subscriptions, tenant.tenant_id, EventType.CALL_FAILED)
    disabled = subscribe(subscriptions, tenant.tenant_id, EventType.CALL_STARTED)
    subscriptions.disable(tenant.tenant_id, disabled.id, "test")
    # And a call that is answered, then completes
    call = tenant.add_call(status=CallStatus.IN_PROGRESS, direction=Direction.INBOUND)
    fields = {"status": CallStatus.COMPLETED.value, "outcome": CallOutcome.RESOLVED.value}
    assert call_store.change_call(tenant.tenant_id, call.id, CallStatus.IN_PROGRESS, fields)

    # When the stream is consumed
    drain_calls_stream(tenant.tenant_id)

    # Then the lifecycle subscription has call.started then call.completed, each once
    messages = sorted(queued_messages(tenant.tenant_id), key=lambda m: m.event.sequence or "")
    assert [(m.subscription_id, m.event.type) for m in messages] == [
        (lifecycle.id, EventType.CALL_STARTED),
        (lifecycle.id, EventType.CALL_COMPLETED),
    ]
    assert all(m.attempt == 1 and m.delivery_id.startswith("msg_") for m in messages)
    started, completed = (m.event.payload() for m in messages)
    assert started["data"]["sequence"] < completed["data"]["sequence"]
    # And the completed event carries the call as GET /v1/calls/{id} shows it
    shown = get_call(tenant, call.id)
    data = completed["data"]
    assert {k: v for k, v in data.items() if k in shown} == shown
    assert data["links"]["transcript"] == f"/v1/calls/{call.id}/transcript"
    assert len(json.dumps(completed)) < 20_000


def test_records_delivered_again_and_out_of_order_queue_each_delivery_once(
    tenant: TenantFixture, call_store: CallStore, subscriptions: SubscriptionStore
) -> None:
    # Given a subscription to every call event, and a call that rings, is answered, escalated
    # and ends
    subscription = subscribe(subscriptions, tenant.tenant_id, *list(EventType)[:6])
    call = tenant.add_call(status=CallStatus.RINGING, direction=Direction.OUTBOUND)
    steps = [
        (CallStatus.RINGING, {"status": CallStatus.IN_PROGRESS.value}),
        (CallStatus.IN_PROGRESS, {"outcome": CallOutcome.ESCALATED.value}),
        (CallStatus.IN_PROGRESS, {"status": CallStatus.COMPLETED.value}),
    ]
    for expected, fields in steps:
        assert call_store.change_call(tenant.tenant_id, call.id, expected, fields)
    records = take_calls_stream(tenant.tenant_id)

    # When the records are delivered, again, backwards, and one of them once more
    for batch in (records, records, records[::-1], records[2:3]):
        assert consume(batch) == {"batchItemFailures": []}

    # Then each event was queued once, for the subscription
    messages = queued_messages(tenant.tenant_id)
    assert sorted(m.event.type.value for m in messages) == [
        "call.completed",
        "call.escalated",
        "call.started",
    ]
    assert {m.subscription_id for m in messages} == {subscription.id}
    assert len({m.delivery_id for m in messages}) == 3


def test_a_delivery_that_could_not_be_queued_is_queued_by_the_retry_with_the_same_id(
    tenant: TenantFixture,
    subscriptions: SubscriptionStore,
    handler_environment: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given two subscriptions to call.started, and a call that starts
    subscribe(subscriptions, tenant.tenant_id, EventType.CALL_STARTED)
    subscribe(subscriptions, tenant.tenant_id, EventType.CALL_STARTED)
    tenant.add_call(status=CallStatus.IN_PROGRESS)
    records = take_calls_stream(tenant.tenant_id)
    # And the queue refusing the first try
    send = DeliveryQueue.send
    calls = {"n": 0}

    def refusing_once(queue: DeliveryQueue, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("SQS is down")
        send(queue, *args, **kwargs)

    monkeypatch.setattr(DeliveryQueue, "send", refusing_once)

    # When the record is consumed: it fails, and its event is left pending
    failed = [{"itemIdentifier": records[0]["dynamodb"]["SequenceNumber"]}]
    assert consume(records) == {"batchItemFailures": failed}
    assert queued_messages(tenant.tenant_id) == []
    # And Lambda retries it
    assert consume(records) == {"batchItemFailures": []}

    # Then both deliveries are queued, once, and the event is done
    messages = queued_messages(tenant.tenant_id)
    assert len(messages) == 2
    assert len({m.subscription_id for m in messages}) == 2
    ledger = EventLedger(handler_environment["WEBHOOKS_TABLE"])
    assert ledger.state(messages[0].event) == "queued"
    assert consume(records) == {"batchItemFailures": []}
    assert queued_messages(tenant.tenant_id) == []


def test_a_tenant_without_subscriptions_costs_no_event_item(
    tenant: TenantFixture, handler_environment: dict[str, str]
) -> None:
    # Given a call of a tenant that subscribed to nothing
    tenant.add_call(status=CallStatus.IN_PROGRESS)
    records = take_calls_stream(tenant.tenant_id)
    # When its record is consumed
    assert consume(records) == {"batchItemFailures": []}
    # Then nothing was queued, nor remembered
    assert queued_messages(tenant.tenant_id) == []
    dynamodb = aws.client("dynamodb")
    items = dynamodb.scan(
        TableName=handler_environment["WEBHOOKS_TABLE"],
        FilterExpression="begins_with(pk, :prefix)",
        ExpressionAttributeValues={":prefix": {"S": f"T#{tenant.tenant_id}#E#"}},
    )["Items"]
    assert items == []


def test_a_batch_whose_calls_all_end_is_completed_once(
    tenant: TenantFixture, call_store: CallStore, subscriptions: SubscriptionStore
) -> None:
    # Given a subscription to batch.completed, and a batch of two calls in progress
    subscription = subscribe(subscriptions, tenant.tenant_id, EventType.BATCH_COMPLETED)
    batch_id = str(uuid.uuid4())
    calls = [tenant.add_call(status=CallStatus.IN_PROGRESS, batch_id=batch_id) for _ in range(2)]
    counts = {"queued": 0, "initiated": 2, "completed": 0, "failed": 0, "canceled": 0}
    created = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    call_store.put_batch(tenant.tenant_id, BatchRecord(batch_id, 2, created, counts))
    # When one call completes and the other is not answered
    for call, status in zip(calls, (CallStatus.COMPLETED, CallStatus.NO_ANSWER), strict=True):
        moved = call_store.change_call(
            tenant.tenant_id,
            call.id,
            CallStatus.IN_PROGRESS,
            {"status": status.value},
            batch_id=batch_id,
        )
        assert moved
        drain_calls_stream(tenant.tenant_id)

    # Then batch.completed was queued once, with the batch's final counters
    messages = [
        m for m in queued_messages(tenant.tenant_id) if m.event.type is EventType.BATCH_COMPLETED
    ]
    assert [m.subscription_id for m in messages] == [subscription.id]
    data = messages[0].event.payload()["data"]
    assert {k: data[k] for k in ("batch_id", "status", "total", "completed", "failed")} == {
        "batch_id": batch_id,
        "status": "completed",
        "total": 2,
        "completed": 1,
        "failed": 1,
    }
    assert data["links"] == {"batch": f"/v1/calls/batch/{batch_id}"}
