"""The process of the export benchmark (`bench.export`), run as
`python -m bench.export_worker <spec json>` in the handler environment.

It imports the export_calls handler, serves a one-call export (the warm-up: the resident set
afterwards is the idle footprint), then the whole export `runs` times. The last stdout line is
`BENCH-RESULT <json>`: the median time, the idle and peak resident sets, the status answered and
the export's size.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
import urllib.request
from typing import Any

from local.invoke import api_event, invoke, load_handler

ROUTE = "GET /v1/calls/export"


def _rss_mb() -> float:
    """The resident set now (Linux: /proc/self/statm)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 1024 / 1024


def _peak_rss_mb() -> float:
    """The resident set's high-water mark since the last `_reset_peak()` (or since exec:
    `ru_maxrss` would count the parent's resident set at fork)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _reset_peak() -> bool:
    """Restart the high-water mark at the current resident set (Linux ≥ 4.0), if allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def _export(tenant_id: str, **query: str) -> dict[str, Any]:
    authorizer = {"tenant_id": tenant_id, "key_id": "bench-key", "scopes": "calls:read"}
    event = api_event(
        "export_calls",
        ROUTE,
        "/v1/calls/export",
        query={"export_format": "json", **query},
        authorizer=authorizer,
    )
    return invoke("export_calls", event)


def _size(result: dict[str, Any]) -> int:
    """Bytes of the export: the body, or the stored file (read in chunks, after measuring)."""
    if result["statusCode"] == 200:
        return len(result["body"].encode("utf-8"))
    total = 0
    with urllib.request.urlopen(result["headers"]["Location"], timeout=60) as download:  # noqa: S310
        while chunk := download.read(1 << 20):
            total += len(chunk)
    return total


def main(spec: dict[str, Any]) -> dict[str, Any]:
    load_handler("export_calls")
    warm = _export(spec["tenant_id"], start_date=spec["warm_start_date"])
    if warm["statusCode"] != 200:
        return {"error": f"warm-up answered {warm['statusCode']}: {warm['body'][:200]}"}
    idle = _rss_mb()
    reset = _reset_peak()
    times, result = [], warm
    for _ in range(spec["runs"]):
        started = time.perf_counter()
        result = _export(spec["tenant_id"])
        times.append((time.perf_counter() - started) * 1000)
        if result["statusCode"] not in (200, 303):
            return {"error": f"answered {result['statusCode']}: {result['body'][:200]}"}
    peak = _peak_rss_mb()
    return {
        "median_ms": statistics.median(times),
        "idle_rss_mb": idle,
        "max_rss_mb": peak,
        "peak_mb": peak - idle,
        "peak_reset": reset,
        "status": result["statusCode"],
        "size_mb": _size(result) / 1024 / 1024,
    }


if __name__ == "__main__":
    outcome = main(json.loads(sys.argv[1]))
    print("BENCH-RESULT " + json.dumps(outcome), flush=True)
