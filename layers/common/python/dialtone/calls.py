"""The rules of reading calls: listing, one call, its transcript and its recording.

Handlers call these with the principal and validated parameters; these return API models.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from dialtone import aws, settings
from dialtone.auth import Principal, Scope
from dialtone.call_filters import CallFilterParams, build_filters
from dialtone.call_responses import (
    CallHistory,
    CallList,
    CallSearchResult,
    CallWithTranscript,
    RecordingLink,
    TranscriptExchanges,
    TranscriptTurns,
    Turn,
)
from dialtone.errors import InvalidCursor, InvalidParameter, RecordingNotAvailable
from dialtone.model_types import CallStatus, SortOrder
from dialtone.models import Call, Exchange, HistoryEvent, HistoryEventType, apply_patches
from dialtone.settings import EnvSettings
from dialtone.store import CallStore, StoredCall

if TYPE_CHECKING:
    from dialtone import call_pages, listing
    from dialtone.analytics.totals import TotalCounter
    from dialtone.dialing.status import DialQueueView
    from dialtone.pagination import CursorCodec
    from dialtone.store import QueryStream


class CallsReaderSettings(EnvSettings):
    """What every calls reader needs: the calls table and the recordings bucket."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    recordings_bucket: str = Field(alias="RECORDINGS_BUCKET", min_length=1)
    recording_url_ttl_seconds: int = Field(
        alias="RECORDING_URL_TTL_SECONDS", default=900, ge=60, le=3600
    )


class CallsListSettings(CallsReaderSettings):
    """Listing also signs pagination cursors with a secret of its own."""

    cursor_secret_arn: str = Field(alias="CURSOR_SECRET_ARN", min_length=1)
    # `total` comes from the rollups the stream consumer keeps there.
    analytics_table: str = Field(alias="ANALYTICS_TABLE", min_length=1)


class PagedReaderSettings(CallsReaderSettings):
    """A call's transcript and history pages sign their cursors with the listing's secret."""

    cursor_secret_arn: str = Field(alias="CURSOR_SECRET_ARN", min_length=1)


_CURSOR_VERSION = 1
# The deepest `offset` (and `page`) a list serves: a page at offset N reads the N calls before
# it too, so deeper than this a client pages with `next_cursor`, whose cost does not grow.
MAX_OFFSET = 1000
# Calls per page when neither `limit` nor `page_size` says.
DEFAULT_LIMIT = 20
# How long a warm list_calls keeps a total the rollups answered, while the tenant's watermark
# stays where it was (see `analytics.totals.TotalCounter`).
KEEP_TOTALS_SECONDS = 30.0


class ListCallsParams(CallFilterParams):
    """`GET /v1/calls` query parameters: the filters, the order and the paging."""

    limit: int = Field(
        default=DEFAULT_LIMIT,
        ge=1,
        le=100,
        description=(
            f"Calls per page. With `page`/`page_size` it may be sent only as its default "
            f"({DEFAULT_LIMIT}), which is then ignored, or equal to `page_size`; any other "
            "value is a conflict (422)."
        ),
    )
    offset: int = Field(
        default=0,
        ge=0,
        le=MAX_OFFSET,
        description=(
            f"Calls to skip, at most {MAX_OFFSET}: deeper pages come from `next_cursor`, "
            "whose cost does not grow with the depth. With `page`/`page_size` it may be sent "
            "only as 0, which is then ignored, or equal to the page's start "
            "((`page` - 1) * `page_size`); any other value is a conflict (422)."
        ),
    )
    # The seeds' paging: page N of page_size calls, instead of limit and offset. Generated
    # clients send limit and offset at their defaults on every request, so those values are
    # taken as absent; a value that says otherwise than the page is refused.
    page: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description=(
            f"Page number of `page_size` calls; the page must start within the first "
            f"{MAX_OFFSET} calls (deeper: `next_cursor`). Not with `cursor`; `limit` and "
            "`offset` only at their defaults or equal to what the page means."
        ),
    )
    page_size: int | None = Field(
        default=None,
        ge=1,
        le=100,
        description=f"Calls per page with `page` (default {DEFAULT_LIMIT}).",
    )
    cursor: str | None = Field(default=None, max_length=8192)
    order: SortOrder = SortOrder.DESC


