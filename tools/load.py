"""`make load`: a local stack under load, bounded in count and time, on 127.0.0.1 only.

A stack of its own (free ports, the demo data, its logs in `<out>/stack.log`), then, at once:
- locust, headless, in a process of its own (`tools/locustfile.py`): `--users` clients for
  `--seconds`, nine in ten reading (list pages, calls, transcripts) and one in ten writing as
  a voice runtime does (a call, then its exchanges);
- a batch of `--batch` numbers, queued at the start and dialed by the stack's dialer at the
  tenant's rate (1 call a second) through the simulator, drained to the end (bounded: the
  time the batch needs at that rate, and a minute more);
- a webhook subscription to a receiver on 127.0.0.1, for every event of the tenant's calls.

It prints locust's figures per request (count, requests/s, p50/p95/p99, failures), the dial
gaps (every one must be ≥ 0.995 s), the webhook deliveries received, and what a scan of the
stack's log found of the API keys, the webhook secret and presigned signatures (nothing must
be found). Exit status 1 when a request failed, a gap was short, a call of the batch was not
dialed, or a secret was logged.

    python -m tools.load [--users 20] [--seconds 60] [--batch 1000] [--out .dialtone/load]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from dialtone.accounts import AccountStore, TenantSettingsUpdate
from dialtone.auth import Scope
from dialtone.telephony.simulator import SimulatorProvider
from dialtone.webhooks.models import SUBSCRIBABLE_EVENTS
from local.provision import ROOT
from local.stack import LocalStack

MIN_GAP_S = 0.995
DIAL_RATE = 1
FROM_NUMBER = "+14155550100"
# Presigned URLs carry their signature in the query; none may reach a log.
SIGNATURE = re.compile(r"X-Amz-Signature=[0-9a-f]{16,}")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS", "20")))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("LOAD_SECONDS", "60")))
    parser.add_argument("--batch", type=int, default=int(os.environ.get("LOAD_BATCH", "1000")))
    parser.add_argument("--demo-calls", type=int, default=100)
    parser.add_argument("--out", type=Path, default=ROOT / ".dialtone" / "load")
    return parser.parse_args(argv)


class _Receiver(BaseHTTPRequestHandler):
    """A webhook receiver that answers 200 and counts what it got, by event type."""

    received: dict[str, int] = {}
    lock = threading.Lock()

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        with self.lock:
            kind = str(body.get("type", "?"))
            self.received[kind] = self.received.get(kind, 0) + 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the load's own report says what arrived."""


@contextmanager
def receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/load"
    finally:
        server.shutdown()


def tenant_keys(stack: LocalStack) -> tuple[str, dict[str, str]]:
    """A tenant of the load's own that dials from a default number at DIAL_RATE on an account
    of its own: its id, and keys (every scope; reading only; ingesting only)."""
    accounts = AccountStore(
        stack.info["accounts_table"], dynamodb=stack.aws.session().client("dynamodb")
    )
    tenant = accounts.create_tenant(name=f"Load {uuid.uuid4().hex[:4]}")
    accounts.update_settings(
        tenant.tenant_id,
        TenantSettingsUpdate(
            default_from_number=FROM_NUMBER,
            dial_rate_per_second=DIAL_RATE,
            telephony_account_id=f"acct-load-{tenant.tenant_id}",
        ),
    )
    keys = {
        "all": accounts.create_key(tenant.tenant_id, tuple(Scope)).plaintext,
        "read": accounts.create_key(tenant.tenant_id, (Scope.CALLS_READ,)).plaintext,
        "ingest": accounts.create_key(tenant.tenant_id, (Scope.CALLS_INGEST,)).plaintext,
    }
    return tenant.tenant_id, keys


def api(stack: LocalStack, key: str, method: str, path: str, **kwargs: Any) -> Any:
    response = requests.request(
        method,
        stack.info["api_url"] + path,
        headers={"X-API-Key": key},
        timeout=60,
        **kwargs,
    )
    response.raise_for_status()
    return response.json() if response.content else None


def queue_batch(stack: LocalStack, key: str, size: int) -> list[str]:
    """A batch of `size` numbers (in chunks of 1,000, the API's limit); its calls' ids."""
    numbers = [f"+1415555{n % 10_000:04d}" for n in range(size)]
    call_ids: list[str] = []
    for start in range(0, size, 1000):
        chunk = {"to_numbers": numbers[start : start + 1000]}
        accepted = api(stack, key, "POST", "/v1/calls/batch", json=chunk)
        batch = api(stack, key, "GET", f"/v1/calls/batch/{accepted['batch_id']}")
        call_ids += [c["call_id"] for c in batch["calls"]]
    return call_ids


