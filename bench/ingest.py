"""Call data from the voice runtime: appending a batch of exchanges, and reading a long transcript.

- **Exchange batch** (`ingest_exchange_batch_ms`): `POST /v1/calls/{id}/exchanges` of 100
  exchanges through the `append_call_exchanges` handler in process (warm), each run on a new call
  created through the `upsert_call` handler, so every sequence number is new. Its floor is the
  same DynamoDB requests made bare on the same client: the consistent GetItem of the call, then
  the transactions (a ConditionCheck of the call and up to 99 conditional Puts each) carrying the
  same items, already serialised. Interleaved runs, medians.
- **Transcript read** (`transcript_read_5000_ms`): `GET /v1/calls/{id}/transcript` of a call of
  5,000 exchanges through the `get_call_transcript` handler, format `exchanges` (then `turns`
  and `vtt`). Its floor is the same requests made bare: the GetItem of the call and the
  paginated Query of its exchanges (pages of up to 1 MB), decoded no further than botocore does.

Every run of either side starts on the calls table recreated empty from template.yaml, so that
its time does not depend on what earlier runs stored; the 5,000 exchanges are stored with
BatchWriteItem, as the items the append handler writes.

Items read are counted as the list benchmark counts them (`bench.listing.ReadCounter` on the
handler's own client: `ScannedCount` of every Query, one per GetItem that found its item); items
written are the Puts/Updates/Deletes a request carries, counted from its parameters.
"""

from __future__ import annotations

import gc
import json
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.fixture import (
    activated,
    captured_handler_logs,
    deploy,
    drop_tables,
    handler_environment,
    heap_frozen,
    last_logged_error,
    principal_of,
)
from bench.listing import ReadCounter
from bench.report import Figure
from dialtone import aws
from dialtone.accounts import AccountStore
from dialtone.dynamo import to_item
from dialtone.models import Call
from dialtone.store import CALL_SK, EXCHANGE_PREFIX, call_pk, exchange_sk
from local.endpoint import EmbeddedAws
from local.invoke import api_event, invoke, load_handler
from local.provision import Stack, create_table
from local.seed import make_exchanges

BATCH = 100
BATCH_RUNS = 11
BATCH_WARMUP = 2
TRANSCRIPT_EXCHANGES = 5000
TRANSCRIPT_RUNS = 3
APPEND_CHUNK = 99  # Puts per transaction, as dialtone.store appends them
RETENTION_DAYS = 365  # so that items carry their TTL attribute, as a tenant's usually do
HANDLERS = ("upsert_call", "append_call_exchanges", "get_call_transcript")
NO_GOAL = "no goal; reported"


def run(endpoint: EmbeddedAws, notes: list[str], emit: Callable[[Figure], None]) -> list[Figure]:
    """Both figures, on a stack of their own whose tables are dropped afterwards."""
    stack = deploy(endpoint, "ingest")
    values = handler_environment(endpoint, stack)
    figures: list[Figure] = []
    try:
        with activated(values), captured_handler_logs() as logs, heap_frozen():
            for function in HANDLERS:
                load_handler(function)
            bench = _Bench(stack, AccountStore(values["ACCOUNTS_TABLE"]))
            for measure in (bench.exchange_batch, bench.transcript_read):
                try:
                    measured = measure()
                except _Failed as error:
                    cause = last_logged_error(logs) or str(error)
                    notes.append(f"`{error.figure}` not measured: {cause}")
                    measured = [Figure(error.figure, "error", NO_GOAL, None)]
                for figure in measured:
                    emit(figure)
                figures += measured
    finally:
        drop_tables(endpoint, stack)
    return figures


class _Failed(Exception):
    def __init__(self, figure: str, message: str) -> None:
        super().__init__(message)
        self.figure = figure


@dataclass
class Writes:
    """The requests made while counting, and the items they write."""

    requests: dict[str, int] = field(default_factory=dict)
    items_written: int = 0
    condition_checks: int = 0

    def count(self, operation: str, params: dict[str, Any]) -> None:
        self.requests[operation] = self.requests.get(operation, 0) + 1
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            self.items_written += 1
        elif operation == "BatchWriteItem":
            self.items_written += sum(len(v) for v in params["RequestItems"].values())
        elif operation == "TransactWriteItems":
            for action in params["TransactItems"]:
                if "ConditionCheck" in action:
                    self.condition_checks += 1
                else:
                    self.items_written += 1

    def summary(self) -> str:
        return ", ".join(f"{n} {op}" for op, n in sorted(self.requests.items()))


