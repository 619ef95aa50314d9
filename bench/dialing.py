"""Outbound dialing: the pacing of the dialer, and accepting a batch of 1,000 calls.

- **Dial pacing** (`dial_pacing_{min,mean}_gap_s_<case>`, and `..._at_provider`): two dialer
  processes (`bench.dial_worker`: the dialer as its function runs it, 5 messages at a time, as
  the template's MaximumConcurrency 2 and BatchSize 5 run it) drain a 20-call batch of a tenant
  at 1 call a second, on the bench's endpoint, placing the calls with the real Twilio provider
  (the `twilio` SDK, over HTTP) pointed at a fake Twilio REST API on 127.0.0.1, in a process
  of its own (`bench.fake_twilio_process`). The gaps are taken where the requests leave the
  dialers (the calls' `dialed_at`: the send gate's moment) and where they arrive at the fake
  Twilio. Three cases: `as_is`; `cpu_busy`, with both cores
  kept busy by two CPU-burning processes for the whole run; `slow_connect`, where each dialer's
  first connection to Twilio takes 0.8 s to set up. DynamoDB, SQS and Twilio do not share the
  dialers' cores in production: the processes that stand in for them here (the bench's, which
  serves the embedded AWS endpoint, and the fake Twilio's) run at a higher priority
  (`HELPER_NICE`, when the bench may raise it), so that a loaded machine slows the dialers, as
  the case means, not the services they call. The dialers and the CPU-burning processes run at
  the ordinary priority.
- **Batch acceptance** (`batch_accept_1000_ms`): `POST /v1/calls/batch` of 1,000 numbers
  through the `create_call_batch` handler in process, against the bench's endpoint; the items
  written and the requests made are counted by botocore hooks on the handler's own clients.
- **Dial queue reads** (`dialer_status_items_read_backlog_<n>`,
  `queue_position_items_read_backlog_<n>`, `batch_counters_items_read_1000`): DynamoDB items
  read by `GET /v1/dialer/status` and by `GET /v1/calls/{id}` of the last queued call, with a
  backlog of 1 call and then of 1,001, and by the counters of the 1,000-call batch (its
  `GET /v1/calls/batch/{id}` also reads the 1,000 calls it lists); goal: the same at any
  backlog, from counters, never from counting the calls.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.fixture import (
    activated,
    captured_handler_logs,
    deploy,
    handler_environment,
    last_logged_error,
    log_file,
    principal_of,
)
from bench.report import Figure
from dialtone import aws
from dialtone.accounts import AccountStore, TenantSettingsUpdate
from dialtone.store import CallStore
from local.endpoint import EmbeddedAws
from local.invoke import api_event, invoke

PACING_CALLS = 20
MIN_GAP_GOAL = 0.995
MEAN_GAP_GOAL = 1.05
BATCH_SIZE = 1000
# The create_call_batch function's Timeout in template.yaml: the batch must be queued within it.
BATCH_TIMEOUT_MS = 29_000
FROM_NUMBER = "+14155550100"


def run(endpoint: EmbeddedAws, notes: list[str], emit: Callable[[Figure], None]) -> list[Figure]:
    """The dialing figures: the batch, then the pacing in each case, on the bench's endpoint."""
    figures = _batch_accept(endpoint, notes)
    for figure in figures:
        emit(figure)
    return figures + pacing(endpoint, notes, emit)


# Batch acceptance


@dataclass
class Requests:
    """Requests made (and the time spent in each kind), items written, messages sent."""

    calls: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    items_written: int = 0
    messages_sent: int = 0

    def count(self, operation: str, params: dict[str, Any]) -> None:
        self.calls[operation] = self.calls.get(operation, 0) + 1
        if operation == "BatchWriteItem":
            self.items_written += sum(len(v) for v in params["RequestItems"].values())
        elif operation in ("PutItem", "UpdateItem"):
            self.items_written += 1
        elif operation == "TransactWriteItems":
            self.items_written += len(params["TransactItems"])
        elif operation == "SendMessageBatch":
            self.messages_sent += len(params["Entries"])
        elif operation == "SendMessage":
            self.messages_sent += 1

    def summary(self) -> str:
        return ", ".join(
            f"{n} {op} ({self.seconds.get(op, 0.0):.1f} s)" for op, n in sorted(self.calls.items())
        )


