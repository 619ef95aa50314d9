"""What every benchmark stands on: the embedded AWS endpoint, the template's resources on it,
the handlers' environment, and seeded tenants whose data is known in advance.

The endpoint is moto's server (`local.endpoint.EmbeddedAws`) on 127.0.0.1, in this process; the
handlers run in process too (`local.invoke`), with the environment the template gives them.
"""

from __future__ import annotations

import gc
import io
import json
import logging
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from dialtone import aws as dialtone_aws
from dialtone import settings
from dialtone.accounts import AccountStore
from dialtone.agents import AgentCreate, AgentStore
from dialtone.auth import ALL_SCOPES, Principal
from dialtone.model_types import CallStatus, Direction
from dialtone.models import Call
from dialtone.store import CallStore
from dialtone.webhooks.models import EventType
from dialtone.webhooks.signing import new_secret
from dialtone.webhooks.subscriptions import SubscriptionStore
from local.endpoint import EmbeddedAws, environment
from local.provision import Stack, provision
from local.seed import AGENTS, make_call, make_exchanges

# The 10,000-call tenant of the list benchmarks and its neighbour in the same table.
LIST_TENANT_CALLS = 10_000
# The tenant on which a page's cost must not have grown (issue 12): ten times as many calls.
LARGE_TENANT_CALLS = 100_000
OTHER_TENANT_CALLS = 3_000
SEED = 20261121

# Filter values with known, dense or sparse, match counts.
BATCH_ID = "batch-bench-renewals"
BATCH_CALLS = 200
LINE_NUMBER = AGENTS[0][2]  # the reception line: from_number when outbound, to_number inbound
REGULAR_CUSTOMER = "+12025550143"  # outside seed.customer_number's range: exactly these calls
REGULAR_CUSTOMER_CALLS = 40
RARE_CUSTOMER = "+12025550188"
RARE_CUSTOMER_CALLS = 6
CALL_ID_PREFIX = "5eedcafe"
CALL_ID_PREFIX_CALLS = 30
SPAN = timedelta(days=60)


# Where a run's log lines go (`logs_to_file`): the handlers', the local stacks' and their
# processes', Python's warnings; stdout and stderr keep the figures and the progress lines.
LOG_PATH = Path(__file__).resolve().parent.parent / ".dialtone" / "bench.log"
_log_file: IO[str] | None = None


def log_file() -> IO[str] | None:
    """The run's log file while `logs_to_file` is active (None: the process's stderr)."""
    return _log_file


@contextmanager
def logs_to_file(path: Path = LOG_PATH) -> Iterator[Path]:
    """Every log line of the run into `path` (truncated first), none between the figures."""
    global _log_file
    from dialtone.observability import logger

    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    with path.open("w", buffering=1) as file:
        file_handler = logging.StreamHandler(file)
        root.addHandler(file_handler)
        logging.captureWarnings(True)
        handler = logger.registered_handler
        stream = handler if isinstance(handler, logging.StreamHandler) else None
        previous = stream.setStream(file) if stream is not None else None
        _log_file = file
        try:
            yield path
        finally:
            _log_file = None
            if stream is not None and previous is not None:
                stream.setStream(previous)
            logging.captureWarnings(False)
            root.removeHandler(file_handler)