@contextmanager
def _counted(client: Any) -> Iterator[tuple[ReadCounter, Writes]]:
    """Items read (as bench.listing counts them) and written through `client` in the block."""
    writes = Writes()

    def before(params: dict[str, Any], model: Any, **_: Any) -> None:
        writes.count(model.name, params)

    events = client.meta.events
    events.register("provide-client-params.dynamodb", before)
    try:
        with ReadCounter(client) as reads:
            yield reads, writes
    finally:
        events.unregister("provide-client-params.dynamodb", before)


class Clock:
    """Time spent inside a client's DynamoDB requests (sending, moto's answer, parsing it)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.inside = 0.0
        self._started = 0.0

    def __enter__(self) -> Clock:
        self.client.meta.events.register("before-call.dynamodb", self._before)
        self.client.meta.events.register("after-call.dynamodb", self._after)
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.meta.events.unregister("before-call.dynamodb", self._before)
        self.client.meta.events.unregister("after-call.dynamodb", self._after)

    def _before(self, **_: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, **_: Any) -> None:
        self.inside += time.perf_counter() - self._started

    def timed(self, action: Callable[[], Any]) -> tuple[float, float]:
        """Milliseconds `action` takes in all, and outside the DynamoDB requests. Garbage is
        collected first (what the stage made: `heap_frozen`): its collection belongs to no
        run."""
        gc.collect()
        self.inside = 0.0
        started = time.perf_counter()
        action()
        elapsed = time.perf_counter() - started
        return elapsed * 1000, (elapsed - self.inside) * 1000


def _queries(count: int) -> str:
    return f"{count} {'Query' if count == 1 else 'Queries'}"


class _Bench:
    def __init__(self, stack: Stack, accounts: AccountStore) -> None:
        self.stack = stack
        self.table = stack.names["CallsTable"]
        self.client = aws.client("dynamodb")
        tenant = accounts.create_tenant(name="Bench ingest", retention_days=RETENTION_DAYS)
        self.tenant_id = tenant.tenant_id
        self.context = principal_of(self.tenant_id).to_context()
        self.start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)

    def empty_table(self) -> None:
        """The calls table recreated from the template: no items, no stream records."""
        self.client.delete_table(TableName=self.table)
        properties = self.stack.template["Resources"]["CallsTable"]["Properties"]
        create_table(self.client, self.table, properties)

    # Requests through the handlers

    def _event(self, sample: str, route: str, call_id: str, suffix: str, **kw: Any) -> Any:
        return api_event(
            sample,
            route,
            f"/v1/calls/{call_id}{suffix}",
            path_parameters={"call_id": call_id},
            authorizer=self.context,
            **kw,
        )

    def new_call(self, figure: str) -> Call:
        """A call created through the upsert_call handler, as the runtime creates one."""
        call_id = str(uuid.uuid4())
        body = {
            "direction": "inbound",
            "from_number": "+14155550123",
            "to_number": "+14155550100",
            "agent_id": "agent-support",
            "start_time": self.start.isoformat(),
        }
        event = self._event(
            "upsert_call", "PUT /v1/calls/{call_id}", call_id, "", body=json.dumps(body)
        )
        response = invoke("upsert_call", event)
        if response["statusCode"] != 201:
            raise _Failed(figure, f"upsert_call answered {response['statusCode']}")
        return Call.model_validate(json.loads(response["body"]))

    def append(
        self, figure: str, call_id: str, exchanges: list[dict[str, Any]]
    ) -> Callable[[], None]:
        """The append request (built now), as an action that checks its answer."""
        event = self._event(
            "append_call_exchanges",
            "POST /v1/calls/{call_id}/exchanges",
            call_id,
            "/exchanges",
            body=json.dumps({"exchanges": exchanges}),
        )

        def action() -> None:
            response = invoke("append_call_exchanges", event)
            if response["statusCode"] != 200:
                raise _Failed(figure, f"append_call_exchanges answered {response['statusCode']}")
            stored = json.loads(response["body"])["stored"]
            if stored != len(exchanges):
                raise _Failed(figure, f"append_call_exchanges stored {stored} of {len(exchanges)}")

        return action

    # Bare DynamoDB requests (the floors)

    def get_call_item(self, call_id: str, consistent: bool) -> dict[str, Any]:
        key = {"pk": {"S": call_pk(self.tenant_id, call_id)}, "sk": {"S": CALL_SK}}
        response = self.client.get_item(TableName=self.table, Key=key, ConsistentRead=consistent)
        if "Item" not in response:
            raise RuntimeError("GetItem found no call")
        item: dict[str, Any] = response["Item"]
        return item

    def exchange_items(
        self, call_id: str, exchanges: list[dict[str, Any]], expires_at: int | None
    ) -> list[dict[str, Any]]:
        """The items the append handler writes for `exchanges`."""
        pk = call_pk(self.tenant_id, call_id)
        return [
            to_item(
                {"pk": pk, "sk": exchange_sk(e["sequence_number"]), **e, "expires_at": expires_at}
            )
            for e in exchanges
        ]

    def bare_append(
        self, call: Call, exchanges: list[dict[str, Any]], expires_at: int | None
    ) -> Callable[[], None]:
        """The append's own DynamoDB requests, built now, as an action."""
        check = {
            "ConditionCheck": {
                "TableName": self.table,
                "Key": {"pk": {"S": call_pk(self.tenant_id, call.id)}, "sk": {"S": CALL_SK}},
                "ConditionExpression": "attribute_exists(pk)",
            }
        }
        puts = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": item,
                    "ConditionExpression": "attribute_not_exists(sk)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            }
            for item in self.exchange_items(call.id, exchanges, expires_at)
        ]
        transactions = [
            [check, *puts[start : start + APPEND_CHUNK]]
            for start in range(0, len(puts), APPEND_CHUNK)
        ]

        def action() -> None:
            self.get_call_item(call.id, consistent=True)
            for items in transactions:
                self.client.transact_write_items(TransactItems=items)

        return action

    def batch_write(self, items: list[dict[str, Any]]) -> None:
        for start in range(0, len(items), 25):
            pending: Any = {
                self.table: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]
            }
            while pending:
                pending = self.client.batch_write_item(RequestItems=pending).get("UnprocessedItems")

    def query_exchanges(self, call_id: str) -> int:
        found = 0
        for page in self.client.get_paginator("query").paginate(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={
                ":pk": {"S": call_pk(self.tenant_id, call_id)},
                ":prefix": {"S": EXCHANGE_PREFIX},
            },
        ):
            found += len(page["Items"])
        return found

    def expires_at(self, call_id: str) -> int | None:
        value = self.get_call_item(call_id, consistent=True).get("expires_at", {}).get("N")
        return int(value) if value is not None else None

    # The figures

    def exchange_batch(self) -> list[Figure]:
        name = "ingest_exchange_batch_ms"
        batch: list[dict[str, Any]] = []

        def prepared(side: str) -> Callable[[], None]:
            """A new call on an empty table, and the side's request for it, built now."""
            self.empty_table()
            call = self.new_call(name)
            if not batch:
                batch.extend(e.model_dump(mode="json") for e in make_exchanges(call, BATCH))
            if side == "handler":
                return self.append(name, call.id, batch)
            return self.bare_append(call, batch, self.expires_at(call.id))

        # The first request is the one counted (and a warm-up); then warm-up pairs, then runs.
        first = prepared("handler")
        with _counted(self.client) as (reads, writes):
            first()
        times: dict[str, list[tuple[float, float]]] = {"handler": [], "floor": []}
        with Clock(self.client) as clock:
            for n in range(BATCH_WARMUP + BATCH_RUNS):
                for side in ("handler", "floor") if n % 2 else ("floor", "handler"):
                    measured = clock.timed(prepared(side))
                    if n >= BATCH_WARMUP:
                        times[side].append(measured)
        handler_ms = statistics.median(t for t, _ in times["handler"])
        own_ms = statistics.median(o for _, o in times["handler"])
        floor_ms = statistics.median(t for t, _ in times["floor"])
        transactions = writes.requests.get("TransactWriteItems", 0)
        return [
            Figure(
                name,
                f"{handler_ms:.1f}",
                NO_GOAL,
                None,
                f"{BATCH} exchanges in one request, median of {BATCH_RUNS} runs, each on a new"
                f" call; {own_ms:.1f} ms of it outside the DynamoDB requests; requests:"
                f" {writes.summary()}",
            ),
            Figure(
                "ingest_exchange_batch_ratio",
                f"{handler_ms / floor_ms:.2f}",
                NO_GOAL,
                None,
                f"handler {handler_ms:.1f} ms ÷ floor {floor_ms:.1f} ms (the same DynamoDB"
                " requests, bare)",
            ),
            Figure(
                "ingest_exchange_batch_items_read",
                str(reads.reads.page),
                NO_GOAL,
                None,
                f"the call, by {reads.reads.page_requests} consistent GetItem; the transactions"
                f" also carry {writes.condition_checks} ConditionChecks that it still exists",
            ),
            Figure(
                "ingest_exchange_batch_items_written",
                str(writes.items_written),
                NO_GOAL,
                None,
                f"conditional Puts, one item per exchange, in {transactions} TransactWriteItems"
                f" (≤ {APPEND_CHUNK} Puts and the ConditionCheck each)",
            ),
        ]

    def _transcript(self, figure: str, call_id: str, format: str) -> str:
        """The call's whole transcript in `format` through the handler, every page of it
        (following `next_cursor`, as a client does): the body, the JSON pages joined in one."""

        def page(cursor: str | None) -> str:
            query = {"format": format, **({"cursor": cursor} if cursor else {})}
            event = self._event(
                "get_call_transcript",
                "GET /v1/calls/{call_id}/transcript",
                call_id,
                "/transcript",
                query=query,
            )
            response = invoke("get_call_transcript", event)
            if response["statusCode"] != 200:
                raise _Failed(figure, f"get_call_transcript answered {response['statusCode']}")
            body: str = response["body"]
            return body

        if format == "vtt":
            return page(None)
        answer = json.loads(page(None))
        items = list(answer[format])
        while answer.get("next_cursor"):
            answer = json.loads(page(answer["next_cursor"]))
            items += answer[format]
        return json.dumps({format: items})

    def transcript_read(self) -> list[Figure]:
        name = "transcript_read_5000_ms"
        self.empty_table()
        call = self.new_call(name)
        exchanges = make_exchanges(call, TRANSCRIPT_EXCHANGES)
        items = self.exchange_items(
            call.id, [e.model_dump(mode="json") for e in exchanges], self.expires_at(call.id)
        )
        self.batch_write(items)
        bodies: dict[str, str] = {}

        def read(format: str) -> Callable[[], None]:
            def action() -> None:
                bodies[format] = self._transcript(name, call.id, format)

            return action

        def floor() -> None:
            self.get_call_item(call.id, consistent=False)
            found = self.query_exchanges(call.id)
            if found != TRANSCRIPT_EXCHANGES:
                raise RuntimeError(f"the Query found {found} exchanges")

        # Interleaved runs of the default format and the floor, the first request counted
        # (every run reads 5,000 items from moto, seconds each: one run of the other formats).
        runs: dict[str, list[tuple[float, float]]] = {"exchanges": [], "floor": []}
        handler = read("exchanges")
        with Clock(self.client) as clock:
            with _counted(self.client) as (reads, requests):
                runs["exchanges"].append(clock.timed(handler))
            runs["floor"].append(clock.timed(floor))
            pair = [("exchanges", handler), ("floor", floor)]
            for n in range(1, TRANSCRIPT_RUNS):
                for side, action in reversed(pair) if n % 2 else pair:
                    runs[side].append(clock.timed(action))
            for format in ("turns", "vtt"):
                runs[format] = [clock.timed(read(format))]
        returned = [e["sequence_number"] for e in json.loads(bodies["exchanges"])["exchanges"]]
        if returned != list(range(TRANSCRIPT_EXCHANGES)):
            raise _Failed(name, f"the transcript holds {len(returned)} exchanges, not in order")
        return _transcript_figures(name, runs, bodies, reads, requests)


