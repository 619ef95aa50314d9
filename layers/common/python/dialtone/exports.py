"""Exports of a tenant's calls (`GET /v1/calls/export`): the most recent completed calls that
match the list's filters, as CSV (metadata only, safe to open in a spreadsheet) or as JSON (the
call objects of the list, each with its transcript).

The body is written call by call into a spooled file, so memory holds one chunk of calls (and
one transcript) at a time, never the whole export. An export that fits in an API response is
answered in it; a larger one is stored in the recordings bucket (`dialtone.recordings`) and
answered with a short-lived link to it.

CSV columns: the call object's fields in order, without `recording_url` (a link that expires
within minutes), `queue_position` and `dial_at_estimate` (which only a queued call has);
`analysis`, `cost` and `latency` are flattened into `analysis_<field>`, `cost_<field>` and
`latency_<stage>_<statistic>` columns; `metadata`, `provider_usage` and `cost_breakdown` are
JSON text. Every text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
is prefixed with `'` (OWASP's advice against CSV injection), phone numbers included: a cell
`+14155550100` is evaluated by a spreadsheet as a formula, so it reads `'+14155550100`. Numbers
and booleans are written as such and never prefixed.
"""

from __future__ import annotations

import csv
import functools
import json
import tempfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from types import TracebackType
from typing import Any

from pydantic import Field

from dialtone import settings
from dialtone.auth import Principal, Scope
from dialtone.call_filters import CallFilterParams, build_filters
from dialtone.call_responses import CallWithTranscript
from dialtone.calls import CallReader, CallsReaderSettings
from dialtone.model_types import CallStatus
from dialtone.models import Call, CallAnalysis, CallCost, CallLatency, Exchange, LatencyStats
from dialtone.store import CallStore


class ExportSettings(CallsReaderSettings):
    """`GET /v1/calls/export`: how large an export may be to be answered in the response (its
    size once JSON-encoded in Lambda's response, which API Gateway caps at 6 MB), and how long
    the link to a larger one, stored in the recordings bucket, lives."""

    export_inline_max_bytes: int = Field(
        alias="EXPORT_INLINE_MAX_BYTES", default=5_000_000, ge=1, le=5_500_000
    )
    export_url_ttl_seconds: int = Field(alias="EXPORT_URL_TTL_SECONDS", default=900, ge=60, le=3600)


MAX_CALLS = 1000
"""How many calls an export holds at most: the most recent ones."""

# Transcripts read at once, and how far ahead of the call being written they may be read (the
# shared DynamoDB client keeps 10 connections).
TRANSCRIPT_READERS = 8
TRANSCRIPTS_AHEAD = 32

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"

# A spreadsheet evaluates a cell starting with one of these as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Fields of the call object left out of the CSV (see the module's docstring).
_NOT_IN_CSV = frozenset({"recording_url", "queue_position", "dial_at_estimate"})
# Fields flattened into one column per member, by their model.
_FLATTENED = {"analysis": CallAnalysis, "cost": CallCost}


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


class ExportCallsParams(CallFilterParams):
    """`GET /v1/calls/export` query parameters: the format and the list's filters (paging
    parameters do not apply and are ignored, as is any unknown parameter)."""

    export_format: ExportFormat


@dataclass(frozen=True)
class CallsExport:
    """An export: its body when it fits in a response, else a link to it (`url`)."""

    filename: str
    content_type: str
    body: str | None = None
    url: str | None = None

    @property
    def content_disposition(self) -> str:
        return f'attachment; filename="{self.filename}"'


# CSV


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows as text: one that would start a formula is prefixed by `'`."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@functools.cache
def csv_columns() -> tuple[str, ...]:
    """The CSV header: every exported field of the call object, nested ones flattened."""
    columns: list[str] = []
    for name in Call.model_fields:
        if name in _NOT_IN_CSV:
            continue
        if name in _FLATTENED:
            columns += [f"{name}_{member}" for member in _FLATTENED[name].model_fields]
        elif name == "latency":
            columns += [
                f"latency_{stage}_{statistic}"
                for stage in CallLatency.model_fields
                for statistic in LatencyStats.model_fields
            ]
        else:
            columns.append(name)
    return tuple(columns)


def _flat_values(call: Call) -> dict[str, Any]:
    """The call's JSON values by CSV column (a missing nested object has no values)."""
    values = call.model_dump(mode="json")
    flat: dict[str, Any] = {}
    for name, value in values.items():
        if name in _FLATTENED or name == "latency":
            for member, inner in (value or {}).items():
                if name == "latency":
                    flat.update({f"latency_{member}_{k}": v for k, v in (inner or {}).items()})
                else:
                    flat[f"{name}_{member}"] = inner
        else:
            flat[name] = value
    return flat


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)  # a number is not a formula, however it starts (-1.5)
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return spreadsheet_safe(str(value))


def csv_row(call: Call) -> list[str]:
    """A call's CSV cells, in the order of `csv_columns()`."""
    flat = _flat_values(call)
    return [_cell(flat.get(column)) for column in csv_columns()]


# The body


