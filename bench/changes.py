"""The change feed: items DynamoDB reads per change returned when a client replays the feed
through the `list_call_changes` handler (goal ≤ 1.1), and what the stream consumer's part costs
per stream record.

A tenant of CALLS calls is batch-written into the calls table (plus a neighbour's calls, and
UPDATES status changes of the tenant's calls); every resulting record of the calls table's
stream, read from moto's DynamoDB stream, goes through `apply_change` as the consumer does.
Reads are counted on the handler's own DynamoDB client with listing's botocore hooks.
`python -m bench.changes` runs these figures alone.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.fixture import (
    activated,
    captured_handler_logs,
    deploy,
    drop_tables,
    handler_environment,
    last_logged_error,
    principal_of,
    running_endpoint,
)
from bench.listing import ReadCounter
from bench.report import Figure, at_most
from dialtone import aws
from dialtone.accounts import AccountStore
from dialtone.analytics.stream import apply_change
from dialtone.model_types import CallStatus
from dialtone.store import CallStore
from local.endpoint import EmbeddedAws
from local.invoke import api_event, invoke, load_handler
from local.provision import Stack
from local.seed import make_call

CALLS = 1_000
NEIGHBOUR_CALLS = 200
UPDATES = 200
PAGE = 100
GOAL = 1.1
NO_GOAL = "no goal"


def _stream_records(endpoint: EmbeddedAws, stack: Stack) -> list[dict[str, Any]]:
    """Every record of the calls table's stream so far, in stream order."""
    streams = endpoint.session().client("dynamodbstreams")
    arn = stack.stream_arns["CallsTable"]
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            # moto answers a stream page in tens of ms per record: pages of 100 stay far
            # from the client's timeout.
            response = streams.get_records(ShardIterator=iterator, Limit=100)
            if not response["Records"]:
                break
            records += response["Records"]
            iterator = response.get("NextShardIterator")
    return records


def _seed(values: dict[str, str]) -> str:
    """The tenant's calls, some of them moved on, and a neighbour's; the tenant id."""
    rng = random.Random(31)
    accounts = AccountStore(values["ACCOUNTS_TABLE"])
    store = CallStore(values["CALLS_TABLE"])
    tenant = accounts.create_tenant(name="Bench change feed tenant").tenant_id
    neighbour = accounts.create_tenant(name="Bench change feed neighbour").tenant_id
    calls = [make_call(rng, status=CallStatus.IN_PROGRESS) for _ in range(CALLS)]
    store.put_calls(tenant, [(call, None) for call in calls])
    store.put_calls(neighbour, [(make_call(rng), None) for _ in range(NEIGHBOUR_CALLS)])
    for call in rng.sample(calls, UPDATES):
        store.change_call(tenant, call.id, CallStatus.IN_PROGRESS, {"status": CallStatus.COMPLETED})
    return tenant


def _consume(records: list[dict[str, Any]], table_name: str) -> float:
    """Apply every record, stamped from an hour ago (past the read lag); seconds taken."""
    dynamodb = aws.client("dynamodb")
    clock = datetime.now(UTC) - timedelta(hours=1)
    started = time.perf_counter()
    for record in records:
        clock += timedelta(milliseconds=1)
        apply_change(dynamodb, table_name, record, clock)
    return time.perf_counter() - started


def _replay(tenant_id: str, limit: int) -> tuple[int, int, int]:
    """The whole feed through the handler, `limit` a page: changes, items read, pages."""
    principal = principal_of(tenant_id).to_context()
    query: dict[str, str] = {"limit": str(limit)}
    changes = pages = 0
    with ReadCounter(aws.client("dynamodb")) as counter:
        while True:
            event = api_event(
                "list_call_changes",
                "GET /v1/calls/changes",
                "/v1/calls/changes",
                query=query,
                authorizer=principal,
            )
            response = invoke("list_call_changes", event)
            if response["statusCode"] != 200:
                raise RuntimeError(f"answered {response['statusCode']}: {response['body']}")
            page = json.loads(response["body"])
            changes += len(page["changes"])
            pages += 1
            if not page["has_more"]:
                return changes, counter.reads.page + counter.reads.total, pages
            query = {"limit": str(limit), "cursor": page["next_cursor"]}


def run(endpoint: EmbeddedAws, notes: list[str], emit: Callable[[Figure], None]) -> list[Figure]:
    """The figures, on a stack of their own whose tables are dropped afterwards."""
    stack = deploy(endpoint, "changes")
    values = handler_environment(endpoint, stack)
    figures: list[Figure] = []
    try:
        with activated(values), captured_handler_logs() as logs:
            load_handler("list_call_changes")
            tenant_id = _seed(values)
            records = _stream_records(endpoint, stack)
            seconds = _consume(records, values["ANALYTICS_TABLE"])
            try:
                changes, items, pages = _replay(tenant_id, PAGE)
            except RuntimeError as error:
                cause = last_logged_error(logs) or str(error)
                notes.append(f"`changes_items_read_per_change` not measured: {cause}")
                figures = [
                    Figure("changes_items_read_per_change", "error", f"goal ≤ {GOAL}", False)
                ]
                emit(figures[0])
                return figures
            if changes != CALLS:
                notes.append(f"The change feed replayed {changes} changes of {CALLS} calls.")
            figures = [
                at_most(
                    "changes_items_read_per_change",
                    items / max(1, changes),
                    GOAL,
                    f"{items} items read for {changes} changes ({CALLS} calls, {UPDATES} of "
                    f"them updated after), {pages} pages of {PAGE} through the handler",
                ),
                Figure(
                    "changes_apply_ms_per_record",
                    f"{seconds * 1000 / max(1, len(records)):.2f}",
                    NO_GOAL,
                    None,
                    f"{len(records)} stream records (the neighbour's too) through apply_change "
                    "on moto, each alone: a consistent read of the call's item, then one"
                    " transaction of its item and its rollup deltas (the consumer gathers a"
                    " batch's records into one)",
                ),
            ]
            for figure in figures:
                emit(figure)
    finally:
        drop_tables(endpoint, stack)
    return figures


def main() -> int:
    notes: list[str] = []
    with running_endpoint() as endpoint:
        run(endpoint, notes, lambda figure: print(figure.line(), flush=True))
    for note in notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