def _transcript_figures(
    name: str,
    runs: dict[str, list[tuple[float, float]]],
    bodies: dict[str, str],
    reads: ReadCounter,
    requests: Writes,
) -> list[Figure]:
    """The transcript read's figures: each format against the floor, and what it read."""
    sizes = {format: len(body.encode("utf-8")) for format, body in bodies.items()}
    floor_ms = statistics.median(t for t, _ in runs["floor"])
    handler_ms = statistics.median(t for t, _ in runs["exchanges"])
    own_ms = statistics.median(o for _, o in runs["exchanges"])
    queries = requests.requests.get("Query", 0)
    figures = [
        Figure(
            name,
            f"{handler_ms:.0f}",
            NO_GOAL,
            None,
            f"{TRANSCRIPT_EXCHANGES} exchanges, format exchanges, every page"
            f" ({sizes['exchanges'] / 1024:.0f} KB of JSON), median of {TRANSCRIPT_RUNS};"
            f" {own_ms:.0f} ms of it outside the DynamoDB requests; requests:"
            f" {requests.summary()}",
        ),
        Figure(
            "transcript_read_5000_ratio",
            f"{handler_ms / floor_ms:.2f}",
            NO_GOAL,
            None,
            f"handler {handler_ms:.0f} ms ÷ floor {floor_ms:.0f} ms (the GetItem and the"
            " paginated Query, bare), interleaved",
        ),
        Figure(
            "transcript_read_5000_items_read",
            str(reads.reads.page),
            NO_GOAL,
            None,
            f"the call and its {TRANSCRIPT_EXCHANGES} exchanges:"
            f" {requests.requests.get('GetItem', 0)} GetItem, {_queries(queries)}"
            " (pages of up to 1 MB)",
        ),
    ]
    for format in ("turns", "vtt"):
        total_ms, format_own_ms = runs[format][0]
        figures.append(
            Figure(
                f"transcript_read_5000_{format}_ms",
                f"{total_ms:.0f}",
                NO_GOAL,
                None,
                f"format {format} ({sizes[format] / 1024:.0f} KB), one run;"
                f" {format_own_ms:.0f} ms of it outside the DynamoDB requests;"
                f" {total_ms / floor_ms:.2f} times the floor",
            )
        )
    return figures
