"""Event sources standing in for Lambda's: SQS pollers, DynamoDB stream pollers and schedules.

They read each function's `Events` of type `SQS` and `DynamoDB` from the template and behave as
Lambda's event source mappings do: batches of `BatchSize`, partial batch failures
(`ReportBatchItemFailures`), records left out by the mapping's `FilterCriteria` (Lambda's event
filtering), messages left for their visibility timeout when the function fails
(so the queue's redrive policy moves a poison message to its dead-letter queue after
`maxReceiveCount` receives), and stream batches retried `MaximumRetryAttempts` times.
`Schedule` events with a `rate(...)` expression invoke their function every period, the first
time one period after the stack starts, as EventBridge would.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from local.runtime import FunctionError

LOG = logging.getLogger("dialtone.local.pollers")

Invoke = Callable[[dict[str, Any]], dict[str, Any]]

# The most records a DynamoDB stream's GetRecords returns.
READ_LIMIT = 1000


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """A message as Lambda's SQS event presents it."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": value.get("BinaryValue"),
                "dataType": value["DataType"],
                "stringListValues": [],
                "binaryListValues": [],
            }
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def lambda_stream_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A stream record as Lambda's event presents it: its creation time in epoch seconds (boto3
    parses it into a datetime, which an event, being JSON, cannot carry)."""
    data = dict(record.get("dynamodb") or {})
    created = data.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        data["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "dynamodb": data, "eventSourceARN": stream_arn}


def records_as_sent(
    operation_model: Any,
    response_dict: dict[str, Any],
    customized_response_dict: dict[str, Any],
    **_: Any,
) -> None:
    """GetRecords' records taken from its JSON as the stream sent them, which is how Lambda's
    event carries them (creation times in epoch seconds, binary values in base64), instead of
    parsed by botocore value by value and turned back (`lambda_stream_record`): a fifth of the
    local stack's own work while the demo's calls stream in. botocore parses the rest."""
    if operation_model.name != "GetRecords" or response_dict["status_code"] != 200:
        return
    body = json.loads(response_dict["body"])
    customized_response_dict["Records"] = body.pop("Records", [])
    response_dict["body"] = json.dumps(body).encode()


Matches = Callable[[dict[str, Any]], bool]


def record_filter(criteria: dict[str, Any] | None) -> Matches:
    """Lambda's event filtering for an event source's `FilterCriteria`: a record is passed on
    when it matches one of the filters' patterns (the event pattern syntax EventBridge rules
    use too, matched by moto's implementation of it); with no filter, every record is."""
    filters = (criteria or {}).get("Filters") or []
    if not filters:
        return lambda record: True
    from moto.events.models import EventPattern

    patterns = [EventPattern.load(f["Pattern"]) for f in filters]
    # (moto types the event as an EventBridge event; the matching reads any JSON object)
    return lambda record: any(pattern.matches_event(cast(Any, record)) for pattern in patterns)


