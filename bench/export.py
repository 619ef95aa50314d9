"""Exporting calls: `GET /v1/calls/export?export_format=json` of 1,000 completed calls, each
with a transcript of 20 exchanges, through the `export_calls` handler.

Measured in a child process (`bench.export_worker`), so that its memory is the handler's alone
(the embedded AWS endpoint lives in this process): the child imports the handler, serves a
one-call export to warm up (its resident set afterwards is the handler's idle footprint), then
serves the 1,000-call export three times.

- `export_1000_json_ms`: the median time of those three requests, everything included (reading
  the calls and their transcripts, writing the body and, when it is larger than a response
  carries, uploading it and answering 303).
- `export_1000_peak_mb`: the child's peak resident set (`ru_maxrss`) above its idle footprint;
  goal ≤ 128 MB.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.fixture import activated, deploy, drop_tables, handler_environment
from bench.report import ROOT, Figure
from dialtone.accounts import AccountStore
from dialtone.model_types import CallStatus
from dialtone.store import CallStore
from local.endpoint import EmbeddedAws
from local.seed import make_call, make_exchanges

CALLS = 1000
EXCHANGES = 20
PEAK_GOAL_MB = 128
NO_GOAL = "no goal; reported"


def run(endpoint: EmbeddedAws, notes: list[str], emit: Callable[[Figure], None]) -> list[Figure]:
    """Both figures, on a stack of its own whose tables are dropped afterwards."""
    stack = deploy(endpoint, "export")
    values = handler_environment(endpoint, stack)
    try:
        with activated(values):
            tenant_id, newest, seed_seconds = _seed(
                AccountStore(values["ACCOUNTS_TABLE"]), CallStore(values["CALLS_TABLE"])
            )
            result = _measure(tenant_id, newest)
    finally:
        drop_tables(endpoint, stack)
    if "error" in result:
        notes.append(f"`export_1000_json_ms` not measured: {result['error']}")
        figures = [
            Figure("export_1000_json_ms", "error", NO_GOAL, None),
            Figure("export_1000_peak_mb", "error", f"goal ≤ {PEAK_GOAL_MB}", False),
        ]
    else:
        answered = f"answered {result['status']}, {result['size_mb']:.1f} MB of JSON"
        figures = [
            Figure(
                "export_1000_json_ms",
                f"{result['median_ms']:.0f}",
                NO_GOAL,
                None,
                f"{CALLS} calls of {EXCHANGES} exchanges, {answered}, median of 3; "
                f"seeded in {seed_seconds:.0f} s",
            ),
            Figure(
                "export_1000_peak_mb",
                f"{result['peak_mb']:.1f}",
                f"goal ≤ {PEAK_GOAL_MB}",
                float(result["peak_mb"]) <= PEAK_GOAL_MB,
                f"peak RSS {result['max_rss_mb']:.0f} MB above an idle "
                f"{result['idle_rss_mb']:.0f} MB, in a process of its own",
            ),
        ]
    for figure in figures:
        emit(figure)
    return figures


def _seed(accounts: AccountStore, store: CallStore) -> tuple[str, datetime, float]:
    """A tenant of CALLS completed calls, each with EXCHANGES exchanges (BatchWriteItem); the
    newest call's start."""
    started = time.perf_counter()
    tenant_id = accounts.create_tenant(name="Export bench").tenant_id
    rng = random.Random(11)
    anchor = datetime.now(UTC)
    calls = [
        make_call(rng, status=CallStatus.COMPLETED, start_time=anchor - timedelta(minutes=n))
        for n in range(CALLS)
    ]
    store.put_calls(tenant_id, [(call, None) for call in calls])
    for call in calls:
        store.put_exchanges(tenant_id, call.id, make_exchanges(call, EXCHANGES))
    return tenant_id, anchor, time.perf_counter() - started


def _measure(tenant_id: str, newest: datetime) -> dict[str, float | str]:
    """Run the worker (it inherits the handler environment) and read its result line; its
    warm-up exports the newest call only."""
    warm_start = (newest - timedelta(seconds=1)).isoformat()
    spec = json.dumps({"tenant_id": tenant_id, "runs": 3, "warm_start_date": warm_start})
    done = subprocess.run(
        [sys.executable, "-m", "bench.export_worker", spec],
        cwd=Path(ROOT),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("BENCH-RESULT "):
            result: dict[str, float | str] = json.loads(line.removeprefix("BENCH-RESULT "))
            return result
    tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": f"the export worker ended {done.returncode}: {tail}"}


def main() -> int:
    """`python -m bench.export`: only these figures."""
    from bench.fixture import running_endpoint

    with running_endpoint() as endpoint:
        notes: list[str] = []
        run(endpoint, notes, lambda figure: print(figure.line(), flush=True))
    for note in notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
