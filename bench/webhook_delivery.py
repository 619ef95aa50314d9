"""`webhook_event_to_delivery_ms`: on the local stack, from a call's write to the calls table (the
stream record) to its `call.completed` event reaching a receiver on 127.0.0.1: the stream
poller, the stream consumer's fan-out, the delivery queue, the SQS poller and the sender."""

from __future__ import annotations

import json
import random
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from bench.fixture import log_file
from bench.report import Figure
from dialtone.accounts import AccountStore
from dialtone.auth import Scope
from dialtone.model_types import CallStatus
from dialtone.store import CallStore
from local.seed import make_call
from local.stack import LocalStack

RUNS = 20
WAIT_SECONDS = 30.0
NAME = "webhook_event_to_delivery_ms"


class _Arrivals:
    """When each call's event reached the receiver (time.perf_counter), by call id."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.changed = threading.Condition()

    def record(self, body: bytes) -> None:
        arrived = time.perf_counter()
        call_id = json.loads(body)["data"].get("id")
        with self.changed:
            self.at.setdefault(call_id, arrived)
            self.changed.notify_all()

    def wait(self, call_id: str) -> float | None:
        with self.changed:
            self.changed.wait_for(lambda: call_id in self.at, timeout=WAIT_SECONDS)
            return self.at.get(call_id)


def _receiver(arrivals: _Arrivals) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            arrivals.record(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(notes: list[str], emit: Callable[[Figure], None]) -> list[Figure]:
    stack = LocalStack(api_port=0, aws_port=0, demo_calls=0, log=log_file())
    arrivals = _Arrivals()
    server = _receiver(arrivals)
    try:
        stack.start()
        figure = _measure(stack, arrivals, server.server_address[1])
    except Exception as error:  # reported, not raised: the other figures still stand
        notes.append(f"`{NAME}` not measured: {error}")
        figure = Figure(NAME, "error", "no goal", None)
    finally:
        server.shutdown()
        server.server_close()
        stack.stop()
    emit(figure)
    return [figure]


def _measure(stack: LocalStack, arrivals: _Arrivals, port: int) -> Figure:
    session = stack.aws.session()
    dynamodb = session.client("dynamodb")
    accounts = AccountStore(stack.stack.names["AccountsTable"], dynamodb=dynamodb)
    tenant = accounts.create_tenant(name="Webhook bench")
    key = accounts.create_key(tenant.tenant_id, (Scope.WEBHOOKS_MANAGE,)).plaintext
    created = requests.post(
        f"{stack.info['api_url']}/v1/webhooks",
        headers={"X-API-Key": key},
        json={"url": f"http://127.0.0.1:{port}/bench", "events": ["call.completed"]},
        timeout=30,
    )
    if created.status_code != 201:
        raise RuntimeError(f"POST /v1/webhooks answered {created.status_code}: {created.text}")
    calls = CallStore(stack.stack.names["CallsTable"], dynamodb=dynamodb)
    rng = random.Random(13)
    latencies: list[float] = []
    for run in range(RUNS + 1):
        call = make_call(rng, status=CallStatus.COMPLETED, id=str(uuid.uuid4()))
        written = time.perf_counter()
        calls.put_call(tenant.tenant_id, call)
        arrived = arrivals.wait(call.id)
        if arrived is None:
            raise RuntimeError(f"call {call.id}'s event did not arrive in {WAIT_SECONDS:g} s")
        if run:  # the first one warms the stream consumer's and the sender's workers
            latencies.append((arrived - written) * 1000)
    median = statistics.median(latencies)
    p95 = sorted(latencies)[int(len(latencies) * 0.95) - 1]
    return Figure(
        NAME,
        f"{median:.0f}",
        "no goal",
        None,
        f"median of {RUNS} calls written one at a time, p95 {p95:.0f} ms; the local pollers "
        "idle 0.2 s between empty stream reads and wait up to 1 s on the queue",
    )
