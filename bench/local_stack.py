"""The local stack's figures, on one stack with the demo data `make dev` makes:
`local_request_overhead`, what it (SAM's API Gateway emulator and the warm worker processes) adds
to a request against the functions the request runs, the authorizer and the route's handler,
called in process;
`local_stack_read_rps_20_clients`, what 20 concurrent clients of the read endpoints get from it;
`local_stack_start_seconds` and `local_stack_resident_mib` (the stack's process tree, after the
read load); `local_stack_restart_seconds`, a start from the state the stack saved when it
stopped. The stack runs in a process of its own and the clients in another, as `make dev` and
its users would."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests

from bench.fixture import activated, captured_handler_logs, log_file, principal_of
from bench.report import Figure, at_most
from local.invoke import api_event, invoke, sample_event
from local.stack import LocalStack

GOAL = 2.0
RUNS = 200


DEMO_CALLS = 300  # as `make dev`
CLIENTS = 20
LOAD_SECONDS = 20.0
START_GOAL_S = 20.0
RESIDENT_GOAL_MIB = 1024.0
RPS_GOAL = 50.0
P95_GOAL_MS = 500.0


def run(notes: list[str], emit: Callable[[Figure], None]) -> list[Figure]:
    """The figures, measured in a process of their own (`python -m bench.local_stack`): the
    stack's memory is then its own, not that of a bench holding the tenants of the stages
    before, and the stack's process shares no interpreter with the bench."""
    import json
    import subprocess

    from local.provision import ROOT

    log = log_file()
    child = subprocess.run(
        [sys.executable, "-m", "bench.local_stack"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log if log is not None else None,
        text=True,
        check=False,
    )
    figures: list[Figure] = []
    for line in child.stdout.splitlines():
        if not line.startswith("{"):  # something the stack printed: its log is the place
            print(line, file=log if log is not None else sys.stderr)
            continue
        entry = json.loads(line)
        if "note" in entry:
            notes.append(entry["note"])
        else:
            figures.append(Figure(**entry))
    if child.returncode != 0 or not figures:
        notes.append(f"the local stack's figures not measured: exit status {child.returncode}")
        figures.append(Figure("local_request_overhead", "error", f"goal ≤ {GOAL:g}", False))
    for figure in figures:
        emit(figure)
    return figures


def measure() -> tuple[list[Figure], list[str]]:
    """The figures, in this process: the stack started here, the read load from another
    process (clients are not the stack's), the memory of this process and its workers
    after it, then the overhead of a warm request against the handler called here; then the
    stack stopped, its state saved, and started again from it."""
    import tempfile

    notes: list[str] = []
    # A removal error (a save still writing) must not lose the figures measured.
    with tempfile.TemporaryDirectory(
        prefix="dialtone-bench-state-", ignore_cleanup_errors=True
    ) as state_dir:
        figures = _measure_stack(Path(state_dir), notes)
        if figures:
            figures.append(_restart(Path(state_dir), notes))
    return figures, notes


def _measure_stack(state_dir: Path, notes: list[str]) -> list[Figure]:
    stack = LocalStack(
        api_port=0, aws_port=0, demo_calls=DEMO_CALLS, log=sys.stderr, state_dir=state_dir
    )
    figures: list[Figure] = []
    try:
        started = time.perf_counter()
        info = stack.start()
        start_s = time.perf_counter() - started
        figures.append(read_load(info))
        figures.append(
            at_most_value(
                "local_stack_resident_mib",
                resident_mib(),
                RESIDENT_GOAL_MIB,
                "MiB, sum of the stack's process tree's RSS (its process, AWS endpoint and "
                "warm workers) after the read load",
            )
        )
        figures.append(
            at_most_value(
                "local_stack_start_seconds",
                start_s,
                START_GOAL_S,
                f"s, a fresh start with {DEMO_CALLS} demo calls (a restart restores the state)",
            )
        )
        figures.insert(0, _measure(stack, info))
    except Exception as error:  # reported, not raised: the other figures still stand
        notes.append(f"the local stack's figures not measured: {error}")
    finally:
        stack.stop()
    return figures


def _restart(state_dir: Path, notes: list[str]) -> Figure:
    """A second start of the stack, from the state the first one saved when it stopped (what
    `make dev` does every time after the first): the seconds until it serves a demo call."""
    _wait_for_save(state_dir)
    stack = LocalStack(
        api_port=0, aws_port=0, demo_calls=DEMO_CALLS, log=sys.stderr, state_dir=state_dir
    )
    try:
        started = time.perf_counter()
        info = stack.start()
        url = f"{info['api_url']}/v1/calls/{info['example_call_id']}"
        status = requests.get(url, headers={"X-API-Key": str(info["api_key"])}, timeout=60)
        restart_s = time.perf_counter() - started
        if not stack.restored or status.status_code != 200:
            raise RuntimeError(f"restored: {stack.restored}, a demo call: {status.status_code}")
    except Exception as error:  # reported, not raised: the other figures still stand
        notes.append(f"the local stack's restart not measured: {error}")
        return Figure("local_stack_restart_seconds", "error", f"goal ≤ {START_GOAL_S:g}", False)
    finally:
        stack.stop()
        # Its stop saves the state again, in a forked child writing into state_dir: done
        # before the directory is removed (a removal meanwhile finds it not empty).
        _wait_for_save(state_dir)
    return at_most_value(
        "local_stack_restart_seconds",
        restart_s,
        START_GOAL_S,
        f"s, a start from the state a stop of the stack above saved ({DEMO_CALLS} demo calls),"
        " until a demo call is served",
    )


def _wait_for_save(state_dir: Path) -> None:
    """Wait for the save the stack's stop forked (`state.save_in_background`): its copy of this
    process is this process's child, reaped here (`make dev` exits and leaves it to init)."""
    import os

    from local.state import SAVING

    marker = state_dir / SAVING
    if marker.is_file():
        os.waitpid(int(marker.read_text()), 0)
        marker.unlink(missing_ok=True)


def at_most_value(name: str, value: float, goal: float, detail: str) -> Figure:
    return Figure(name, f"{value:.1f}", f"goal ≤ {goal:g}", value <= goal, detail)


def resident_mib() -> float:
    """The resident memory of this process and its descendants (Linux /proc), in MiB."""
    import os
    from pathlib import Path

    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        children.setdefault(int(fields["PPid"].strip()), []).append(int(fields["Pid"].strip()))
    total_kib, pending = 0, [os.getpid()]
    while pending:
        pid = pending.pop()
        pending += children.get(pid, [])
        try:
            text = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total_kib += next(
            (int(line.split()[1]) for line in text.splitlines() if line.startswith("VmRSS:")), 0
        )
    return total_kib / 1024


def read_load(info: dict[str, object]) -> Figure:
    """CLIENTS clients reading for LOAD_SECONDS (list pages, calls, transcripts, in turn), from
    a process of their own (`python -m bench.local_stack load`)."""
    import json
    import subprocess

    base, key, call_id = str(info["api_url"]), str(info["api_key"]), str(info["example_call_id"])
    child = subprocess.run(
        [sys.executable, "-m", "bench.local_stack", "load", base, key, call_id],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(child.stdout)
    latencies, errors, elapsed = result["latencies"], result["errors"], result["elapsed"]
    rps = len(latencies) / elapsed
    p95_ms = statistics.quantiles(latencies, n=20)[-1] * 1000 if len(latencies) > 1 else 0.0
    met = rps >= RPS_GOAL and p95_ms <= P95_GOAL_MS and not errors
    return Figure(
        "local_stack_read_rps_20_clients",
        f"{rps:.1f}",
        f"goal ≥ {RPS_GOAL:g} req/s, p95 ≤ {P95_GOAL_MS:g} ms, no error",
        met,
        f"p95 {p95_ms:.0f} ms, {len(errors)} errors of {len(latencies)} requests over "
        f"{elapsed:.0f} s, from another process" + (f"; first: {errors[0]}" if errors else ""),
    )


def clients(base: str, key: str, call_id: str) -> dict[str, object]:
    """What CLIENTS threads reading for LOAD_SECONDS get: each request's time and the errors."""
    import threading

    paths = ["/v1/calls?limit=20", f"/v1/calls/{call_id}", f"/v1/calls/{call_id}/transcript"]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + LOAD_SECONDS

    def client(offset: int) -> None:
        with requests.Session() as session:
            session.headers["X-API-Key"] = key
            turn = offset
            while time.perf_counter() < stop_at:
                path = paths[turn % len(paths)]
                turn += 1
                begun = time.perf_counter()
                try:
                    status = session.get(base + path, timeout=30).status_code
                except requests.RequestException as error:
                    status, detail = 0, str(error)
                took = time.perf_counter() - begun
                with lock:
                    latencies.append(took)
                    if status != 200:
                        errors.append(f"{path}: {status or detail}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "errors": errors, "elapsed": time.perf_counter() - begun}


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
    # The authorizer runs for every request, on AWS as here: its own work is not the stack's.
    authorization = sample_event("authorizer")
    authorization["headers"]["x-api-key"] = str(info["api_key"])
    values = {
        **stack.aws.environment(),
        **stack.stack.function_environment("AuthorizerFunction"),
        **stack.stack.function_environment("GetCallFunction"),
    }
    with activated(values), captured_handler_logs():
        for _ in range(20):  # warm both paths: workers, clients, connections
            _expect_ok(session.get(url, timeout=30).status_code, "through the local stack")
            _expect_authorized(invoke("authorizer", authorization))
            _expect_ok(invoke("get_call", event)["statusCode"], "in process")
        through_stack: list[float] = []
        authorizer: list[float] = []
        in_process: list[float] = []
        for _ in range(RUNS):
            start = time.perf_counter()
            session.get(url, timeout=30).raise_for_status()
            through_stack.append(time.perf_counter() - start)
            start = time.perf_counter()
            invoke("authorizer", authorization)
            authorized = time.perf_counter()
            invoke("get_call", event)
            authorizer.append(authorized - start)
            in_process.append(time.perf_counter() - start)
    stack_ms = statistics.median(through_stack) * 1000
    direct_ms = statistics.median(in_process) * 1000
    authorizer_ms = statistics.median(authorizer) * 1000
    return at_most(
        "local_request_overhead",
        stack_ms / direct_ms,
        GOAL,
        f"GET /v1/calls/{{id}} through the local stack {stack_ms:.2f} ms, the authorizer and the "
        f"handler in process {direct_ms:.2f} ms (the authorizer {authorizer_ms:.2f}), medians "
        f"of {RUNS} interleaved",
    )


def _expect_authorized(answer: dict[str, object]) -> None:
    if answer.get("isAuthorized") is not True:
        raise RuntimeError(f"the authorizer in process refused the demo key: {answer}")


def main(argv: list[str]) -> int:
    """`python -m bench.local_stack`: the figures as JSON lines (a note: {"note": ...});
    `python -m bench.local_stack load URL KEY CALL_ID`: the read load's result as JSON."""
    import dataclasses
    import json

    if argv[:1] == ["load"]:
        print(json.dumps(clients(*argv[1:4])))
        return 0
    figures, notes = measure()
    for note in notes:
        print(json.dumps({"note": note}))
    for figure in figures:
        print(json.dumps(dataclasses.asdict(figure)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
