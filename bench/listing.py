"""Read amplification of `GET /v1/calls`: items DynamoDB reads for one page ÷ calls returned.

Reads are counted on the handler's own DynamoDB client (`dialtone.aws.client("dynamodb")`) by
botocore event hooks, so nothing in the handler changes for the measurement. What computes the
page's `total` is counted apart: a Query that asks for `Select=COUNT`, the reads of the rollups
(the analytics table) and the lookups of the tenant's first and last call
(`Select=SPECIFIC_ATTRIBUTES`).

`run` measures every filter, the common pairs of filters (with and without a date range) and the
searches on the 10,000-call tenant, through the `list_calls` handler. `run_large` measures the
same pages on a tenant of 100,000 calls: `bench.fixture.seed_large_list_tenant` builds its calls
with `local.seed.make_call` and writes them with the store's own item builder
(`dialtone.store._call_item`, so every index attribute is there) straight into the embedded
endpoint's moto backend, in this process (`bench.fixture.seed_calls_direct`: no HTTP, no JSON,
no stream records). Its pages are read by the functions the handler calls to read a page
(`dialtone.call_filters.build_filters`, `dialtone.listing.plan_streams` and `read_page`), not
through the handler, which would also need the large tenant's rollups for its `total`. Then
`list_page_cost_growth` = the items read by all those pages at 100,000 calls ÷ at 10,000.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.fixture import (
    BATCH_ID,
    CALL_ID_PREFIX,
    LARGE_TENANT_CALLS,
    LINE_NUMBER,
    RARE_CUSTOMER,
    REGULAR_CUSTOMER,
    ListDataset,
    activated,
    captured_handler_logs,
    deploy,
    drop_tables,
    handler_environment,
    last_logged_error,
    principal_of,
    seed_large_list_tenant,
)
from bench.report import Figure, at_most
from dialtone import aws
from dialtone.accounts import AccountStore
from dialtone.model_types import CallOutcome, CallStatus, Direction
from dialtone.models import Call
from dialtone.store import CallStore, sort_timestamp
from local.endpoint import EmbeddedAws
from local.invoke import api_event, invoke
from local.seed import AGENTS

AMPLIFICATION_GOAL = 1.1
GROWTH_GOAL = 1.1
TOTAL_GOAL = 1000
PAGE_LIMIT = 20  # the handler's default `limit`
SECOND_LINE = AGENTS[1][2]
# More Query round trips than this for one page is worth a note (latency, not reads).
ROUND_TRIP_NOTE = 4


@dataclass
class Reads:
    """Items read by one request, split between the page and its `total`."""

    page: int = 0
    page_requests: int = 0
    total: int = 0
    total_requests: int = 0


class ReadCounter:
    """Counts items read through one botocore client while registered."""

    _SELECT = "bench_select"

    def __init__(self, client: Any, total_tables: tuple[str, ...] | None = None) -> None:
        self.client = client
        self.reads = Reads()
        # The rollups' table: its reads are for `total`.
        analytics = os.environ.get("ANALYTICS_TABLE")
        self.total_tables = (
            total_tables if total_tables is not None else ((analytics,) if analytics else ())
        )

    def __enter__(self) -> ReadCounter:
        events = self.client.meta.events
        events.register("before-parameter-build.dynamodb", self._before)
        events.register("after-call.dynamodb", self._after)
        return self

    def __exit__(self, *exc: object) -> None:
        events = self.client.meta.events
        events.unregister("before-parameter-build.dynamodb", self._before)
        events.unregister("after-call.dynamodb", self._after)

    def reset(self) -> Reads:
        self.reads = Reads()
        return self.reads

    def _before(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        # The request's context travels to after-call: remember whether it is for `total`.
        tables = {params.get("TableName"), *params.get("RequestItems", {})}
        for_total = params.get("Select") in ("COUNT", "SPECIFIC_ATTRIBUTES") or bool(
            tables & set(self.total_tables)
        )
        context[self._SELECT] = "COUNT" if for_total else None

    def _after(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        operation = model.name
        if operation in ("Query", "Scan"):
            read = int(parsed.get("ScannedCount", 0))
        elif operation == "GetItem":
            read = 1 if "Item" in parsed else 0
        elif operation == "BatchGetItem":
            read = sum(len(items) for items in parsed.get("Responses", {}).values())
        else:
            return
        if context.get(self._SELECT) == "COUNT":
            self.reads.total += read
            self.reads.total_requests += 1
        else:
            self.reads.page += read
            self.reads.page_requests += 1


@dataclass(frozen=True)
class ListCase:
    """One filter: its query string and which seeded calls it matches."""

    name: str
    query: dict[str, str]
    matches: Callable[[Call], bool]


def _start(call: Call) -> datetime:
    value: datetime = call.start_time
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def cases(dataset: ListDataset) -> list[ListCase]:
    first_day, last_day = dataset.date_range

    def in_range(call: Call) -> bool:
        return first_day <= _start(call).astimezone(UTC).date() <= last_day

    def on_either_side(number: str) -> Callable[[Call], bool]:
        return lambda c: number in (c.from_number, c.to_number)

    return [
        ListCase("none", {}, lambda c: True),
        ListCase(
            "date_range",
            {"start_date": first_day.isoformat(), "end_date": last_day.isoformat()},
            in_range,
        ),
        ListCase(
            "direction", {"direction": "outbound"}, lambda c: c.direction is Direction.OUTBOUND
        ),
        ListCase("status", {"status": "no_answer"}, lambda c: c.status is CallStatus.NO_ANSWER),
        ListCase("outcome", {"outcome": "escalated"}, lambda c: c.outcome is CallOutcome.ESCALATED),
        ListCase(
            "agent_id", {"agent_id": "agent-support"}, lambda c: c.agent_id == "agent-support"
        ),
        ListCase("batch_id", {"batch_id": BATCH_ID}, lambda c: c.batch_id == BATCH_ID),
        ListCase(
            "from_number", {"from_number": SECOND_LINE}, lambda c: c.from_number == SECOND_LINE
        ),
        ListCase("to_number", {"to_number": SECOND_LINE}, lambda c: c.to_number == SECOND_LINE),
        ListCase("phone_number", {"phone_number": LINE_NUMBER}, on_either_side(LINE_NUMBER)),
        ListCase(
            "phone_number_customer", {"phone_number": RARE_CUSTOMER}, on_either_side(RARE_CUSTOMER)
        ),
        ListCase("search_phone", {"search": REGULAR_CUSTOMER}, on_either_side(REGULAR_CUSTOMER)),
        ListCase(
            "search_call_id", {"search": CALL_ID_PREFIX}, lambda c: c.id.startswith(CALL_ID_PREFIX)
        ),
        ListCase("is_test_call", {"is_test_call": "true"}, lambda c: c.is_test_call),
        *pair_cases(dataset),
    ]


# The common pairs of filters (each has an index of its own): name, query, which calls match.
PAIRS: list[tuple[str, dict[str, str], Callable[[Call], bool]]] = [
    (
        "direction_status",
        {"direction": "outbound", "status": "no_answer"},
        lambda c: c.direction is Direction.OUTBOUND and c.status is CallStatus.NO_ANSWER,
    ),
    (
        "agent_status",
        {"agent_id": "agent-support", "status": "completed"},
        lambda c: c.agent_id == "agent-support" and c.status is CallStatus.COMPLETED,
    ),
    (
        "agent_direction",
        {"agent_id": "agent-sales", "direction": "inbound"},
        lambda c: c.agent_id == "agent-sales" and c.direction is Direction.INBOUND,
    ),
    (
        "batch_status",
        {"batch_id": BATCH_ID, "status": "completed"},
        lambda c: c.batch_id == BATCH_ID and c.status is CallStatus.COMPLETED,
    ),
    (
        "status_outcome",
        {"status": "completed", "outcome": "escalated"},
        lambda c: c.status is CallStatus.COMPLETED and c.outcome is CallOutcome.ESCALATED,
    ),
]


def pair_cases(dataset: ListDataset) -> list[ListCase]:
    """Each common pair, alone and over seven days (days that hold the batch's calls)."""
    first_day = (dataset.anchor - timedelta(days=14)).date()
    last_day = first_day + timedelta(days=6)
    dates = {"start_date": first_day.isoformat(), "end_date": last_day.isoformat()}

    def dated(matches: Callable[[Call], bool]) -> Callable[[Call], bool]:
        return lambda c: matches(c) and first_day <= _start(c).date() <= last_day

    cases = []
    for name, query, matches in PAIRS:
        cases.append(ListCase(name, query, matches))
        cases.append(ListCase(f"{name}_date_range", {**query, **dates}, dated(matches)))
    return cases


def _queries(count: int, kind: str = "") -> str:
    return f"{count} {kind}{'Query' if count == 1 else 'Queries'}"


def _query_text(case: ListCase) -> str:
    return "&".join(f"{k}={v}" for k, v in case.query.items()) or "no filter"


def _order_key(call: Call) -> str:
    return f"{sort_timestamp(call.start_time)}#{call.id}"


def _check(case: ListCase, dataset: ListDataset, body: dict[str, Any]) -> list[str]:
    """What differs between the page and the seeded data (empty when it is right); a body
    without `total` is checked without it."""
    matching = sorted((c for c in dataset.calls if case.matches(c)), key=_order_key, reverse=True)
    expected_ids = [c.id for c in matching]
    returned = [c["id"] for c in body["calls"]]
    problems = []
    if "total" in body and body["total"] != len(matching):
        problems.append(f"total {body['total']} but {len(matching)} calls match")
    if len(returned) != min(PAGE_LIMIT, len(matching)):
        problems.append(
            f"{len(returned)} calls returned, expected {min(PAGE_LIMIT, len(matching))}"
        )
    stray = set(returned) - set(expected_ids)
    if stray:
        problems.append(f"{len(stray)} returned calls do not match the filter")
    if not stray and returned != expected_ids[: len(returned)]:
        problems.append("page is not the newest matching calls, newest first")
    return problems


def _failed(case: ListCase, status: int, error: str) -> list[Figure]:
    return [
        Figure(
            f"list_read_amplification_{case.name}",
            "error",
            f"goal ≤ {AMPLIFICATION_GOAL}",
            False,
            f"{_query_text(case)}: HTTP {status}",
        ),
        Figure(
            f"list_total_items_read_{case.name}",
            "error",
            f"goal ≤ {TOTAL_GOAL}",
            False,
        ),
    ]


def _measured(case: ListCase, reads: Reads, body: dict[str, Any], seconds: float) -> list[Figure]:
    returned = len(body["calls"])
    amplification = reads.page / returned if returned else float(reads.page)
    detail = (
        f"{_query_text(case)}: {reads.page} read in {_queries(reads.page_requests)}"
        f" for {returned} returned of {body['total']}; {seconds:.1f} s on moto"
    )
    return [
        at_most(f"list_read_amplification_{case.name}", amplification, AMPLIFICATION_GOAL, detail),
        Figure(
            f"list_total_items_read_{case.name}",
            str(reads.total),
            f"goal ≤ {TOTAL_GOAL}",
            reads.total <= TOTAL_GOAL,
            f"{reads.total_requests} requests (rollups, edge counts) for total {body['total']}",
        ),
    ]


def run(
    dataset: ListDataset,
    notes: list[str],
    emit: Callable[[Figure], None],
    page_reads: dict[str, int] | None = None,
) -> list[Figure]:
    """One page per filter through the list_calls handler; two figures per filter. The items
    each page read are kept in `page_reads`, by case, when it is given."""
    principal = principal_of(dataset.tenant_id).to_context()

    def page(query: dict[str, str]) -> dict[str, Any]:
        event = api_event(
            "list_calls", "GET /v1/calls", "/v1/calls", query=query, authorizer=principal
        )
        return invoke("list_calls", event)

    figures: list[Figure] = []
    with ReadCounter(aws.client("dynamodb")) as counter, captured_handler_logs() as logs:
        # The first request builds the reader (cursor secret, clients); reads count after it.
        if page({"limit": "1", "batch_id": BATCH_ID})["statusCode"] != 200:
            raise RuntimeError(f"list_calls fails a plain request: {last_logged_error(logs)}")
        for case in cases(dataset):
            reads = counter.reset()
            started = time.perf_counter()
            response = page(case.query)
            seconds = time.perf_counter() - started
            if response["statusCode"] == 200:
                body = json.loads(response["body"])
                measured = _measured(case, reads, body, seconds)
                if page_reads is not None:
                    page_reads[case.name] = reads.page
                notes.extend(
                    f"`list_calls` {_query_text(case)}: {problem}."
                    for problem in _check(case, dataset, body)
                )
            else:
                error = last_logged_error(logs) or response["body"]
                measured = _failed(case, response["statusCode"], error)
                notes.append(
                    f"`list_calls` {_query_text(case)} answered {response['statusCode']}: {error}"
                )
            if reads.page_requests > ROUND_TRIP_NOTE:
                notes.append(
                    f"`list_calls` {_query_text(case)}: one page took {reads.page_requests} Query"
                    f" round trips ({reads.page} items read)."
                )
            for figure in measured:
                emit(figure)
            figures += measured
    return figures


def _direct_page(store: CallStore, tenant_id: str, query: dict[str, str]) -> list[Call]:
    """The first page of a query, read as the handler reads it, without its `total`."""
    from dialtone import listing
    from dialtone.call_filters import build_filters
    from dialtone.calls import ListCallsParams
    from dialtone.model_types import SortOrder

    params = ListCallsParams.model_validate(query)
    filters = build_filters(params)
    streams = listing.plan_streams(tenant_id, filters, params.order is SortOrder.ASC)
    page, _ = listing.read_page(store, streams, 0, params.limit)
    return [stored.call for stored in page]


def run_large(
    endpoint: EmbeddedAws,
    notes: list[str],
    emit: Callable[[Figure], None],
    total: int = LARGE_TENANT_CALLS,
    also: Callable[[ListDataset, dict[str, str]], list[Figure]] | None = None,
) -> tuple[list[Figure], dict[str, int]]:
    """The same pages on a tenant of `total` calls (a stack of its own, dropped after): the
    seeding time and each page's read amplification, then the figures of `also` (given the
    tenant and the stack's handler environment, activated); and the items each page read
    (for `growth_figures`)."""
    stack = deploy(endpoint, "list-large")
    values = handler_environment(endpoint, stack)
    figures: list[Figure] = []

    def record(figure: Figure) -> None:
        emit(figure)
        figures.append(figure)

    try:
        with activated(values):
            from botocore.config import Config

            # moto answers a Query of an index by walking every item of the table: at 100,000
            # calls on a busy machine that outlasts botocore's 60 s read timeout.
            client = endpoint.session().client(
                "dynamodb", config=Config(read_timeout=1800, retries={"max_attempts": 1})
            )
            store = CallStore(values["CALLS_TABLE"], dynamodb=client)
            dataset = seed_large_list_tenant(AccountStore(values["ACCOUNTS_TABLE"]), store, total)
            record(
                Figure(
                    "seed_100k_seconds",
                    f"{dataset.seed_seconds:.1f}",
                    "no goal; reported",
                    None,
                    f"{dataset.seeded_items} calls built by make_call and _call_item, written "
                    f"into moto's backend in process: "
                    f"{dataset.seeded_items / dataset.seed_seconds:.0f} calls/s",
                )
            )
            page_reads = _large_pages(dataset, store, notes, record)
            if also is not None:
                figures += also(dataset, values)
    finally:
        drop_tables(endpoint, stack)
    return figures, page_reads


def growth_figures(
    page_reads_10k: dict[str, int],
    page_reads_large: dict[str, int],
    emit: Callable[[Figure], None],
    total: int = LARGE_TENANT_CALLS,
) -> list[Figure]:
    """How much the pages measured on both tenants cost at `total` calls against 10,000."""
    common = sorted(page_reads_large.keys() & page_reads_10k.keys())
    small = sum(page_reads_10k[name] for name in common)
    large = sum(page_reads_large[name] for name in common)
    detail = f"{len(common)} pages (every case above): {large} items read at {total} calls"
    growth = large / small if small else float("inf")
    figures = [
        Figure("list_page_items_read_10k", str(small), "no goal; reported", None),
        Figure("list_page_items_read_100k", str(large), "no goal; reported", None, detail),
        at_most(
            "list_page_cost_growth",
            growth,
            GROWTH_GOAL,
            f"list_page_items_read_100k ÷ list_page_items_read_10k = {large} ÷ {small}",
        ),
    ]
    for figure in figures:
        emit(figure)
    return figures


def _large_pages(
    dataset: ListDataset, store: CallStore, notes: list[str], record: Callable[[Figure], None]
) -> dict[str, int]:
    """One page of every case on the large tenant: its amplification figure; the items read."""
    page_reads: dict[str, int] = {}
    with ReadCounter(store.dynamodb) as counter:
        for case in cases(dataset):
            reads = counter.reset()
            started = time.perf_counter()
            calls = _direct_page(store, dataset.tenant_id, case.query)
            seconds = time.perf_counter() - started
            page_reads[case.name] = reads.page
            returned = len(calls)
            body = {"calls": [{"id": call.id} for call in calls]}
            notes.extend(
                f"`list_calls` {_query_text(case)} at {dataset.seeded_items} calls: {problem}."
                for problem in _check(case, dataset, body)
            )
            amplification = reads.page / returned if returned else float(reads.page)
            record(
                at_most(
                    f"list_read_amplification_{case.name}_100k",
                    amplification,
                    AMPLIFICATION_GOAL,
                    f"{_query_text(case)}: {reads.page} read in {_queries(reads.page_requests)} "
                    f"for {returned} returned; {seconds:.1f} s on moto",
                )
            )
    return page_reads