def resolve_paging(params: ListCallsParams) -> ListCallsParams:
    """The parameters with `page`/`page_size` turned into `limit`/`offset` (both kept, so the
    page says how it was asked for); InvalidParameter (422) when `limit`, `offset` or a cursor
    says otherwise than the page (`_paging_conflict`), or the page starts deeper than
    MAX_OFFSET."""
    if params.page is None and params.page_size is None:
        return params
    page, page_size = params.page or 1, params.page_size or DEFAULT_LIMIT
    conflict = _paging_conflict(params, page_size, (page - 1) * page_size)
    if conflict:
        name, agreeing = conflict
        raise InvalidParameter(
            ("query", name),
            f"use either page and page_size, or limit and offset (or cursor), not both: "
            f"{name} given with page paging{agreeing}",
        )
    if (page - 1) * page_size > MAX_OFFSET:
        raise InvalidParameter(
            ("query", "page"),
            f"page {page} of {page_size} starts after call {MAX_OFFSET}, the deepest a page "
            "can start: page further with next_cursor",
        )
    return params.model_copy(
        update={
            "page": page,
            "page_size": page_size,
            "limit": page_size,
            "offset": (page - 1) * page_size,
        }
    )


def _paging_conflict(params: ListCallsParams, page_size: int, start: int) -> tuple[str, str] | None:
    """The first of `cursor`, `limit`, `offset` that says otherwise than page paging (and
    which values of it would agree), or None. `limit` and `offset` at their defaults are taken
    as not sent (generated clients send them on every request), and a value equal to what the
    page means adds nothing."""
    if params.cursor is not None:
        return "cursor", ""
    if params.limit not in (DEFAULT_LIMIT, page_size):
        return "limit", f" (only {DEFAULT_LIMIT}, its default, or page_size {page_size} agree)"
    if params.offset not in (0, start):
        return "offset", f" (only 0, its default, or the page's start {start} agree)"
    return None


class PageParams(BaseModel):
    """`limit` and `cursor` of a call's transcript or history pages (see `call_pages`)."""

    model_config = ConfigDict(defer_build=True, extra="ignore", frozen=True)

    limit: int = Field(default=1000, ge=1, le=1000)
    cursor: str | None = Field(default=None, max_length=8192)


class SearchCallsRequest(BaseModel):
    """`POST /v1/calls/search`: 1 to 100 call ids (UUIDs); duplicates are answered once."""

    model_config = ConfigDict(defer_build=True, extra="ignore", frozen=True)

    call_ids: list[UUID] = Field(min_length=1, max_length=100)

    def ids(self) -> list[str]:
        """The ids in their canonical form (lowercase, hyphenated), in the order given."""
        return [str(call_id) for call_id in self.call_ids]


