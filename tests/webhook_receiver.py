"""A webhook receiver for tests: a real HTTP server on 127.0.0.1 (a free port) in a thread, that
answers from a script and keeps every request it got."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """One scripted answer: a status, headers, and how long to wait before answering."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0


@dataclass(frozen=True)
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    at: float  # time.monotonic()


class Receiver:
    """Answers each POST with the next scripted reply (then `default`), and records it."""

    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or Reply()
        self.script: list[Reply] = []
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                reply = receiver._next(self.path, dict(self.headers.items()), body)
                if reply.delay_seconds:
                    time.sleep(reply.delay_seconds)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the tests read `received`."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/dialtone"

    def _next(self, path: str, headers: dict[str, str], body: bytes) -> Reply:
        with self._arrived:
            self.received.append(
                Received(path, {k.lower(): v for k, v in headers.items()}, body, time.monotonic())
            )
            self._arrived.notify_all()
            return self.script.pop(0) if self.script else self.default

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        """The requests received once there are `count` of them (or all when time runs out)."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)
            return list(self.received)

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def receiving(*script: Reply) -> Iterator[Receiver]:
    """A started receiver answering `script` first, then 200; stopped afterwards."""
    receiver = Receiver()
    receiver.script.extend(script)
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()
