"""The webhook subscription store on the webhooks table of the embedded endpoint: the cap, the
secrets and their rotation, what the fan-out and the sender ask of it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from dialtone.errors import WebhookChanged, WebhookLimitReached, WebhookNotFound
from dialtone.webhooks import subscriptions
from dialtone.webhooks.models import EventType
from dialtone.webhooks.signing import new_secret, sign
from dialtone.webhooks.subscriptions import SubscriptionStore
from local.provision import Stack

URL = "https://hooks.example.com/dialtone"
COMPLETED = [EventType.CALL_COMPLETED]


def erase_webhook_items(store: SubscriptionStore, tenant_id: str) -> None:
    """Remove every subscription of a tenant, and its count, from the webhooks table."""
    dynamodb = store.dynamodb
    for page in dynamodb.get_paginator("query").paginate(
        TableName=store.table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"T#{tenant_id}"}},
        ConsistentRead=True,
    ):
        for item in page["Items"]:
            dynamodb.delete_item(
                TableName=store.table_name, Key={"pk": item["pk"], "sk": item["sk"]}
            )


@pytest.fixture
def store(stack: Stack, embedded_aws: Any) -> SubscriptionStore:
    return SubscriptionStore(
        stack.names["WebhooksTable"], dynamodb=embedded_aws.session().client("dynamodb")
    )


@pytest.fixture
def tenant_id(store: SubscriptionStore) -> Iterator[str]:
    tenant = f"t-{uuid.uuid4().hex[:12]}"
    yield tenant
    erase_webhook_items(store, tenant)


def test_a_subscription_is_created_read_listed_and_deleted(
    store: SubscriptionStore, tenant_id: str
) -> None:
    # Given a subscription to completed calls
    created = store.create(tenant_id, URL, COMPLETED, new_secret(), description="CRM sync")

    # Then it reads back as created, enabled, with a time-ordered id
    assert created.id.startswith("wh_")
    assert len(created.id) == 27
    assert store.get(tenant_id, created.id) == created
    assert created.enabled
    assert created.description == "CRM sync"
    assert created.failing_since is None
    assert created.disabled_reason is None

    # And another tenant does not have it
    with pytest.raises(WebhookNotFound):
        store.get("another-tenant", created.id)
    with pytest.raises(WebhookNotFound):
        store.delete("another-tenant", created.id)

    # When it is deleted, it is gone, and deleting it again is a WebhookNotFound
    store.delete(tenant_id, created.id)
    with pytest.raises(WebhookNotFound):
        store.get(tenant_id, created.id)
    with pytest.raises(WebhookNotFound):
        store.delete(tenant_id, created.id)


def test_the_list_is_paged_oldest_first(store: SubscriptionStore, tenant_id: str) -> None:
    created = [store.create(tenant_id, f"{URL}/{n}", COMPLETED, new_secret()) for n in range(5)]

    first, after = store.list_subscriptions(tenant_id, 2)
    second, after2 = store.list_subscriptions(tenant_id, 2, after)
    third, end = store.list_subscriptions(tenant_id, 2, after2)

    assert [s.id for s in first + second + third] == [s.id for s in created]
    assert end is None


def test_a_tenant_may_have_a_limited_number_of_subscriptions(
    store: SubscriptionStore, tenant_id: str
) -> None:
    # Given a tenant at its limit of three
    made = [store.create(tenant_id, URL, COMPLETED, new_secret(), limit=3) for _ in range(3)]

    # Then a fourth is refused, and nothing of it is stored
    with pytest.raises(WebhookLimitReached):
        store.create(tenant_id, URL, COMPLETED, new_secret(), limit=3)
    assert len(store.list_subscriptions(tenant_id, 100)[0]) == 3

    # And once one is deleted, there is room again
    store.delete(tenant_id, made[0].id)
    store.create(tenant_id, URL, COMPLETED, new_secret(), limit=3)
    assert len(store.list_subscriptions(tenant_id, 100)[0]) == 3


def test_the_default_limit_is_twenty(store: SubscriptionStore, tenant_id: str) -> None:
    for _ in range(subscriptions.MAX_SUBSCRIPTIONS):
        store.create(tenant_id, URL, COMPLETED, new_secret())
    with pytest.raises(WebhookLimitReached):
        store.create(tenant_id, URL, COMPLETED, new_secret())


def test_update_replaces_the_fields_given(store: SubscriptionStore, tenant_id: str) -> None:
    created = store.create(tenant_id, URL, COMPLETED, new_secret(), description="old")

    updated = store.update(
        tenant_id,
        created.id,
        {"url": f"{URL}/v2", "events": ["call.started", "call.failed"], "description": None},
    )

    assert updated.url == f"{URL}/v2"
    assert updated.events == [EventType.CALL_STARTED, EventType.CALL_FAILED]
    assert updated.description is None
    assert updated.updated_at > created.updated_at
    assert store.get(tenant_id, created.id) == updated
    with pytest.raises(WebhookNotFound):
        store.update("another-tenant", created.id, {"enabled": False})
    with pytest.raises(WebhookNotFound):  # and no item is created by the attempt
        store.get("another-tenant", created.id)


def test_for_event_gives_the_enabled_subscriptions_that_chose_the_type(
    store: SubscriptionStore, tenant_id: str
) -> None:
    started = store.create(tenant_id, URL, [EventType.CALL_STARTED], new_secret())
    both = store.create(
        tenant_id, URL, [EventType.CALL_STARTED, EventType.CALL_COMPLETED], new_secret()
    )
    disabled = store.create(tenant_id, URL, [EventType.CALL_STARTED], new_secret())
    store.disable(tenant_id, disabled.id, "Endpoint answered 410 Gone")

    assert [s.id for s in store.for_event(tenant_id, EventType.CALL_STARTED)] == [
        started.id,
        both.id,
    ]
    assert [s.id for s in store.for_event(tenant_id, "call.completed")] == [both.id]
    assert store.for_event(tenant_id, EventType.CALL_GRADED) == []
    assert store.for_event("another-tenant", EventType.CALL_STARTED) == []
    assert store.get(tenant_id, disabled.id).disabled_reason == "Endpoint answered 410 Gone"


def test_rotation_keeps_the_old_secret_for_24_hours(
    store: SubscriptionStore, tenant_id: str
) -> None:
    # Given a subscription with its first secret
    first, second = new_secret(), new_secret()
    created = store.create(tenant_id, URL, COMPLETED, first)
    now = datetime.now(UTC)
    assert store.signing_secrets(tenant_id, created.id, now) == [first]

    # When the secret is rotated
    overlap_ends = store.rotate_secret(tenant_id, created.id, second)

    # Then both sign, the new one first, for 24 hours; then only the new one
    assert timedelta(hours=23, minutes=59) < overlap_ends - now <= timedelta(hours=24, seconds=5)
    assert store.signing_secrets(tenant_id, created.id, now) == [second, first]
    later = overlap_ends + timedelta(seconds=1)
    assert store.signing_secrets(tenant_id, created.id, later) == [second]
    with pytest.raises(WebhookNotFound):
        store.signing_secrets("another-tenant", created.id, now)
    with pytest.raises(WebhookNotFound):
        store.rotate_secret("another-tenant", created.id, new_secret())


def test_rotating_often_keeps_a_bounded_number_of_secrets(
    store: SubscriptionStore, tenant_id: str
) -> None:
    secrets = [new_secret() for _ in range(8)]
    created = store.create(tenant_id, URL, COMPLETED, secrets[0])
    for secret in secrets[1:]:
        store.rotate_secret(tenant_id, created.id, secret)

    signing = store.signing_secrets(tenant_id, created.id, datetime.now(UTC))
    assert signing == secrets[::-1][: subscriptions.MAX_SECRETS]


def test_a_rotation_over_a_changed_secret_is_refused(
    store: SubscriptionStore, tenant_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a rotation that read the secrets just before another rotation wrote new ones
    created = store.create(tenant_id, URL, COMPLETED, new_secret())
    read = store._item(tenant_id, created.id)
    store.rotate_secret(tenant_id, created.id, new_secret())
    monkeypatch.setattr(store, "_item", lambda *_: read)

    # Then its write is refused rather than dropping the other rotation's secret
    with pytest.raises(WebhookChanged):
        store.rotate_secret(tenant_id, created.id, new_secret())


def test_failures_for_three_days_disable_the_subscription_once(
    store: SubscriptionStore, tenant_id: str
) -> None:
    created = store.create(tenant_id, URL, COMPLETED, new_secret())
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    # A failure marks when failures began; later ones keep that time
    assert store.record_result(tenant_id, created.id, False, start) is False
    assert store.record_result(tenant_id, created.id, False, start + timedelta(days=1)) is False
    assert store.get(tenant_id, created.id).failing_since == start

    # Three days of failures disable it, once
    late = start + timedelta(days=3)
    assert store.record_result(tenant_id, created.id, False, late) is True
    assert store.record_result(tenant_id, created.id, False, late) is False
    disabled = store.get(tenant_id, created.id)
    assert not disabled.enabled
    assert disabled.disabled_reason is not None
    assert "failed for 3 days" in disabled.disabled_reason

    # Enabling it again clears the reason and the failures
    enabled = store.update(tenant_id, created.id, {"enabled": True})
    assert enabled.enabled
    assert enabled.disabled_reason is None
    assert enabled.failing_since is None


def test_a_success_clears_the_failures(store: SubscriptionStore, tenant_id: str) -> None:
    created = store.create(tenant_id, URL, COMPLETED, new_secret())
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    store.record_result(tenant_id, created.id, False, start)
    assert store.record_result(tenant_id, created.id, True, start + timedelta(hours=1)) is False
    assert store.get(tenant_id, created.id).failing_since is None

    # So the three days count again from the next failure
    store.record_result(tenant_id, created.id, False, start + timedelta(days=2))
    assert store.record_result(tenant_id, created.id, False, start + timedelta(days=4)) is False
    assert store.get(tenant_id, created.id).enabled
    # A success of a subscription with no failures writes nothing and says nothing
    store.record_result(tenant_id, created.id, True, start + timedelta(days=4))
    assert store.record_result(tenant_id, created.id, True, start + timedelta(days=4)) is False


def test_results_of_a_deleted_subscription_do_not_bring_it_back(
    store: SubscriptionStore, tenant_id: str
) -> None:
    created = store.create(tenant_id, URL, COMPLETED, new_secret())
    store.delete(tenant_id, created.id)

    with pytest.raises(WebhookNotFound):
        store.record_result(tenant_id, created.id, False, datetime.now(UTC))
    store.record_result(tenant_id, created.id, True, datetime.now(UTC))
    with pytest.raises(WebhookNotFound):
        store.disable(tenant_id, created.id, "gone")
    with pytest.raises(WebhookNotFound):
        store.get(tenant_id, created.id)


def test_after_a_rotation_deliveries_verify_with_either_secret_for_a_day(
    store: SubscriptionStore, tenant_id: str
) -> None:
    # Given a receiver holding the first secret, and a rotation
    first, second = new_secret(), new_secret()
    created = store.create(tenant_id, URL, COMPLETED, first)
    overlap_ends = store.rotate_secret(tenant_id, created.id, second)
    body, now = '{"type":"ping"}', datetime.now(UTC)

    # During the overlap a delivery verifies with the old secret and with the new one
    during = sign(store.signing_secrets(tenant_id, created.id, now), "msg_1", now, body)
    Webhook(first).verify(body, during)
    Webhook(second).verify(body, during)

    # After it, only with the new one
    later = store.signing_secrets(tenant_id, created.id, overlap_ends + timedelta(seconds=1))
    after = sign(later, "msg_2", now, body)
    Webhook(second).verify(body, after)
    with pytest.raises(WebhookVerificationError):
        Webhook(first).verify(body, after)