def quiet_endpoint_logs() -> None:
    """moto's werkzeug server logs every request at INFO; a benchmark prints figures only."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


@contextmanager
def running_endpoint() -> Iterator[EmbeddedAws]:
    quiet_endpoint_logs()
    endpoint = EmbeddedAws().start()
    try:
        yield endpoint
    finally:
        endpoint.stop()


@contextmanager
def captured_handler_logs() -> Iterator[io.StringIO]:
    """The handlers' log lines (JSON, on stdout when deployed) kept aside, to keep stdout for
    figures and to report the error behind a 500."""
    from dialtone.observability import logger

    handler = logger.registered_handler
    buffer = io.StringIO()
    stream = handler if isinstance(handler, logging.StreamHandler) else None
    previous = stream.setStream(buffer) if stream is not None else None
    try:
        yield buffer
    finally:
        if stream is not None and previous is not None:
            stream.setStream(previous)


def last_logged_error(logs: io.StringIO) -> str | None:
    """The last line of the last exception the handlers logged, if any."""
    for line in reversed(logs.getvalue().splitlines()):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("exception"):
            return str(record["exception"]).strip().splitlines()[-1]
    return None


def deploy(endpoint: EmbeddedAws, name: str) -> Stack:
    """Every table, bucket and secret of template.yaml, under a fresh prefix."""
    return provision(endpoint.session(), prefix=f"bench-{name}-{uuid.uuid4().hex[:6]}")


def drop_tables(endpoint: EmbeddedAws, stack: Stack) -> None:
    """Delete a stack's tables: moto keeps every item in this process's memory."""
    dynamodb = endpoint.session().client("dynamodb")
    for logical, name in stack.names.items():
        if logical in stack.template["Resources"] and (
            stack.template["Resources"][logical]["Type"] == "AWS::DynamoDB::Table"
        ):
            dynamodb.delete_table(TableName=name)


def handler_environment(endpoint: EmbeddedAws, stack: Stack) -> dict[str, str]:
    """The environment every function gets from the template, pointed at the endpoint.

    Unlike the tests, metrics stay enabled as deployed (a request without metrics only warns,
    and observability.py silences that warning).
    """
    values = endpoint.environment()
    for function in stack.functions():
        values.update(stack.function_environment(function))
    return values


@contextmanager
def activated(values: dict[str, str]) -> Iterator[None]:
    """Run in-process handlers (and their cached settings and clients) with `values`."""
    with environment(values):
        settings.reset()
        dialtone_aws.reset_clients()
        try:
            yield
        finally:
            settings.reset()
            dialtone_aws.reset_clients()


def principal_of(tenant_id: str) -> Principal:
    return Principal(
        tenant_id=tenant_id, key_id="bench-key", scopes=frozenset(s.value for s in ALL_SCOPES)
    )


def with_recording(call: Call, tenant_id: str) -> tuple[Call, str | None]:
    """A completed call gets a recording (metadata and an S3 key; presigning needs no object)."""
    if call.status is not CallStatus.COMPLETED:
        return call, None
    seconds = call.duration_seconds or 0.0
    call = call.model_copy(
        update={
            "recording_format": "wav",
            "recording_channels": 2,
            "recording_duration_seconds": seconds,
            "recording_size_bytes": int(seconds * 16_000 * 2 * 2),
        }
    )
    return call, f"recordings/{tenant_id}/{call.id}.wav"


def _random_start(rng: random.Random, anchor: datetime) -> datetime:
    return anchor - timedelta(seconds=rng.randint(60, int(SPAN.total_seconds())))


def _with_id_prefix(call: Call, prefix: str) -> Call:
    return call.model_copy(update={"id": prefix + call.id[len(prefix) :]})


@dataclass
class ListDataset:
    """The list tenant's calls as seeded, and the filter values chosen to bench."""

    tenant_id: str
    other_tenant_id: str
    calls: list[Call]
    anchor: datetime
    seed_seconds: float = 0.0
    seeded_items: int = 0
    recording_keys: dict[str, str] = field(default_factory=dict)

    @property
    def date_range(self) -> tuple[date, date]:
        """Seven calendar days in the middle of the seeded span."""
        end = (self.anchor - timedelta(days=14)).date()
        return end - timedelta(days=6), end


