"""The local stack's Lambda runtime (`local.runtime.WorkerRuntime`): warm workers, one process
per execution environment, and what happens when one is gone."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from local.runtime import FunctionError, Worker, WorkerRuntime

# A function that notes each event it handles in a file, and can be asked to take its time or to
# exit mid-request.
APP = """
import os
import time

def handler(event, context):
    with open(os.environ["SEEN"], "a") as seen:
        seen.write(event["name"] + "\\n")
    time.sleep(event.get("sleep", 0))
    if event.get("exit"):
        os._exit(1)
    return {"pid": os.getpid(), "name": event["name"]}
"""


class _Values:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def resolve(self) -> dict[str, str]:
        return self.values


@pytest.fixture
def function(tmp_path: Path) -> SimpleNamespace:
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text(APP)
    # The attributes of SAM's function config that the runtime reads.
    return SimpleNamespace(
        full_path="Noter",
        handler="app.handler",
        code_abs_path=code,
        layers=[],
        env_vars=_Values({"SEEN": str(tmp_path / "seen.txt")}),
        timeout=10,
    )


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[WorkerRuntime]:
    with (tmp_path / "workers.log").open("w") as log:
        runtime = WorkerRuntime(tmp_path, {}, log=log)
        yield runtime
        runtime.stop()


def _seen(function: Any) -> list[str]:
    return Path(function.env_vars.resolve()["SEEN"]).read_text().split()


def test_a_request_for_a_worker_that_died_idle_is_served_once_by_a_new_one(
    runtime: WorkerRuntime, function: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a warm worker that dies while idle (killed, out of memory, ...), right after the
    # runtime last saw it alive (the check before a request cannot see what happens after it)
    first = runtime.invoke_direct(function, {"name": "first"})
    monkeypatch.setattr(Worker, "alive", property(lambda self: True))
    os.kill(first["pid"], signal.SIGKILL)
    os.waitpid(first["pid"], 0)

    # When the next request comes
    second = runtime.invoke_direct(function, {"name": "second"})

    # Then a new worker answers it, and the function ran it once
    assert second["name"] == "second"
    assert second["pid"] != first["pid"]
    assert _seen(function) == ["first", "second"]


def test_a_worker_that_dies_during_a_request_is_a_function_error_not_a_retry(
    runtime: WorkerRuntime, function: Any
) -> None:
    # Given a request during which the function's process exits
    with pytest.raises(FunctionError, match="exited"):
        runtime.invoke_direct(function, {"name": "dies", "exit": True})

    # Then it ran once (it may have done part of its work: it is not sent again)
    assert _seen(function) == ["dies"]
    # And the next request gets a new worker
    assert runtime.invoke_direct(function, {"name": "next"})["name"] == "next"


def test_an_invocation_the_stack_stops_under_is_not_reported_as_a_failure(
    runtime: WorkerRuntime, function: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import threading
    import time

    from local.pollers import wait_until

    # Given a request its function is still working on
    failures: list[Exception] = []

    def request() -> None:
        try:
            runtime.invoke_direct(function, {"name": "slow", "sleep": 30})
        except FunctionError as error:
            failures.append(error)

    thread = threading.Thread(target=request)
    thread.start()
    seen = Path(function.env_vars.resolve()["SEEN"])
    assert wait_until(lambda: seen.is_file() and "slow" in seen.read_text(), 10)

    # When the runtime is stopped (Ctrl-C on the stack)
    begun = time.monotonic()
    with caplog.at_level(logging.DEBUG, logger="dialtone.local"):
        runtime.stop(timeout=0.2)
        thread.join(10)

    # Then the request ends at once, failed, and nothing is said of it above debug
    assert time.monotonic() - begun < 5
    assert len(failures) == 1
    assert [r.getMessage() for r in caplog.records if r.levelno > logging.DEBUG] == []
    assert any("the invocation failed" in r.getMessage() for r in caplog.records)


def test_a_read_whose_pipe_the_stop_closed_is_a_stopped_worker_not_a_crash(tmp_path: Path) -> None:
    # Given a worker whose answers' pipe was closed (by `stop`, from another thread) while a
    # request was waiting for its answer
    worker = object.__new__(Worker)
    worker._results = (tmp_path / "answers").open("w+")
    worker._results.close()

    # Then the wait ends as a failed invocation, which the runtime answers, not a ValueError
    with pytest.raises(RuntimeError, match="stopped"):
        worker._read_line(timeout=1)