def run_locust(stack: LocalStack, args: argparse.Namespace, env: dict[str, str]) -> Path:
    """locust, headless, for the duration; the prefix of its CSV figures."""
    prefix: Path = args.out / "locust"
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(ROOT / "tools" / "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.users),
        "--run-time",
        f"{args.seconds}s",
        "--host",
        stack.info["api_url"],
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    log = (args.out / "locust.log").open("w")
    subprocess.run(command, env={**os.environ, **env}, stdout=log, stderr=log, check=False)  # noqa: S603
    return prefix


def locust_figures(prefix: Path) -> list[dict[str, str]]:
    with Path(f"{prefix}_stats.csv").open() as file:
        return list(csv.DictReader(file))


def wait_dialed(simulator_dir: str, call_ids: list[str], timeout: float) -> list[float]:
    """When the simulator placed each call of the batch (as many as were placed in time)."""
    wanted = set(call_ids)
    simulator = SimulatorProvider("unused", state_dir=simulator_dir)
    deadline = time.monotonic() + timeout
    while True:
        placed = sorted(at for at, call_id in simulator.placements() if call_id in wanted)
        if len(placed) == len(wanted) or time.monotonic() > deadline:
            return placed
        time.sleep(2)


def deliveries_settled(quiet: float = 5.0, timeout: float = 60.0) -> None:
    """Wait for the last events' webhook deliveries: until none arrived for `quiet` seconds
    (the stream's 3-second batching window, the webhook queue and the sender come first), at
    most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    seen, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        with _Receiver.lock:
            count = sum(_Receiver.received.values())
        if count != seen:
            seen, since = count, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.5)


def secrets_logged(log: Path, secrets: list[str]) -> list[str]:
    text = log.read_text(errors="replace")
    found = [f"a secret ending {s[-4:]}" for s in secrets if s in text]
    found += [f"a presigned signature ({m[:24]}...)" for m in SIGNATURE.findall(text)[:3]]
    return found


def report(
    figures: list[dict[str, str]], placed: list[float], batch: int, received: dict[str, int]
) -> bool:
    print(f"{'request':45} {'count':>7} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'fail':>5}")
    failed = 0
    for row in figures:
        failed += int(row["Failure Count"]) if row["Name"] == "Aggregated" else 0
        print(
            f"{row['Name']:45} {row['Request Count']:>7}"
            f" {float(row['Requests/s']):>7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
            f" {row['Failure Count']:>5}"
        )
    gaps = [b - a for a, b in itertools.pairwise(placed)]
    short = [g for g in gaps if g < MIN_GAP_S]
    if gaps:
        mean = sum(gaps) / len(gaps)
        print(
            f"dials: {len(placed)} of {batch}; gaps min {min(gaps):.3f} s, mean {mean:.3f} s,"
            f" max {max(gaps):.3f} s; {len(short)} under {MIN_GAP_S} s"
        )
    else:
        print(f"dials: {len(placed)} of {batch}")
    print("webhook deliveries received: " + (json.dumps(received, sort_keys=True) or "none"))
    return failed == 0 and not short and len(placed) == batch


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    log_path = args.out / "stack.log"
    with log_path.open("w") as log, receiver() as hook_url:
        stack = LocalStack(api_port=0, aws_port=0, demo_calls=args.demo_calls, log=log)
        print(f"starting a local stack ({args.demo_calls} demo calls) ...", flush=True)
        stack.start()
        try:
            tenant_id, keys = tenant_keys(stack)
            subscription = {"url": hook_url, "events": list(SUBSCRIBABLE_EVENTS)}
            hook = api(stack, keys["all"], "POST", "/v1/webhooks", json=subscription)
            demo = api(stack, stack.info["api_key"], "GET", "/v1/calls?limit=100")
            env = {
                "LOAD_READ_KEY": stack.info["api_key"],
                "LOAD_INGEST_KEY": keys["ingest"],
                "LOAD_CALL_IDS": ",".join(c["id"] for c in demo["calls"]),
            }
            print(f"queueing a batch of {args.batch} numbers for tenant {tenant_id} ...")
            call_ids = queue_batch(stack, keys["all"], args.batch)
            print(f"locust: {args.users} users for {args.seconds} s ...", flush=True)
            prefix = run_locust(stack, args, env)
            print("waiting for the batch to drain ...", flush=True)
            placed = wait_dialed(stack.info["simulator_dir"], call_ids, args.batch / DIAL_RATE + 60)
            deliveries_settled()
        finally:
            stack.stop()
    ok = report(locust_figures(prefix), placed, args.batch, dict(_Receiver.received))
    found = secrets_logged(
        log_path, [keys["all"], keys["read"], keys["ingest"], hook.get("secret", "")]
    )
    print("secrets in the stack's log: " + ("; ".join(found) if found else "none"))
    return 0 if ok and not found else 1


if __name__ == "__main__":
    sys.exit(main())
