"""Pages of a call's transcript and history, each small enough for one response.

A page holds at most `limit` items (exchanges, or history events) and at most
`pagination.MAX_BODY_BYTES` of JSON as Lambda's response carries it, whichever comes first;
`next_cursor` (signed, bound to the tenant and to the call) continues right after its last item.
So a page always fits, whatever `limit` says and however large the items are.

Exchanges are read a page at a time, straight from their sort keys (`EX#<sequence>`). The turns
format pages by exchanges too: a page holds the turns of its exchanges and the tool turns that
fall between them. History events are stored under their event ids (`EV#<id>`), which say
nothing of their time, and a patch corrects an event anywhere earlier, so a page of the history
(and the tool turns) is cut from the whole history, read, sorted and patched: a page costs the
call's history, as the unpaged answer did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from dialtone.call_responses import Turn
from dialtone.errors import InvalidCursor
from dialtone.model_types import format_timestamp
from dialtone.models import Exchange, HistoryEvent, apply_patches
from dialtone.pagination import MAX_BODY_BYTES, CursorCodec, encoded_size, fingerprint
from dialtone.store import EXCHANGE_PREFIX, CallStore

MAX_LIMIT = 1000
# What a page's items may take: the body less room for its other keys and its cursor.
ITEM_BUDGET_BYTES = MAX_BODY_BYTES - 16 * 1024
_VERSION = 1


def json_size(item: BaseModel) -> int:
    """What an item takes in a page as Lambda's response carries it (with its comma)."""
    return encoded_size(item.model_dump_json()) + 1


class Budget:
    """How much of a page is used; the first item always fits (one item of DynamoDB's at most
    400 KB is far below the page's bytes), so every page moves on."""

    def __init__(self, limit: int, capacity: int = ITEM_BUDGET_BYTES) -> None:
        self.limit = limit
        self.left = capacity
        self.count = 0
        self.empty = True

    def take(self, size: int, counted: bool = True) -> bool:
        """Add one more item of `size` bytes, which counts towards `limit` unless `counted` is
        False, unless the page is full (False)."""
        if (counted and self.count >= self.limit) or (not self.empty and size > self.left):
            return False
        self.count += counted
        self.left -= size
        self.empty = False
        return True


def read_exchanges(
    store: CallStore,
    tenant_id: str,
    call_id: str,
    after: str | None,
    take: Callable[[Exchange], bool],
    limit: int,
) -> tuple[str | None, bool]:
    """Hand the call's exchanges after the sort key `after` to `take`, in order, until it
    refuses one or `limit` were taken; the sort key of the last one taken (`after` when none
    was), and whether every exchange has now been taken. Reads the exchanges taken and at
    most one more."""
    taken, last_taken, start = 0, after, after
    while True:
        rows, start = store.page_children(
            tenant_id, call_id, EXCHANGE_PREFIX, limit + 1 - taken, start
        )
        for sk, values in rows:
            if taken == limit or not take(Exchange.model_validate(values)):
                return last_taken, False
            taken, last_taken = taken + 1, sk
        if start is None:
            return last_taken, True


@dataclass
class PageCursors:
    """Signs and reads the cursors of one call's pages of one kind (`exchanges`, `turns`,
    `history`); the codec is built on first use, so a call that fits one page never reads
    the cursor secret."""

    codec: Callable[[], CursorCodec]
    tenant_id: str
    call_id: str
    kind: str

    def _query(self) -> str:
        return fingerprint({"call": self.call_id, "page": self.kind})

    def read(self, cursor: str | None) -> dict[str, Any] | None:
        """The position a cursor holds (None for the first page); InvalidCursor (400) for one
        that was altered, or issued for another tenant, call or kind of page."""
        if cursor is None:
            return None
        payload = self.codec().decode(cursor, self.tenant_id, self._query())
        if payload.get("v") != _VERSION:
            raise InvalidCursor()
        return payload

    def write(self, position: dict[str, Any] | None) -> str | None:
        """The cursor of the page after this one; None when this one is the last."""
        if position is None:
            return None
        return self.codec().encode({**position, "v": _VERSION}, self.tenant_id, self._query())


def text_of(payload: dict[str, Any] | None, name: str) -> str | None:
    """A string a cursor holds, or None; InvalidCursor when it holds something else."""
    value = (payload or {}).get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidCursor()
    return value