class CallReader:
    """Reads calls for one principal, presigning recording links as it goes."""

    def __init__(
        self,
        store: CallStore,
        recordings_bucket: str,
        url_ttl_seconds: int = 900,
        cursor_codec: CursorCodec | None = None,
        queue: Callable[[], DialQueueView] | None = None,
        page_codec: Callable[[], CursorCodec] | None = None,
        totals: TotalCounter | None = None,
    ) -> None:
        self.store = store
        # Signs the cursors of transcript and history pages; built on first use, so a call
        # that fits one page never reads the cursor secret.
        self.page_codec = page_codec
        self.recordings_bucket = recordings_bucket
        self.url_ttl_seconds = url_ttl_seconds
        self.cursor_codec = cursor_codec
        # Shows a queued call's queue position and dial time estimate (get_call only); built
        # on the first queued call, so that reading any other call costs nothing more.
        self.queue = queue
        # `total` of a list from the rollups (list_calls); without it, calls are counted.
        self.totals = totals

    # Calls

    def _public(self, stored: StoredCall) -> Call:
        if not stored.recording_key:
            return stored.call
        url = self.presign(stored.recording_key, self.url_ttl_seconds)
        return stored.call.model_copy(update={"recording_url": url})

    def public_call(self, stored: StoredCall) -> Call:
        """The call object as the API shows it: with a presigned link to its recording."""
        return self._public(stored)

    def list_calls(self, principal: Principal, params: ListCallsParams) -> CallList:
        """One page of the tenant's calls, with the total that match."""
        from dialtone import listing
        from dialtone.pagination import fingerprint

        principal.require(Scope.CALLS_READ)
        params = resolve_paging(params)
        filters = build_filters(params)
        ascending = params.order is SortOrder.ASC
        streams = listing.plan_streams(principal.tenant_id, filters, ascending)
        query = fingerprint({"filters": filters.fingerprint_values(), "order": params.order.value})
        offset = params.offset
        skip = offset
        if params.cursor:
            if self.cursor_codec is None:  # pragma: no cover - wiring error
                raise InvalidCursor()
            if params.offset:
                raise InvalidParameter(("query", "offset"), "use either offset or cursor, not both")
            payload = self.cursor_codec.decode(params.cursor, principal.tenant_id, query)
            if payload.get("v") != _CURSOR_VERSION or not isinstance(payload.get("n"), int):
                raise InvalidCursor()
            offset = payload["n"]
            listing.restore_positions(streams, payload.get("p"))
            skip = 0
        page, has_more = listing.read_page(self.store, streams, skip, params.limit)
        next_cursor = None
        if has_more and self.cursor_codec is not None:
            next_cursor = self.cursor_codec.encode(
                {
                    "v": _CURSOR_VERSION,
                    "n": offset + len(page),
                    "p": listing.stream_positions(streams),
                },
                principal.tenant_id,
                query,
            )
        total, total_as_of = self._total(principal.tenant_id, filters, streams)
        return CallList(
            calls=[self._public(c) for c in page],
            total=total,
            total_as_of=total_as_of,
            limit=params.limit,
            offset=offset,
            next_cursor=next_cursor,
            page=params.page,
            page_size=params.page_size,
        )

    def _total(
        self, tenant_id: str, filters: listing.CallFilters, streams: list[QueryStream]
    ) -> tuple[int, datetime | None]:
        """How many calls match, and until when that includes every change: from the rollups
        where they answer the filters (as of the stream consumer's watermark), else counted
        on the list index now."""
        from dialtone import listing

        if self.totals is not None:
            answer = self.totals.total(tenant_id, filters)
            if answer is not None:
                return answer.total, answer.as_of
        return listing.count_calls(self.store, streams), datetime.now(UTC)

    def search_calls(self, principal: Principal, call_ids: list[str]) -> CallSearchResult:
        """The calls of the ids asked for, in the order asked (an id asked twice is answered
        once, where it first came), and the ids that are not the tenant's calls."""
        principal.require(Scope.CALLS_READ)
        wanted = list(dict.fromkeys(call_ids))
        found = self.store.get_calls(principal.tenant_id, wanted)
        return CallSearchResult(
            calls=[self._public(found[call_id]) for call_id in wanted if call_id in found],
            not_found=[call_id for call_id in wanted if call_id not in found],
        )

    def get_call(
        self, principal: Principal, call_id: str, include_transcript: bool = False
    ) -> Call:
        principal.require(Scope.CALLS_READ)
        stored = self.store.get_call(principal.tenant_id, call_id)
        call = self._public(stored)
        if self.queue is not None and call.status is CallStatus.QUEUED:
            call = self.queue().with_estimate(principal.tenant_id, call, stored.internal.dial_seq)
        if not include_transcript:
            return call
        return self._with_transcript(principal.tenant_id, call)

    def _with_transcript(self, tenant_id: str, call: Call) -> CallWithTranscript:
        """The call with as many of its first exchanges as one response carries beside it;
        `transcript_truncated` when the transcript endpoint has more."""
        from dialtone.call_pages import ITEM_BUDGET_BYTES, json_size, leading_exchanges

        room = ITEM_BUDGET_BYTES - json_size(call)
        exchanges, truncated = leading_exchanges(self.store, tenant_id, call.id, room)
        return CallWithTranscript(
            **call.model_dump(), transcript=exchanges, transcript_truncated=truncated
        )

    # Transcripts and history, in pages (see `call_pages`)

    def _cursors(self, principal: Principal, call_id: str, kind: str) -> call_pages.PageCursors:
        from dialtone import call_pages

        if self.page_codec is None:  # pragma: no cover - wiring error
            raise RuntimeError("transcript and history pages need a cursor codec")
        return call_pages.PageCursors(self.page_codec, principal.tenant_id, call_id, kind)

    def transcript(self, principal: Principal, call_id: str) -> tuple[StoredCall, list[Exchange]]:
        principal.require(Scope.CALLS_READ)
        stored = self.store.get_call(principal.tenant_id, call_id)
        return stored, self.store.list_exchanges(principal.tenant_id, call_id)

    def transcript_exchanges(
        self, principal: Principal, call_id: str, page: PageParams | None = None
    ) -> TranscriptExchanges:
        """A page of the call's exchanges, in sequence order."""
        from dialtone import call_pages

        page = page or PageParams()
        principal.require(Scope.CALLS_READ)
        self.store.require_call(principal.tenant_id, call_id)
        cursors = self._cursors(principal, call_id, "exchanges")
        exchanges, next_cursor = call_pages.exchanges_page(
            self.store, cursors, page.limit, page.cursor
        )
        return TranscriptExchanges(call_id=call_id, exchanges=exchanges, next_cursor=next_cursor)

    def transcript_turns(
        self, principal: Principal, call_id: str, page: PageParams | None = None
    ) -> TranscriptTurns:
        """A page of the call's turns (`limit` exchanges' worth), its tool use (from its
        history, patches applied) woven in."""
        from dialtone import call_pages

        page = page or PageParams()
        principal.require(Scope.CALLS_READ)
        stored = self.store.get_call(principal.tenant_id, call_id)
        cursors = self._cursors(principal, call_id, "turns")
        events = apply_patches(self.store.list_events(principal.tenant_id, call_id))
        turns, next_cursor = call_pages.turns_page(
            self.store,
            cursors,
            partial(exchange_turns, stored.call),
            tool_turns(stored.call, events),
            page.limit,
            page.cursor,
        )
        return TranscriptTurns(call_id=call_id, turns=turns, next_cursor=next_cursor)

    def transcript_vtt(self, principal: Principal, call_id: str) -> str:
        """The whole transcript as WebVTT captions (a player reads a caption file whole, so it
        is not paged; the handler compresses it)."""
        stored, exchanges = self.transcript(principal, call_id)
        return to_webvtt(to_turns(stored.call, exchanges))

    # History

    def history(
        self, principal: Principal, call_id: str, page: PageParams | None = None
    ) -> CallHistory:
        """A page of the call's structured events, in time order."""
        from dialtone import call_pages

        page = page or PageParams()
        principal.require(Scope.CALLS_READ)
        self.store.require_call(principal.tenant_id, call_id)
        cursors = self._cursors(principal, call_id, "history")
        events, next_cursor = call_pages.history_page(self.store, cursors, page.limit, page.cursor)
        return CallHistory(call_id=call_id, events=events, next_cursor=next_cursor)

    # Recordings

    def presign(self, key: str, expires_in: int, download_filename: str | None = None) -> str:
        """A SigV4 presigned GET of a recording object (no network call: it is signed here)."""
        from dialtone.recordings import presign_recording

        return presign_recording(self.recordings_bucket, key, expires_in, download_filename)

    def recording(
        self, principal: Principal, call_id: str, expires_in: int, download: bool = False
    ) -> RecordingLink:
        """A time-limited link to a call's recording; RecordingNotAvailable when it has none."""
        principal.require(Scope.CALLS_READ)
        stored = self.store.get_call(principal.tenant_id, call_id)
        if not stored.recording_key:
            raise RecordingNotAvailable()
        call = stored.call
        extension = call.recording_format or stored.recording_key.rsplit(".", 1)[-1]
        filename = f"call-{call_id}.{extension}" if download else None
        return RecordingLink(
            call_id=call_id,
            recording_url=self.presign(stored.recording_key, expires_in, filename),
            recording_format=call.recording_format,
            recording_size_bytes=call.recording_size_bytes,
            recording_duration_seconds=call.recording_duration_seconds,
            recording_channels=call.recording_channels,
            expires_at=datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=expires_in),
        )


