"""Rollups: what the stream consumer costs, and what `total` reads once they exist.

- `rollup_consumer_ms_per_record`: the stream consumer's handler (in process, on moto) applying
  call lifecycles (queued → in_progress → completed with a duration), 100 records a batch.
- `rollup_writes_per_call_lifecycle`: items written to the analytics table (state items, rollup
  items, watermarks; counted on the handler's client) ÷ lifecycles; once with every record in a
  batch of its own, a busy minute's records (the worst case for sharing: nothing shared, the
  tenant's watermark moving by less than a second a batch), once as a campaign's records arrive
  (a few hundred calls dialed together, their records in batches of 100), and, reported without
  a goal, a lone call's lifecycle (each record a batch of its own, 20 s apart: the watermark
  moves every time). A transaction's item counts once here; DynamoDB bills a transactional
  write twice, so the WCUs are twice this, times each item's size in KB (a rollup item is tens
  of KB: `rollup_item_kb_*`).
- `list_total_items_read_<filter>` (also printed by `bench.listing`): the items read for
  `total` of one list page per filter, date range and common pair, checked against a count of
  the seeded calls. The tenant's calls are written straight into the table and their rollups
  built through the consumer's own code (`dialtone.analytics.stream.build_from_items`: one
  synthetic INSERT record per call). What a total reads depends on the range's days and hours
  (4 call shards a period), not on the number of calls.

- `rollup_item_kb_day_max`, `rollup_item_kb_hour_max` (and the medians in the detail): the
  size of the seeded tenant's call-shard items as DynamoDB measures it (names and values; the
  limit is 400 KB), which is also what one update of such an item costs in WCUs.

`python -m bench.rollups` runs on its own (seeding the list benchmark's 13,000 calls).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import fixture
from bench.fixture import BATCH_ID, ListDataset, principal_of
from bench.listing import PAIRS, ReadCounter, cases
from bench.report import Figure, at_most
from dialtone import aws
from dialtone.analytics.changes import CHANGE_SK
from dialtone.analytics.rollup_store import RollupStore
from dialtone.analytics.stream import build_from_items
from dialtone.models import Call, CallOutcome, CallStatus, Direction
from dialtone.store import _call_item
from local.invoke import api_event, invoke
from local.seed import make_call

WRITES_GOAL = 10
TOTAL_GOAL = 1000
LIFECYCLES = 300
LONE_LIFECYCLES = 10
LONE_SPACING = 20.0
BATCH_SIZE = 100


class WriteCounter:
    """Items written through one botocore client while registered (`feed`: those of them that
    are change-feed items, written by the same consumer)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.items = 0
        self.feed = 0

    def __enter__(self) -> WriteCounter:
        self.client.meta.events.register("before-parameter-build.dynamodb", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.meta.events.unregister("before-parameter-build.dynamodb", self._count)

    def _count(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name == "TransactWriteItems":
            self.items += len(params["TransactItems"])
        elif model.name in ("PutItem", "UpdateItem", "DeleteItem"):
            self.items += 1
            self.feed += params.get("Item", {}).get("sk", {}).get("S") == CHANGE_SK
        elif model.name == "BatchWriteItem":
            self.items += sum(len(v) for v in params["RequestItems"].values())


def build(dataset: ListDataset, analytics_table: str) -> tuple[float, int]:
    """Roll up the seeded tenant's calls as the consumer would; seconds taken, items written."""
    store = RollupStore(analytics_table)
    started = time.perf_counter()
    items = (_call_item(dataset.tenant_id, call, None) for call in dataset.calls)
    result = build_from_items(store, items)
    if result.failed:
        raise RuntimeError(f"{len(result.failed)} seeded calls could not be rolled up")
    return time.perf_counter() - started, result.writes


def _number_size(value: str) -> int:
    digits = value.lstrip("-").replace(".", "").strip("0") or "0"
    return 1 + (len(digits) + 1) // 2


def item_kb(item: dict[str, Any]) -> float:
    """An item's size as DynamoDB counts it (attribute names plus values), in KB."""
    size = 0
    for name, value in item.items():
        size += len(name.encode())
        if "N" in value:
            size += _number_size(value["N"])
        elif "S" in value:
            size += len(value["S"].encode())
    return size / 1024


def item_size_figures(tenant_id: str, analytics_table: str) -> list[Figure]:
    """The largest and median call-shard items of the tenant's rollups, day and hour."""
    client = aws.client("dynamodb")
    sizes: dict[str, list[float]] = {"D": [], "H": []}
    prefix = f"T#{tenant_id}#R#"
    for page in client.get_paginator("scan").paginate(TableName=analytics_table):
        for item in page["Items"]:
            pk, sk = item["pk"]["S"], item["sk"]["S"]
            if pk.startswith(prefix) and sk.startswith("S#"):
                sizes[pk[len(prefix)]].append(item_kb(item))
    figures = []
    for unit, name in (("D", "day"), ("H", "hour")):
        values = sorted(sizes[unit]) or [0.0]
        figures.append(
            Figure(
                f"rollup_item_kb_{name}_max",
                f"{values[-1]:.1f}",
                "no goal; reported (DynamoDB's item limit is 400 KB)",
                None,
                f"{len(sizes[unit])} {name} call-shard items, median"
                f" {statistics.median(values):.1f} KB; an update of one costs that many WCUs",
            )
        )
    return figures


def _record(
    tenant_id: str, seq: int, new: Call, old: Call | None, at: float | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "Keys": {"pk": {"S": f"T#{tenant_id}#C#{new.id}"}, "sk": {"S": "CALL"}},
        "NewImage": _call_item(tenant_id, new, None),
        "SequenceNumber": str(10**20 + seq),
        "ApproximateCreationDateTime": time.time() if at is None else at,
    }
    if old is not None:
        data["OldImage"] = _call_item(tenant_id, old, None)
    return {"eventName": "MODIFY" if old else "INSERT", "dynamodb": data}


def lifecycle_records(count: int, spacing: float | None = None) -> list[list[dict[str, Any]]]:
    """Each call's three records (queued, in_progress, completed with a duration), for a new
    tenant's campaign: calls queued together, answered, completed, as a dialer paces them.
    Stream times are now, or with `spacing`, that many seconds from one record to the next."""
    import random

    rng = random.Random(7)
    tenant_id = f"bench-rollups-{uuid.uuid4().hex[:8]}"
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    stages: list[list[dict[str, Any]]] = [[], [], []]
    seq = 0
    for n in range(count):
        queued = make_call(
            rng,
            start_time=start + timedelta(seconds=n),
            direction=Direction.OUTBOUND,
            status=CallStatus.QUEUED,
            batch_id=BATCH_ID,
        ).model_copy(update={"duration_seconds": None, "outcome": None})
        answered = queued.model_copy(update={"status": CallStatus.IN_PROGRESS})
        done = answered.model_copy(
            update={
                "status": CallStatus.COMPLETED,
                "duration_seconds": round(rng.uniform(20, 600), 1),
                "outcome": CallOutcome.RESOLVED,
            }
        )
        for stage, (new, old) in enumerate(((queued, None), (answered, queued), (done, answered))):
            seq += 1
            at = None if spacing is None else time.time() + seq * spacing
            stages[stage].append(_record(tenant_id, seq * 1000 + stage, new, old, at))
    return stages


@dataclass
class ConsumerRun:
    records: int
    invocations: int
    items_written: int
    seconds: float
    feed_items: int = 0

    def split(self, lifecycles: int) -> str:
        """The writes per lifecycle: rollups (state, shards, numbers, watermark) + change feed."""
        rollup = (self.items_written - self.feed_items) / lifecycles
        return f"{rollup:.2f} rollups + {self.feed_items / lifecycles:.2f} change feed a lifecycle"


def _consume(batches: list[list[dict[str, Any]]]) -> ConsumerRun:
    with WriteCounter(aws.client("dynamodb")) as counter:
        started = time.perf_counter()
        for batch in batches:
            result = invoke("stream_consumer", {"Records": batch})
            if result.get("batchItemFailures"):
                raise RuntimeError(f"stream consumer failed records: {result}")
        seconds = time.perf_counter() - started
    return ConsumerRun(sum(map(len, batches)), len(batches), counter.items, seconds, counter.feed)


def consumer_figures(emit: Callable[[Figure], None]) -> list[Figure]:
    """The consumer's time per record and its writes per call lifecycle (worst, realistic)."""
    # The first invocation builds the store: a record of an exchange, which counts nothing.
    exchange = {"Keys": {"pk": {"S": "T#bench#C#warm-up"}, "sk": {"S": "EX#0000000001"}}}
    invoke(
        "stream_consumer",
        {"Records": [{"eventName": "INSERT", "dynamodb": {**exchange, "SequenceNumber": "1"}}]},
    )
    stages = lifecycle_records(LIFECYCLES)
    campaign = [r for stage in stages for r in stage]
    realistic = _consume(
        [campaign[i : i + BATCH_SIZE] for i in range(0, len(campaign), BATCH_SIZE)]
    )
    worst_stages = lifecycle_records(LIFECYCLES // 3)
    # Each call's records one after another, every record a batch of its own.
    by_call = [r for trio in zip(*worst_stages, strict=True) for r in trio]
    worst = _consume([[r] for r in by_call])
    lone_stages = lifecycle_records(LONE_LIFECYCLES, spacing=LONE_SPACING)
    lone = _consume([[r] for trio in zip(*lone_stages, strict=True) for r in trio])
    figures = [
        Figure(
            "rollup_consumer_ms_per_record",
            f"{realistic.seconds * 1000 / realistic.records:.2f}",
            "no goal; reported",
            None,
            f"{realistic.records} records of {LIFECYCLES} lifecycles in {realistic.invocations}"
            f" batches of {BATCH_SIZE}, in process on moto",
        ),
        at_most(
            "rollup_writes_per_call_lifecycle",
            realistic.items_written / LIFECYCLES,
            WRITES_GOAL,
            f"records in batches of {BATCH_SIZE} as a {LIFECYCLES}-call campaign's arrive:"
            f" {realistic.items_written} items written, {realistic.split(LIFECYCLES)}",
        ),
        at_most(
            "rollup_writes_per_call_lifecycle_worst",
            worst.items_written / len(worst_stages[0]),
            WRITES_GOAL,
            f"every record a batch of its own: {worst.items_written} items written for"
            f" {len(worst_stages[0])} lifecycles (state 1 + hour and day shard 2 a record,"
            " + the number's day item; the watermark once a second; the change feed's item a"
            f" record): {worst.split(len(worst_stages[0]))}",
        ),
        Figure(
            "rollup_writes_per_call_lifecycle_lone_call",
            f"{lone.items_written / LONE_LIFECYCLES:.2f}",
            "no goal; reported",
            None,
            f"each record a batch of its own, {LONE_SPACING:.0f} s apart: {lone.items_written}"
            f" items for {LONE_LIFECYCLES} lifecycles (the watermark moves by more than a second"
            f" at each record): {lone.split(LONE_LIFECYCLES)}",
        ),
    ]
    for figure in figures:
        emit(figure)
    return figures


def _partial_range(dataset: ListDataset) -> tuple[str, dict[str, str], Callable[[Call], bool]]:
    low = dataset.anchor - timedelta(days=20, hours=5, minutes=17)
    high = dataset.anchor - timedelta(days=3, hours=2, minutes=41)

    def inside(c: Call) -> bool:
        start = c.start_time if c.start_time.tzinfo else c.start_time.replace(tzinfo=UTC)
        return low <= start <= high

    query = {"start_date": low.isoformat(), "end_date": high.isoformat()}
    return "datetime_range", query, inside


def total_figures(
    dataset: ListDataset,
    notes: list[str],
    emit: Callable[[Figure], None],
    singles: bool = True,
) -> list[Figure]:
    """Items read for `total` per filter (unless `bench.listing` reports those: `singles`
    False), pair and range, each total checked."""
    principal = principal_of(dataset.tenant_id).to_context()
    checks = [(c.name, c.query, c.matches) for c in cases(dataset)] if singles else []
    checks += [*PAIRS, _partial_range(dataset)]
    figures: list[Figure] = []
    with ReadCounter(aws.client("dynamodb")) as counter:
        for name, query, matches in checks:
            event = api_event(
                "list_calls", "GET /v1/calls", "/v1/calls", query=query, authorizer=principal
            )
            reads = counter.reset()
            response = invoke("list_calls", event)
            body = json.loads(response["body"])
            expected = sum(1 for c in dataset.calls if matches(c))
            if response["statusCode"] != 200 or body.get("total") != expected:
                notes.append(f"`total` of {query}: {body.get('total')}, but {expected} match.")
            figure = at_most(
                f"list_total_items_read_{name}",
                reads.total,
                TOTAL_GOAL,
                f"{reads.total_requests} requests for total {body.get('total')} ({expected} match)",
            )
            emit(figure)
            figures.append(figure)
    return figures


def main() -> int:
    notes: list[str] = []

    def emit(figure: Figure) -> None:
        print(figure.line(), flush=True)

    with fixture.running_endpoint() as endpoint:
        stack = fixture.deploy(endpoint, "rollups")
        values = fixture.handler_environment(endpoint, stack)
        with fixture.activated(values):
            from dialtone.accounts import AccountStore
            from dialtone.store import CallStore

            consumer_figures(emit)
            dataset = fixture.seed_list_tenants(
                AccountStore(values["ACCOUNTS_TABLE"]), CallStore(values["CALLS_TABLE"])
            )
            seconds, writes = build(dataset, values["ANALYTICS_TABLE"])
            print(
                f"seeded {len(dataset.calls)} calls in {dataset.seed_seconds:.0f} s; rollups"
                f" built in {seconds:.0f} s ({writes} items written)",
                flush=True,
            )
            for figure in item_size_figures(dataset.tenant_id, values["ANALYTICS_TABLE"]):
                emit(figure)
            total_figures(dataset, notes, emit)
    for note in notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
