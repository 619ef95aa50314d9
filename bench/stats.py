"""Stats: what `GET /v1/calls/stats` reads over 30 days once the rollups exist.

- `stats_items_read_30d`: items read (rollup items and the calls of the two partial edge hours,
  counted on the handler's client) for the default range (the last 30 days), checked against a
  count of the seeded calls of that range. What it reads depends on the range's days and hours
  (the call shards of each period) plus the calls of two partial hours, not on the calls of the
  range.
- `stats_items_read_30d_<pair>`: the same for each of the list's common pairs (bench.listing's
  PAIRS), each answer's `calls` checked against the seeded calls: a pair is read from its own
  metric block in the same rollup items, so it reads what the unfiltered stats read, less the
  edge hours' calls that do not match.
- `stats_30d_ms`: the handler's time for it (in process, on the bench's endpoint), the median of
  a few requests; `stats_30d_day_compare_ms` the same grouped by day with the previous period.

The tenant is the list benchmark's (seeded straight into the table, its rollups built through
the consumer's code: `bench.rollups.build`). `python -m bench.stats` runs on its own.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bench import fixture
from bench.fixture import ListDataset, principal_of
from bench.listing import PAIRS, ReadCounter
from bench.report import Figure, at_most
from bench.rollups import build
from dialtone import aws
from local.invoke import api_event, invoke

ITEMS_GOAL = 1000
REPEATS = 3


def _ask(dataset: ListDataset, query: dict[str, str]) -> tuple[dict[str, object], float]:
    event = api_event(
        "get_call_stats",
        "GET /v1/calls/stats",
        "/v1/calls/stats",
        query=query,
        authorizer=principal_of(dataset.tenant_id).to_context(),
    )
    started = time.perf_counter()
    response = invoke("get_call_stats", event)
    seconds = time.perf_counter() - started
    if response["statusCode"] != 200:
        raise RuntimeError(f"stats answered {response['statusCode']}: {response['body']}")
    answer: dict[str, object] = json.loads(response["body"])
    return answer, seconds


def _pair_figures(dataset: ListDataset, notes: list[str], suffix: str) -> list[Figure]:
    figures = []
    with ReadCounter(aws.client("dynamodb"), total_tables=()) as counter:
        for name, query, matches in PAIRS:
            reads = counter.reset()
            answer, _ = _ask(dataset, query)
            start = datetime.fromisoformat(str(answer["start"]))
            end = datetime.fromisoformat(str(answer["end"]))
            expected = sum(
                1
                for c in dataset.calls
                if start <= c.start_time.astimezone(UTC) < end and matches(c)
            )
            summary = answer["summary"]
            counted = summary.get("calls") if isinstance(summary, dict) else None
            if counted != expected:
                notes.append(f"stats over 30 days of {query}: {counted} calls, but {expected}.")
            figures.append(
                at_most(
                    f"stats_items_read_30d_{name}{suffix}",
                    reads.page + reads.total,
                    ITEMS_GOAL,
                    f"{reads.page_requests + reads.total_requests} requests for {counted} calls"
                    f" ({expected} match)",
                )
            )
    return figures


def stats_figures(
    dataset: ListDataset,
    notes: list[str],
    emit: Callable[[Figure], None],
    suffix: str = "",
    repeats: int = REPEATS,
) -> list[Figure]:
    """Items read and time for 30 days of stats (the median of `repeats` requests), the answer
    checked against the seeded calls; `suffix` ends each figure's name."""
    with ReadCounter(aws.client("dynamodb"), total_tables=()) as counter:
        _ask(dataset, {})  # the first request builds the reader
        reads = counter.reset()
        answer, _ = _ask(dataset, {})
        items = reads.page + reads.total
        requests = reads.page_requests + reads.total_requests
    start = datetime.fromisoformat(str(answer["start"]))
    end = datetime.fromisoformat(str(answer["end"]))
    expected = sum(1 for c in dataset.calls if start <= c.start_time.astimezone(UTC) < end)
    summary = answer["summary"]
    counted = summary.get("calls") if isinstance(summary, dict) else None
    if counted != expected:
        notes.append(f"stats over 30 days counted {counted} calls, but {expected} started then.")
    plain = [_ask(dataset, {})[1] for _ in range(repeats)]
    grouped_query = {"group_by": "day", "compare": "previous_period"}
    grouped = [_ask(dataset, grouped_query)[1] for _ in range(repeats)]
    figures = [
        at_most(
            f"stats_items_read_30d{suffix}",
            items,
            ITEMS_GOAL,
            f"{requests} requests for {counted} calls ({expected} started in the range; a read"
            f" of every call would be {expected})",
        ),
        Figure(
            f"stats_30d_ms{suffix}",
            f"{statistics.median(plain) * 1000:.0f}",
            "no goal; reported",
            None,
            f"median of {repeats}, in process on the bench's endpoint",
        ),
        Figure(
            f"stats_30d_day_compare_ms{suffix}",
            f"{statistics.median(grouped) * 1000:.0f}",
            "no goal; reported",
            None,
            f"group_by=day&compare=previous_period (60 days read), median of {repeats}",
        ),
        *_pair_figures(dataset, notes, suffix),
    ]
    for figure in figures:
        emit(figure)
    return figures


def main() -> int:
    notes: list[str] = []

    def emit(figure: Figure) -> None:
        print(figure.line(), flush=True)

    with fixture.running_endpoint() as endpoint:
        stack = fixture.deploy(endpoint, "stats")
        values = fixture.handler_environment(endpoint, stack)
        with fixture.activated(values):
            from dialtone.accounts import AccountStore
            from dialtone.store import CallStore

            dataset = fixture.seed_list_tenants(
                AccountStore(values["ACCOUNTS_TABLE"]), CallStore(values["CALLS_TABLE"])
            )
            seconds, writes = build(dataset, values["ANALYTICS_TABLE"])
            print(
                f"seeded {len(dataset.calls)} calls; rollups built in {seconds:.0f} s"
                f" ({writes} items written); calls in the last 30 days:"
                f" {_recent(dataset, timedelta(days=30))}",
                flush=True,
            )
            stats_figures(dataset, notes, emit)
    for note in notes:
        print(f"note: {note}")
    return 0


def _recent(dataset: ListDataset, span: timedelta) -> int:
    since = datetime.now(UTC) - span
    return sum(1 for c in dataset.calls if c.start_time.astimezone(UTC) >= since)


if __name__ == "__main__":
    sys.exit(main())
