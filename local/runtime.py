"""A container-less Lambda runtime for SAM's local emulators.

SAM CLI's API Gateway emulator hands each invocation to a runtime, which normally runs the
function in Docker. This one keeps warm worker processes instead: one pool per function, each
worker started with that function's own environment (from the template, resolved to the local
resources) and its code and layers on the path, so one function's settings never leak into
another's. A worker serves one invocation at a time, as a Lambda execution environment does;
the pool grows when requests overlap.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import IO, Any

LOG = logging.getLogger("dialtone.local")

WORKER = Path(__file__).resolve().parent / "worker.py"


class InvocationTimeout(RuntimeError):
    pass


class WorkerGone(RuntimeError):
    """A worker found gone when a request was written to it: the request was not delivered."""


class Worker:
    """One warm execution environment of one function."""

    def __init__(self, handler: str, env: dict[str, str], log: IO[str] | None) -> None:
        read_fd, write_fd = os.pipe()
        self.process = subprocess.Popen(  # our own worker script
            [sys.executable, "-u", str(WORKER), handler, str(write_fd)],
            stdin=subprocess.PIPE,
            # Without a log file, the stack's own standard error (fd 2, whatever object
            # sys.stderr is in the thread that happens to start the worker).
            stdout=log or 2,
            stderr=log or 2,
            env=env,
            pass_fds=(write_fd,),
            text=True,
            # Its own process group: Ctrl-C in the terminal stops the stack, which then stops
            # its workers, instead of interrupting each worker mid-invocation (a traceback each).
            process_group=0,
        )
        os.close(write_fd)
        self._results = os.fdopen(read_fd, "r")
        self._read_line(timeout=60)  # the init phase: imports and module-level setup

    def _read_line(self, timeout: float) -> dict[str, Any]:
        try:
            ready, _, _ = select.select([self._results], [], [], timeout)
            if not ready:
                raise InvocationTimeout(f"no answer within {timeout:.0f} s")
            line = self._results.readline()
        except (ValueError, OSError):  # its pipe closed under this read: `stop` was called
            raise RuntimeError("the function's worker was stopped") from None
        if not line:
            raise RuntimeError("the function's worker exited")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def invoke(self, event: str, timeout: float) -> dict[str, Any]:
        """The function's answer to `event`. WorkerGone if the worker exited before taking
        the request (it was never delivered: it can be sent to another worker)."""
        assert self.process.stdin is not None
        request = {"event": json.loads(event), "request_id": str(uuid.uuid4())}
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except OSError as error:  # BrokenPipeError: it exited since it was last seen alive
            raise WorkerGone(f"the function's worker exited before the request: {error}") from None
        return self._read_line(timeout)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        """Ask the worker to exit: its stdin ends, so its loop over requests does."""
        if self.process.stdin and not self.process.stdin.closed:
            with contextlib.suppress(OSError):  # it died with a request unread
                self.process.stdin.close()

    def stop(self, timeout: float = 5) -> None:
        self.close()
        try:
            self.process.wait(timeout=max(timeout, 0.01))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._results.close()


class WorkerRuntime:
    """The runtime SAM's LocalLambdaRunner calls: `invoke(config, event, ..., stdout=...)`."""

    def __init__(
        self,
        root: Path,
        extra_env: dict[str, str],
        log: IO[str] | None = None,
        max_workers_per_function: int = 2,
        idle_seconds: float = 60.0,
        single_worker: frozenset[str] = frozenset(),
    ) -> None:
        self.root = root
        self.extra_env = extra_env
        self.log = log
        self.max_workers = max_workers_per_function
        # Functions that keep one worker at most, a request waiting for it: the API's, whose
        # requests take milliseconds. On a 2-core machine a second copy of each serves no more
        # requests a second and holds 60-80 MiB more (event sources keep their concurrency:
        # two dialers, as the template's SQS source runs them).
        self.single_worker = single_worker
        # A worker idle this long is stopped (Lambda recycles idle environments too): a stack
        # that served many functions once does not keep them all resident.
        self.idle_seconds = idle_seconds
        self._idle_since: dict[int, float] = {}
        self._stopping = threading.Event()
        self._reaper = threading.Thread(target=self._reap_idle, name="reaper", daemon=True)
        self._reaper.start()
        self._idle: dict[str, list[Worker]] = {}
        self._all: list[Worker] = []
        self._lock = threading.Lock()
        self._capacity: dict[str, threading.Semaphore] = {}

    def _environment(self, config: Any) -> dict[str, str]:
        paths = [str(config.code_abs_path)]
        for layer in config.layers or []:
            layer_root = Path(layer.codeuri)
            if not layer_root.is_absolute():
                layer_root = self.root / layer_root
            paths.append(
                str(layer_root / "python") if (layer_root / "python").is_dir() else str(layer_root)
            )
        env = {k: str(v) for k, v in config.env_vars.resolve().items()}
        env.update(self.extra_env)
        env["PYTHONPATH"] = os.pathsep.join(paths)
        env["LAMBDA_TASK_ROOT"] = str(config.code_abs_path)
        env["PATH"] = os.environ.get("PATH", "")
        return env

    def _checkout(self, config: Any) -> Worker:
        with self._lock:
            pool = self._idle.setdefault(config.full_path, [])
            while pool:
                worker = pool.pop()
                if worker.alive:
                    return worker
        worker = Worker(config.handler, self._environment(config), self.log)
        with self._lock:
            stopping = self._stopping.is_set()
            if not stopping:
                self._all.append(worker)
        if stopping:  # `stop` ran while this one started: it would outlive the stack
            worker.stop(timeout=0)
            raise RuntimeError("the local stack is stopping")
        return worker

    def _checkin(self, config: Any, worker: Worker) -> None:
        with self._lock:
            self._idle.setdefault(config.full_path, []).append(worker)
            self._idle_since[id(worker)] = time.monotonic()

    def _reap_idle(self) -> None:
        while not self._stopping.wait(min(5.0, self.idle_seconds)):
            cutoff = time.monotonic() - self.idle_seconds
            with self._lock:
                stale = [
                    w
                    for pool in self._idle.values()
                    for w in pool
                    if self._idle_since.get(id(w), 0) < cutoff
                ]
                for pool in self._idle.values():
                    pool[:] = [w for w in pool if w not in stale]
                self._all = [w for w in self._all if w not in stale]
                for worker in stale:
                    self._idle_since.pop(id(worker), None)
            for worker in stale:
                worker.stop(timeout=2)

    def warm(self, config: Any) -> None:
        """Start a function's first worker ahead of its first request."""
        self._checkin(config, self._checkout(config))

    def invoke(
        self,
        config: Any,
        event: str,
        tenant_id: str | None = None,
        stdout: Any = None,
        stderr: Any = None,
        **_: Any,
    ) -> None:
        with self._lock:
            limit = 1 if config.full_path in self.single_worker else self.max_workers
            capacity = self._capacity.setdefault(
                config.full_path, threading.BoundedSemaphore(limit)
            )
        with capacity:
            if self._stopping.is_set():  # the stack is stopping: no new execution environment
                answer = {"error": {"errorMessage": "stopping", "errorType": "Runtime.Stopping"}}
                self._answer(answer, stdout)
                return
            try:
                worker = self._checkout(config)
            except (InvocationTimeout, RuntimeError) as error:  # its init failed, or a stop
                if not self._stopping.is_set():
                    LOG.warning("%s: no execution environment: %s", config.full_path, error)
                answer = {"error": {"errorMessage": str(error), "errorType": "Runtime.ExitError"}}
                self._answer(answer, stdout)
                return
            try:
                answer, worker = self._invoke_on(config, worker, event)
            except (InvocationTimeout, RuntimeError) as error:
                # Said in the stack's log: the API answers this invocation with a bare 500. Not
                # when the stack is stopping: it stops its workers under what they were doing.
                log = LOG.debug if self._stopping.is_set() else LOG.warning
                log("%s: the invocation failed, its worker is stopped: %s", config.full_path, error)
                worker.process.kill()
                answer = {"error": {"errorMessage": str(error), "errorType": "Runtime.ExitError"}}
            else:
                self._checkin(config, worker)
        self._answer(answer, stdout)

    def _invoke_on(self, config: Any, worker: Worker, event: str) -> tuple[dict[str, Any], Worker]:
        """The answer to `event` and the worker that gave it: `worker`, or a new one when
        `worker` was gone before it took the request (it never saw it: sent again, it runs once).
        A new worker that fails is stopped here."""
        timeout = float(config.timeout or 3)
        try:
            return worker.invoke(event, timeout=timeout), worker
        except WorkerGone as error:
            LOG.warning("%s: %s; sent to a new worker", config.full_path, error)
        fresh = self._checkout(config)
        try:
            return fresh.invoke(event, timeout=timeout), fresh
        except RuntimeError:
            fresh.process.kill()
            raise

    @staticmethod
    def _answer(answer: dict[str, Any], stdout: Any) -> None:
        body = answer["result"] if "result" in answer else answer["error"]
        if stdout is not None:
            stdout.write_str(json.dumps(body))
            stdout.flush()

    def invoke_direct(self, config: Any, event: dict[str, Any]) -> dict[str, Any]:
        """Invoke and return the function's result (or raise with its error): for event sources."""
        captured: dict[str, Any] = {}

        class _Collect:
            def write_str(self, text: str) -> None:
                captured["body"] = json.loads(text)

            def flush(self) -> None:
                pass

        self.invoke(config, json.dumps(event), stdout=_Collect())
        body = captured.get("body")
        if isinstance(body, dict) and "errorType" in body and "errorMessage" in body:
            raise FunctionError(body)
        return body if isinstance(body, dict) else {"result": body}

    def workers(self) -> int:
        """How many worker processes are running."""
        with self._lock:
            return sum(1 for worker in self._all if worker.alive)

    def stop(self, timeout: float = 1.0) -> None:
        """Stop every worker: all are asked at once, and those still busy after `timeout`
        seconds are killed."""
        self._stopping.set()
        with self._lock:
            workers, self._all, self._idle = self._all, [], {}
        for worker in workers:
            worker.close()
        deadline = time.monotonic() + timeout
        for worker in workers:
            worker.stop(timeout=deadline - time.monotonic())


class FunctionError(RuntimeError):
    """The function raised (or its worker died): Lambda's 'function error'."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error.get('errorType')}: {error.get('errorMessage')}")
        self.error = error