def number_of(payload: dict[str, Any] | None, name: str) -> int:
    """A non-negative integer a cursor holds (0 when absent); InvalidCursor otherwise."""
    value = (payload or {}).get(name, 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidCursor()
    return value


# The exchanges format


def exchanges_page(
    store: CallStore, cursors: PageCursors, limit: int, cursor: str | None
) -> tuple[list[Exchange], str | None]:
    """A page of the call's exchanges, in sequence order, and the next page's cursor."""
    after = text_of(cursors.read(cursor), "after")
    budget, page = Budget(limit), list[Exchange]()

    def take(exchange: Exchange) -> bool:
        if not budget.take(json_size(exchange)):
            return False
        page.append(exchange)
        return True

    last, complete = read_exchanges(store, cursors.tenant_id, cursors.call_id, after, take, limit)
    return page, cursors.write(None if complete else {"after": last})


def leading_exchanges(
    store: CallStore, tenant_id: str, call_id: str, capacity: int
) -> tuple[list[Exchange], bool]:
    """The call's first exchanges, as many as fit in `capacity` bytes (at most MAX_LIMIT), and
    whether more follow (for a call shown with its transcript)."""
    budget, page = Budget(MAX_LIMIT, max(0, capacity)), list[Exchange]()

    def take(exchange: Exchange) -> bool:
        # Here even the first exchange must fit: the call around it already takes its share.
        size = json_size(exchange)
        if size > budget.left or not budget.take(size):
            return False
        page.append(exchange)
        return True

    _, complete = read_exchanges(store, tenant_id, call_id, None, take, MAX_LIMIT)
    return page, not complete


# The turns format


# An exchange's speech turns, given where the previous turn ended; and where these end.
type Speech = Callable[[Exchange, int], tuple[list[Turn], int]]


@dataclass
class TurnPage:
    """A page of turns being filled: how an exchange is spoken, the call's tool turns (all
    of them, in time order), how many of those earlier pages gave (`tools_done`), and where
    the last speech turn ended (`cursor_ms`, which places a turn whose offsets the runtime did
    not report)."""

    speak: Speech
    tools: list[Turn]
    tools_done: int
    cursor_ms: int
    budget: Budget
    turns: list[Turn]

    def take(self, exchange: Exchange) -> bool:
        """Add an exchange's speech turns, each after the tool turns that start before it (as
        the unpaged merge orders them: speech first on a tie); False when they do not fit."""
        speech, cursor_ms = self.speak(exchange, self.cursor_ms)
        chunk, tools_done = [], self.tools_done
        for turn in speech:
            while tools_done < len(self.tools) and _before(self.tools[tools_done], turn):
                chunk.append(self.tools[tools_done])
                tools_done += 1
            chunk.append(turn)
        if not self.budget.take(sum(json_size(turn) for turn in chunk)):
            return False
        self.turns.extend(chunk)
        self.tools_done, self.cursor_ms = tools_done, cursor_ms
        return True

    def take_remaining_tools(self) -> bool:
        """Add the tool turns after the last speech; False when some did not fit."""
        while self.tools_done < len(self.tools):
            if not self.budget.take(json_size(self.tools[self.tools_done]), counted=False):
                return False
            self.turns.append(self.tools[self.tools_done])
            self.tools_done += 1
        return True


def _before(tool: Turn, speech: Turn) -> bool:
    return (tool.start_ms or 0) < (speech.start_ms or 0)


def turns_page(
    store: CallStore,
    cursors: PageCursors,
    speak: Speech,
    tools: list[Turn],
    limit: int,
    cursor: str | None,
) -> tuple[list[Turn], str | None]:
    """A page of the call's turns: those of up to `limit` exchanges (spoken by `speak`) with
    the tool turns (`tools`, all of the call's) between them, the last page also those after
    the last speech; and the next cursor."""
    payload = cursors.read(cursor)
    page = TurnPage(
        speak=speak,
        tools=tools,
        tools_done=number_of(payload, "tools"),
        cursor_ms=number_of(payload, "ms"),
        budget=Budget(limit),
        turns=[],
    )
    after = text_of(payload, "after")
    # Only the tool turns after the last speech are left (the exchanges were all read).
    spoken = bool((payload or {}).get("spoken"))
    if not spoken:
        after, spoken = read_exchanges(
            store, cursors.tenant_id, cursors.call_id, after, page.take, limit
        )
    if spoken and page.take_remaining_tools():
        return page.turns, None
    position = {"after": after, "ms": page.cursor_ms, "tools": page.tools_done, "spoken": spoken}
    return page.turns, cursors.write(position)


# History


def _event_position(event: HistoryEvent) -> tuple[str, str]:
    return format_timestamp(event.timestamp), event.event_id


def history_page(
    store: CallStore, cursors: PageCursors, limit: int, cursor: str | None
) -> tuple[list[HistoryEvent], str | None]:
    """A page of the call's history in time order (patches applied), and the next cursor."""
    payload = cursors.read(cursor)
    after = (payload or {}).get("after")
    if after is not None and not (
        isinstance(after, list) and len(after) == 2 and all(isinstance(v, str) for v in after)
    ):
        raise InvalidCursor()
    events = apply_patches(store.list_events(cursors.tenant_id, cursors.call_id))
    budget, page = Budget(limit), list[HistoryEvent]()
    start = _sort_position_of(after) if after else None
    for event in events:
        if start is not None and _sort_position(event) <= start:
            continue
        if not budget.take(json_size(event)):
            return page, cursors.write({"after": list(_event_position(page[-1]))})
        page.append(event)
    return page, None


def _sort_position(event: HistoryEvent) -> tuple[datetime, str]:
    moment = event.timestamp
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), event.event_id


def _sort_position_of(position: list[str]) -> tuple[datetime, str]:
    try:
        moment = datetime.fromisoformat(position[0])
    except ValueError as error:
        raise InvalidCursor() from error
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), position[1]