# Transcript shapes

_SPOKEN_CHARS_PER_SECOND = 15


def _offset_ms(call: Call, moment: datetime | None) -> int | None:
    if moment is None:
        return None
    start = call.start_time if call.start_time.tzinfo else call.start_time.replace(tzinfo=UTC)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return max(0, int((moment - start).total_seconds() * 1000))


def _spoken_ms(text: str) -> int:
    return max(1000, len(text) * 1000 // _SPOKEN_CHARS_PER_SECOND)


def to_turns(
    call: Call, exchanges: list[Exchange], events: Iterable[HistoryEvent] = ()
) -> list[Turn]:
    """The call's turns: what the caller and the agent said, and the tools the agent used
    (`function_call` and `function_response` events), in time order.

    Speech comes from the exchanges (user, then assistant); a tool turn from its event, placed
    at its timestamp, before any speech that starts later (speech first on a tie).
    """
    speech = _speech_turns(call, exchanges)
    tools = tool_turns(call, events)
    if not tools:
        return speech
    return list(heapq.merge(speech, tools, key=lambda turn: turn.start_ms or 0))


ToolContent = Literal["function", "function_response"]
_TOOL_ROLES: dict[HistoryEventType, tuple[Literal["tool_call", "tool_response"], ToolContent]] = {
    HistoryEventType.FUNCTION_CALL: ("tool_call", "function"),
    HistoryEventType.FUNCTION_RESPONSE: ("tool_response", "function_response"),
}


def _tool_turn(call: Call, event: HistoryEvent) -> Turn:
    """A tool call (its arguments as JSON text) or a tool's answer (its result: text as it is,
    anything else as JSON text) at the event's offset into the call."""
    role, content_type = _TOOL_ROLES[event.type]
    if role == "tool_call":
        content = json.dumps(event.arguments or {}, separators=(",", ":"))
    elif isinstance(event.result, str):
        content = event.result
    elif event.result is not None:
        content = json.dumps(event.result, separators=(",", ":"))
    else:
        content = event.text or ""
    start = _offset_ms(call, event.timestamp) or 0
    end = start + int(event.duration_ms or 0)
    return Turn(
        role=role,
        content_type=content_type,
        content=content,
        start_ms=start,
        end_ms=end,
        name=event.name,
    )


def _speech_turns(call: Call, exchanges: list[Exchange]) -> list[Turn]:
    """Exchanges as alternating user and assistant turns with offsets into the recording.

    Offsets the runtime reported are used as they are; a missing one is derived from the
    exchange timestamp and the length of what was said, so captions stay in order.
    """
    turns: list[Turn] = []
    cursor_ms = 0
    for exchange in exchanges:
        spoken, cursor_ms = exchange_turns(call, exchange, cursor_ms)
        turns.extend(spoken)
    return turns


def exchange_turns(call: Call, exchange: Exchange, cursor_ms: int) -> tuple[list[Turn], int]:
    """One exchange's user and assistant turns, given where the previous turn ended
    (`cursor_ms`, which places a turn whose offsets were not reported); and where these end."""
    turns: list[Turn] = []
    base = _offset_ms(call, exchange.exchange_timestamp)
    if exchange.user_transcript:
        start = exchange.user_start_ms
        start = start if start is not None else max(cursor_ms, base or cursor_ms)
        end = exchange.user_end_ms
        if end is None:
            end = start + _spoken_ms(exchange.user_transcript)
        turns.append(
            Turn(role="user", content=exchange.user_transcript, start_ms=start, end_ms=end)
        )
        cursor_ms = end
    if exchange.agent_response:
        start = exchange.agent_start_ms if exchange.agent_start_ms is not None else cursor_ms
        end = exchange.agent_end_ms
        if end is None:
            end = start + _spoken_ms(exchange.agent_response)
        turns.append(
            Turn(role="assistant", content=exchange.agent_response, start_ms=start, end_ms=end)
        )
        cursor_ms = end
    return turns, cursor_ms


def tool_turns(call: Call, events: Iterable[HistoryEvent]) -> list[Turn]:
    """The tools the agent used (`function_call` and `function_response` events) as turns, in
    time order."""
    return [_tool_turn(call, e) for e in events if e.type in _TOOL_ROLES]


def _vtt_time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _vtt_text(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A blank line would end the cue early.
    return "\n".join(line for line in escaped.splitlines() if line.strip())


def to_webvtt(turns: list[Turn]) -> str:
    """WebVTT captions, one cue per turn, the speaker as a voice span."""
    lines = ["WEBVTT", ""]
    for number, turn in enumerate(turns, start=1):
        voice = "User" if turn.role == "user" else "Agent"
        lines += [
            str(number),
            f"{_vtt_time(turn.start_ms or 0)} --> {_vtt_time(turn.end_ms or 0)}",
            f"<v {voice}>{_vtt_text(turn.content)}",
            "",
        ]
    return "\n".join(lines)


# Wiring for the handlers: one reader per execution environment, built on first use.


@settings.per_environment
def reader() -> CallReader:
    """The call reader of get_call, get_call_transcript and get_call_recording."""
    config = settings.load(CallsReaderSettings)
    return CallReader(
        CallStore(config.calls_table), config.recordings_bucket, config.recording_url_ttl_seconds
    )


@settings.per_environment
def paged_reader() -> CallReader:
    """The call reader of get_call_transcript and get_call_history, which also signs the
    cursors of their pages."""
    from dialtone.pagination import cursor_codec

    config = settings.load(PagedReaderSettings)
    return CallReader(
        CallStore(config.calls_table),
        config.recordings_bucket,
        config.recording_url_ttl_seconds,
        page_codec=lambda: cursor_codec(config.cursor_secret_arn),
    )


@settings.per_environment
def call_reader() -> CallReader:
    """The call reader of get_call, which also shows where a queued call stands in the dial
    queue (`queue_position`, `dial_at_estimate`)."""
    config = settings.load(CallsReaderSettings)
    return CallReader(
        CallStore(config.calls_table),
        config.recordings_bucket,
        config.recording_url_ttl_seconds,
        queue=_dial_queue_view,
    )


def _dial_queue_view() -> DialQueueView:
    """The dial queue's view, its module loaded only for a queued call (most calls read are
    not: their first read does not load the limiter and the queue counters)."""
    from dialtone.dialing.status import view

    return view()


@settings.per_environment
def lister() -> CallReader:
    """The call reader of list_calls, which also signs cursors."""
    from dialtone.analytics.rollup_store import RollupStore
    from dialtone.analytics.totals import TotalCounter
    from dialtone.pagination import CursorCodec

    config = settings.load(CallsListSettings)
    secret = aws.client("secretsmanager").get_secret_value(SecretId=config.cursor_secret_arn)
    codec = CursorCodec(secret["SecretString"].encode("utf-8"))
    store = CallStore(config.calls_table)
    return CallReader(
        store,
        config.recordings_bucket,
        config.recording_url_ttl_seconds,
        cursor_codec=codec,
        totals=TotalCounter(
            store, RollupStore(config.analytics_table), keep_seconds=KEEP_TOTALS_SECONDS
        ),
    )
