"""GET /v1/webhooks/{webhook_id}/deliveries and POST .../deliveries/{delivery_id}/retry through
their handlers, on the webhooks table and delivery queue of the embedded endpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone.auth import Scope
from dialtone.errors import WebhookQueueUnavailable
from dialtone.webhooks import deliveries
from dialtone.webhooks.deliveries import DeliveryAttempt, DeliveryLog, DeliveryStatus
from dialtone.webhooks.models import (
    DeliveryMessage,
    EventType,
    Subscription,
    deliveries_pk,
    delivery_id,
)
from dialtone.webhooks.queue import DeliveryQueue, DeliveryQueueError
from dialtone.webhooks.signing import new_secret
from dialtone.webhooks.subscriptions import SubscriptionStore
from local.invoke import api_event, invoke
from tests.deliveries import log_delivery

LIST_ROUTE = "GET /v1/webhooks/{webhook_id}/deliveries"
RETRY_ROUTE = "POST /v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def table(handler_environment: dict[str, str]) -> str:
    return handler_environment["WEBHOOKS_TABLE"]


@pytest.fixture
def webhooks(table: str) -> Iterator[Any]:
    """Make a subscription of a tenant (deleted, with its log, when the test ends)."""
    store = SubscriptionStore(table)
    made: list[tuple[str, Subscription]] = []

    def make(tenant_id: str) -> Subscription:
        subscription = store.create(
            tenant_id, "https://hooks.example.com/in", [EventType.CALL_COMPLETED], new_secret()
        )
        made.append((tenant_id, subscription))
        return subscription

    yield make
    for tenant_id, subscription in made:
        for pk in (f"T#{tenant_id}", deliveries_pk(tenant_id, subscription.id)):
            items = store.dynamodb.query(
                TableName=table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": pk}},
            )["Items"]
            for item in items:
                store.dynamodb.delete_item(
                    TableName=table, Key={"pk": item["pk"], "sk": item["sk"]}
                )


def list_deliveries(authorizer: dict[str, str], webhook_id: str, **query: str) -> tuple[int, Any]:
    event = api_event(
        "list_webhook_deliveries",
        LIST_ROUTE,
        f"/v1/webhooks/{webhook_id}/deliveries",
        path_parameters={"webhook_id": webhook_id},
        query=query or None,
        authorizer=authorizer,
    )
    result = invoke("list_webhook_deliveries", event)
    return result["statusCode"], json.loads(result["body"])


def retry(authorizer: dict[str, str], webhook_id: str, delivery: str) -> tuple[int, Any]:
    event = api_event(
        "retry_webhook_delivery",
        RETRY_ROUTE,
        f"/v1/webhooks/{webhook_id}/deliveries/{delivery}/retry",
        path_parameters={"webhook_id": webhook_id, "delivery_id": delivery},
        authorizer=authorizer,
    )
    result = invoke("retry_webhook_delivery", event)
    return result["statusCode"], json.loads(result["body"])


def test_deliveries_are_listed_newest_first_with_their_attempts_a_page_at_a_time(
    tenant: Any, webhooks: Any, table: str
) -> None:
    # Given a webhook with three deliveries: an old one that failed twice then succeeded,
    # and two newer ones
    hook = webhooks(tenant.tenant_id)
    oldest = log_delivery(table, tenant.tenant_id, hook.id, T0, None, 500, 200)
    middle = log_delivery(table, tenant.tenant_id, hook.id, T0 + timedelta(hours=1), 503)
    newest = log_delivery(table, tenant.tenant_id, hook.id, T0 + timedelta(hours=2), 204)
    manager = tenant.authorizer(Scope.WEBHOOKS_MANAGE)

    # When the first page of two is read
    status, page = list_deliveries(manager, hook.id, limit="2")

    # Then it holds the two newest, and a cursor
    assert status == 200
    assert [d["id"] for d in page["deliveries"]] == [newest.delivery_id, middle.delivery_id]
    assert page["next_cursor"]
    first = page["deliveries"][0]
    assert first["webhook_id"] == hook.id
    assert first["event_type"] == "call.completed"
    assert first["event_id"] == newest.event.id
    assert first["status"] == "delivered"
    pending = page["deliveries"][1]
    assert pending["status"] == "pending"
    assert pending["next_retry_at"] == "2026-12-01T10:00:30Z"

    # When the next page is read
    status, rest = list_deliveries(manager, hook.id, limit="2", cursor=page["next_cursor"])

    # Then it holds the oldest, its attempts in order, and no cursor
    assert status == 200
    assert rest["next_cursor"] is None
    [delivery] = rest["deliveries"]
    assert delivery["id"] == oldest.delivery_id
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == [
        {
            "number": 1,
            "at": "2026-12-01T09:00:00Z",
            "status_code": None,
            "latency_ms": None,
            "error": "Timed out after 10 s",
            "next_retry_at": "2026-12-01T09:00:30Z",
        },
        {
            "number": 2,
            "at": "2026-12-01T09:01:00Z",
            "status_code": 500,
            "latency_ms": 41,
            "error": "HTTP 500",
            "next_retry_at": "2026-12-01T09:01:30Z",
        },
        {
            "number": 3,
            "at": "2026-12-01T09:02:00Z",
            "status_code": 200,
            "latency_ms": 42,
            "error": None,
            "next_retry_at": None,
        },
    ]
    assert delivery["next_retry_at"] is None


def test_a_webhook_without_deliveries_lists_none(tenant: Any, webhooks: Any) -> None:
    hook = webhooks(tenant.tenant_id)
    status, page = list_deliveries(tenant.authorizer(Scope.WEBHOOKS_MANAGE), hook.id)
    assert (status, page) == (200, {"deliveries": [], "next_cursor": None})


def test_another_tenants_webhook_and_deliveries_are_not_found(
    make_tenant: Any, webhooks: Any, table: str
) -> None:
    owner, other = make_tenant(), make_tenant()
    hook = webhooks(owner.tenant_id)
    message = log_delivery(table, owner.tenant_id, hook.id, T0, 500)
    intruder = other.authorizer(Scope.WEBHOOKS_MANAGE)

    assert list_deliveries(intruder, hook.id) == (404, {"detail": "Webhook not found"})
    assert retry(intruder, hook.id, message.delivery_id) == (404, {"detail": "Webhook not found"})


def test_a_cursor_of_another_webhook_is_refused(tenant: Any, webhooks: Any, table: str) -> None:
    first, second = webhooks(tenant.tenant_id), webhooks(tenant.tenant_id)
    for hour in range(3):
        log_delivery(table, tenant.tenant_id, first.id, T0 + timedelta(hours=hour), 200)
    manager = tenant.authorizer(Scope.WEBHOOKS_MANAGE)
    _, page = list_deliveries(manager, first.id, limit="1")

    status, body = list_deliveries(manager, second.id, cursor=page["next_cursor"])
    assert (status, body) == (400, {"detail": "Invalid cursor"})


@pytest.mark.parametrize("scope", [Scope.CALLS_READ, Scope.CALLS_WRITE, Scope.ADMIN])
def test_the_deliveries_need_the_webhooks_scope(
    tenant: Any, webhooks: Any, table: str, scope: Scope
) -> None:
    hook = webhooks(tenant.tenant_id)
    message = log_delivery(table, tenant.tenant_id, hook.id, T0, 500)
    caller = tenant.authorizer(scope)
    missing = {"detail": "Missing scope webhooks:manage"}

    assert list_deliveries(caller, hook.id) == (403, missing)
    assert retry(caller, hook.id, message.delivery_id) == (403, missing)


@pytest.mark.parametrize(
    ("webhook_id", "delivery"),
    [
        ("not-a-webhook", "msg_01a1fe531460e417a99eec7da36dc6ef"),
        ("wh_UPPER0000", "msg_01a1fe531460e417a99eec7da36dc6ef"),
        ("wh_019ae4b1c2d30a1b2c3d4e5f", "msg_short"),
        ("wh_019ae4b1c2d30a1b2c3d4e5f", "01a1fe531460e417a99eec7da36dc6ef"),
        ("wh_019ae4b1c2d30a1b2c3d4e5f", "msg_01A1FE531460E417A99EEC7DA36DC6EF"),  # upper case
    ],
)
def test_malformed_ids_are_refused(tenant: Any, webhook_id: str, delivery: str) -> None:
    status, body = retry(tenant.authorizer(Scope.WEBHOOKS_MANAGE), webhook_id, delivery)
    assert status == 422
    assert body["detail"][0]["loc"][0] == "path"


def test_a_malformed_webhook_id_or_page_is_refused_by_the_list(tenant: Any, webhooks: Any) -> None:
    manager = tenant.authorizer(Scope.WEBHOOKS_MANAGE)
    status, body = list_deliveries(manager, "wh_!")
    assert status == 422
    assert body["detail"][0]["loc"] == ["path", "webhook_id"]
    hook = webhooks(tenant.tenant_id)
    status, body = list_deliveries(manager, hook.id, limit="0")
    assert status == 422
    assert body["detail"][0]["loc"] == ["query", "limit"]


def test_an_unknown_delivery_is_not_found(tenant: Any, webhooks: Any) -> None:
    hook = webhooks(tenant.tenant_id)
    unknown = delivery_id("evt_nothing", hook.id, T0)
    status, body = retry(tenant.authorizer(Scope.WEBHOOKS_MANAGE), hook.id, unknown)
    assert (status, body) == (404, {"detail": "Delivery not found"})


def test_a_retry_queues_the_same_delivery_now(
    tenant: Any, webhooks: Any, table: str, embedded_aws: Any, handler_environment: dict[str, str]
) -> None:
    # Given a delivery whose retries failed
    hook = webhooks(tenant.tenant_id)
    message = log_delivery(table, tenant.tenant_id, hook.id, T0, 500, 500)
    DeliveryLog(table).record_attempt(
        message,
        DeliveryAttempt(number=0, at=T0 + timedelta(hours=30), status_code=500),
        DeliveryStatus.FAILED,
    )

    # When a client asks for it again
    before = datetime.now(UTC)
    status, body = retry(tenant.authorizer(Scope.WEBHOOKS_MANAGE), hook.id, message.delivery_id)

    # Then it is accepted, pending, due now, its attempts kept
    assert status == 202
    assert body["id"] == message.delivery_id
    assert body["status"] == "pending"
    assert len(body["attempts"]) == 3
    assert datetime.fromisoformat(body["next_retry_at"]) >= before - timedelta(seconds=1)

    # And its message is on the delivery queue: the same delivery id (webhook-id) and event
    sqs = embedded_aws.session().client("sqs")
    url = handler_environment["WEBHOOK_DELIVERY_QUEUE_URL"]
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    queued = [
        (m, DeliveryMessage.model_validate_json(m["Body"])) for m in received.get("Messages", [])
    ]
    mine = [(m, q) for m, q in queued if q.delivery_id == message.delivery_id]
    assert len(mine) == 1
    raw, again = mine[0]
    assert again.event == message.event
    assert again.subscription_id == hook.id
    assert again.tenant_id == tenant.tenant_id
    sqs.delete_message(QueueUrl=url, ReceiptHandle=raw["ReceiptHandle"])


def test_the_log_keeps_the_latest_attempts_numbered_as_they_were_made(
    tenant: Any, webhooks: Any, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a log that keeps 3 attempts of a delivery
    monkeypatch.setattr(deliveries, "MAX_ATTEMPTS_KEPT", 3)
    hook = webhooks(tenant.tenant_id)

    # When a delivery is tried 5 times
    message = log_delivery(table, tenant.tenant_id, hook.id, T0, 500, 500, 500, 500)
    number = DeliveryLog(table).record_attempt(
        message,
        DeliveryAttempt(number=0, at=T0 + timedelta(minutes=9), status_code=200),
        DeliveryStatus.DELIVERED,
    )

    # Then the fifth attempt is number 5, and the last three are shown with their numbers
    assert number == 5
    _, page = list_deliveries(tenant.authorizer(Scope.WEBHOOKS_MANAGE), hook.id)
    [delivery] = page["deliveries"]
    assert [a["number"] for a in delivery["attempts"]] == [3, 4, 5]
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 500, 200]


def test_a_retry_that_cannot_be_queued_is_a_503_and_changes_nothing(
    tenant: Any, webhooks: Any, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a failed delivery, and a delivery queue that refuses messages
    hook = webhooks(tenant.tenant_id)
    message = log_delivery(table, tenant.tenant_id, hook.id, T0, 500)
    log = DeliveryLog(table)
    log.record_attempt(
        message,
        DeliveryAttempt(number=0, at=T0 + timedelta(hours=30), status_code=500),
        DeliveryStatus.FAILED,
    )

    def refuse(self: DeliveryQueue, messages: Any, delay_seconds: int = 0) -> None:
        raise DeliveryQueueError("SQS refused 1 deliveries")

    monkeypatch.setattr(DeliveryQueue, "send", refuse)

    # When a client asks for it again
    status, body = retry(tenant.authorizer(Scope.WEBHOOKS_MANAGE), hook.id, message.delivery_id)

    # Then it is told to try again later, and the delivery is still failed, with no retry due
    assert status == 503
    assert body == {"detail": WebhookQueueUnavailable.detail}
    stored = log.get(tenant.tenant_id, hook.id, message.delivery_id).delivery
    assert stored.status is DeliveryStatus.FAILED
    assert stored.next_retry_at is None
    assert len(stored.attempts) == 2
