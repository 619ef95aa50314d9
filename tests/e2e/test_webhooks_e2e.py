"""Webhook deliveries on the local stack: the sender, run by the delivery queue's poller, POSTs to
a real receiver on 127.0.0.1, retries through the queue, and logs what happened, which the API
shows."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from standardwebhooks.webhooks import Webhook

from dialtone.accounts import AccountStore, TenantSettingsUpdate
from dialtone.auth import Scope
from dialtone.store import CALL_SK, call_pk
from dialtone.webhooks.models import DeliveryMessage, EventType, WebhookEvent, delivery_id
from local.pollers import lambda_stream_record, wait_until
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
    # It may dial simulated calls, on a telephony account of its own.
    accounts.update_settings(
        created.tenant_id,
        TenantSettingsUpdate(
            default_from_number="+14155550100", telephony_account_id=f"acct-{created.tenant_id}"
        ),
    )
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


# --- events from a simulated call -------------------------------------------------------------


def events_of_call(receiver: Receiver, call_id: str) -> list[dict[str, Any]]:
    """The payloads the receiver got about one call, in the order they arrived."""
    payloads = [json.loads(r.body) for r in list(receiver.received)]
    return [p for p in payloads if p["data"].get("id") == call_id]


def dial(tenant: Tenant, to_number: str) -> str:
    accepted = tenant.http("POST", "/v1/calls", json={"to_number": to_number})
    assert accepted.status_code == 202, accepted.text
    call_id: str = accepted.json()["call_id"]
    return call_id


def test_a_simulated_call_produces_started_then_completed_once_each(tenant: Tenant) -> None:
    with receiving() as receiver, receiving() as bystander:
        # Given a subscription to the start and the end of calls, and one to failures only
        webhook_id, secret = tenant.subscribe(receiver, ["call.started", "call.completed"])
        tenant.subscribe(bystander, ["call.failed"])

        # When a simulated call rings, is answered and ends
        call_id = dial(tenant, "+14155550311")

        # Then the first subscription hears of its start, then of its end
        assert wait_until(lambda: len(events_of_call(receiver, call_id)) >= 2, timeout=60), (
            events_of_call(receiver, call_id)
        )
        time.sleep(3)  # anything more would have come by now
        events = events_of_call(receiver, call_id)
        assert [e["type"] for e in events] == ["call.started", "call.completed"]
        assert events[0]["data"]["sequence"] < events[1]["data"]["sequence"]
        assert events[1]["data"]["status"] == "completed"
        # And each verifies with the subscription's secret
        for request in receiver.received:
            Webhook(secret).verify(request.body, request.headers)
        # And the subscription that did not choose those events got nothing
        assert bystander.received == []
    # And the delivery log holds exactly those two deliveries
    listed = tenant.http("GET", f"/v1/webhooks/{webhook_id}/deliveries").json()["deliveries"]
    assert sorted(d["event_type"] for d in listed) == ["call.completed", "call.started"]
    assert {d["status"] for d in listed} == {"delivered"}


def call_stream_records(stack: LocalStack, tenant_id: str, call_id: str) -> list[dict[str, Any]]:
    """The calls table's stream records of one call's item, as Lambda's event presents them."""
    session = stack.aws.session()
    table = stack.info["calls_table"]
    stream_arn = session.client("dynamodb").describe_table(TableName=table)["Table"][
        "LatestStreamArn"
    ]
    streams = session.client("dynamodbstreams")
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            response = streams.get_records(ShardIterator=iterator, Limit=1000)
            found = response.get("Records", [])
            records += [lambda_stream_record(r, stream_arn) for r in found]
            iterator = response.get("NextShardIterator") if found else None
    return [
        r
        for r in records
        if r["dynamodb"]["Keys"]["sk"]["S"] == CALL_SK
        and r["dynamodb"]["Keys"]["pk"]["S"] == call_pk(tenant_id, call_id)
    ]


def invoke_stream_consumer(stack: LocalStack, records: list[dict[str, Any]]) -> None:
    function = stack.api.function_provider.get("StreamConsumerFunction")
    config = stack.api.runner.get_invoke_config(function)
    result = stack.runtime.invoke_direct(config, {"Records": records})
    assert not (result or {}).get("batchItemFailures"), result


def test_a_stream_record_delivered_twice_produces_one_delivery(
    tenant: Tenant, local_stack: LocalStack
) -> None:
    with receiving() as receiver:
        webhook_id, _ = tenant.subscribe(receiver, ["call.started", "call.completed"])
        call_id = dial(tenant, "+14155550312")
        assert wait_until(lambda: len(events_of_call(receiver, call_id)) >= 2, timeout=60)

        # When the stream hands the consumer the call's records again
        records = call_stream_records(local_stack, tenant.tenant_id, call_id)
        assert records
        invoke_stream_consumer(local_stack, records)

        # Then no event is sent a second time
        time.sleep(3)
        events = events_of_call(receiver, call_id)
        assert [e["type"] for e in events] == ["call.started", "call.completed"]
    listed = tenant.http("GET", f"/v1/webhooks/{webhook_id}/deliveries").json()["deliveries"]
    assert len(listed) == 2
