"""Outbound dialing: the pacing of the dialer, and accepting a batch of 1,000 calls.

- **Dial pacing** (`dial_pacing_{min,mean,max}_gap_s`): the whole local stack (`local.stack`:
  SAM's API emulator, a warm worker process per function, the template's SQS event source for
  the dialer, i.e. two concurrent dialers of up to 5 messages each, and the simulator as the
  provider). A tenant at the default 1 call a second queues a batch of 20 numbers over HTTP;
  the gaps are between consecutive provider create calls, as the simulator recorded them
  (`time.time()` when `place_call` was called, in the dialers' processes).
- **Batch acceptance** (`batch_accept_1000_ms`): `POST /v1/calls/batch` of 1,000 numbers
  through the `create_call_batch` handler in process, against the bench's endpoint; the items
  written and the requests made are counted by botocore hooks on the handler's own clients.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests

from bench.fixture import (
    activated,
    captured_handler_logs,
    deploy,
    handler_environment,
    last_logged_error,
    principal_of,
)
from bench.report import Figure
from dialtone import aws
from dialtone.accounts import AccountStore, TenantSettingsUpdate
from dialtone.auth import ALL_SCOPES
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
    """Both dialing figures: the batch on the bench's endpoint, then the pacing on a local
    stack of its own."""
    figures = _batch_accept(endpoint, notes)
    for figure in figures:
        emit(figure)
    pacing = _pacing(notes)
    for figure in pacing:
        emit(figure)
    return figures + pacing


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
        )
    ]


def _queued(queue_url: str) -> int:
    attributes = aws.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


# Pacing


def _pacing(notes: list[str]) -> list[Figure]:
    from local.stack import LocalStack

    # SAM's emulator warns of every 204 (the status callbacks' answers): not a figure.
    logging.getLogger("samcli").setLevel(logging.ERROR)
    names = ("dial_pacing_min_gap_s", "dial_pacing_mean_gap_s", "dial_pacing_max_gap_s")
    goals = (f"goal ≥ {MIN_GAP_GOAL}", f"goal ≤ {MEAN_GAP_GOAL}", "no goal")
    with open(os.devnull, "w") as quiet:
        stack = LocalStack(api_port=0, aws_port=0, demo_calls=0, log=quiet)
        try:
            info = stack.start()
            placed = _drain_a_batch(stack, info)
        except Exception as error:  # reported as a figure, never a crash of the bench
            notes.append(f"Dial pacing not measured: {error}")
            return [
                Figure(names[0], "error", goals[0], False),
                Figure(names[1], "error", goals[1], False),
                Figure(names[2], "error", goals[2], None),
            ]
        finally:
            stack.stop()
    times = [at for at, _ in placed]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    low, mean, high = min(gaps), statistics.fmean(gaps), max(gaps)
    detail = (
        f"{len(placed)} calls, 2 dialers (MaximumConcurrency 2, BatchSize 5), 1 call/s, "
        f"simulator placements over {times[-1] - times[0]:.2f} s"
    )
    return [
        Figure(names[0], f"{low:.3f}", goals[0], low >= MIN_GAP_GOAL, detail),
        Figure(names[1], f"{mean:.3f}", goals[1], mean <= MEAN_GAP_GOAL, detail),
        Figure(names[2], f"{high:.3f}", goals[2], None, detail),
    ]


def _drain_a_batch(stack: Any, info: dict[str, Any]) -> list[tuple[float, str]]:
    """Queue a 20-call batch over HTTP and wait until the dialers have placed every call."""
    from dialtone.telephony.simulator import SimulatorProvider

    session = stack.aws.session()
    accounts = AccountStore(info["accounts_table"], dynamodb=session.client("dynamodb"))
    tenant = accounts.create_tenant(name=f"Bench pacing {uuid.uuid4().hex[:4]}")
    accounts.update_settings(
        tenant.tenant_id, TenantSettingsUpdate(default_from_number=FROM_NUMBER)
    )
    key = accounts.create_key(tenant.tenant_id, ALL_SCOPES).plaintext
    numbers = [f"+1415555{n:04d}" for n in range(300, 300 + PACING_CALLS)]
    response = requests.post(
        f"{info['api_url']}/v1/calls/batch",
        json={"to_numbers": numbers},
        headers={"X-API-Key": key},
        timeout=30,
    )
    if response.status_code != 202:
        raise RuntimeError(f"POST /v1/calls/batch answered {response.status_code}")
    simulator = SimulatorProvider("unused", state_dir=info["simulator_dir"])
    deadline = time.monotonic() + PACING_CALLS * 2 + 30
    while time.monotonic() < deadline:
        placed = simulator.placements()
        if len(placed) >= PACING_CALLS:
            return placed
        time.sleep(0.5)
    raise RuntimeError(f"only {len(simulator.placements())} of {PACING_CALLS} calls placed")
