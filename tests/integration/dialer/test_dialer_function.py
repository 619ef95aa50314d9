"""The dialer function (functions/dialer) as Lambda's SQS event source runs it: partial batch
failures, and a poison message that ends in the template's dead-letter queue."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dialtone import settings
from dialtone.model_types import CallStatus
from dialtone.telephony.simulator import SimulatorProvider
from local.endpoint import environment
from local.invoke import LambdaContext, load_handler
from local.pollers import SqsPoller, sqs_record, wait_until
from tests.integration.dialer.conftest import DialQueues, DialTenant


@pytest.fixture
def simulator_dir(tmp_path: Path) -> Path:
    return tmp_path / "simulator"


@pytest.fixture
def dialer_function(
    handler_environment: dict[str, str],
    stack: Any,
    dial_queues: DialQueues,
    simulator_dir: Path,
) -> Iterator[Any]:
    """functions/dialer/app.py with its template environment, on this test's queues, placing
    calls with the simulator (whose callbacks go nowhere: nothing listens on port 9)."""
    values = {
        "RATE_LIMIT_TABLE": stack.names["RateLimitTable"],
        "DIAL_QUEUE_URL": dial_queues.url,
        "PUBLIC_BASE_URL": "http://127.0.0.1:9",
        "DIALTONE_TELEPHONY": "simulator",
        "DIALTONE_SIMULATOR_DIR": str(simulator_dir),
        "DIAL_RETRY_SECONDS": "0",
    }

    def forget() -> None:
        settings.reset()

    with environment(values):
        forget()
        yield load_handler("dialer")
    forget()


class DialerContext(LambdaContext):
    """The dialer's context: 60 s to run, as its template Timeout says."""

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def event(dial_queues: DialQueues, bodies: list[str]) -> dict[str, Any]:
    """An SQS event of real messages (sent, then received, so their receipt handles work)."""
    for body in bodies:
        dial_queues.sqs.send_message(QueueUrl=dial_queues.url, MessageBody=body)
    messages: list[dict[str, Any]] = []
    while len(messages) < len(bodies):
        messages += dial_queues.receive()
    arn = dial_queues.stack.arns["DialQueue"]
    return {"Records": [sqs_record(m, arn, "us-east-1") for m in messages]}


def test_a_bad_record_fails_alone(
    dialer_function: Any, dial_tenant: DialTenant, dial_queues: DialQueues, simulator_dir: Path
) -> None:
    # Given a batch of a call's message, a poison message and the same call's message again
    call = dial_tenant.queued_call()
    bodies = [dial_tenant.message(call.id), "{oops", dial_tenant.message(call.id)]
    sqs_event = event(dial_queues, bodies)
    poison = next(r["messageId"] for r in sqs_event["Records"] if r["body"] == "{oops")
    # When the dialer function handles it
    result = dialer_function.lambda_handler(sqs_event, DialerContext())
    # Then only the poison message is reported failed, and the call was placed once
    assert result == {"batchItemFailures": [{"itemIdentifier": poison}]}
    assert dial_tenant.call(call.id).call.status is not CallStatus.QUEUED
    placements = SimulatorProvider("test-token", state_dir=simulator_dir).placements()
    assert [call_id for _, call_id in placements] == [call.id]


def test_a_poison_message_ends_in_the_dead_letter_queue(
    dialer_function: Any, dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    # Given the template's dial queue holding a good message and a poison one, and Lambda's
    # event source (BatchSize and ReportBatchItemFailures as in the template) polling it
    call = dial_tenant.queued_call()
    missing_tenant = json.dumps({"tenant_id": "gone-tenant", "call_id": str(uuid.uuid4())})
    for body in (dial_tenant.message(call.id), missing_tenant):
        dial_queues.sqs.send_message(QueueUrl=dial_queues.url, MessageBody=body)
    poller = SqsPoller(
        dial_queues.sqs,
        dial_queues.url,
        dial_queues.stack.arns["DialQueue"],
        lambda e: dialer_function.lambda_handler(e, DialerContext()),
        batch_size=5,
        report_batch_item_failures=True,
        wait_seconds=0,
    )
    poller.start()
    try:
        # Then after maxReceiveCount (5) deliveries the poison message is in the DLQ
        assert wait_until(lambda: dial_queues.counts(dial_queues.dlq_url)["visible"] == 1, 20)
    finally:
        poller.stop()
    dead = dial_queues.receive(dial_queues.dlq_url)
    assert [m["Body"] for m in dead] == [missing_tenant]
    assert int(dead[0]["Attributes"]["ApproximateReceiveCount"]) >= 5
    # And the good message was dialed and deleted, not left behind
    assert dial_tenant.call(call.id).call.status is not CallStatus.QUEUED
    assert dial_queues.counts() == {"visible": 0, "in_flight": 0, "delayed": 0}
