"""One POST of a delivery over HTTP(S), to an address checked beforehand.

The connection goes to one of the addresses `urls.check_url` approved, never to a fresh DNS
answer, so a host that resolves to a public address at the check and to a private one a moment
later (DNS rebinding) still reaches only the approved one; the request keeps the URL's host in
its `Host` header and in TLS (SNI and certificate check). Redirects are not followed (a 3xx is
the answer), and the whole exchange has one deadline.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 10.0
USER_AGENT = "Dialtone-Webhooks/1.0"


@dataclass(frozen=True)
class Answer:
    """What one attempt got: the receiver's status (None when none came), how long it took,
    why it failed when no status came, and the answer's `Retry-After` and `Location`."""

    status_code: int | None
    latency_ms: int
    error: str | None = None
    retry_after: str | None = None
    location: str | None = None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a given address, whatever the host name resolves to now."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """The same over TLS, verifying the certificate for the URL's host name."""

    default_port = http.client.HTTPS_PORT

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, address, timeout)
        self.tls = ssl.create_default_context()

    def connect(self) -> None:
        super().connect()
        self.sock = self.tls.wrap_socket(self.sock, server_hostname=self.host)


def _connection(
    url: str, address: IPv4Address | IPv6Address, timeout: float
) -> tuple[_PinnedHTTPConnection, str]:
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    kind = _PinnedHTTPSConnection if secure else _PinnedHTTPConnection
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return kind(parts.hostname or "", port, str(address), timeout), target


def _failure(error: BaseException, timeout: float) -> str:
    if isinstance(error, TimeoutError):
        return f"Timed out after {timeout:g} s"
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        return f"TLS failed: {error}"
    if isinstance(error, ConnectionError):
        return f"Connection failed: {error.strerror or error}"
    if isinstance(error, http.client.HTTPException):
        return f"Invalid HTTP answer: {type(error).__name__}"
    return f"Connection failed: {error}"


def post(
    url: str,
    addresses: Sequence[IPv4Address | IPv6Address],
    body: bytes,
    headers: Mapping[str, str],
    timeout: float = TIMEOUT_SECONDS,
) -> Answer:
    """POST `body` to `url` at the first of `addresses` that accepts a connection, within
    `timeout` seconds in all; the answer, or why there was none."""
    started = time.monotonic()
    error: BaseException = ConnectionError("no address to connect to")
    for address in addresses:
        connection, target = _connection(url, address, timeout)
        try:
            connection.connect()
        except OSError as failure:  # refused, unreachable, timed out, TLS refused
            connection.close()
            error = failure
            if time.monotonic() - started >= timeout:
                break
            continue
        try:
            return _exchange(connection, target, body, headers, started, timeout)
        except (OSError, http.client.HTTPException) as failure:
            return Answer(None, _elapsed_ms(started), _failure(failure, timeout))
        finally:
            connection.close()
    return Answer(None, _elapsed_ms(started), _failure(error, timeout))


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _exchange(
    connection: _PinnedHTTPConnection,
    target: str,
    body: bytes,
    headers: Mapping[str, str],
    started: float,
    timeout: float,
) -> Answer:
    connection.request(
        "POST",
        target,
        body=body,
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
    )
    # What is left of the deadline bounds the wait for the answer.
    if connection.sock is not None:
        connection.sock.settimeout(max(0.001, timeout - (time.monotonic() - started)))
    response = connection.getresponse()
    # The answer's body is not kept: the status says whether the delivery succeeded.
    return Answer(
        status_code=response.status,
        latency_ms=_elapsed_ms(started),
        retry_after=response.getheader("Retry-After"),
        location=response.getheader("Location"),
    )
