"""Webhooks: one call event fanned out to 100 subscriptions through the stream consumer.

**Fan-out** (`webhook_fanout_100_subs_ms`): a tenant has 100 subscriptions to `call.started`.
Each run stores a new call in progress (outside the timing) and hands the `stream_consumer`
handler (in process, warm) the INSERT record of its item, as Lambda would: the handler rolls it
up, writes the change feed and fans its `call.started` out: it reads the tenant's
subscriptions, writes the event item, sends 100 delivery messages (10 `SendMessageBatch`) and
marks the event queued. Median of RUNS after WARMUP, on the embedded endpoint, the delivery
queue emptied between runs (outside the timing); the detail has the same record delivered
again (the event already queued: nothing is sent), and a new call of a tenant without
subscriptions (the handler's work without a fan-out).

`python -m bench.webhooks` measures this figure alone.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.fixture import (
    activated,
    captured_handler_logs,
    deploy,
    drop_tables,
    handler_environment,
    last_logged_error,
    running_endpoint,
    stored_item_key,
)
from bench.report import Figure
from dialtone import aws
from dialtone.analytics.stream import insert_record
from dialtone.model_types import CallStatus
from dialtone.store import CallStore
from dialtone.webhooks.models import EventType
from dialtone.webhooks.subscriptions import SubscriptionStore
from local.endpoint import EmbeddedAws
from local.invoke import invoke, load_handler
from local.seed import make_call

SUBSCRIPTIONS = 100
RUNS = 11
WARMUP = 2
TENANT = "bench-webhooks"
# A tenant without subscriptions: the same handler's work without a fan-out.
QUIET_TENANT = "bench-webhooks-quiet"
GOAL = "no goal; reported"
NAME = "webhook_fanout_100_subs_ms"


def run(endpoint: EmbeddedAws, notes: list[str], emit: Callable[[Figure], None]) -> list[Figure]:
    """The figure, on a stack of its own whose tables are dropped afterwards."""
    stack = deploy(endpoint, "webhooks")
    values = handler_environment(endpoint, stack)
    try:
        with activated(values), captured_handler_logs() as logs:
            load_handler("stream_consumer")
            try:
                figure = _measure(values)
            except RuntimeError as error:
                notes.append(f"`{NAME}` not measured: {last_logged_error(logs) or error}")
                figure = Figure(NAME, "error", GOAL, None)
    finally:
        drop_tables(endpoint, stack)
    emit(figure)
    return [figure]


def _subscribe(table_name: str) -> None:
    store = SubscriptionStore(table_name)
    for n in range(SUBSCRIPTIONS):
        store.create(
            TENANT,
            f"https://hooks{n}.example.com/in",
            [EventType.CALL_STARTED, EventType.CALL_COMPLETED],
            "whsec_" + "B" * 32,
            limit=SUBSCRIPTIONS,
        )


def _record(store: CallStore, rng: random.Random, tenant_id: str = TENANT) -> dict[str, Any]:
    """A new call in progress, and its stream record as Lambda hands it over."""
    call = make_call(rng, status=CallStatus.IN_PROGRESS)
    store.put_call(tenant_id, call)
    item = aws.client("dynamodb").get_item(
        TableName=store.table_name, Key=stored_item_key(tenant_id, call.id)
    )["Item"]
    return {"Records": [insert_record(item)]}


def _timed(event: dict[str, Any]) -> float:
    began = time.perf_counter()
    result = invoke("stream_consumer", event)
    elapsed = (time.perf_counter() - began) * 1000
    if result != {"batchItemFailures": []}:
        raise RuntimeError(f"the stream consumer failed the record: {result}")
    return elapsed


def _take_all(queue_url: str) -> int:
    """Take every message off the queue; how many there were."""
    sqs = aws.client("sqs")
    taken = 0
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not messages:
            return taken
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)
            ],
        )
        taken += len(messages)


def _measure(values: dict[str, str]) -> Figure:
    rng = random.Random(2026)
    _subscribe(values["WEBHOOKS_TABLE"])
    store = CallStore(values["CALLS_TABLE"])
    queue_url = values["WEBHOOK_DELIVERY_QUEUE_URL"]
    fanout_ms: list[float] = []
    again_ms: list[float] = []
    quiet_ms: list[float] = []
    for attempt in range(WARMUP + RUNS):
        event = _record(store, rng)
        first = _timed(event)
        again = _timed(event)
        quiet = _timed(_record(store, rng, QUIET_TENANT))
        if attempt >= WARMUP:
            fanout_ms.append(first)
            again_ms.append(again)
            quiet_ms.append(quiet)
        # moto looks at every message of a queue to send one more: each run starts empty, as
        # a queue whose sender keeps up would be.
        queued = _take_all(queue_url)
        if queued != SUBSCRIPTIONS:
            raise RuntimeError(f"{queued} delivery messages queued, not {SUBSCRIPTIONS}")
    return Figure(
        NAME,
        f"{statistics.median(fanout_ms):.1f}",
        GOAL,
        None,
        f"one call.started to {SUBSCRIPTIONS} subscriptions through the stream consumer "
        f"({SUBSCRIPTIONS} messages in {SUBSCRIPTIONS // 10} SendMessageBatch); the same "
        f"record again {statistics.median(again_ms):.1f} ms (nothing sent); a call of a tenant "
        f"without subscriptions {statistics.median(quiet_ms):.1f} ms; medians of {RUNS}",
    )


def main() -> int:
    notes: list[str] = []
    with running_endpoint() as endpoint:
        run(endpoint, notes, lambda figure: print(figure.line(), flush=True))
    for note in notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
