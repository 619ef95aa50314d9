"""The local event sources behave as Lambda's: partial batch failures, redrive to the DLQ,
and DynamoDB stream records delivered to the function."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import pytest

from local.endpoint import EmbeddedAws
from local.pollers import SqsPoller, StreamPoller, record_filter, wait_until
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


def test_stream_records_are_read_as_the_stream_sent_them(
    embedded_aws: EmbeddedAws, stack: Stack
) -> None:
    # Given an item with every kind of attribute value written to the calls table
    session = embedded_aws.session()
    table, streams = stack.names["CallsTable"], stack.stream_arns["CallsTable"]
    key = {"pk": {"S": f"T#stream-test#X#{uuid.uuid4()}"}, "sk": {"S": "STREAM-TEST"}}
    values = {
        "text": {"S": "héllo"},
        "count": {"N": "12.50"},
        "blob": {"B": b"\x00\xffbytes"},
        "blobs": {"BS": [b"a", b"b"]},
        "flag": {"BOOL": True},
        "none": {"NULL": True},
        "tags": {"SS": ["x", "y"]},
        "nums": {"NS": ["1", "2"]},
        "nested": {"M": {"B": {"L": [{"S": "looks like B"}, {"B": b"\x01"}]}}},
    }
    poller = StreamPoller(session.client("dynamodbstreams"), streams, lambda event: {})
    plain = session.client("dynamodbstreams")
    shard = plain.describe_stream(StreamArn=streams)["StreamDescription"]["Shards"][0]["ShardId"]
    # (from the stream's end: other tests' records are before it)
    iterators = {
        client: client.get_shard_iterator(
            StreamArn=streams, ShardId=shard, ShardIteratorType="LATEST"
        )["ShardIterator"]
        for client in (poller.streams, plain)
    }
    session.client("dynamodb").put_item(TableName=table, Item={**key, **values})

    # When its record is read as the poller reads it, and by botocore's own parser
    def read(client: Any) -> dict[str, Any]:
        iterator = iterators[client]
        for _ in range(20):  # (another test's writes may come first)
            page = client.get_records(ShardIterator=iterator, Limit=1000)
            mine = [r for r in page["Records"] if r["dynamodb"]["Keys"] == key]
            if mine:
                return mine[0]
            iterator = page["NextShardIterator"]
        raise AssertionError("the item's record is not in the stream")

    as_sent, parsed = read(poller.streams), read(plain)

    # Then it is the same record, its time in epoch seconds and its binary values in base64,
    # as Lambda's event carries them
    created = parsed["dynamodb"]["ApproximateCreationDateTime"]
    assert as_sent["dynamodb"]["ApproximateCreationDateTime"] == created.timestamp()
    image = as_sent["dynamodb"]["NewImage"]
    assert image["blob"] == {"B": base64.b64encode(b"\x00\xffbytes").decode()}
    assert image["blobs"] == {"BS": ["YQ==", "Yg=="]}
    assert image["nested"]["M"]["B"]["L"][1] == {"B": "AQ=="}
    plain_image = parsed["dynamodb"]["NewImage"]
    for name in ("pk", "sk", "text", "count", "flag", "none", "tags", "nums"):
        assert image[name] == plain_image[name]
    assert as_sent["dynamodb"]["Keys"] == parsed["dynamodb"]["Keys"] == key
    assert {k: v for k, v in as_sent.items() if k != "dynamodb"} == {
        k: v for k, v in parsed.items() if k != "dynamodb"
    }


def _batches_of(
    embedded_aws: EmbeddedAws, stack: Stack, window: float, batch_size: int, pause: float
) -> tuple[list[list[dict[str, Any]]], list[dict[str, Any]]]:
    """The batches (their records' keys) a stream poller with this batching window and batch
    size delivers for two items written `pause` seconds apart, and the two keys."""
    session = embedded_aws.session()
    batches: list[list[dict[str, Any]]] = []
    poller = StreamPoller(
        session.client("dynamodbstreams"),
        stack.stream_arns["CallsTable"],
        lambda event: batches.append([r["dynamodb"]["Keys"] for r in event["Records"]]) or {},
        batch_size=batch_size,
        batching_window_seconds=window,
    )
    dynamodb = session.client("dynamodb")
    keys = [
        {"pk": {"S": f"T#stream-test#X#{uuid.uuid4()}"}, "sk": {"S": "STREAM-TEST"}}
        for _ in range(2)
    ]
    poller.start()
    try:
        for n, key in enumerate(keys):
            if n:
                time.sleep(pause)
            dynamodb.put_item(TableName=stack.names["CallsTable"], Item=key)
        assert wait_until(lambda: all(any(k in b for b in batches) for k in keys), 10)
    finally:
        poller.stop()
    return [b for b in batches if any(k in b for k in keys)], keys


def test_changes_within_the_batching_window_reach_the_function_in_one_batch(
    embedded_aws: EmbeddedAws, stack: Stack
) -> None:
    # Given a poller with the template's 3-second batching window (the stream consumer's)
    # When two items are written half a second apart
    batches, keys = _batches_of(embedded_aws, stack, window=3, batch_size=100, pause=0.5)

    # Then the function is invoked once, with both changes, as Lambda gathers them
    assert len(batches) == 1
    assert [k for k in batches[0] if k in keys] == keys


def test_without_a_batching_window_each_change_is_delivered_when_read(
    embedded_aws: EmbeddedAws, stack: Stack
) -> None:
    # Given a poller with no batching window, When two items are written half a second apart
    batches, keys = _batches_of(embedded_aws, stack, window=0, batch_size=100, pause=0.5)

    # Then each reached the function in a batch of its own
    assert [[k for k in b if k in keys] for b in batches] == [[keys[0]], [keys[1]]]


def test_a_full_batch_is_delivered_without_waiting_for_the_window(
    embedded_aws: EmbeddedAws, stack: Stack
) -> None:
    # Given a poller whose batches hold 2 records, with a window far longer than the test
    started = time.monotonic()
    # When two items are written
    batches, keys = _batches_of(embedded_aws, stack, window=60, batch_size=2, pause=0)

    # Then they arrived together as soon as the batch was full, not after the window
    assert [[k for k in b if k in keys] for b in batches] == [keys]
    assert time.monotonic() - started < 30


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


def _keep_only(sort_key: str) -> Any:
    """A filter (the template's syntax) that lets through the records of this sort key only."""
    pattern = json.dumps({"dynamodb": {"Keys": {"sk": {"S": [sort_key]}}}})
    return record_filter({"Filters": [{"Pattern": pattern}]})


def test_records_the_filters_leave_out_never_reach_the_function(
    embedded_aws: EmbeddedAws, stack: Stack
) -> None:
    # Given a poller whose mapping filters on the items' sort key (as the stream consumer's)
    session = embedded_aws.session()
    kept, dropped = f"KEEP-{uuid.uuid4().hex}", f"DROP-{uuid.uuid4().hex}"
    received: list[dict[str, Any]] = []
    poller = StreamPoller(
        session.client("dynamodbstreams"),
        stack.stream_arns["CallsTable"],
        lambda event: received.extend(event["Records"]) or {},
        matches=_keep_only(kept),
    )
    dynamodb = session.client("dynamodb")
    pk = {"S": f"T#stream-test#X#{uuid.uuid4()}"}

    # When items of either kind are written, a kept one last
    poller.start()
    try:
        for sort_key in (dropped, kept, dropped, kept):
            dynamodb.put_item(
                TableName=stack.names["CallsTable"], Item={"pk": pk, "sk": {"S": sort_key}}
            )
        assert wait_until(
            lambda: len([r for r in received if r["dynamodb"]["Keys"]["pk"] == pk]) >= 2, 10
        )
        time.sleep(0.5)  # what else was read by now was delivered
    finally:
        poller.stop()

    # Then the function saw the kept item's two changes, and nothing of the other
    mine = [r for r in received if r["dynamodb"]["Keys"]["pk"] == pk]
    assert [(r["eventName"], r["dynamodb"]["Keys"]["sk"]["S"]) for r in mine] == [
        ("INSERT", kept),
        ("MODIFY", kept),
    ]
    assert all(r["dynamodb"]["Keys"]["sk"]["S"] != dropped for r in received)


def test_a_backlog_is_delivered_in_full_batches_in_order(
    embedded_aws: EmbeddedAws, stack: Stack
) -> None:
    # Given a poller, reading from now on, that keeps this test's items only
    session = embedded_aws.session()
    sort_key = f"BACKLOG-{uuid.uuid4().hex}"
    batches: list[list[str]] = []
    poller = StreamPoller(
        session.client("dynamodbstreams"),
        stack.stream_arns["CallsTable"],
        lambda event: (
            batches.append([r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"]]) or {}
        ),
        batch_size=100,
        batching_window_seconds=3,
        matches=_keep_only(sort_key),
    )
    dynamodb = session.client("dynamodb")
    keys = [f"T#stream-test#X#{n:04d}-{uuid.uuid4()}" for n in range(250)]

    # When 250 of its items are in the stream before it starts
    for start in range(0, len(keys), 25):
        dynamodb.batch_write_item(
            RequestItems={
                stack.names["CallsTable"]: [
                    {"PutRequest": {"Item": {"pk": {"S": pk}, "sk": {"S": sort_key}}}}
                    for pk in keys[start : start + 25]
                ]
            }
        )
    poller.start()
    try:
        assert wait_until(lambda: sum(len(b) for b in batches) >= len(keys), 15)
    finally:
        poller.stop()

    # Then they came in batches of the batch size (the rest last), each change once, in order
    assert [len(b) for b in batches] == [100, 100, 50]
    assert [pk for batch in batches for pk in batch] == keys


@pytest.mark.parametrize("stopping", [False, True])
def test_a_function_error_is_reported_unless_the_stack_is_stopping_under_it(
    stopping: bool, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from local.pollers import SchedulePoller

    # Given a scheduled function whose invocation fails (its worker stopped under it, when the
    # stack is stopping)
    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        if stopping:
            poller.stop()  # (never started: nothing to wait for)
        raise FunctionError(
            {"errorType": "Runtime.ExitError", "errorMessage": "the function's worker exited"}
        )

    poller = SchedulePoller("tick", period=60, invoke=invoke)
    poller.next_at = 0

    # When its time comes
    with caplog.at_level(logging.INFO, logger="dialtone.local.pollers"):
        poller.poll_once()

    # Then the failure is in the stack's log only if the stack is not stopping
    assert [r.levelname for r in caplog.records] == ([] if stopping else ["WARNING"])
