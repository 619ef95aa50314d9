"""Rollups: what the stream consumer costs, and what `total` reads once they exist.

- `rollup_consumer_ms_per_record`: the stream consumer's handler (in process, on moto) applying
  call lifecycles (queued → in_progress → completed with a duration), 100 records a batch.
- `rollup_writes_per_call_lifecycle`: items written to the analytics table (each call's own
  item, which holds its change-feed entry and its rollup state, and the rollup items; counted
  on the handler's client) ÷ lifecycles; once with every record in a batch of its own, a busy
  minute's records (the worst case for sharing: nothing shared), once as a campaign's records
  arrive (a few hundred calls dialed together, their records in batches of 100), and once for a
  lone call's lifecycle (each record a batch of its own, 20 s apart). A transaction's item
  counts once here; DynamoDB bills a transactional write twice, so the WCUs are twice this,
  times each item's size in KB (a rollup item is tens of KB: `rollup_item_kb_*`).
- `list_total_items_read_<filter>` (also printed by `bench.listing`): the items read for
  `total` of one list page per filter, date range and common pair, checked against a count of
  the seeded calls. The tenant's calls are written straight into the table and their rollups
  built through the consumer's own code (`dialtone.analytics.stream.build_from_items`: one
  synthetic INSERT record per call). What a total reads depends on the range's days and hours
  (the call shards of each period), not on the number of calls.

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
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import fixture
from bench.fixture import BATCH_ID, ListDataset, principal_of
from bench.listing import PAIRS, ReadCounter, cases
from bench.report import Figure, at_most
from dialtone import aws
from dialtone.analytics import rollups
from dialtone.analytics.rollup_store import RollupStore
from dialtone.analytics.rollups import CHANGE_SK
from dialtone.analytics.stream import build_from_items
from dialtone.dynamo import from_item
from dialtone.model_types import CallOutcome, CallStatus, Direction
from dialtone.models import Call
from dialtone.store import _call_item
from local.invoke import api_event, invoke
from local.moto_fixes import number_size
from local.seed import make_call

WRITES_GOAL = 10
TOTAL_GOAL = 1000
LIFECYCLES = 300
LONE_LIFECYCLES = 10
LONE_SPACING = 20.0
BATCH_SIZE = 100


class WriteCounter:
    """Items written through one botocore client while registered (`calls`: those of them that
    are calls' own items, each holding the call's feed entry and rollup state)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.items = 0
        self.calls = 0

    def __enter__(self) -> WriteCounter:
        self.client.meta.events.register("before-parameter-build.dynamodb", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.meta.events.unregister("before-parameter-build.dynamodb", self._count)

    def _count(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name == "TransactWriteItems":
            self.items += len(params["TransactItems"])
            self.calls += sum(_is_call_item(action) for action in params["TransactItems"])
        elif model.name in ("PutItem", "UpdateItem", "DeleteItem"):
            self.items += 1
            self.calls += _is_call_item({"Put": params})
        elif model.name == "BatchWriteItem":
            self.items += sum(len(v) for v in params["RequestItems"].values())


def _is_call_item(action: dict[str, Any]) -> bool:
    put = action.get("Put") or {}
    return bool(put.get("Item", {}).get("sk", {}).get("S") == CHANGE_SK)


def build(
    dataset: ListDataset, analytics_table: str, calls_table: str | None = None
) -> tuple[float, int]:
    """Roll up the seeded tenant's calls as the consumer would; seconds taken, items written.
    With the embedded endpoint's tables in this process, the call items are read from the
    calls table as stored, and the rollup items put straight into the analytics table
    (`fixture.DirectWrites`): the same items, without moto's HTTP path for each."""
    direct = fixture.DirectWrites(analytics_table)
    store = RollupStore(analytics_table, dynamodb=direct if direct.usable else None)
    started = time.perf_counter()
    stored = fixture.stored_call_items(calls_table, dataset.tenant_id) if calls_table else None
    items = stored or (_call_item(dataset.tenant_id, call, None) for call in dataset.calls)
    with fixture.collection_paused():
        result = build_from_items(store, items)
    if result.failed:
        raise RuntimeError(f"{len(result.failed)} seeded calls could not be rolled up")
    return time.perf_counter() - started, result.writes


def item_kb(item: dict[str, Any]) -> float:
    """An item's size as DynamoDB counts it (attribute names plus values), in KB."""
    size = 0
    for name, value in item.items():
        size += len(name.encode())
        if "N" in value:
            size += number_size(value["N"])
        elif "S" in value:
            size += len(value["S"].encode())
    return size / 1024


def item_size_figures(tenant_id: str, analytics_table: str) -> list[Figure]:
    """The largest and median call-shard items of the tenant's rollups, day and hour: read
    from the embedded endpoint's table in this process when it is there (moto's Scan sorts the
    whole table again for each page: minutes for the list tenant's rollups), else scanned."""
    sizes: dict[str, list[float]] = {"D": [], "H": []}
    prefix = f"T#{tenant_id}#R#"
    for item in fixture.stored_items(analytics_table, prefix) or _scanned(analytics_table):
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


def _scanned(table_name: str) -> Iterator[dict[str, Any]]:
    for page in aws.client("dynamodb").get_paginator("scan").paginate(TableName=table_name):
        yield from page["Items"]


# Busy days simulated for the rollup item sizes: (agents, batches, calls); half the calls
# are in a batch.
SIMULATED_DAYS = ((20, 5, 3_000), (100, 20, 10_000), (200, 20, 20_000))


# DynamoDB's item limit, in KB (`item_kb`).
ITEM_LIMIT_KB = 400
# The calls of one stream batch (the consumer's BatchSize).
STREAM_BATCH = 100


class _SimulatedItems:
    """Call-shard items as the consumer builds them, with each one's size (DynamoDB's count,
    `item_kb`) kept up to date as counts are added, and a batch refused as DynamoDB refuses
    the consumer's transaction when it would take an item past ITEM_LIMIT_KB."""

    def __init__(self) -> None:
        self.items: dict[rollups.Key, Counter[str]] = {}
        self.sizes: dict[rollups.Key, int] = {}

    def add(self, contributions: list[rollups.Contribution]) -> set[str] | None:
        """Add a batch's contributions; None when added, else the periods (`D...`, `H...`)
        of the call shards it would take past the limit (then nothing is added)."""
        total: rollups.Contribution = {}
        for contribution in contributions:
            for key, counts in contribution.items():
                if key[1].startswith("S#"):
                    total.setdefault(key, Counter()).update(counts)
        sizes = {key: self._size_after(key, counts) for key, counts in total.items()}
        over = {key[0].rsplit("#R#", 1)[1] for key, size in sizes.items() if size > _LIMIT}
        if over:
            return over
        for key, counts in total.items():
            self.items.setdefault(key, Counter()).update(counts)
            self.sizes[key] = sizes[key]
        return None

    def _size_after(self, key: rollups.Key, counts: Counter[str]) -> int:
        item = self.items.get(key, Counter())
        size = self.sizes.get(key, 0)
        for name, value in counts.items():
            old = item.get(name)
            new = (old or 0) + value
            if old is None:
                size += len(name.encode()) + number_size(str(new))
            else:
                size += number_size(str(new)) - number_size(str(old))
        return size


_LIMIT = ITEM_LIMIT_KB * 1024


def simulated_item_figures(emit: Callable[[Figure], None]) -> list[Figure]:
    """The largest day and hour call-shard items of simulated busy days (calls of many agents
    and batches, their contributions added up as the consumer adds them, a stream batch at a
    time; sizes as DynamoDB counts them), no table needed. A batch that would take a call shard
    past 400 KB is refused, as DynamoDB refuses the consumer's transaction, and counted again
    after the tenant's layout grew as the consumer grows it (`rollups.Layout.grown`): the
    figures show whether that keeps every item within the limit, and what it costs readers."""
    import random

    figures = []
    for agents, batches, calls in SIMULATED_DAYS:
        rng = random.Random(agents)
        day = datetime(2026, 3, 10, tzinfo=UTC)
        facts = []
        for _ in range(calls):
            call = make_call(
                rng,
                start_time=day + timedelta(seconds=rng.randrange(86_400)),
                agent_id=f"agent-{rng.randrange(agents):04d}",
                batch_id=f"batch-{rng.randrange(batches):04d}" if rng.random() < 0.5 else None,
            )
            facts.append(rollups.facts_of(from_item(_call_item("bench-sizes", call, None))))
        items = _SimulatedItems()
        layout, growths = rollups.DEFAULT_LAYOUT, 0
        for start in range(0, calls, STREAM_BATCH):
            batch = facts[start : start + STREAM_BATCH]
            while over := items.add([rollups.contribution(layout.counted(f)) for f in batch]):
                for period in sorted(over):
                    grown = layout.grown(period)
                    if grown is None:
                        raise RuntimeError(f"{period}: the most call shards still overflow")
                    layout, growths = grown, growths + 1
        largest = {"D": 0, "H": 0}
        for (pk, _), size in items.sizes.items():
            unit = pk.rsplit("#R#", 1)[1][0]
            largest[unit] = max(largest[unit], size)
        day_keys = len(rollups.shard_keys("D", layout))
        figure = Figure(
            f"rollup_item_kb_day_max_{agents}_agents",
            f"{largest['D'] / 1024:.0f}",
            "goal ≤ 400 KB (DynamoDB's item limit)",
            largest["D"] <= _LIMIT,
            f"a simulated day of {calls} calls of {agents} agents and {batches} batches;"
            f" the largest hour's item {largest['H'] / 1024:.0f} KB; the tenant's layout grew"
            f" {growths} time(s), to {layout.day} day and {layout.hour} hour shards (a day's"
            f" readers read {day_keys} keys)",
        )
        emit(figure)
        figures.append(figure)
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
    call_items: int = 0

    def split(self, lifecycles: int) -> str:
        """The writes per lifecycle: the call's own item + rollup items (shards, numbers)."""
        rollup = (self.items_written - self.call_items) / lifecycles
        calls = self.call_items / lifecycles
        return (
            f"{calls:.2f} of the call's own item (feed entry and rollup state) + {rollup:.2f}"
            " rollup items a lifecycle"
        )


def _consume(batches: list[list[dict[str, Any]]]) -> ConsumerRun:
    with WriteCounter(aws.client("dynamodb")) as counter:
        started = time.perf_counter()
        for batch in batches:
            result = invoke("stream_consumer", {"Records": batch})
            if result.get("batchItemFailures"):
                raise RuntimeError(f"stream consumer failed records: {result}")
        seconds = time.perf_counter() - started
    return ConsumerRun(sum(map(len, batches)), len(batches), counter.items, seconds, counter.calls)


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
            f" {len(worst_stages[0])} lifecycles (the call's item 1 + hour and day shard 2 a"
            f" record, + the number's day item): {worst.split(len(worst_stages[0]))}",
        ),
        at_most(
            "rollup_writes_per_call_lifecycle_lone_call",
            lone.items_written / LONE_LIFECYCLES,
            WRITES_GOAL,
            f"each record a batch of its own, {LONE_SPACING:.0f} s apart: {lone.items_written}"
            f" items for {LONE_LIFECYCLES} lifecycles: {lone.split(LONE_LIFECYCLES)}",
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
    suffix: str = "",
) -> list[Figure]:
    """Items read for `total` per filter (unless `bench.listing` reports those: `singles`
    False), pair and range, each total checked; `suffix` ends each figure's name."""
    principal = principal_of(dataset.tenant_id).to_context()
    checks = [(c.name, c.query, c.matches) for c in cases(dataset)] if singles else []
    # `cases` holds the pairs already: each is measured once, under one name.
    measured = {name for name, _, _ in checks}
    checks += [pair for pair in PAIRS if pair[0] not in measured]
    checks.append(_partial_range(dataset))
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
                f"list_total_items_read_{name}{suffix}",
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
            simulated_item_figures(emit)
            total_figures(dataset, notes, emit)
    for note in notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