@contextmanager
def watched(*services: str) -> Iterator[Requests]:
    """Count what the handler's own clients (dialtone.aws) send while the block runs."""
    seen = Requests()
    started: dict[str, float] = {}

    def before(params: dict[str, Any], model: Any, **_: Any) -> None:
        seen.count(model.name, params)
        started[model.name] = time.perf_counter()

    def after(model: Any, **_: Any) -> None:
        elapsed = time.perf_counter() - started.pop(model.name, time.perf_counter())
        seen.seconds[model.name] = seen.seconds.get(model.name, 0.0) + elapsed

    hooks = [
        (aws.client(s).meta.events, f"provide-client-params.{s}", f"after-call.{s}")
        for s in services
    ]
    for events, first, last in hooks:
        events.register(first, before)
        events.register(last, after)
    try:
        yield seen
    finally:
        for events, first, last in hooks:
            events.unregister(first, before)
            events.unregister(last, after)


def _batch_accept(endpoint: EmbeddedAws, notes: list[str]) -> list[Figure]:
    stack = deploy(endpoint, "dial")
    values = handler_environment(endpoint, stack)
    with activated(values), captured_handler_logs() as logs:
        accounts = AccountStore(values["ACCOUNTS_TABLE"])
        tenant = accounts.create_tenant(name="Bench dialing")
        accounts.update_settings(
            tenant.tenant_id, TenantSettingsUpdate(default_from_number=FROM_NUMBER)
        )
        numbers = [f"+1415555{n:04d}" for n in range(BATCH_SIZE)]
        event = api_event(
            "create_call_batch",
            "POST /v1/calls/batch",
            "/v1/calls/batch",
            authorizer=principal_of(tenant.tenant_id).to_context(),
            body=json.dumps({"to_numbers": numbers}),
        )
        # A first, small request warms the handler (imports, clients, settings) up.
        invoke("create_call_batch", {**event, "body": json.dumps({"to_numbers": numbers[:1]})})
        reads = _dial_queue_reads(tenant.tenant_id, "1")
        before = _queued(values["DIAL_QUEUE_URL"])
        with watched("dynamodb", "sqs") as seen:
            started = time.perf_counter()
            response = invoke("create_call_batch", event)
            elapsed_ms = (time.perf_counter() - started) * 1000
        if response["statusCode"] != 202:
            cause = last_logged_error(logs) or response["body"]
            notes.append(f"`batch_accept_1000_ms` not measured: {response['statusCode']} {cause}")
            return [Figure("batch_accept_1000_ms", "error", "goal ≤ 29000", False)]
        total = json.loads(response["body"])["total"]
        queued = _queued(values["DIAL_QUEUE_URL"]) - before
        reads += _dial_queue_reads(tenant.tenant_id, "1001", json.loads(response["body"]))
    detail = (
        f"{total} calls accepted; {seen.items_written} items written "
        f"({total} calls + the batch), {seen.messages_sent} messages sent ({queued} in the queue); "
        f"requests (time summed per kind; the sends run 8 at a time): {seen.summary()}; "
        "moto's SendMessageBatch slows as its queue fills"
    )
    return [
        Figure(
            "batch_accept_1000_ms",
            f"{elapsed_ms:.0f}",
            f"goal ≤ {BATCH_TIMEOUT_MS} (the function's timeout)",
            elapsed_ms <= BATCH_TIMEOUT_MS and total == BATCH_SIZE and queued == BATCH_SIZE,
            detail,
        ),
        *reads,
    ]


# Items read by the dial queue's readers: the same at any backlog.
DIAL_QUEUE_READS_GOAL = 10