def _list_tenant_calls(
    rng: random.Random, anchor: datetime, total: int = LIST_TENANT_CALLS
) -> list[Call]:
    calls: list[Call] = []
    # A batch: outbound calls dialed one after another by the sales agent.
    batch_start = anchor - timedelta(days=9, hours=3)
    for n in range(BATCH_CALLS):
        calls.append(
            make_call(
                rng,
                start_time=batch_start + timedelta(seconds=n * 1.2),
                direction=Direction.OUTBOUND,
                agent_id="agent-sales",
                batch_id=BATCH_ID,
            )
        )
    # A regular customer (a full page and more) and a rare one (a handful of calls), both sides.
    for number, count in (
        (REGULAR_CUSTOMER, REGULAR_CUSTOMER_CALLS),
        (RARE_CUSTOMER, RARE_CUSTOMER_CALLS),
    ):
        for n in range(count):
            direction = Direction.INBOUND if n % 2 else Direction.OUTBOUND
            calls.append(
                make_call(
                    rng, start_time=_random_start(rng, anchor), direction=direction, customer=number
                )
            )
    # Calls whose ids share a prefix, for a call-id search that fills a page.
    for _ in range(CALL_ID_PREFIX_CALLS):
        call = make_call(rng, start_time=_random_start(rng, anchor))
        calls.append(_with_id_prefix(call, CALL_ID_PREFIX))
    while len(calls) < total:
        calls.append(make_call(rng, start_time=_random_start(rng, anchor)))
    return calls


def seed_list_tenants(accounts: AccountStore, store: CallStore) -> ListDataset:
    """A tenant of 10,000 calls of realistic variety plus a neighbour of 3,000, written by
    `seed_calls_direct`."""
    rng = random.Random(SEED)
    anchor = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    tenant = accounts.create_tenant(name="Bench list tenant")
    other = accounts.create_tenant(name="Bench neighbour tenant")
    dataset = ListDataset(
        tenant_id=tenant.tenant_id, other_tenant_id=other.tenant_id, calls=[], anchor=anchor
    )
    with collection_paused():
        calls = _list_tenant_calls(rng, anchor)
        other_calls = [
            make_call(rng, start_time=_random_start(rng, anchor)) for _ in range(OTHER_TENANT_CALLS)
        ]
        started = time.perf_counter()
        for tenant_id, batch in ((tenant.tenant_id, calls), (other.tenant_id, other_calls)):
            stored = [with_recording(call, tenant_id) for call in batch]
            seed_calls_direct(store, tenant_id, stored)
            if tenant_id == tenant.tenant_id:
                dataset.calls = [call for call, _ in stored]
                dataset.recording_keys = {call.id: key for call, key in stored if key}
            dataset.seeded_items += len(stored)
    # The collection after the seed counts in its time.
    dataset.seed_seconds = time.perf_counter() - started
    return dataset


@contextmanager
def collection_paused() -> Iterator[None]:
    """No garbage collection while a seed builds objects that nearly all live on (calls, their
    items in moto, rollups): each automatic collection would walk the whole heap, which grows
    as the seed goes (a third of the time of a seed beside a large heap); one collection
    after, so that what is measured next starts from the heap it would have had."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect()


@contextmanager
def heap_frozen() -> Iterator[None]:
    """What the process holds on entering (the endpoint's tables, the handlers' modules, what
    earlier stages left) kept out of garbage collection until leaving (`gc.freeze`): a stage
    that collects before each timed run then walks what it made itself, not the whole heap (a
    full collection took seconds at each run of a stage after the 100,000-call tenant)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@dataclass
class ColdDataset:
    """A small tenant for cold starts: an API key, calls with recordings, one transcript, an
    agent (COLD_AGENT) and, given its table, a webhook subscription (COLD_WEBHOOK_URL)."""

    tenant_id: str
    api_key: str
    call_id: str
    calls: int
    webhook_id: str | None = None


COLD_AGENT: dict[str, Any] = {
    "agent_id": "bench-agent",
    "name": "Bench agent",
    "phone_numbers": ["+14155550100"],
    "connection": {"type": "media_stream", "url": "wss://voice.example.com/agents/bench"},
}


# A public address (no name to resolve: this machine has no DNS) that nothing delivers to here.
COLD_WEBHOOK_URL = "https://1.1.1.1/dialtone-bench"