class _Body:
    """The export's bytes as they are written: in memory up to the inline limit, on disk past
    it, with the size they take in Lambda's JSON-encoded response (where `"` takes two bytes
    and a non-ASCII character up to twelve), which is what API Gateway's 6 MB limit counts."""

    def __init__(self, inline_max_bytes: int) -> None:
        self.inline_max_bytes = inline_max_bytes
        # UTF-8 never takes more bytes than the encoded response: a body that fits stays here.
        self.file = tempfile.SpooledTemporaryFile(max_size=inline_max_bytes)  # noqa: SIM115
        self.encoded_size = 0

    def __enter__(self) -> _Body:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.file.close()

    def write(self, text: str) -> None:
        self.file.write(text.encode("utf-8"))
        if self.fits:
            # Measured only while it may still fit: past the limit, the size no longer matters.
            self.encoded_size += len(json.dumps(text)) - 2

    @property
    def fits(self) -> bool:
        return self.encoded_size <= self.inline_max_bytes

    def text(self) -> str:
        self.file.seek(0)
        return self.file.read().decode("utf-8")


class CallExporter:
    """Exports a principal's calls; stores an export too large for a response in the bucket."""

    def __init__(
        self,
        reader: CallReader,
        bucket: str,
        inline_max_bytes: int = 5_000_000,
        url_ttl_seconds: int = 900,
    ) -> None:
        self.reader = reader
        self.bucket = bucket
        self.inline_max_bytes = inline_max_bytes
        self.url_ttl_seconds = url_ttl_seconds

    def export(
        self, principal: Principal, params: ExportCallsParams, today: date | None = None
    ) -> CallsExport:
        """The most recent MAX_CALLS completed calls that match the filters, newest first: the
        body when it fits in a response, else a presigned link to it in the bucket."""
        principal.require(Scope.CALLS_READ)
        extension = params.export_format.value
        day = today or datetime.now(UTC).date()
        filename = f"calls-export-{day.isoformat()}.{extension}"
        is_csv = params.export_format is ExportFormat.CSV
        content_type = CSV_CONTENT_TYPE if is_csv else JSON_CONTENT_TYPE
        calls = self._calls(principal.tenant_id, params)
        with _Body(self.inline_max_bytes) as body:
            if is_csv:
                self._write_csv(body, calls)
            else:
                self._write_json(body, calls, principal.tenant_id)
            if body.fits:
                return CallsExport(filename, content_type, body=body.text())
            url = self._store(body, principal.tenant_id, filename, content_type)
        return CallsExport(filename, content_type, url=url)

    def _calls(self, tenant_id: str, params: CallFilterParams) -> Iterator[Call]:
        """The calls to export, read a chunk at a time, newest first."""
        from dialtone import listing

        filters = build_filters(params)
        if filters.status not in (None, CallStatus.COMPLETED):
            return  # only completed calls are exported: none has another status too
        filters = filters._replace(status=CallStatus.COMPLETED)
        streams = listing.plan_streams(tenant_id, filters, ascending=False)
        for stored in listing.iter_calls(self.reader.store, streams, MAX_CALLS, ascending=False):
            yield self.reader.public_call(stored)

    def _write_csv(self, body: _Body, calls: Iterator[Call]) -> None:
        # A byte-order mark tells a spreadsheet the file is UTF-8 (Excel guesses otherwise).
        body.write("\ufeff")
        writer = csv.writer(body, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(csv_columns())
        for call in calls:
            writer.writerow(csv_row(call))

    def _write_json(self, body: _Body, calls: Iterator[Call], tenant_id: str) -> None:
        body.write('{"calls":[')
        for number, (call, exchanges) in enumerate(self._with_transcripts(calls, tenant_id)):
            # The list's call object, field for field, with its transcript (as get_call gives it).
            # The whole transcript is here, so `transcript_truncated` says nothing: left out.
            item = CallWithTranscript.model_construct(**dict(call), transcript=exchanges)
            json_item = item.model_dump_json(exclude={"transcript_truncated"})
            body.write(("," if number else "") + json_item)
        body.write("]}")

    def _with_transcripts(
        self, calls: Iterator[Call], tenant_id: str
    ) -> Iterator[tuple[Call, list[Exchange]]]:
        """Each call with its transcript, in order. Transcripts are read a few at a time
        (a thousand Queries one after the other would take most of the request's time), at
        most TRANSCRIPTS_AHEAD ahead of the call being written, so memory stays bounded."""
        from concurrent.futures import Future, ThreadPoolExecutor

        pending: deque[tuple[Call, Future[list[Exchange]]]] = deque()
        with ThreadPoolExecutor(max_workers=TRANSCRIPT_READERS) as pool:
            for call in calls:
                read = pool.submit(self.reader.store.list_exchanges, tenant_id, call.id)
                pending.append((call, read))
                if len(pending) >= TRANSCRIPTS_AHEAD:
                    first, exchanges = pending.popleft()
                    yield first, exchanges.result()
            while pending:
                first, exchanges = pending.popleft()
                yield first, exchanges.result()

    def _store(self, body: _Body, tenant_id: str, filename: str, content_type: str) -> str:
        from dialtone.recordings import export_key, store_export

        body.file.seek(0)
        key = export_key(tenant_id, filename)
        return store_export(
            self.bucket, key, body.file, content_type, filename, self.url_ttl_seconds
        )


@settings.per_environment
def exporter() -> CallExporter:
    """The exporter of export_calls."""
    config = settings.load(ExportSettings)
    reader = CallReader(
        CallStore(config.calls_table), config.recordings_bucket, config.recording_url_ttl_seconds
    )
    return CallExporter(
        reader,
        config.recordings_bucket,
        config.export_inline_max_bytes,
        config.export_url_ttl_seconds,
    )
