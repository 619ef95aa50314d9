"""The webhook sender function against the embedded endpoint's delivery queue and webhooks
table, POSTing to a real receiver on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from dialtone import settings
from dialtone.webhooks import transport
from dialtone.webhooks.deliveries import DeliveryLog, DeliveryStatus
from dialtone.webhooks.models import (
    DeliveryMessage,
    EventType,
    Subscription,
    WebhookEvent,
    deliveries_pk,
    delivery_id,
)
from dialtone.webhooks.queue import DeliveryQueue
from dialtone.webhooks.sender import GONE_REASON, MAX_ATTEMPTS
from dialtone.webhooks.signing import new_secret
from dialtone.webhooks.subscriptions import SubscriptionStore
from local.endpoint import EmbeddedAws, environment
from local.invoke import invoke
from local.pollers import sqs_record
from local.provision import Stack
from tests.crash_points import Killed, aws_requests
from tests.webhook_receiver import Reply, receiving


@pytest.fixture
def local_urls(handler_environment: dict[str, str]) -> Iterator[None]:
    """The sender may deliver to plain-http loopback URLs, as on the local stack."""
    with environment({"WEBHOOK_ALLOW_LOCAL_URLS": "true"}):
        settings.reset()
        yield
    settings.reset()


@pytest.fixture
def sqs(embedded_aws: EmbeddedAws) -> Any:
    return embedded_aws.session().client("sqs")


@dataclass
class Hook:
    """A tenant's subscription to a receiver, and what the tests need around it."""

    tenant_id: str
    subscription: Subscription
    secret: str
    store: SubscriptionStore
    log: DeliveryLog

    def message(self, event_type: EventType = EventType.CALL_COMPLETED) -> DeliveryMessage:
        now = datetime.now(UTC)
        event = WebhookEvent(
            id=f"evt_{uuid.uuid4().hex}",
            tenant_id=self.tenant_id,
            type=event_type,
            timestamp=now,
            data={"id": str(uuid.uuid4()), "status": "completed", "sequence": 2},
        )
        return DeliveryMessage(
            tenant_id=self.tenant_id,
            subscription_id=self.subscription.id,
            delivery_id=delivery_id(event.id, self.subscription.id, now),
            event=event,
        )


@pytest.fixture
def make_hook(handler_environment: dict[str, str]) -> Iterator[Any]:
    table = handler_environment["WEBHOOKS_TABLE"]
    store, log = SubscriptionStore(table), DeliveryLog(table)
    made: list[Hook] = []

    def make(url: str) -> Hook:
        tenant_id = f"t-{uuid.uuid4().hex[:12]}"
        secret = new_secret()
        subscription = store.create(tenant_id, url, [EventType.CALL_COMPLETED], secret)
        made.append(Hook(tenant_id, subscription, secret, store, log))
        return made[-1]

    yield make
    dynamodb = store.dynamodb
    for hook in made:
        for pk in (f"T#{hook.tenant_id}", deliveries_pk(hook.tenant_id, hook.subscription.id)):
            items = dynamodb.query(
                TableName=table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": pk}},
            )["Items"]
            for item in items:
                dynamodb.delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})


@dataclass
class Received:
    result: dict[str, Any]
    receipt_handle: str


class Queue:
    """The delivery queue of the stack, read as Lambda's event source would."""

    def __init__(self, sqs: Any, stack: Stack, url: str) -> None:
        self.sqs = sqs
        self.url = url
        self.arn = stack.arns["WebhookDeliveryQueue"]

    def deliver(self, message: DeliveryMessage) -> Received:
        """Queue the message, receive it, and hand it to the sender; the sender's answer and
        the receipt handle."""
        DeliveryQueue(self.url).send([message])
        record = self.receive_one(message.delivery_id)
        result = invoke("webhook_sender", {"Records": [record]})
        return Received(result, record["receiptHandle"])

    def receive_one(self, delivery_id: str, wait: int = 2) -> dict[str, Any]:
        response = self.sqs.receive_message(
            QueueUrl=self.url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait,
            MessageSystemAttributeNames=["All"],
        )
        for message in response.get("Messages", []):
            if json.loads(message["Body"])["delivery_id"] == delivery_id:
                return sqs_record(message, self.arn, "us-east-1")
        raise AssertionError(f"{delivery_id} was not received")

    def visible(self, delivery_id: str) -> bool:
        response = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10)
        return any(
            json.loads(m["Body"])["delivery_id"] == delivery_id
            for m in response.get("Messages", [])
        )

    def forget(self, receipt_handle: str) -> None:
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=receipt_handle)


