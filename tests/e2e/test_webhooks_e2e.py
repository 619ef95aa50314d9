"""Webhook deliveries on the local stack: the sender, run by the delivery queue's poller, POSTs to
a real receiver on 127.0.0.1, retries through the queue, and logs what happened, which the API
shows."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from standardwebhooks.webhooks import Webhook

from dialtone.accounts import AccountStore
from dialtone.auth import Scope
from dialtone.webhooks.models import DeliveryMessage, EventType, WebhookEvent, delivery_id
from local.pollers import wait_until
from local.stack import LocalStack
from tests.webhook_receiver import Receiver, Reply, receiving

pytestmark = pytest.mark.e2e


@dataclass
class Tenant:
    """A tenant of one test, with a key of every scope, on the local stack."""

    stack: LocalStack
    tenant_id: str
    key: str

    def http(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"X-API-Key": self.key, **kwargs.pop("headers", {})}
        url = self.stack.info["api_url"] + path
        return requests.request(method, url, headers=headers, timeout=30, **kwargs)

    def subscribe(self, receiver: Receiver, events: list[str]) -> tuple[str, str]:
        """A subscription of the receiver to `events`, made through the API: its id and
        signing secret."""
        created = self.http("POST", "/v1/webhooks", json={"url": receiver.url, "events": events})
        assert created.status_code == 201, created.text
        body = created.json()
        return body["id"], body["secret"]

    def queue(self, webhook_id: str, event_type: EventType = EventType.CALL_COMPLETED) -> str:
        """Put a delivery of a new event for the webhook on the delivery queue (as the fan-out
        does); its delivery id."""
        now = datetime.now(UTC)
        event = WebhookEvent(
            id=f"evt_{uuid.uuid4().hex}",
            tenant_id=self.tenant_id,
            type=event_type,
            timestamp=now,
            data={"id": str(uuid.uuid4()), "status": "completed", "sequence": 3},
        )
        message = DeliveryMessage(
            tenant_id=self.tenant_id,
            subscription_id=webhook_id,
            delivery_id=delivery_id(event.id, webhook_id, now),
            event=event,
        )
        self.stack.aws.session().client("sqs").send_message(
            QueueUrl=self.stack.stack.urls["WebhookDeliveryQueue"],
            MessageBody=message.model_dump_json(),
        )
        return message.delivery_id

    def delivery(self, webhook_id: str, delivery: str) -> dict[str, Any] | None:
        """The delivery as the API lists it (None while it is not logged)."""
        listed = self.http("GET", f"/v1/webhooks/{webhook_id}/deliveries", params={"limit": 100})
        assert listed.status_code == 200, listed.text
        return next((d for d in listed.json()["deliveries"] if d["id"] == delivery), None)

    def settled(self, webhook_id: str, delivery: str, timeout: float = 30) -> dict[str, Any]:
        """The delivery once it is no longer pending."""
        found: dict[str, Any] = {}

        def done() -> bool:
            found.update(self.delivery(webhook_id, delivery) or {})
            return found.get("status") in ("delivered", "failed")

        assert wait_until(done, timeout=timeout), found
        return found


@pytest.fixture
def tenant(local_stack: LocalStack) -> Tenant:
    session = local_stack.aws.session()
    accounts = AccountStore(local_stack.info["accounts_table"], dynamodb=session.client("dynamodb"))
    created = accounts.create_tenant(name=f"Webhooks {uuid.uuid4().hex[:4]}")
    key = accounts.create_key(created.tenant_id, tuple(Scope)).plaintext
    return Tenant(local_stack, created.tenant_id, key)


def test_a_receiver_failing_twice_gets_the_event_on_the_third_attempt(tenant: Tenant) -> None:
    with receiving(Reply(500), Reply(503)) as receiver:
        # Given a subscription whose endpoint fails twice, then recovers
        webhook_id, secret = tenant.subscribe(receiver, ["call.completed"])

        # When an event is queued for it
        delivery = tenant.queue(webhook_id)

        # Then the third attempt delivers it, with the same webhook-id every time
        requests_seen = receiver.wait_for(3, timeout=30)
        assert len(requests_seen) == 3
        assert {r.headers["webhook-id"] for r in requests_seen} == {delivery}
        # And every attempt is signed, each with its own timestamp, verifiable by the receiver
        for request in requests_seen:
            payload = Webhook(secret).verify(request.body, request.headers)
            assert payload["type"] == "call.completed"
        time.sleep(1.5)
        assert len(receiver.received) == 3

    # And the delivery log shows the three attempts, the last one delivered
    logged = tenant.settled(webhook_id, delivery)
    assert logged["status"] == "delivered"
    assert [a["status_code"] for a in logged["attempts"]] == [500, 503, 200]
    assert [a["number"] for a in logged["attempts"]] == [1, 2, 3]
    assert all(a["next_retry_at"] for a in logged["attempts"][:2])
    assert logged["attempts"][2]["next_retry_at"] is None


def test_429_is_retried_no_sooner_than_retry_after(tenant: Tenant) -> None:
    with receiving(Reply(429, {"Retry-After": "2"})) as receiver:
        webhook_id, _ = tenant.subscribe(receiver, ["call.completed"])
        delivery = tenant.queue(webhook_id)

        first, second = receiver.wait_for(2, timeout=30)[:2]

        assert second.at - first.at >= 2.0
        assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery
    assert tenant.settled(webhook_id, delivery)["status"] == "delivered"


def test_410_disables_the_subscription(tenant: Tenant) -> None:
    with receiving(Reply(410)) as receiver:
        webhook_id, _ = tenant.subscribe(receiver, ["call.completed"])
        delivery = tenant.queue(webhook_id)

        logged = tenant.settled(webhook_id, delivery)
        assert logged["status"] == "failed"
        assert [a["status_code"] for a in logged["attempts"]] == [410]

        shown = tenant.http("GET", f"/v1/webhooks/{webhook_id}").json()
        assert shown["enabled"] is False
        assert "410" in shown["disabled_reason"]
        # And it is never tried again
        time.sleep(2)
        assert len(receiver.received) == 1


def test_a_delivery_retried_through_the_api_is_sent_again_with_the_same_id(
    tenant: Tenant,
) -> None:
    with receiving() as receiver:
        webhook_id, secret = tenant.subscribe(receiver, ["call.completed"])
        delivery = tenant.queue(webhook_id)
        assert tenant.settled(webhook_id, delivery)["status"] == "delivered"

        # When the client asks for it again
        asked = tenant.http("POST", f"/v1/webhooks/{webhook_id}/deliveries/{delivery}/retry")
        assert asked.status_code == 202, asked.text
        assert asked.json()["status"] == "pending"

        # Then the receiver gets it a second time, the same webhook-id, signed anew
        first, second = receiver.wait_for(2, timeout=30)[:2]
        assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery
        assert Webhook(secret).verify(second.body, second.headers) == Webhook(secret).verify(
            first.body, first.headers
        )
    assert wait_until(
        lambda: len((tenant.delivery(webhook_id, delivery) or {}).get("attempts", [])) == 2,
        timeout=10,
    )
