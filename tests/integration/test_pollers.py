"""The local event sources behave as Lambda's: partial batch failures, redrive to the DLQ,
and DynamoDB stream records delivered to the function."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from local.endpoint import EmbeddedAws
from local.pollers import SqsPoller, StreamPoller, wait_until
from local.provision import Stack, provision
from local.runtime import FunctionError

QUEUES_TEMPLATE: dict[str, Any] = {
    "Resources": {
        "WorkQueue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "VisibilityTimeout": 1,
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": ["WorkDeadLetterQueue", "Arn"]},
                    "maxReceiveCount": 2,
                },
            },
        },
        "WorkDeadLetterQueue": {"Type": "AWS::SQS::Queue", "Properties": {}},
    }
}


@pytest.fixture
def queues(embedded_aws: EmbeddedAws) -> Any:
    stack = provision(embedded_aws.session(), f"pollers-{uuid.uuid4().hex[:6]}", QUEUES_TEMPLATE)
    sqs = embedded_aws.session().client("sqs")
    yield stack, sqs
    for logical in ("WorkQueue", "WorkDeadLetterQueue"):
        sqs.delete_queue(QueueUrl=stack.urls[logical])


def _bodies(sqs: Any, url: str) -> list[str]:
    response = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return sorted(m["Body"] for m in response.get("Messages", []))


def test_queue_is_created_with_the_templates_redrive_policy(queues: Any) -> None:
    stack, sqs = queues
    attributes = sqs.get_queue_attributes(QueueUrl=stack.urls["WorkQueue"], AttributeNames=["All"])
    policy = json.loads(attributes["Attributes"]["RedrivePolicy"])
    assert policy == {
        "deadLetterTargetArn": stack.arns["WorkDeadLetterQueue"],
        "maxReceiveCount": 2,
    }
    assert attributes["Attributes"]["VisibilityTimeout"] == "1"


def test_partial_failures_are_retried_and_poison_ends_in_the_dlq(queues: Any) -> None:
    # Given a queue with good messages and one poison message, and a function that reports
    # the poison one as failed (and counts what it saw)
    stack: Stack = queues[0]
    sqs = queues[1]
    for body in ("ok-1", "ok-2", "poison", "ok-3"):
        sqs.send_message(QueueUrl=stack.urls["WorkQueue"], MessageBody=body)
    seen: list[str] = []

    def function(event: dict[str, Any]) -> dict[str, Any]:
        seen.extend(r["body"] for r in event["Records"])
        failures = [r["messageId"] for r in event["Records"] if r["body"] == "poison"]
        return {"batchItemFailures": [{"itemIdentifier": f} for f in failures]}

    poller = SqsPoller(
        sqs,
        stack.urls["WorkQueue"],
        stack.arns["WorkQueue"],
        function,
        batch_size=10,
        report_batch_item_failures=True,
        wait_seconds=0,
    )

    # When the poller runs until the queue is drained
    poller.start()
    try:
        moved = wait_until(
            lambda: _bodies(sqs, stack.urls["WorkDeadLetterQueue"]) == ["poison"], 15
        )
    finally:
        poller.stop()

    # Then good messages were processed once and deleted, the poison one tried
    # maxReceiveCount times and then moved to the dead-letter queue
    assert moved
    assert sorted(b for b in seen if b.startswith("ok")) == ["ok-1", "ok-2", "ok-3"]
    assert seen.count("poison") == 2
    assert _bodies(sqs, stack.urls["WorkQueue"]) == []


def test_a_function_error_leaves_the_whole_batch_for_retry(queues: Any) -> None:
    # Given a function that fails the first time it is called
    stack, sqs = queues
    sqs.send_message(QueueUrl=stack.urls["WorkQueue"], MessageBody="once")
    calls: list[int] = []

    def function(event: dict[str, Any]) -> dict[str, Any]:
        calls.append(len(event["Records"]))
        if len(calls) == 1:
            raise FunctionError({"errorType": "Boom", "errorMessage": "first try fails"})
        return {}

    poller = SqsPoller(
        sqs, stack.urls["WorkQueue"], stack.arns["WorkQueue"], function, wait_seconds=0
    )

    # When it runs past the visibility timeout
    poller.start()
    try:
        assert wait_until(lambda: len(calls) >= 2, 10)
    finally:
        poller.stop()

    # Then the message came back and was processed on the second delivery
    assert calls[:2] == [1, 1]
    assert _bodies(sqs, stack.urls["WorkQueue"]) == []
    assert _bodies(sqs, stack.urls["WorkDeadLetterQueue"]) == []


def test_stream_records_reach_the_function(embedded_aws: EmbeddedAws, stack: Stack) -> None:
    # Given a poller on the calls table's stream (declared in template.yaml)
    session = embedded_aws.session()
    received: list[dict[str, Any]] = []
    poller = StreamPoller(
        session.client("dynamodbstreams"),
        stack.stream_arns["CallsTable"],
        lambda event: received.extend(event["Records"]) or {},
    )
    dynamodb = session.client("dynamodb")
    # (not a call item: the table's stream consumer would rightly refuse it as a call)
    key = {"pk": {"S": f"T#stream-test#X#{uuid.uuid4()}"}, "sk": {"S": "STREAM-TEST"}}

    # When an item is written and then removed
    poller.start()
    try:
        dynamodb.put_item(
            TableName=stack.names["CallsTable"], Item={**key, "status": {"S": "queued"}}
        )
        dynamodb.delete_item(TableName=stack.names["CallsTable"], Key=key)
        assert wait_until(
            lambda: len([r for r in received if r["dynamodb"]["Keys"] == key]) >= 2, 10
        )
    finally:
        poller.stop()

    # Then the function saw both changes, in order, as Lambda presents them
    mine = [r for r in received if r["dynamodb"]["Keys"] == key]
    assert [r["eventName"] for r in mine] == ["INSERT", "REMOVE"]
    assert mine[0]["dynamodb"]["NewImage"]["status"] == {"S": "queued"}
    assert mine[0]["eventSourceARN"] == stack.stream_arns["CallsTable"]


def test_a_rate_schedule_invokes_its_function_every_period() -> None:
    # Given a schedule of rate(1 minute), as the sweeper's, shortened to 0.2 s for the test
    from local.pollers import SchedulePoller, rate_seconds

    assert rate_seconds("rate(1 minute)") == 60
    assert rate_seconds("rate(5 minutes)") == 300
    assert rate_seconds("cron(0 12 * * ? *)") is None
    events: list[dict[str, Any]] = []
    poller = SchedulePoller("SweeperFunctionEveryMinute", 0.2, lambda e: events.append(e) or {})
    # When it runs for a little over two periods
    poller.start()
    wait_until(lambda: len(events) >= 2, timeout=5)
    poller.stop()
    # Then the function got scheduled events, not before the first period had passed
    assert len(events) >= 2
    assert events[0]["detail-type"] == "Scheduled Event"
    assert events[0]["resources"][0].endswith("rule/SweeperFunctionEveryMinute")