class Poller:
    """A background loop; `poll_once` does one round and says whether it found work."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll_once(self) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def _function_failed(self, message: str, *args: Any) -> None:
        """Say that an invocation failed, unless the stack is stopping: its workers are stopped
        under the invocations in flight, whose messages and records stay where they were."""
        if not self._stop.is_set():
            LOG.warning(message, *args)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if not self.poll_once():
                    self._stop.wait(0.2)
            except Exception:  # a poller survives what it polls
                if self._stop.is_set():  # the stack is stopping under it: not a failure
                    return
                LOG.exception("%s: polling failed", self.name)
                self._stop.wait(1)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(timeout, 0.01))


class SqsPoller(Poller):
    """Lambda's SQS event source mapping for one function and one queue.

    It long-polls, as the mapping does (Lambda waits up to 20 s): a message sent meanwhile is
    received at once, and an idle queue costs a request every `wait_seconds`. The stack's eleven
    queue pollers at 1 s took half of its idle process's CPU; at 5 s, a poller still waiting
    when the stack stops (a daemon thread) ends within 5 s."""

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        invoke: Invoke,
        batch_size: int = 10,
        report_batch_item_failures: bool = False,
        wait_seconds: int = 5,
        region: str = "us-east-1",
    ) -> None:
        super().__init__(f"sqs:{queue_arn.rsplit(':', 1)[-1]}")
        self.sqs = sqs
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.invoke = invoke
        self.batch_size = batch_size
        self.report_batch_item_failures = report_batch_item_failures
        self.wait_seconds = wait_seconds
        self.region = region

    def poll_once(self) -> bool:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(self.batch_size, 10),
            WaitTimeSeconds=self.wait_seconds,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            return False
        event = {"Records": [sqs_record(m, self.queue_arn, self.region) for m in messages]}
        try:
            result = self.invoke(event)
        except FunctionError as error:
            # The whole batch returns to the queue when its visibility timeout ends.
            self._function_failed(
                "%s: function error, %d messages left for retry: %s",
                self.name,
                len(messages),
                error,
            )
            return True
        failed: set[str] = set()
        if self.report_batch_item_failures and isinstance(result, dict):
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures") or []}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
        return True


class StreamPoller(Poller):
    """Lambda's DynamoDB stream event source mapping for one function and one table."""

    def __init__(
        self,
        streams: Any,
        stream_arn: str,
        invoke: Invoke,
        batch_size: int = 100,
        starting_position: str = "LATEST",
        maximum_retry_attempts: int = 2,
        report_batch_item_failures: bool = False,
        batching_window_seconds: float = 0.0,
        matches: Matches | None = None,
    ) -> None:
        super().__init__(f"stream:{stream_arn.split('/')[1]}")
        self.batching_window_seconds = batching_window_seconds
        # The records the mapping's filters let through (Lambda drops the others unseen).
        self.matches = matches or record_filter(None)
        # Per shard: the records read and not yet delivered, and when the first of them was.
        self._gathered: dict[str, list[dict[str, Any]]] = {}
        self._gathering_since: dict[str, float] = {}
        self.streams = streams
        streams.meta.events.register("before-parse.dynamodbstreams.GetRecords", records_as_sent)
        self.stream_arn = stream_arn
        self.invoke = invoke
        self.batch_size = batch_size
        self.maximum_retry_attempts = maximum_retry_attempts
        self.report_batch_item_failures = report_batch_item_failures
        self._iterators: dict[str, str] = {}
        iterator_type = "TRIM_HORIZON" if starting_position == "TRIM_HORIZON" else "LATEST"
        for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
            self._iterators[shard["ShardId"]] = streams.get_shard_iterator(
                StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType=iterator_type
            )["ShardIterator"]

    def _deliver(self, records: list[dict[str, Any]]) -> None:
        pending = records
        for attempt in range(self.maximum_retry_attempts + 1):
            if self._stop.is_set():  # stopping: the records stay in the stream
                return
            try:
                result = self.invoke({"Records": pending})
            except FunctionError as error:
                self._function_failed(
                    "%s: function error (attempt %d): %s", self.name, attempt + 1, error
                )
                continue
            failures = (
                (result or {}).get("batchItemFailures") if self.report_batch_item_failures else None
            )
            if not failures:
                return
            first = min(f["itemIdentifier"] for f in failures)
            pending = [r for r in pending if r["dynamodb"]["SequenceNumber"] >= first]
        LOG.error("%s: %d records dropped after retries", self.name, len(pending))

    def poll_once(self) -> bool:
        """One read of each shard (up to GetRecords' 1,000 records, as Lambda's poller reads a
        backlog), then a batch delivered where one is ready; whether anything was read or
        delivered (a poller with a backlog reads on at once)."""
        found = False
        for shard_id, iterator in list(self._iterators.items()):
            gathered = self._gathered.setdefault(shard_id, [])
            if len(gathered) < self.batch_size:
                response = self.streams.get_records(ShardIterator=iterator, Limit=READ_LIMIT)
                self._iterators[shard_id] = response.get("NextShardIterator") or iterator
                read = response.get("Records", [])
                records = [
                    record
                    for r in read
                    if self.matches(record := lambda_stream_record(r, self.stream_arn))
                ]
                if records and not gathered:
                    self._gathering_since[shard_id] = time.monotonic()
                gathered += records
                found = found or bool(read)
            if gathered and self._batch_ready(shard_id, gathered):
                found = True
                batch, rest = gathered[: self.batch_size], gathered[self.batch_size :]
                self._gathered[shard_id] = rest
                self._gathering_since[shard_id] = time.monotonic()
                self._deliver(batch)
        return found

    def _batch_ready(self, shard_id: str, gathered: list[dict[str, Any]]) -> bool:
        """As Lambda's mapping: a batch is delivered when it is full, or when the batching
        window has passed since its first record was read."""
        waited = time.monotonic() - self._gathering_since[shard_id]
        return len(gathered) >= self.batch_size or waited >= self.batching_window_seconds


_RATE_UNITS = {
    "minute": 60,
    "minutes": 60,
    "hour": 3600,
    "hours": 3600,
    "day": 86400,
    "days": 86400,
}