@contextmanager
def items_read() -> Iterator[list[int]]:
    """DynamoDB items read through the handlers' own client while the block runs (a GetItem's
    item, a BatchGetItem's items, a Query's or Scan's items examined)."""
    counted: list[int] = []

    def after(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "GetItem":
            counted.append(1 if "Item" in parsed else 0)
        elif model.name == "BatchGetItem":
            counted.append(sum(len(items) for items in parsed.get("Responses", {}).values()))
        elif model.name in ("Query", "Scan"):
            counted.append(int(parsed.get("ScannedCount", 0)))

    events = aws.client("dynamodb").meta.events
    events.register("after-call.dynamodb", after)
    try:
        yield counted
    finally:
        events.unregister("after-call.dynamodb", after)


def _dial_queue_reads(
    tenant_id: str, backlog: str, batch: dict[str, Any] | None = None
) -> list[Figure]:
    """Items read by the dialer status and a queued call's position (and a batch's counters)."""
    from dialtone.dialing import accept
    from dialtone.store import CallStore as Store

    authorizer = principal_of(tenant_id).to_context()
    route = "GET /v1/dialer/status"
    status_event = api_event("dialer_status", route, "/v1/dialer/status", authorizer=authorizer)
    with items_read() as status_reads:
        assert invoke("dialer_status", status_event)["statusCode"] == 200
    store: Store = accept.dialing().store
    last = max(
        store.read_all(_queued_stream(tenant_id)),
        key=lambda item: int(item["dial_seq"]["N"]),
    )
    call_id = str(last["id"]["S"])
    call_event = api_event(
        "get_call",
        "GET /v1/calls/{call_id}",
        f"/v1/calls/{call_id}",
        path_parameters={"call_id": call_id},
        authorizer=authorizer,
    )
    with items_read() as position_reads:
        answer = invoke("get_call", call_event)
    position = json.loads(answer["body"]).get("queue_position")
    goal = f"goal ≤ {DIAL_QUEUE_READS_GOAL}, the same at any backlog"
    figures = [
        Figure(
            f"dialer_status_items_read_backlog_{backlog}",
            str(sum(status_reads)),
            goal,
            sum(status_reads) <= DIAL_QUEUE_READS_GOAL,
            "the tenant item and the counter shards (at most 8)",
        ),
        Figure(
            f"queue_position_items_read_backlog_{backlog}",
            str(sum(position_reads)),
            goal,
            sum(position_reads) <= DIAL_QUEUE_READS_GOAL,
            f"the call, the tenant and the counter shards; the last queued call is #{position}",
        ),
    ]
    if batch is not None:
        with items_read() as batch_reads:
            counts = store.get_batch(tenant_id, batch["batch_id"]).counts
        figures.append(
            Figure(
                "batch_counters_items_read_1000",
                str(sum(batch_reads)),
                "goal 1 (the batch item), the same at any batch size",
                sum(batch_reads) == 1 and counts["queued"] == BATCH_SIZE,
                "GET /v1/calls/batch/{id} also reads the 1,000 calls it lists",
            )
        )
    return figures


def _queued_stream(tenant_id: str) -> Any:
    from dialtone.store import INDEXES, QueryStream, partition

    return QueryStream(INDEXES["status"], partition(tenant_id, "queued"), ascending=True)


def _queued(queue_url: str) -> int:
    attributes = aws.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


# Pacing


@dataclass(frozen=True)
class PacingCase:
    name: str
    busy_processes: int = 0  # CPU-burning processes running for the whole case
    connect_delay: float = 0.0  # seconds each new connection to Twilio takes to set up


PACING_CASES = (
    PacingCase("as_is"),
    PacingCase("cpu_busy", busy_processes=2),
    PacingCase("slow_connect", connect_delay=0.8),
)
PACING_DIALERS = 2
# Each case is over well within this (20 calls at 1/s), or is reported as an error.
PACING_CASE_SECONDS = 50
ACCOUNT_SID = "AC" + "be" * 16
AUTH_TOKEN = "bench-auth-token"  # noqa: S105 - the fake Twilio's, not a secret
# The niceness of the processes standing in for AWS and Twilio during the pacing cases (the
# dialers and the load run at 0).
HELPER_NICE = -10
BURN = "import time\nend = time.monotonic() + float({seconds})\nwhile time.monotonic() < end: pass"


def pacing(endpoint: EmbeddedAws, notes: list[str], emit: Callable[[Figure], None]) -> list[Figure]:
    """Each case's pacing figures, at the dialers and at the fake Twilio, emitted as measured."""
    stack = deploy(endpoint, "pace")
    shared = {
        **handler_environment(endpoint, stack),
        # The fake Twilio sends no status callback: nothing needs to listen there.
        "PUBLIC_BASE_URL": "http://127.0.0.1:9",
        "DIAL_RETRY_SECONDS": "1",
    }
    figures: list[Figure] = []
    for case in PACING_CASES:
        # A dial queue of its own: what a failed case left is not dialed in the next one.
        values = {**shared, "DIAL_QUEUE_URL": _fresh_dial_queue(endpoint, case.name)}
        with activated(values):
            try:
                sent, arrived = _pacing_case(case, values)
                measured = _pacing_figures(case, sent, arrived)
            except Exception as error:  # reported as figures, never a crash of the bench
                notes.append(f"Dial pacing ({case.name}) not measured: {error}")
                measured = [
                    Figure(name, "error", goal, False) for name, goal in _pacing_names(case.name)
                ]
        for figure in measured:
            emit(figure)
        figures += measured
    return figures


def _fresh_dial_queue(endpoint: EmbeddedAws, case: str) -> str:
    """A new copy of the template's dial queue (and its dead-letter queue); its URL."""
    from local.provision import load_template, provision

    resources = load_template()["Resources"]
    template = {"Resources": {k: resources[k] for k in ("DialQueue", "DialDeadLetterQueue")}}
    queues = provision(endpoint.session(), f"bench-pace-{case}-{uuid.uuid4().hex[:6]}", template)
    return queues.urls["DialQueue"]


def _pacing_names(case: str) -> list[tuple[str, str]]:
    return [
        (f"dial_pacing_{kind}_gap_s_{case}{where}", goal)
        for where in ("", "_at_provider")
        for kind, goal in (("min", f"goal ≥ {MIN_GAP_GOAL}"), ("mean", f"goal ≤ {MEAN_GAP_GOAL}"))
    ]


def _pacing_figures(case: PacingCase, sent: list[float], arrived: list[float]) -> list[Figure]:
    figures = []
    for where, times, seen in (
        ("", sent, "dialed_at (the send gate)"),
        ("_at_provider", arrived, "arrivals at the fake Twilio"),
    ):
        gaps = [b - a for a, b in itertools.pairwise(sorted(times))]
        low, mean, high = min(gaps), statistics.fmean(gaps), max(gaps)
        detail = (
            f"{len(times)} calls, {PACING_DIALERS} dialer processes, 1 call/s, {seen}; "
            f"max gap {high:.3f} s"
        )
        if case.busy_processes:
            detail += f"; {case.busy_processes} CPU-burning processes"
        if case.connect_delay:
            detail += f"; {case.connect_delay} s to set up each connection to Twilio"
        name = f"_gap_s_{case.name}{where}"
        figures += [
            Figure(f"dial_pacing_min{name}", f"{low:.3f}", f"goal ≥ {MIN_GAP_GOAL}",
                   low >= MIN_GAP_GOAL, detail),
            Figure(f"dial_pacing_mean{name}", f"{mean:.3f}", f"goal ≤ {MEAN_GAP_GOAL}",
                   mean <= MEAN_GAP_GOAL, detail),
        ]  # fmt: skip
    return figures


def _pacing_case(case: PacingCase, values: dict[str, str]) -> tuple[list[float], list[float]]:
    """Queue a 20-call batch, let two dialer processes drain it against a fake Twilio (with
    the case's load); the calls' `dialed_at` and their requests' arrivals (epoch seconds)."""
    import tempfile

    tenant_id, call_ids = _queue_a_batch(values, case.name)
    stop_at = time.time() + PACING_CASE_SECONDS
    with tempfile.TemporaryDirectory() as scratch, _helpers_first(), _processes() as started:
        arrivals = Path(scratch) / "arrivals.json"
        twilio = started(
            sys.executable, "-m", "bench.fake_twilio_process", ACCOUNT_SID, AUTH_TOKEN,
            str(arrivals), stdout=subprocess.PIPE,
        )  # fmt: skip
        assert twilio.stdout is not None
        twilio_url = twilio.stdout.readline().decode().strip()
        for _ in range(case.busy_processes):
            started(sys.executable, "-c", BURN.format(seconds=PACING_CASE_SECONDS), nice=0)
        spec = Path(scratch) / "dialer.json"
        spec.write_text(json.dumps(_worker_spec(values, twilio_url, case.connect_delay, stop_at)))
        for _ in range(PACING_DIALERS):
            started(sys.executable, "-m", "bench.dial_worker", str(spec), nice=0)
        arrived: list[float] = []
        while len(arrived) < PACING_CALLS and time.time() < stop_at:
            time.sleep(0.25)
            arrived = json.loads(arrivals.read_text()) if arrivals.exists() else []
        # The last SID is saved just after its request arrived.
        time.sleep(1)
    calls = CallStore(values["CALLS_TABLE"])
    sent = [calls.get_call(tenant_id, i, consistent=True).call.dialed_at for i in call_ids]
    dialed = [moment.timestamp() for moment in sent if moment is not None]
    if len(arrived) < PACING_CALLS or len(dialed) < PACING_CALLS:
        raise RuntimeError(
            f"{len(arrived)} of {PACING_CALLS} calls reached Twilio, {len(dialed)} were saved as "
            f"dialed within {PACING_CASE_SECONDS} s"
        )
    return dialed, arrived


def _queue_a_batch(values: dict[str, str], case: str) -> tuple[str, list[str]]:
    """A tenant on a telephony account of its own at 1 call/s, with an agent that Twilio can
    connect the calls to, and a 20-call batch of it in the dial queue."""
    from dialtone.agents import AgentConnection, AgentCreate, AgentStore, ConnectionType
    from dialtone.dialing.accept import BatchDialRequest, Dialing

    accounts = AccountStore(values["ACCOUNTS_TABLE"])
    tenant = accounts.create_tenant(name=f"Bench pacing {case}")
    accounts.update_settings(
        tenant.tenant_id,
        TenantSettingsUpdate(
            default_from_number=FROM_NUMBER,
            telephony_account_id=f"twilio-bench-{case}-{uuid.uuid4().hex[:6]}",
            dial_rate_per_second=1,
        ),
    )
    agent = AgentStore(values["ACCOUNTS_TABLE"]).create_agent(
        tenant.tenant_id,
        AgentCreate(
            name="Bench agent",
            phone_numbers=[FROM_NUMBER],
            connection=AgentConnection(
                type=ConnectionType.TWIML_URL, url="https://agents.example.com/twiml"
            ),
        ),
    )
    calls = CallStore(values["CALLS_TABLE"])
    dialing = Dialing(calls, values["DIAL_QUEUE_URL"])
    principal = principal_of(tenant.tenant_id)
    numbers = [f"+1415555{n:04d}" for n in range(300, 300 + PACING_CALLS)]
    accepted = dialing.create_batch(
        principal,
        BatchDialRequest(to_numbers=numbers, from_number=FROM_NUMBER, agent_id=agent.agent_id),
    )
    status = dialing.batch_status(principal, accepted.batch_id)
    return tenant.tenant_id, [c.call_id for c in status.calls]


def _worker_spec(
    values: dict[str, str], twilio_url: str, delay: float, stop_at: float
) -> dict[str, Any]:
    """What a dialer process (`bench.dial_worker`) is told."""
    return {
        "environment": values,
        "account_sid": ACCOUNT_SID,
        "auth_token": AUTH_TOKEN,
        "twilio_url": twilio_url,
        "twilio_port": int(twilio_url.rsplit(":", 1)[1]),
        "connect_delay": delay,
        "stop_at": stop_at,
    }


@contextmanager
def _helpers_first() -> Iterator[None]:
    """Every thread of this process (the embedded AWS endpoint's among them, and the processes
    it starts) at `HELPER_NICE` while the block runs, when the bench may raise its priority."""
    before: dict[int, int] = {}
    for tid in (int(tid) for tid in os.listdir("/proc/self/task")):
        # A thread can end meanwhile (the endpoint's thread of a connection just closed).
        with contextlib.suppress(ProcessLookupError):
            before[tid] = os.getpriority(os.PRIO_PROCESS, tid)
    try:
        for tid in before:
            with contextlib.suppress(ProcessLookupError):
                os.setpriority(os.PRIO_PROCESS, tid, HELPER_NICE)
    except PermissionError:
        pass  # measured at the ordinary priority
    try:
        yield
    finally:
        for tid, nice in before.items():
            with contextlib.suppress(PermissionError, ProcessLookupError):
                os.setpriority(os.PRIO_PROCESS, tid, nice)


@contextmanager
def _processes() -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start processes with the block's `started(*argv)`; each is stopped when the block ends."""
    from bench.report import ROOT

    running: list[subprocess.Popen[bytes]] = []

    def started(
        *argv: str, stdout: int = subprocess.DEVNULL, nice: int | None = None
    ) -> subprocess.Popen[bytes]:
        running.append(subprocess.Popen(argv, cwd=ROOT, stdout=stdout, stderr=log_file()))
        if nice is not None:  # else the bench's own priority, inherited
            os.setpriority(os.PRIO_PROCESS, running[-1].pid, nice)
        return running[-1]

    try:
        yield started
    finally:
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
