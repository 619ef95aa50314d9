"""`Dialtone` and `AsyncDialtone`: the hand-written layer over the generated operations.

Results are the generated models (`dialtone_client.models`); errors are `dialtone_client.errors`.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar, overload

import httpx

from . import _ops as ops
from ._generated.models import (
    BatchAccepted,
    BatchDryRun,
    BatchStatus,
    Call,
    CallChange,
    CallChanges,
    CallHistory,
    CallIssueReports,
    CallList,
    CallSearchResult,
    CallStats,
    Delivery,
    DeliveryList,
    DialAccepted,
    DialerStatus,
    Grade,
    IssueReport,
    PingQueued,
    RecordingLink,
    Subscription,
    TranscriptExchanges,
    TranscriptTurns,
    WebhookCreated,
    WebhookSecret,
)
from ._generated.types import Unset
from ._retry import AsyncRetryTransport, RetryPolicy, RetryTransport
from .errors import APIConnectionError, APITimeoutError, DialtoneError, error_for
from .webhooks import verify_webhook

T = TypeVar("T")

DEFAULT_BASE_URL = "http://127.0.0.1:3000"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 2
Progress = Callable[[int, int | None], None]  # (bytes so far, total bytes or None)
_CHUNK = 64 * 1024


def _settings(api_key: str | None, base_url: str | None) -> tuple[str, str]:
    key = api_key or os.environ.get("DIALTONE_API_KEY")
    if not key:
        raise DialtoneError("No API key: pass api_key= or set DIALTONE_API_KEY")
    url = base_url or os.environ.get("DIALTONE_API_URL") or DEFAULT_BASE_URL
    return key, url.rstrip("/")


def _headers(api_key: str) -> dict[str, str]:
    return {"X-API-Key": api_key, "User-Agent": "dialtone-client-python"}


def _next(cursor: str | Unset | None) -> str | None:
    return cursor if isinstance(cursor, str) and cursor else None


def _translate(error: httpx.TransportError) -> DialtoneError:
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"No answer in time: {error}")
    return APIConnectionError(f"Connection failed: {error}")


def _merge_search(results: list[CallSearchResult]) -> CallSearchResult:
    merged = CallSearchResult(calls=[], not_found=[])
    for result in results:
        merged.calls.extend(result.calls)
        merged.not_found.extend(result.not_found)
    return merged


def _merge_transcript(first: Any, page: Any) -> Any:
    if isinstance(first, TranscriptExchanges):
        first.exchanges.extend(page.exchanges)
    else:
        first.turns.extend(page.turns)
    first.next_cursor = page.next_cursor
    return first


def _batch_done(batch: BatchStatus) -> bool:
    return batch.status == "completed" or batch.queued + batch.initiated == 0


def _write(
    path: Path, chunks: Iterator[bytes], total: int | None, progress: Progress | None
) -> None:
    done = 0
    partial = path.with_name(path.name + ".part")
    with partial.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    # A download cut halfway never leaves a truncated file under the final name.
    partial.replace(path)


def _total(response: httpx.Response) -> int | None:
    length = response.headers.get("content-length")
    return int(length) if length and length.isdigit() else None


class ChangeFeed(Iterator[CallChange]):
    """The change feed as an iterator of `CallChange`; `cursor` is where it has reached.

    Save `feed.cursor` and pass it back as `changes(cursor=...)` to resume after the last change
    consumed. The iteration ends when the feed has nothing more (`follow=False`), or keeps polling
    every `poll_interval` seconds (`follow=True`).
    """

    def __init__(
        self,
        fetch: Callable[[str | None], CallChanges],
        cursor: str | None,
        follow: bool,
        poll_interval: float,
    ) -> None:
        self._fetch = fetch
        self.cursor = cursor
        self._follow = follow
        self._poll_interval = poll_interval
        self._buffer: list[CallChange] = []
        self._page_cursor = cursor
        self._exhausted = False

    def __iter__(self) -> ChangeFeed:
        return self

    def __next__(self) -> CallChange:
        while not self._buffer:
            if self._exhausted:
                if not self._follow:
                    raise StopIteration
                time.sleep(self._poll_interval)
            page = self._fetch(self._page_cursor)
            self._buffer = list(page.changes)
            self._page_cursor = page.next_cursor
            self._exhausted = not page.has_more
            if not self._buffer:
                self.cursor = page.next_cursor
        change = self._buffer.pop(0)
        if not self._buffer:
            self.cursor = self._page_cursor
        return change


class AsyncChangeFeed(AsyncIterator[CallChange]):
    """The asynchronous twin of `ChangeFeed`: `async for change in feed`, `feed.cursor` resumes."""

    def __init__(
        self,
        fetch: Callable[[str | None], Awaitable[CallChanges]],
        cursor: str | None,
        follow: bool,
        poll_interval: float,
    ) -> None:
        self._fetch = fetch
        self.cursor = cursor
        self._follow = follow
        self._poll_interval = poll_interval
        self._buffer: list[CallChange] = []
        self._page_cursor = cursor
        self._exhausted = False

    def __aiter__(self) -> AsyncChangeFeed:
        return self

    async def __anext__(self) -> CallChange:
        while not self._buffer:
            if self._exhausted:
                if not self._follow:
                    raise StopAsyncIteration
                await asyncio.sleep(self._poll_interval)
            page = await self._fetch(self._page_cursor)
            self._buffer = list(page.changes)
            self._page_cursor = page.next_cursor
            self._exhausted = not page.has_more
            if not self._buffer:
                self.cursor = page.next_cursor
        change = self._buffer.pop(0)
        if not self._buffer:
            self.cursor = self._page_cursor
        return change


class Dialtone:
    """A client of the Dialtone API.

    `api_key` and `base_url` default to the environment's `DIALTONE_API_KEY` and
    `DIALTONE_API_URL`. Idempotent requests are retried `max_retries` times on 429, 5xx and
    network errors with exponential backoff and jitter (honouring `Retry-After`); `timeout` is in
    seconds. Use it as a context manager, or call `close()`.
    """

    verify_webhook = staticmethod(verify_webhook)

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        key, url = _settings(api_key, base_url)
        self.base_url = url
        self._policy = RetryPolicy(max_retries)
        retrying = RetryTransport(self._policy, transport)
        self._http = httpx.Client(
            base_url=url, headers=_headers(key), timeout=timeout, transport=retrying
        )
        # Presigned S3 links carry their own signature: they never see the API key.
        self._files = httpx.Client(
            timeout=timeout,
            transport=RetryTransport(self._policy, transport),
            follow_redirects=True,
        )

    def __enter__(self) -> Dialtone:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._http.close()
        self._files.close()

    def _send(self, op: ops.Op[T]) -> T:
        try:
            response = self._http.request(**op.kwargs, extensions=op.extensions)
        except httpx.TransportError as error:
            raise _translate(error) from error
        if response.status_code >= 400:
            raise error_for(response)
        return op.parse(response)

    # Reading calls

    def get_calls(self, **filters: Any) -> CallList:
        """One page of calls, newest first. Filters and paging as `GET /v1/calls` takes them:
        start_date, end_date, direction, status, outcome, agent_id, batch_id, from_number,
        to_number, phone_number, search, is_test_call, limit, offset, page, page_size, cursor,
        order."""
        return self._send(ops.list_calls_op(filters))

    def iter_calls(self, **filters: Any) -> Iterator[Call]:
        """Every call matching the filters, page after page by cursor (100 a page unless
        `limit`)."""
        filters.setdefault("limit", ops.PAGE_MAX)
        while True:
            page = self.get_calls(**filters)
            yield from page.calls
            cursor = _next(page.next_cursor)
            if cursor is None or not page.calls:
                return
            filters = {**filters, "cursor": cursor, "offset": 0}

    def get_call(self, call_id: str) -> Call:
        """One call."""
        return self._send(ops.get_call_op(call_id))

    def search_calls(self, call_ids: Sequence[str]) -> CallSearchResult:
        """The calls with these ids (any number: sent 100 at a time) and the ids not found."""
        return _merge_search(
            [
                self._send(ops.search_calls_op(chunk))
                for chunk in ops.chunks(call_ids, ops.SEARCH_MAX_IDS)
            ]
        )

    @overload
    def get_transcript(
        self, call_id: str, format: Literal["exchanges"] = ...
    ) -> TranscriptExchanges: ...
    @overload
    def get_transcript(self, call_id: str, format: Literal["turns"]) -> TranscriptTurns: ...
    @overload
    def get_transcript(self, call_id: str, format: Literal["vtt"]) -> str: ...
    def get_transcript(self, call_id: str, format: str = "exchanges") -> Any:
        """The whole transcript: `exchanges` (default), `turns`, or `vtt` (WebVTT text)."""
        result = self._send(ops.transcript_op(call_id, format, None))
        while format != "vtt" and _next(result.next_cursor):
            result = _merge_transcript(
                result, self._send(ops.transcript_op(call_id, format, result.next_cursor))
            )
        return result

    def get_history(self, call_id: str) -> CallHistory:
        """Every structured event of the call, in order."""
        history = self._send(ops.history_op(call_id, None))
        while _next(history.next_cursor):
            page = self._send(ops.history_op(call_id, _next(history.next_cursor)))
            history.events.extend(page.events)
            history.next_cursor = page.next_cursor
        return history

    def get_recording(self, call_id: str, *, expires_in: int | None = None) -> RecordingLink:
        """The recording's presigned URL and its format, size and duration."""
        return self._send(ops.recording_op(call_id, expires_in))

    def download_recording(
        self, call_id: str, path: str | os.PathLike[str], *, progress: Progress | None = None
    ) -> Path:
        """Stream the call's recording to `path`; `progress(bytes_so_far, total_or_None)` is called
        after each chunk. Returns the path."""
        link = self.get_recording(call_id)
        return self._download(link.recording_url, Path(path), progress)

    def _download(self, url: str, path: Path, progress: Progress | None) -> Path:
        try:
            with self._files.stream("GET", url) as response:
                if response.status_code >= 400:
                    response.read()
                    raise error_for(response)
                _write(path, response.iter_bytes(_CHUNK), _total(response), progress)
        except httpx.TransportError as error:
            raise _translate(error) from error
        return path

    def export_calls(
        self,
        export_format: Literal["csv", "json"] = "csv",
        *,
        path: str | os.PathLike[str] | None = None,
        **filters: Any,
    ) -> bytes:
        """The most recent 1,000 completed calls matching the filters as CSV or JSON bytes
        (also written to `path` when given). Follows the API's 303 to a presigned link."""
        response = self._send(ops.export_op(export_format, filters))
        if response.status_code == 303:
            content = self._files.get(response.headers["location"])
            if content.status_code >= 400:
                raise error_for(content)
            response = content
        if path is not None:
            Path(path).write_bytes(response.content)
        return response.content

    def stats(self, **filters: Any) -> CallStats:
        """Call statistics over a date range (start_date, end_date, the list's filters,
        group_by=hour|day|week|agent|direction|status|outcome|batch, compare=previous_period)."""
        return self._send(ops.stats_op(filters))

    def changes(
        self,
        *,
        cursor: str | None = None,
        since: Any = None,
        limit: int = ops.PAGE_MAX,
        follow: bool = False,
        poll_interval: float = 5.0,
    ) -> ChangeFeed:
        """The change feed from `cursor` (a saved `feed.cursor`) or `since` (a datetime):
        an iterator of `CallChange` whose `cursor` attribute resumes after the last one consumed."""
        first = {"since": since}

        def fetch(page_cursor: str | None) -> CallChanges:
            window = first.pop("since", None) if page_cursor is None else None
            return self._send(ops.changes_op(page_cursor, window, limit))

        return ChangeFeed(fetch, cursor, follow, poll_interval)

    # Dialing

    def create_call(
        self,
        to_number: str,
        *,
        from_number: str | None = None,
        agent_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> DialAccepted:
        """Queue one outbound call (202). An `Idempotency-Key` is generated unless given, so a
        retried request dials once."""
        extra = ops.dial_fields(from_number, agent_id, metadata)
        return self._send(ops.create_call_op(to_number, extra, idempotency_key))

    def create_batch(
        self,
        to_numbers: Sequence[str],
        *,
        from_number: str | None = None,
        agent_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> list[BatchAccepted]:
        """Queue a batch of calls; more than 1,000 numbers are sent as several batches (one
        `BatchAccepted` each, in order). Each request carries an Idempotency-Key (`<key>-1`,
        `<key>-2`, ... from yours, else generated), so a retried request queues its batch once."""
        extra = ops.dial_fields(from_number, agent_id, metadata)
        chunks = ops.chunks(list(to_numbers), ops.BATCH_MAX_NUMBERS)
        keys = ops.batch_keys(idempotency_key, len(chunks))
        return [
            self._send(ops.create_batch_op(chunk, extra, key))
            for chunk, key in zip(chunks, keys, strict=True)
        ]

    def dry_run_batch(
        self,
        to_numbers: Sequence[str],
        *,
        from_number: str | None = None,
        agent_id: str | None = None,
    ) -> list[BatchDryRun]:
        """What `create_batch` would do with these numbers (`dry_run=true`): the numbers it would
        dial, skip and defer, one `BatchDryRun` per 1,000 numbers. Stores and dials nothing."""
        extra = {"from_number": from_number, "agent_id": agent_id}
        return [
            self._send(ops.dry_run_batch_op(chunk, extra))
            for chunk in ops.chunks(list(to_numbers), ops.BATCH_MAX_NUMBERS)
        ]

    def get_batch(self, batch_id: str) -> BatchStatus:
        """A batch's counts and calls."""
        return self._send(ops.batch_op(batch_id))

    def wait_for_batch(
        self,
        batch_id: str,
        *,
        poll_interval: float = 2.0,
        timeout: float | None = None,
        progress: Callable[[BatchStatus], None] | None = None,
    ) -> BatchStatus:
        """Poll the batch until no call is queued or dialing; `progress(batch)` after each poll.
        Raises `TimeoutError` after `timeout` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            batch = self.get_batch(batch_id)
            if progress is not None:
                progress(batch)
            if _batch_done(batch):
                return batch
            if deadline is not None and time.monotonic() + poll_interval > deadline:
                raise TimeoutError(
                    f"Batch {batch_id} still has {batch.queued + batch.initiated} calls in progress"
                )
            time.sleep(poll_interval)

    def cancel_call(self, call_id: str) -> Call:
        """Cancel a call still queued."""
        return self._send(ops.cancel_op(call_id))

    def dialer_status(self) -> DialerStatus:
        """The dial queue: rate, backlog, in flight, when it drains."""
        return self._send(ops.dialer_status_op())

    # Quality

    def grade_call(self, call_id: str, *, force: bool = False) -> Grade:
        """Start grading the call (the grade comes back `pending`)."""
        return self._send(ops.grade_op(call_id, force))

    def get_grade(self, call_id: str) -> Grade:
        """The call's latest grade (NotFoundError when never graded)."""
        return self._send(ops.get_grade_op(call_id))

    def create_issue_report(
        self,
        call_id: str,
        title: str,
        *,
        severity: str = "warning",
        description: str | None = None,
        category: str | None = None,
    ) -> IssueReport:
        """File an issue report on a call (severity info|warning|critical)."""
        fields = {
            "title": title,
            "severity": severity,
            "description": description,
            "category": category,
        }
        return self._send(ops.create_issue_report_op(call_id, fields))

    def list_issue_reports(self, call_id: str) -> CallIssueReports:
        """A call's issue reports, newest first."""
        return self._send(ops.call_issue_reports_op(call_id))

    def iter_issue_reports(self, **filters: Any) -> Iterator[IssueReport]:
        """The tenant's issue reports (severity, category, source, start_date, end_date),
        every page."""
        filters.setdefault("limit", ops.PAGE_MAX)
        while True:
            feed = self._send(ops.issue_reports_op(filters))
            yield from feed.issue_reports
            cursor = _next(feed.next_cursor)
            if cursor is None:
                return
            filters = {**filters, "cursor": cursor}

    # Webhooks

    def create_webhook(
        self, url: str, events: Sequence[str], *, description: str | None = None
    ) -> WebhookCreated:
        """Subscribe `url` to `events`; the answer carries the signing secret, shown once."""
        return self._send(
            ops.create_webhook_op({"url": url, "events": list(events), "description": description})
        )

    def list_webhooks(self) -> list[Subscription]:
        """Every webhook subscription."""
        found: list[Subscription] = []
        cursor: str | None = None
        while True:
            page = self._send(ops.list_webhooks_op(ops.PAGE_MAX, cursor))
            found.extend(page.webhooks)
            cursor = _next(page.next_cursor)
            if cursor is None:
                return found

    def get_webhook(self, webhook_id: str) -> Subscription:
        """One subscription."""
        return self._send(ops.get_webhook_op(webhook_id))

    def update_webhook(
        self,
        webhook_id: str,
        *,
        url: str | None = None,
        events: Sequence[str] | None = None,
        enabled: bool | None = None,
        description: str | None = None,
    ) -> Subscription:
        """Change what is given of a subscription."""
        fields = {
            "url": url,
            "events": list(events) if events is not None else None,
            "enabled": enabled,
            "description": description,
        }
        return self._send(ops.update_webhook_op(webhook_id, fields))

    def delete_webhook(self, webhook_id: str) -> None:
        """Remove a subscription."""
        self._send(ops.delete_webhook_op(webhook_id))

    def rotate_webhook_secret(self, webhook_id: str) -> WebhookSecret:
        """A new signing secret (the old one keeps signing for 24 hours)."""
        return self._send(ops.rotate_webhook_op(webhook_id))

    def test_webhook(self, webhook_id: str) -> PingQueued:
        """Send a test event to the subscription."""
        return self._send(ops.test_webhook_op(webhook_id))

    def list_webhook_deliveries(
        self, webhook_id: str, *, limit: int = 20, cursor: str | None = None
    ) -> DeliveryList:
        """One page of a subscription's deliveries and their attempts."""
        return self._send(ops.deliveries_op(webhook_id, limit, cursor))

    def retry_webhook_delivery(self, webhook_id: str, delivery_id: str) -> Delivery:
        """Send a delivery again."""
        return self._send(ops.retry_delivery_op(webhook_id, delivery_id))


class AsyncDialtone:
    """The asynchronous twin of `Dialtone`: the same methods, awaited (iterators are async)."""

    verify_webhook = staticmethod(verify_webhook)

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        key, url = _settings(api_key, base_url)
        self.base_url = url
        self._policy = RetryPolicy(max_retries)
        retrying = AsyncRetryTransport(self._policy, transport)
        self._http = httpx.AsyncClient(
            base_url=url, headers=_headers(key), timeout=timeout, transport=retrying
        )
        self._files = httpx.AsyncClient(
            timeout=timeout,
            transport=AsyncRetryTransport(self._policy, transport),
            follow_redirects=True,
        )

    async def __aenter__(self) -> AsyncDialtone:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connections."""
        await self._http.aclose()
        await self._files.aclose()

    async def _send(self, op: ops.Op[T]) -> T:
        try:
            response = await self._http.request(**op.kwargs, extensions=op.extensions)
        except httpx.TransportError as error:
            raise _translate(error) from error
        if response.status_code >= 400:
            raise error_for(response)
        return op.parse(response)

    async def get_calls(self, **filters: Any) -> CallList:
        """One page of calls (see `Dialtone.get_calls`)."""
        return await self._send(ops.list_calls_op(filters))

    async def iter_calls(self, **filters: Any) -> AsyncIterator[Call]:
        """Every call matching the filters, by cursor."""
        filters.setdefault("limit", ops.PAGE_MAX)
        while True:
            page = await self.get_calls(**filters)
            for call in page.calls:
                yield call
            cursor = _next(page.next_cursor)
            if cursor is None or not page.calls:
                return
            filters = {**filters, "cursor": cursor, "offset": 0}

    async def get_call(self, call_id: str) -> Call:
        """One call."""
        return await self._send(ops.get_call_op(call_id))

    async def search_calls(self, call_ids: Sequence[str]) -> CallSearchResult:
        """The calls with these ids (sent 100 at a time) and the ids not found."""
        return _merge_search(
            [
                await self._send(ops.search_calls_op(chunk))
                for chunk in ops.chunks(call_ids, ops.SEARCH_MAX_IDS)
            ]
        )

    @overload
    async def get_transcript(
        self, call_id: str, format: Literal["exchanges"] = ...
    ) -> TranscriptExchanges: ...
    @overload
    async def get_transcript(self, call_id: str, format: Literal["turns"]) -> TranscriptTurns: ...
    @overload
    async def get_transcript(self, call_id: str, format: Literal["vtt"]) -> str: ...
    async def get_transcript(self, call_id: str, format: str = "exchanges") -> Any:
        """The whole transcript: `exchanges` (default), `turns`, or `vtt`."""
        result = await self._send(ops.transcript_op(call_id, format, None))
        while format != "vtt" and _next(result.next_cursor):
            result = _merge_transcript(
                result, await self._send(ops.transcript_op(call_id, format, result.next_cursor))
            )
        return result

    async def get_recording(self, call_id: str, *, expires_in: int | None = None) -> RecordingLink:
        """The recording's presigned URL and its format, size and duration."""
        return await self._send(ops.recording_op(call_id, expires_in))

    async def download_recording(
        self, call_id: str, path: str | os.PathLike[str], *, progress: Progress | None = None
    ) -> Path:
        """Stream the call's recording to `path` (see `Dialtone.download_recording`)."""
        link = await self.get_recording(call_id)
        target = Path(path)
        partial = target.with_name(target.name + ".part")
        done = 0
        try:
            async with self._files.stream("GET", link.recording_url) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise error_for(response)
                total = _total(response)
                with partial.open("wb") as out:
                    async for chunk in response.aiter_bytes(_CHUNK):
                        out.write(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(done, total)
        except httpx.TransportError as error:
            raise _translate(error) from error
        partial.replace(target)
        return target

    async def create_call(
        self,
        to_number: str,
        *,
        from_number: str | None = None,
        agent_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> DialAccepted:
        """Queue one outbound call (an Idempotency-Key is generated unless given)."""
        extra = ops.dial_fields(from_number, agent_id, metadata)
        return await self._send(ops.create_call_op(to_number, extra, idempotency_key))

    async def create_batch(
        self,
        to_numbers: Sequence[str],
        *,
        from_number: str | None = None,
        agent_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> list[BatchAccepted]:
        """Queue a batch of calls, 1,000 numbers per request (see `Dialtone.create_batch`)."""
        extra = ops.dial_fields(from_number, agent_id, metadata)
        chunks = ops.chunks(list(to_numbers), ops.BATCH_MAX_NUMBERS)
        keys = ops.batch_keys(idempotency_key, len(chunks))
        return [
            await self._send(ops.create_batch_op(chunk, extra, key))
            for chunk, key in zip(chunks, keys, strict=True)
        ]

    async def dry_run_batch(
        self,
        to_numbers: Sequence[str],
        *,
        from_number: str | None = None,
        agent_id: str | None = None,
    ) -> list[BatchDryRun]:
        """What `create_batch` would do with these numbers, 1,000 numbers per request."""
        extra = {"from_number": from_number, "agent_id": agent_id}
        return [
            await self._send(ops.dry_run_batch_op(chunk, extra))
            for chunk in ops.chunks(list(to_numbers), ops.BATCH_MAX_NUMBERS)
        ]

    async def get_batch(self, batch_id: str) -> BatchStatus:
        """A batch's counts and calls."""
        return await self._send(ops.batch_op(batch_id))

    async def stats(self, **filters: Any) -> CallStats:
        """Call statistics (see `Dialtone.stats`)."""
        return await self._send(ops.stats_op(filters))

    async def grade_call(self, call_id: str, *, force: bool = False) -> Grade:
        """Start grading the call."""
        return await self._send(ops.grade_op(call_id, force))

    async def get_grade(self, call_id: str) -> Grade:
        """The call's latest grade."""
        return await self._send(ops.get_grade_op(call_id))

    async def create_issue_report(
        self,
        call_id: str,
        title: str,
        *,
        severity: str = "warning",
        description: str | None = None,
        category: str | None = None,
    ) -> IssueReport:
        """File an issue report on a call."""
        fields = {
            "title": title,
            "severity": severity,
            "description": description,
            "category": category,
        }
        return await self._send(ops.create_issue_report_op(call_id, fields))

    async def list_issue_reports(self, call_id: str) -> CallIssueReports:
        """A call's issue reports, newest first."""
        return await self._send(ops.call_issue_reports_op(call_id))

    async def create_webhook(
        self, url: str, events: Sequence[str], *, description: str | None = None
    ) -> WebhookCreated:
        """Subscribe `url` to `events`."""
        return await self._send(
            ops.create_webhook_op({"url": url, "events": list(events), "description": description})
        )

    async def get_webhook(self, webhook_id: str) -> Subscription:
        """One subscription."""
        return await self._send(ops.get_webhook_op(webhook_id))

    async def delete_webhook(self, webhook_id: str) -> None:
        """Remove a subscription."""
        await self._send(ops.delete_webhook_op(webhook_id))

    async def get_history(self, call_id: str) -> CallHistory:
        """Every structured event of the call, in order."""
        history = await self._send(ops.history_op(call_id, None))
        while _next(history.next_cursor):
            page = await self._send(ops.history_op(call_id, _next(history.next_cursor)))
            history.events.extend(page.events)
            history.next_cursor = page.next_cursor
        return history

    async def export_calls(
        self,
        export_format: Literal["csv", "json"] = "csv",
        *,
        path: str | os.PathLike[str] | None = None,
        **filters: Any,
    ) -> bytes:
        """The export as bytes (see `Dialtone.export_calls`)."""
        response = await self._send(ops.export_op(export_format, filters))
        if response.status_code == 303:
            response = await self._files.get(response.headers["location"])
            if response.status_code >= 400:
                raise error_for(response)
        if path is not None:
            Path(path).write_bytes(response.content)
        return response.content

    def changes(
        self,
        *,
        cursor: str | None = None,
        since: Any = None,
        limit: int = ops.PAGE_MAX,
        follow: bool = False,
        poll_interval: float = 5.0,
    ) -> AsyncChangeFeed:
        """The change feed from `cursor` or `since` (see `Dialtone.changes`), iterated with
        `async for`; its `cursor` attribute resumes after the last change consumed."""
        first = {"since": since}

        async def fetch(page_cursor: str | None) -> CallChanges:
            window = first.pop("since", None) if page_cursor is None else None
            return await self._send(ops.changes_op(page_cursor, window, limit))

        return AsyncChangeFeed(fetch, cursor, follow, poll_interval)

    async def wait_for_batch(
        self,
        batch_id: str,
        *,
        poll_interval: float = 2.0,
        timeout: float | None = None,
        progress: Callable[[BatchStatus], None] | None = None,
    ) -> BatchStatus:
        """Poll the batch until no call is queued or dialing (see `Dialtone.wait_for_batch`)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            batch = await self.get_batch(batch_id)
            if progress is not None:
                progress(batch)
            if _batch_done(batch):
                return batch
            if deadline is not None and time.monotonic() + poll_interval > deadline:
                in_progress = batch.queued + batch.initiated
                raise TimeoutError(f"Batch {batch_id} still has {in_progress} calls in progress")
            await asyncio.sleep(poll_interval)

    async def cancel_call(self, call_id: str) -> Call:
        """Cancel a call still queued."""
        return await self._send(ops.cancel_op(call_id))

    async def dialer_status(self) -> DialerStatus:
        """The dial queue: rate, backlog, in flight, when it drains."""
        return await self._send(ops.dialer_status_op())

    async def iter_issue_reports(self, **filters: Any) -> AsyncIterator[IssueReport]:
        """The tenant's issue reports, every page."""
        filters.setdefault("limit", ops.PAGE_MAX)
        while True:
            feed = await self._send(ops.issue_reports_op(filters))
            for report in feed.issue_reports:
                yield report
            cursor = _next(feed.next_cursor)
            if cursor is None:
                return
            filters = {**filters, "cursor": cursor}

    async def list_webhooks(self) -> list[Subscription]:
        """Every webhook subscription."""
        found: list[Subscription] = []
        cursor: str | None = None
        while True:
            page = await self._send(ops.list_webhooks_op(ops.PAGE_MAX, cursor))
            found.extend(page.webhooks)
            cursor = _next(page.next_cursor)
            if cursor is None:
                return found

    async def update_webhook(
        self,
        webhook_id: str,
        *,
        url: str | None = None,
        events: Sequence[str] | None = None,
        enabled: bool | None = None,
        description: str | None = None,
    ) -> Subscription:
        """Change what is given of a subscription."""
        fields = {
            "url": url,
            "events": list(events) if events is not None else None,
            "enabled": enabled,
            "description": description,
        }
        return await self._send(ops.update_webhook_op(webhook_id, fields))

    async def rotate_webhook_secret(self, webhook_id: str) -> WebhookSecret:
        """A new signing secret (the old one keeps signing for 24 hours)."""
        return await self._send(ops.rotate_webhook_op(webhook_id))

    async def test_webhook(self, webhook_id: str) -> PingQueued:
        """Send a test event to the subscription."""
        return await self._send(ops.test_webhook_op(webhook_id))

    async def list_webhook_deliveries(
        self, webhook_id: str, *, limit: int = 20, cursor: str | None = None
    ) -> DeliveryList:
        """One page of a subscription's deliveries and their attempts."""
        return await self._send(ops.deliveries_op(webhook_id, limit, cursor))

    async def retry_webhook_delivery(self, webhook_id: str, delivery_id: str) -> Delivery:
        """Send a delivery again."""
        return await self._send(ops.retry_delivery_op(webhook_id, delivery_id))
