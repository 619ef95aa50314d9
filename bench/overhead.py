"""Handler overhead: a warm `get_call` through its handler ÷ a bare GetItem of the same item.

Both go through the same botocore client (`dialtone.aws.client("dynamodb")`, so the same
configuration and connection pool) to the same endpoint, interleaved so that they share noise.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.fixture import (
    ListDataset,
    captured_handler_logs,
    last_logged_error,
    principal_of,
    stored_item_key,
)
from bench.report import Figure, at_most
from dialtone import aws
from local.invoke import api_event, invoke

GOAL = 1.5
RUNS = 300
WARMUP = 20


def _timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def run(
    dataset: ListDataset, calls_table: str, notes: list[str], emit: Callable[[Figure], None]
) -> list[Figure]:
    with captured_handler_logs() as logs:
        try:
            figure = _measure(dataset, calls_table)
        except RuntimeError as error:
            cause = last_logged_error(logs) or str(error)
            notes.append(f"`get_call` handler overhead not measured: {cause}")
            figure = Figure("get_call_handler_overhead", "error", f"goal ≤ {GOAL}", False)
    emit(figure)
    return [figure]


def _measure(dataset: ListDataset, calls_table: str) -> Figure:
    # A completed call with a recording: the handler presigns its URL, as it does for most calls.
    call = max(
        (c for c in dataset.calls if c.id in dataset.recording_keys), key=lambda c: c.start_time
    )
    event = api_event(
        "get_call",
        "GET /v1/calls/{call_id}",
        f"/v1/calls/{call.id}",
        path_parameters={"call_id": call.id},
        authorizer=principal_of(dataset.tenant_id).to_context(),
    )
    client = aws.client("dynamodb")
    key = stored_item_key(dataset.tenant_id, call.id)

    def handler() -> None:
        response = invoke("get_call", event)
        if response["statusCode"] != 200:
            raise RuntimeError(f"get_call: {response['statusCode']} {response['body']}")

    def bare() -> None:
        if "Item" not in client.get_item(TableName=calls_table, Key=key):
            raise RuntimeError("GetItem found no item")

    for _ in range(WARMUP):
        handler()
        bare()
    handler_times, bare_times = [], []
    for n in range(RUNS):
        # Alternate which goes first, so neither always follows the other.
        if n % 2:
            handler_times.append(_timed(handler))
            bare_times.append(_timed(bare))
        else:
            bare_times.append(_timed(bare))
            handler_times.append(_timed(handler))
    handler_ms = statistics.median(handler_times) * 1000
    bare_ms = statistics.median(bare_times) * 1000
    return at_most(
        "get_call_handler_overhead",
        handler_ms / bare_ms,
        GOAL,
        f"handler {handler_ms:.2f} ms, GetItem {bare_ms:.2f} ms (the handler adds"
        f" {handler_ms - bare_ms:.2f} ms), medians of {RUNS} each",
    )
