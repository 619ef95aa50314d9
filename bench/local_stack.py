"""`local_request_overhead`: what the local stack (SAM's API Gateway emulator, the authorizer
and a warm worker process) adds to a request, against the same handler called in process."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import requests

from bench.fixture import activated, captured_handler_logs, principal_of
from bench.report import Figure, at_most
from local.invoke import api_event, invoke
from local.stack import LocalStack

GOAL = 2.0
RUNS = 200


def run(notes: list[str], emit: Callable[[Figure], None]) -> list[Figure]:
    stack = LocalStack(api_port=0, aws_port=0, demo_calls=40)
    try:
        info = stack.start()
        figure = _measure(stack, info)
    except Exception as error:  # reported, not raised: the other figures still stand
        notes.append(f"`local_request_overhead` not measured: {error}")
        figure = Figure("local_request_overhead", "error", f"goal ≤ {GOAL:g}", False)
    finally:
        stack.stop()
    emit(figure)
    return [figure]


def _expect_ok(status: int, path: str) -> None:
    if status != 200:
        raise RuntimeError(f"GET /v1/calls/{{id}} {path} answered {status}")


def _measure(stack: LocalStack, info: dict[str, object]) -> Figure:
    call_id = str(info["example_call_id"])
    url = f"{info['api_url']}/v1/calls/{call_id}"
    session = requests.Session()
    session.headers["X-API-Key"] = str(info["api_key"])
    event = api_event(
        "get_call",
        "GET /v1/calls/{call_id}",
        f"/v1/calls/{call_id}",
        path_parameters={"call_id": call_id},
        authorizer=principal_of(str(info["tenant_id"])).to_context(),
    )
    values = {**stack.aws.environment(), **stack.stack.function_environment("GetCallFunction")}
    with activated(values), captured_handler_logs():
        for _ in range(20):  # warm both paths: workers, clients, connections
            _expect_ok(session.get(url, timeout=30).status_code, "through the local stack")
            _expect_ok(invoke("get_call", event)["statusCode"], "in process")
        through_stack: list[float] = []
        in_process: list[float] = []
        for _ in range(RUNS):
            start = time.perf_counter()
            session.get(url, timeout=30).raise_for_status()
            through_stack.append(time.perf_counter() - start)
            start = time.perf_counter()
            invoke("get_call", event)
            in_process.append(time.perf_counter() - start)
    stack_ms = statistics.median(through_stack) * 1000
    direct_ms = statistics.median(in_process) * 1000
    return at_most(
        "local_request_overhead",
        stack_ms / direct_ms,
        GOAL,
        f"GET /v1/calls/{{id}} through the local stack {stack_ms:.2f} ms, the handler in "
        f"process {direct_ms:.2f} ms, medians of {RUNS} interleaved",
    )