def seed_cold_tenant(
    accounts: AccountStore,
    store: CallStore,
    calls: int = 40,
    webhooks: SubscriptionStore | None = None,
) -> ColdDataset:
    rng = random.Random(SEED + 1)
    anchor = datetime.now(UTC)
    tenant = accounts.create_tenant(name="Bench cold-start tenant")
    key = accounts.create_key(tenant.tenant_id, ALL_SCOPES, name="bench")
    seeded = [
        with_recording(
            make_call(rng, start_time=_random_start(rng, anchor), status=CallStatus.COMPLETED),
            tenant.tenant_id,
        )
        for _ in range(calls)
    ]
    store.put_calls(tenant.tenant_id, seeded)
    newest = max((call for call, _ in seeded), key=lambda c: c.start_time)
    store.put_exchanges(tenant.tenant_id, newest.id, make_exchanges(newest))
    AgentStore(accounts.table_name, accounts.dynamodb).create_agent(
        tenant.tenant_id, AgentCreate.model_validate(COLD_AGENT)
    )
    webhook = None
    if webhooks is not None:
        events = [EventType.CALL_COMPLETED]
        webhook = webhooks.create(tenant.tenant_id, COLD_WEBHOOK_URL, events, new_secret())
    return ColdDataset(
        tenant_id=tenant.tenant_id,
        api_key=key.plaintext,
        call_id=newest.id,
        calls=calls,
        webhook_id=None if webhook is None else webhook.id,
    )


def function_dirs(stack: Stack) -> dict[str, str]:
    """`functions/<dir>` name → logical id of the template's function."""
    return {stack.function_code(logical).name: logical for logical in stack.functions()}


def stored_item_key(tenant_id: str, call_id: str) -> dict[str, Any]:
    from dialtone.store import CALL_SK, call_pk

    return {"pk": {"S": call_pk(tenant_id, call_id)}, "sk": {"S": CALL_SK}}


def _moto_table(table_name: str) -> Any | None:
    """The table in this process's moto backend (the embedded endpoint), if it is there."""
    from moto.backends import get_backend

    for regions in get_backend("dynamodb").values():
        for backend in regions.values():
            if table_name in backend.tables:
                return backend.tables[table_name]
    return None


def seed_calls_direct(
    store: CallStore, tenant_id: str, calls: list[tuple[Call, str | None]]
) -> None:
    """Store calls as items built by the store's own item builder (`dialtone.store._call_item`,
    so with every index attribute the API writes), the fast way when the table lives in this
    process's moto (the embedded endpoint): each item goes straight into moto's table, with no
    HTTP or JSON between and without what moto's PutItem adds around the write (a size check
    that re-measures the whole item for each attribute, a stream record per item, which no
    benchmark consumes), under the lock the fixes hold for every item operation. Elsewhere,
    BatchWriteItem 25 at a time. Only for seeding benchmarks."""
    from dialtone.store import _call_item

    table = _moto_table(store.table_name)
    if table is None:
        store.put_calls(tenant_id, calls)
        return
    for call, recording_key in calls:
        _put_direct(table, _call_item(tenant_id, call, recording_key))


def _put_direct(table: Any, values: dict[str, Any]) -> None:
    """One item straight into a table of this process's moto (see `seed_calls_direct`)."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    from local import moto_fixes

    item: Any = Item.__new__(Item)  # moto's Item, built without its per-attribute checks
    item.hash_key, item.range_key = DynamoType(values["pk"]), DynamoType(values["sk"])
    attributes = LimitedSizeDict()
    # dict.update, not LimitedSizeDict's own item by item size check
    dict.update(attributes, {name: dynamo_type(value) for name, value in values.items()})
    item.attrs = attributes
    with moto_fixes._ITEMS:
        table.items[item.hash_key][item.range_key] = item
        moto_fixes.changed()


def dynamo_type(value: dict[str, Any]) -> Any:
    """moto's typed attribute value of a wire value, as `DynamoType(value)` builds it: a map or
    a list through moto's constructor (its members typed too), any other value set on an
    instance as the constructor sets it, without its calls (the rollup items of a seed hold
    millions of counters)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    ((kind, inner),) = value.items()
    if kind in ("M", "L"):
        return DynamoType(value)
    typed = DynamoType.__new__(DynamoType)
    typed.type, typed.value = kind, inner
    return typed


