"""`POST /v1/calls/search` with 100 ids through the search_calls handler: items DynamoDB reads
(goal: the 100 asked for, in one BatchGetItem round unless throttled) and the time it takes.

Reads are counted on the handler's own DynamoDB client with listing's botocore hooks.
`python -m bench.search` runs these figures alone, on a list tenant of their own.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.fixture import ListDataset, captured_handler_logs, last_logged_error, principal_of
from bench.listing import ReadCounter
from bench.report import Figure
from dialtone import aws
from local.invoke import api_event, invoke

IDS = 100
RUNS = 20


def _search(principal: dict[str, str], call_ids: list[str]) -> dict[str, Any]:
    event = api_event(
        "search_calls",
        "POST /v1/calls/search",
        "/v1/calls/search",
        authorizer=principal,
        body=json.dumps({"call_ids": call_ids}),
    )
    return invoke("search_calls", event)


def run(dataset: ListDataset, notes: list[str], emit: Callable[[Figure], None]) -> list[Figure]:
    """100 random calls of the 10,000-call tenant, asked for by id, `RUNS` times."""
    principal = principal_of(dataset.tenant_id).to_context()
    call_ids = [call.id for call in random.Random(11).sample(dataset.calls, IDS)]
    timings: list[float] = []
    with ReadCounter(aws.client("dynamodb")) as counter, captured_handler_logs() as logs:
        _search(principal, call_ids[:1])  # builds the reader: its reads are not counted
        for _ in range(RUNS):
            reads = counter.reset()
            started = time.perf_counter()
            response = _search(principal, call_ids)
            timings.append(time.perf_counter() - started)
            if response["statusCode"] != 200:
                error = last_logged_error(logs) or response["body"]
                notes.append(f"`search_calls` answered {response['statusCode']}: {error}")
                figure = Figure("search_100_ids_items_read", "error", "goal = 100", False, error)
                emit(figure)
                return [figure]
    found = [call["id"] for call in json.loads(response["body"])["calls"]]
    if found != call_ids:
        notes.append(f"`search_calls` returned {len(found)} of {IDS} calls, or out of order.")
    one_round = reads.page_requests == 1
    figures = [
        Figure(
            "search_100_ids_items_read",
            str(reads.page),
            f"goal = {IDS}, one BatchGetItem round unless throttled",
            reads.page == IDS and one_round,
            f"{reads.page_requests} BatchGetItem round(s) for {len(found)} calls returned",
        ),
        Figure(
            "search_100_ids_ms",
            f"{statistics.median(timings) * 1000:.1f}",
            "no goal",
            None,
            f"median of {RUNS} warm requests through the handler on moto; "
            f"p95 {sorted(timings)[int(RUNS * 0.95) - 1] * 1000:.1f} ms",
        ),
    ]
    for figure in figures:
        emit(figure)
    return figures


def main() -> int:
    """These figures alone: a fresh endpoint, the list tenants seeded, then the searches."""
    from bench import fixture
    from dialtone.accounts import AccountStore
    from dialtone.store import CallStore
    from local.invoke import load_handler

    notes: list[str] = []
    with fixture.running_endpoint() as endpoint:
        stack = fixture.deploy(endpoint, "search")
        values = fixture.handler_environment(endpoint, stack)
        with fixture.activated(values):
            load_handler("search_calls")
            dataset = fixture.seed_list_tenants(
                AccountStore(values["ACCOUNTS_TABLE"]), CallStore(values["CALLS_TABLE"])
            )
            run(dataset, notes, lambda figure: print(figure.line(), flush=True))
    for note in notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
