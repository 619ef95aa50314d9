"""Retries at the transport: exponential backoff with jitter on 429/5xx and network errors.

Only requests that are safe to repeat are retried: GET/HEAD/OPTIONS/PUT/DELETE, a POST that carries
an `Idempotency-Key` (the server answers a repeat with the first answer), and a POST the client
marks as a read (`extensions={"dialtone_retry": True}`, e.g. the search). A `Retry-After`
header sets the wait when the server gives one.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from datetime import UTC, datetime

import httpx

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

# Looked up at call time so that tests can replace them.
_sleep = time.sleep
_async_sleep = asyncio.sleep


class RetryPolicy:
    """How many times, and how long to wait, before repeating a request."""

    def __init__(
        self,
        max_retries: int = 2,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        max_retry_after: float = 60.0,
    ) -> None:
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after

    def repeatable(self, request: httpx.Request) -> bool:
        """Whether sending the request twice does what sending it once does."""
        return (
            request.method in SAFE_METHODS
            or "idempotency-key" in request.headers
            or bool(request.extensions.get("dialtone_retry"))
        )

    def after_error(self, request: httpx.Request, attempt: int) -> float | None:
        """The wait before the next attempt after a network error, or None to give up."""
        if attempt >= self.max_retries or not self.repeatable(request):
            return None
        return self._backoff(attempt)

    def after_response(
        self, request: httpx.Request, response: httpx.Response, attempt: int
    ) -> float | None:
        """The wait before the next attempt after this answer, or None to keep the answer."""
        if response.status_code not in RETRY_STATUSES or attempt >= self.max_retries:
            return None
        if not self.repeatable(request):
            return None
        retry_after = _retry_after(response)
        if retry_after is None:
            return self._backoff(attempt)
        # A server asking for a longer pause than we are willing to block for gets its error back.
        return retry_after if retry_after <= self.max_retry_after else None

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.max_backoff, self.backoff * 2.0**attempt)
        # Jitter spreads clients that failed together so they do not retry together.
        return ceiling * (0.5 + random.random() / 2)  # noqa: S311 (not a secret)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class RetryTransport(httpx.BaseTransport):
    """Wraps a transport and repeats what the policy allows."""

    def __init__(self, policy: RetryPolicy, inner: httpx.BaseTransport | None = None) -> None:
        self._policy = policy
        self._inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = self._inner.handle_request(request)
            except httpx.TransportError:
                wait = self._policy.after_error(request, attempt)
                if wait is None:
                    raise
            else:
                wait = self._policy.after_response(request, response, attempt)
                if wait is None:
                    return response
                response.close()
            _sleep(wait)
            attempt += 1

    def close(self) -> None:
        self._inner.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """The asynchronous twin of `RetryTransport`."""

    def __init__(self, policy: RetryPolicy, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._policy = policy
        self._inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = await self._inner.handle_async_request(request)
            except httpx.TransportError:
                wait = self._policy.after_error(request, attempt)
                if wait is None:
                    raise
            else:
                wait = self._policy.after_response(request, response, attempt)
                if wait is None:
                    return response
                await response.aclose()
            await _async_sleep(wait)
            attempt += 1

    async def aclose(self) -> None:
        await self._inner.aclose()