@pytest.fixture
def queue(sqs: Any, stack: Stack, handler_environment: dict[str, str]) -> Queue:
    return Queue(sqs, stack, handler_environment["WEBHOOK_DELIVERY_QUEUE_URL"])


def failed_ids(result: dict[str, Any]) -> list[str]:
    return [f["itemIdentifier"] for f in result["batchItemFailures"]]


@pytest.mark.usefixtures("local_urls")
def test_a_delivery_is_posted_signed_and_logged_as_delivered(make_hook: Any, queue: Queue) -> None:
    with receiving() as receiver:
        # Given a subscription to a receiver that answers 200
        hook = make_hook(receiver.url)
        message = hook.message()

        # When the sender gets the delivery's message
        sent = queue.deliver(message)

        # Then the message is done with
        assert sent.result == {"batchItemFailures": []}
        # And the receiver got the event's payload, signed with the subscription's secret
        [request] = receiver.wait_for(1)
        assert request.path == "/hooks/dialtone"
        assert request.headers["content-type"] == "application/json"
        assert request.headers["webhook-id"] == message.delivery_id
        payload = Webhook(hook.secret).verify(request.body, request.headers)
        assert payload == json.loads(json.dumps(message.event.payload()))
        assert payload["type"] == "call.completed"
        # And a tampered body does not verify
        with pytest.raises(Exception, match="signature"):
            Webhook(hook.secret).verify(
                request.body.replace(b"completed", b"failed"), request.headers
            )

    # And the log shows one successful attempt
    stored = hook.log.get(hook.tenant_id, hook.subscription.id, message.delivery_id).delivery
    assert stored.status is DeliveryStatus.DELIVERED
    [attempt] = stored.attempts
    assert attempt.number == 1
    assert attempt.status_code == 200
    assert attempt.latency_ms is not None
    assert attempt.latency_ms >= 0
    assert attempt.error is None
    assert attempt.next_retry_at is None
    assert stored.next_retry_at is None


@pytest.mark.usefixtures("local_urls")
def test_a_failed_attempt_hides_the_message_until_its_retry_and_reports_it_failed(
    make_hook: Any, queue: Queue
) -> None:
    with receiving(Reply(500)) as receiver:
        hook = make_hook(receiver.url)
        message = hook.message()

        # When the receiver answers 500
        before = datetime.now(UTC)
        sent = queue.deliver(message)

        # Then the message is reported failed, and hidden: not received again at once
        assert len(failed_ids(sent.result)) == 1
        assert not queue.visible(message.delivery_id)
        queue.forget(sent.receipt_handle)

    # And the log shows a pending delivery, the attempt's status and when the next one is due
    stored = hook.log.get(hook.tenant_id, hook.subscription.id, message.delivery_id).delivery
    assert stored.status is DeliveryStatus.PENDING
    [attempt] = stored.attempts
    assert attempt.status_code == 500
    assert attempt.error == "The endpoint answered 500"
    assert attempt.next_retry_at is not None
    # (the first wait is at most one base, 60 s in the template)
    assert before <= attempt.next_retry_at <= before + timedelta(seconds=61)
    assert stored.next_retry_at == attempt.next_retry_at
    # And the subscription is now failing since that attempt
    assert hook.store.get(hook.tenant_id, hook.subscription.id).failing_since is not None


@pytest.mark.usefixtures("local_urls")
def test_429_is_retried_when_retry_after_says(make_hook: Any, queue: Queue) -> None:
    with receiving(Reply(429, {"Retry-After": "2"})) as receiver:
        hook = make_hook(receiver.url)
        message = hook.message()

        sent = queue.deliver(message)

        # Then the message stays hidden for 2 s, then comes back
        assert len(failed_ids(sent.result)) == 1
        assert not queue.visible(message.delivery_id)
        time.sleep(2.2)
        record = queue.receive_one(message.delivery_id, wait=1)
        queue.forget(record["receiptHandle"])

    [attempt] = hook.log.get(
        hook.tenant_id, hook.subscription.id, message.delivery_id
    ).delivery.attempts
    assert attempt.status_code == 429
    assert attempt.next_retry_at is not None
    assert attempt.next_retry_at - attempt.at == timedelta(seconds=2)


