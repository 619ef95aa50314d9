"""HTTP/1.1 keep-alive for the local servers (the embedded AWS endpoint, SAM's API Gateway
emulator), both werkzeug's development server.

werkzeug answers every request with `Connection: close`: Python's http.server does not drain a
request body the application left unread, which would be taken for the next request's line.
So each AWS call of a function, and each API request, opened a TCP connection and a server
thread of its own, as no client of AWS or of API Gateway does. Here the body is read whole
before the application runs (its `Content-Length`; a chunked or very large body still closes
the connection after it), so the connection can serve the next request; the thread serving it
waits for that request. `stop` closes the connections still open, so that a stopped server
answers nothing more.
"""

from __future__ import annotations

import contextlib
import io
import socket
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

# A body up to this size is read ahead of the application (the local stack's largest are
# recordings of a few MB); a larger one is left to the application, and its connection closed.
MAX_READ_AHEAD = 32 * 1024 * 1024


def keep_alive(
    handler: type[WSGIRequestHandler], connections: _Connections
) -> type[WSGIRequestHandler]:
    """`handler` keeping its connection open after an answer to a request whose body it read,
    and listing it in `connections` while it is open."""

    class KeepAlive(handler):  # type: ignore[valid-type,misc]
        rfile: io.BufferedIOBase
        reusable = False

        def setup(self) -> None:
            super().setup()
            # An answer's headers and body go out in separate writes: without this, on a
            # connection kept open the body waits for the client's delayed acknowledgement.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connections.add(self.connection)

        def finish(self) -> None:
            connections.discard(self.connection)
            super().finish()

        def handle_one_request(self) -> None:
            self.reusable = False  # until this request's body is read whole
            connection_stream = self.rfile
            try:
                super().handle_one_request()
            finally:
                self.rfile = connection_stream

        def make_environ(self) -> dict[str, Any]:
            environ: dict[str, Any] = super().make_environ()
            self.reusable = _read_ahead(environ, self.rfile)
            if self.reusable:
                # After answering, werkzeug discards what is left to read on the connection
                # (expecting to close it): that is the next request now, so it reads nothing.
                self.rfile = io.BytesIO()
            return environ

        def send_header(self, keyword: str, value: str) -> None:
            closing = keyword.lower() == "connection" and value.lower() == "close"
            if closing and self.reusable and not self.close_connection:
                return  # the body was read whole: the next request may follow on this connection
            super().send_header(keyword, value)

    KeepAlive.__name__ = KeepAlive.__qualname__ = f"KeepAlive{handler.__name__}"
    return KeepAlive


def _read_ahead(environ: dict[str, Any], stream: io.BufferedIOBase) -> bool:
    """Read the request's body into `environ["wsgi.input"]`; whether the connection can then
    carry another request (False for a chunked body, an unreadable length or a large one)."""
    if environ.get("HTTP_TRANSFER_ENCODING", "").strip():
        return False
    text = str(environ.get("CONTENT_LENGTH") or "0").strip()
    try:
        length = int(text)
    except ValueError:
        return False
    if length < 0 or length > MAX_READ_AHEAD:
        return False
    body = stream.read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return len(body) == length


class _Connections:
    """The sockets a server has open, closed together when it stops."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()

    def add(self, connection: socket.socket) -> None:
        with self._lock:
            self._open.add(connection)

    def discard(self, connection: socket.socket) -> None:
        with self._lock:
            self._open.discard(connection)

    def close_all(self) -> None:
        with self._lock:
            connections, self._open = list(self._open), set()
        for connection in connections:
            with contextlib.suppress(OSError):  # closed by its client meanwhile
                connection.shutdown(socket.SHUT_RDWR)


class KeepAliveServer:
    """A threaded werkzeug server of `app` on 127.0.0.1, its connections kept alive, served
    from a background thread once `start`ed."""

    def __init__(
        self, app: Any, port: int = 0, handler: type[WSGIRequestHandler] = WSGIRequestHandler
    ) -> None:
        self.connections = _Connections()
        self.server: BaseWSGIServer = make_server(
            "127.0.0.1",
            port,
            app,
            threaded=True,
            request_handler=keep_alive(handler, self.connections),
        )
        self.port: int = self.server.server_port
        self._thread: threading.Thread | None = None

    def start(self) -> KeepAliveServer:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5) -> None:
        """Stop taking connections, close those open, and release the port."""
        if self._thread is not None:  # (shutdown waits for a serving loop to end)
            self.server.shutdown()
        self.connections.close_all()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