def rate_seconds(expression: str) -> float | None:
    """The period of an EventBridge `rate(N unit)` expression; None for anything else (cron)."""
    text = expression.strip()
    if not (text.startswith("rate(") and text.endswith(")")):
        return None
    value, _, unit = text[5:-1].strip().partition(" ")
    if not value.isdigit() or unit.strip() not in _RATE_UNITS:
        return None
    return int(value) * _RATE_UNITS[unit.strip()]


def scheduled_event(rule: str, region: str = "us-east-1") -> dict[str, Any]:
    """A scheduled event as EventBridge sends it."""
    import uuid
    from datetime import UTC

    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:000000000000:rule/{rule}"],
        "detail": {},
    }


class SchedulePoller(Poller):
    """EventBridge's schedule for one function: an invocation every `period` seconds."""

    def __init__(self, rule: str, period: float, invoke: Invoke) -> None:
        super().__init__(f"schedule:{rule}")
        self.rule = rule
        self.period = period
        self.invoke = invoke
        self.next_at = time.monotonic() + period

    def poll_once(self) -> bool:
        if time.monotonic() < self.next_at:
            return False
        self.next_at += self.period
        try:
            self.invoke(scheduled_event(self.rule))
        except FunctionError as error:
            self._function_failed("%s: function error: %s", self.name, error)
        return False


@dataclass
class EventSources:
    """Every SQS and DynamoDB stream event source of the template, polling for its function."""

    session: Any
    stack: Any
    runtime: Any
    api: Any

    def __post_init__(self) -> None:
        self.pollers: list[Poller] = []

    def _invoker(self, logical_id: str) -> Invoke:
        function = self.api.function_provider.get(logical_id)
        config = self.api.runner.get_invoke_config(function)

        def invoke(event: dict[str, Any]) -> dict[str, Any]:
            result: dict[str, Any] = self.runtime.invoke_direct(config, event)
            return result

        return invoke

    def start(self) -> None:
        template = self.stack.template
        for logical_id in self.stack.functions():
            events = template["Resources"][logical_id]["Properties"].get("Events", {}) or {}
            for event_name, source in events.items():
                properties = source.get("Properties", {})
                responses = properties.get("FunctionResponseTypes", [])
                partial = "ReportBatchItemFailures" in responses
                if source["Type"] == "SQS":
                    if properties.get("FilterCriteria"):
                        raise NotImplementedError(
                            f"{logical_id}.{event_name}: an SQS event's FilterCriteria is not"
                            " emulated locally"
                        )
                    queue = properties["Queue"]["Fn::GetAtt"][0]
                    concurrency = int(
                        properties.get("ScalingConfig", {}).get("MaximumConcurrency", 2)
                    )
                    for _ in range(max(1, concurrency)):
                        self.pollers.append(
                            SqsPoller(
                                self.session.client("sqs"),
                                self.stack.urls[queue],
                                self.stack.arns[queue],
                                self._invoker(logical_id),
                                batch_size=int(properties.get("BatchSize", 10)),
                                report_batch_item_failures=partial,
                            )
                        )
                elif source["Type"] == "Schedule":
                    period = rate_seconds(str(properties.get("Schedule", "")))
                    if period is None:
                        LOG.warning("%s: only rate(...) schedules run locally", logical_id)
                        continue
                    self.pollers.append(
                        SchedulePoller(
                            f"{logical_id}{event_name}", period, self._invoker(logical_id)
                        )
                    )
                elif source["Type"] == "DynamoDB":
                    table = properties["Stream"]["Fn::GetAtt"][0]
                    self.pollers.append(
                        StreamPoller(
                            self.session.client("dynamodbstreams"),
                            self.stack.stream_arns[table],
                            self._invoker(logical_id),
                            batch_size=int(properties.get("BatchSize", 100)),
                            starting_position=properties.get("StartingPosition", "LATEST"),
                            maximum_retry_attempts=int(properties.get("MaximumRetryAttempts", 2)),
                            report_batch_item_failures=partial,
                            batching_window_seconds=float(
                                properties.get("MaximumBatchingWindowInSeconds", 0)
                            ),
                            matches=record_filter(properties.get("FilterCriteria")),
                        )
                    )
        for poller in self.pollers:
            poller.start()

    def signal_stop(self) -> None:
        """Ask every poller to stop after its current round (`stop` waits for them)."""
        for poller in self.pollers:
            poller._stop.set()

    def stop(self, timeout: float = 0.5) -> None:
        """Stop every poller, waiting `timeout` seconds in all: a poller still inside an
        invocation then is a daemon thread, and ends with the stack's process."""
        self.signal_stop()
        deadline = time.monotonic() + timeout
        for poller in self.pollers:
            poller.stop(timeout=deadline - time.monotonic())


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll `predicate` until it holds or the time runs out (for tests and demo set-up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()