@pytest.mark.usefixtures("local_urls")
def test_410_disables_the_subscription_and_fails_the_delivery(make_hook: Any, queue: Queue) -> None:
    with receiving(Reply(410)) as receiver:
        hook = make_hook(receiver.url)
        message = hook.message()

        sent = queue.deliver(message)

        # Then the message is done with (nothing more to try)
        assert sent.result == {"batchItemFailures": []}
    subscription = hook.store.get(hook.tenant_id, hook.subscription.id)
    assert not subscription.enabled
    assert subscription.disabled_reason == GONE_REASON
    stored = hook.log.get(hook.tenant_id, hook.subscription.id, message.delivery_id).delivery
    assert stored.status is DeliveryStatus.FAILED
    assert stored.attempts[0].status_code == 410

    # And a later delivery to the disabled subscription is not sent
    with receiving() as receiver:
        later = hook.message()
        assert queue.deliver(later).result == {"batchItemFailures": []}
        assert receiver.received == []
    stored = hook.log.get(hook.tenant_id, hook.subscription.id, later.delivery_id).delivery
    assert stored.status is DeliveryStatus.FAILED
    assert stored.attempts[0].error == "Not sent: webhook disabled"


@pytest.mark.usefixtures("local_urls")
def test_the_last_attempt_failing_marks_the_delivery_failed_and_its_message_dead_lettered(
    make_hook: Any, queue: Queue, sqs: Any, stack: Stack
) -> None:
    with receiving(Reply(502)) as receiver:
        hook = make_hook(receiver.url)
        message = hook.message()
        # Given a message already received once less than the queue's maxReceiveCount
        DeliveryQueue(queue.url).send([message])
        for _ in range(MAX_ATTEMPTS - 1):
            record = queue.receive_one(message.delivery_id, wait=1)
            sqs.change_message_visibility(
                QueueUrl=queue.url, ReceiptHandle=record["receiptHandle"], VisibilityTimeout=0
            )

        # When its last receipt fails too
        record = queue.receive_one(message.delivery_id, wait=1)
        assert record["attributes"]["ApproximateReceiveCount"] == str(MAX_ATTEMPTS)
        result = invoke("webhook_sender", {"Records": [record]})

        # Then it is reported failed, the delivery is `failed` with no retry due
        assert len(failed_ids(result)) == 1
    stored = hook.log.get(hook.tenant_id, hook.subscription.id, message.delivery_id).delivery
    assert stored.status is DeliveryStatus.FAILED
    assert stored.attempts[0].next_retry_at is None
    # And the queue's redrive moves the message, visible again at once, to the dead-letter queue
    dead_letters = stack.urls["WebhookDeliveryDeadLetterQueue"]
    assert not queue.visible(message.delivery_id)
    moved = sqs.receive_message(QueueUrl=dead_letters, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    bodies = [json.loads(m["Body"]) for m in moved.get("Messages", [])]
    assert [b["delivery_id"] for b in bodies] == [message.delivery_id]
    for dead in moved["Messages"]:
        sqs.delete_message(QueueUrl=dead_letters, ReceiptHandle=dead["ReceiptHandle"])


@pytest.mark.usefixtures("local_urls")
def test_a_redirect_is_not_followed(make_hook: Any, queue: Queue) -> None:
    with receiving(Reply(302, {"Location": "/somewhere-else"})) as receiver:
        hook = make_hook(receiver.url)
        message = hook.message()
        sent = queue.deliver(message)
        queue.forget(sent.receipt_handle)
        time.sleep(0.3)
        # Then the receiver was asked once, at the subscribed URL only
        assert [r.path for r in receiver.received] == ["/hooks/dialtone"]
    [attempt] = hook.log.get(
        hook.tenant_id, hook.subscription.id, message.delivery_id
    ).delivery.attempts
    assert attempt.status_code == 302
    assert attempt.error is not None
    assert "not followed" in attempt.error


def test_a_loopback_url_is_refused_at_delivery_outside_local_mode(
    make_hook: Any, queue: Queue, handler_environment: dict[str, str]
) -> None:
    # Given a subscription whose URL is (now) a loopback one, and no local mode
    with receiving() as receiver:
        hook = make_hook(receiver.url)
        message = hook.message()
        sent = queue.deliver(message)
        queue.forget(sent.receipt_handle)

        # Then nothing reached it, and the attempt says why
        assert receiver.received == []
    [attempt] = hook.log.get(
        hook.tenant_id, hook.subscription.id, message.delivery_id
    ).delivery.attempts
    assert attempt.status_code is None
    assert attempt.error is not None
    assert attempt.error.startswith("URL refused: ")


@pytest.mark.usefixtures("local_urls")
def test_a_message_received_again_after_its_delivery_is_not_sent_twice(
    make_hook: Any, queue: Queue
) -> None:
    with receiving() as receiver:
        hook = make_hook(receiver.url)
        message = hook.message()
        queue.deliver(message)
        queue.deliver(message)
        time.sleep(0.3)
        assert len(receiver.received) == 1
    stored = hook.log.get(hook.tenant_id, hook.subscription.id, message.delivery_id).delivery
    assert len(stored.attempts) == 1


# --- the transport ----------------------------------------------------------------------------


def test_the_connection_goes_to_the_checked_address_whatever_the_name_resolves_to() -> None:
    with receiving() as receiver:
        port = receiver.server.server_address[1]
        # When a delivery to a name that does not resolve here is pinned to the checked address
        answer = transport.post(
            f"http://hooks.rebinding.invalid:{port}/in?x=1",
            [ip_address("127.0.0.1")],
            b"{}",
            {"webhook-id": "msg_1"},
        )
        # Then it reached that address, naming the URL's host
        assert answer.status_code == 200
        [request] = receiver.wait_for(1)
        assert request.headers["host"] == f"hooks.rebinding.invalid:{port}"
        assert request.path == "/in?x=1"


def test_a_receiver_slower_than_the_timeout_is_a_timeout() -> None:
    with receiving(Reply(200, delay_seconds=2)) as receiver:
        started = time.monotonic()
        answer = transport.post(receiver.url, [ip_address("127.0.0.1")], b"{}", {}, timeout=0.5)
        assert time.monotonic() - started < 1.5
    assert answer.status_code is None
    assert answer.error == "Timed out after 0.5 s"


def test_a_refused_connection_tries_the_next_checked_address() -> None:
    # Given a port nobody listens on, on the first address
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    answer = transport.post(
        f"http://127.0.0.1:{closed_port}/", [ip_address("127.0.0.1")], b"{}", {}, timeout=2
    )
    assert answer.status_code is None
    assert answer.error is not None
    assert answer.error.startswith("Connection failed")
    with receiving() as receiver:
        port = receiver.server.server_address[1]
        answer = transport.post(
            f"http://localhost:{port}/",
            [ip_address("127.0.0.2"), ip_address("127.0.0.1")],
            b"{}",
            {},
        )
    # (127.0.0.2 answers nothing on that port on most systems; 127.0.0.1 does)
    assert answer.status_code == 200


# A sender killed between two of its steps


@pytest.mark.usefixtures("local_urls")
def test_a_sender_killed_before_any_of_its_requests_delivers_when_the_message_comes_again(
    make_hook: Any, queue: Queue
) -> None:
    with receiving() as receiver:
        # Given the AWS requests a clean delivery makes
        hook = make_hook(receiver.url)
        first = hook.message()
        DeliveryQueue(queue.url).send([first])
        record = queue.receive_one(first.delivery_id)
        with aws_requests() as clean:
            assert invoke("webhook_sender", {"Records": [record]}) == {"batchItemFailures": []}
        queue.forget(record["receiptHandle"])
        assert len(clean.made) >= 2

        for kill_at in range(1, len(clean.made) + 1):
            # When the sender of another delivery is killed before its k-th request, and SQS
            # delivers the message again
            message = hook.message()
            DeliveryQueue(queue.url).send([message])
            record = queue.receive_one(message.delivery_id)
            with aws_requests(kill_at) as killed, pytest.raises(Killed):
                invoke("webhook_sender", {"Records": [record]})
            assert len(killed.made) == kill_at
            assert invoke("webhook_sender", {"Records": [record]}) == {"batchItemFailures": []}
            queue.forget(record["receiptHandle"])

            # Then the receiver has the event (at least once, always under the same id, which
            # is how it tells a repeat), and the log says it was delivered
            step = clean.made[kill_at - 1]
            posted = [
                r for r in receiver.received if r.headers["webhook-id"] == message.delivery_id
            ]
            assert 1 <= len(posted) <= 2, step
            assert all(Webhook(hook.secret).verify(r.body, r.headers) for r in posted), step
            log = hook.log.get(hook.tenant_id, hook.subscription.id, message.delivery_id)
            assert log.delivery.status is DeliveryStatus.DELIVERED, step