class DirectWrites:
    """What a store's BatchWriteItem reaches when seeding a table of this process's moto:
    each PutRequest's item goes straight into its table, as `seed_calls_direct` puts calls
    (no HTTP, no JSON, no botocore validation of items of thousands of attributes). Only for
    seeding benchmarks; `usable` says whether the table is there."""

    def __init__(self, table_name: str) -> None:
        self.table = _moto_table(table_name)

    @property
    def usable(self) -> bool:
        return self.table is not None

    def batch_write_item(self, RequestItems: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        for requests in RequestItems.values():
            for request in requests:
                _put_direct(self.table, request["PutRequest"]["Item"])
        return {"UnprocessedItems": {}}


def stored_call_items(table_name: str, tenant_id: str) -> Iterator[dict[str, Any]] | None:
    """A tenant's call items as the calls table holds them, read from this process's moto
    (None when the table is not there): what the stream would carry for each call."""
    from dialtone.store import CALL_SK

    table = _moto_table(table_name)
    if table is None:
        return None
    prefix = f"T#{tenant_id}#C#"
    partitions = [p for key, p in table.items.items() if str(key.value).startswith(prefix)]

    def items() -> Iterator[dict[str, Any]]:
        for partition in partitions:
            for sort_key, item in partition.items():
                if sort_key.value == CALL_SK:
                    yield {name: _wire(value) for name, value in item.attrs.items()}

    return items()


def stored_items(table_name: str, pk_prefix: str) -> Iterator[dict[str, Any]] | None:
    """The items of a table of this process's moto whose partition key starts with
    `pk_prefix`, as the wire carries them (None when the table is not there): what a Scan
    would return of them, without moto's Scan, which sorts every item of the table again for
    each page it answers."""
    table = _moto_table(table_name)
    if table is None:
        return None
    partitions = [p for key, p in table.items.items() if str(key.value).startswith(pk_prefix)]

    def items() -> Iterator[dict[str, Any]]:
        for partition in partitions:
            for item in partition.values() if table.range_key_attr else (partition,):
                yield {name: _wire(value) for name, value in item.attrs.items()}

    return items()


def _wire(value: Any) -> dict[str, Any]:
    """A moto attribute value as the wire (and a stream record) carries it. moto's own
    `to_json` deep-copies every value first; nothing here changes what it reads."""
    if value.type == "M":
        return {"M": {name: _wire(child) for name, child in value.value.items()}}
    if value.type == "L":
        return {"L": [_wire(child) for child in value.value]}
    return {value.type: value.value}


def seed_large_list_tenant(
    accounts: AccountStore, store: CallStore, total: int = LARGE_TENANT_CALLS
) -> ListDataset:
    """A tenant of `total` calls (100,000 by default) shaped like the 10,000-call list tenant
    (the same batch, customers, call-id prefix and spread over 60 days, so the same filter
    values apply), written by `seed_calls_direct`; `seed_seconds` is the time it took,
    building the calls included."""
    rng = random.Random(SEED + 2)
    anchor = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    tenant = accounts.create_tenant(name=f"Bench list tenant of {total} calls")
    started = time.perf_counter()
    with collection_paused():
        stored = [
            with_recording(call, tenant.tenant_id)
            for call in _list_tenant_calls(rng, anchor, total)
        ]
        seed_calls_direct(store, tenant.tenant_id, stored)
    # The collection after the seed counts in its time.
    seed_seconds = time.perf_counter() - started
    return ListDataset(
        tenant_id=tenant.tenant_id,
        other_tenant_id="",
        calls=[call for call, _ in stored],
        anchor=anchor,
        seed_seconds=seed_seconds,
        seeded_items=len(stored),
        recording_keys={call.id: key for call, key in stored if key},
    )
