"""Planning and reading one page of `GET /v1/calls`.

A query is answered from the list index of its most selective filter, or from the index of a
common pair of its filters (direction and status, agent and status, ...) when it has both and no
single filter is more selective than the pair; the other filters become a FilterExpression.
`phone_number` matches either side of a call, so it reads two indexes
(`from_number` and `to_number`) and merges them in time order without over-reading: each stream
is extended only as far as the other stream is known, so the merge reads little more than the
page it returns. A `search` that is a call-id prefix reads the calls whose ids share its first 8
(or 4) characters, in time order, like any other filter.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, NamedTuple

from dialtone.errors import InvalidCursor
from dialtone.model_types import CallOutcome, CallStatus, Direction
from dialtone.store import (
    ID_PREFIX_INDEXES,
    INDEXES,
    PAIR_INDEXES,
    CallStore,
    IndexSpec,
    QueryStream,
    pair_partition,
    partition,
    sort_timestamp,
    stored_call,
)
from dialtone.store import StoredCall as StoredCall

# Order in which filters are preferred as the index to read (most selective first).
_PRIMARY_ORDER = (
    "batch_id",
    "agent_id",
    "from_number",
    "to_number",
    "outcome",
    "status",
    "direction",
    "is_test_call",
)


def _pair_rank(pair: tuple[str, str]) -> tuple[int, int]:
    """How selective a pair's index is: as its more selective filter, then its other one."""
    ranks = sorted(_PRIMARY_ORDER.index(name) for name in pair)
    return ranks[0], ranks[1]


class CallFilters(NamedTuple):
    """The list filters after validation and normalisation (phone numbers in E.164)."""

    start: datetime | None = None
    end: datetime | None = None
    direction: Direction | None = None
    status: CallStatus | None = None
    outcome: CallOutcome | None = None
    agent_id: str | None = None
    batch_id: str | None = None
    from_number: str | None = None
    to_number: str | None = None
    phone_number: str | None = None
    call_id_prefix: str | None = None
    is_test_call: bool | None = None

    def equality_filters(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in _PRIMARY_ORDER}
        return {k: v for k, v in values.items() if v is not None}

    def fingerprint_values(self) -> dict[str, Any]:
        return {k: v for k, v in self._asdict().items() if v is not None}


class _Conditions:
    """A FilterExpression built one condition at a time, with its names and values."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def equals(self, attribute: str, value: Any) -> None:
        n = len(self.parts)
        self.names[f"#f{n}"] = attribute
        self.values[f":f{n}"] = {"BOOL": value} if isinstance(value, bool) else {"S": str(value)}
        self.parts.append(f"#f{n} = :f{n}")

    def either(self, attributes: tuple[str, str], value: str) -> None:
        n = len(self.parts)
        self.names.update({f"#f{n}a": attributes[0], f"#f{n}b": attributes[1]})
        self.values[f":f{n}"] = {"S": value}
        self.parts.append(f"(#f{n}a = :f{n} OR #f{n}b = :f{n})")

    def not_equals(self, attribute: str, value: str) -> None:
        n = len(self.parts)
        self.names[f"#f{n}"] = attribute
        self.values[f":f{n}"] = {"S": value}
        self.parts.append(f"(attribute_not_exists(#f{n}) OR #f{n} <> :f{n})")

    def prefix(self, attribute: str, value: str) -> None:
        n = len(self.parts)
        self.names[f"#f{n}"] = attribute
        self.values[f":f{n}"] = {"S": value}
        self.parts.append(f"begins_with(#f{n}, :f{n})")

    def expression(self) -> str | None:
        return " AND ".join(self.parts) or None


def _range(filters: CallFilters) -> tuple[str | None, str | None]:
    low = sort_timestamp(filters.start) if filters.start else None
    # "~" sorts after the "#<call id>" suffix, so the end instant itself is included.
    high = sort_timestamp(filters.end) + "~" if filters.end else None
    return low, high


def plan_streams(tenant_id: str, filters: CallFilters, ascending: bool) -> list[QueryStream]:
    """The index reads that answer a query, each with the rest of the filters as conditions."""
    low, high = _range(filters)
    equalities = filters.equality_filters()
    if filters.call_id_prefix is not None:
        return [
            _call_id_prefix_stream(
                tenant_id,
                filters.call_id_prefix,
                filters.phone_number,
                equalities,
                ascending,
                low,
                high,
            )
        ]
    if filters.phone_number and not equalities.keys() & {"batch_id", "agent_id"}:
        return _phone_number_streams(
            tenant_id, filters.phone_number, equalities, ascending, low, high
        )
    pair = choose_pair(equalities)
    if pair is not None:
        return [
            _pair_stream(tenant_id, pair, filters.phone_number, equalities, ascending, low, high)
        ]
    return [_primary_stream(tenant_id, filters.phone_number, equalities, ascending, low, high)]


def choose_pair(equalities: dict[str, Any]) -> tuple[str, str] | None:
    """The common pair of filters whose index answers a query with these equality filters:
    the most selective pair the query has both filters of, unless one of its filters alone is
    more selective than the pair's better one (a phone number against direction and status);
    None when no pair is that good."""
    pairs = sorted((p for p in PAIR_INDEXES if set(p) <= equalities.keys()), key=_pair_rank)
    if not pairs:
        return None
    best_single = min(_PRIMARY_ORDER.index(name) for name in equalities)
    return pairs[0] if _pair_rank(pairs[0])[0] <= best_single else None


def _pair_stream(
    tenant_id: str,
    pair: tuple[str, str],
    phone_number: str | None,
    equalities: dict[str, Any],
    ascending: bool,
    low: str | None,
    high: str | None,
) -> QueryStream:
    """The calls of a pair's index partition; the other filters as conditions."""
    conditions = _equal_to({k: v for k, v in equalities.items() if k not in pair})
    if phone_number:
        conditions.either(("from_number", "to_number"), phone_number)
    first, second = (_plain(equalities[name]) for name in pair)
    hash_value = pair_partition(tenant_id, first, second)
    return _stream(PAIR_INDEXES[pair], hash_value, ascending, (low, high), conditions)


def _plain(value: Any) -> Any:
    """A filter value as the index keys hold it (an enum by its value)."""
    return getattr(value, "value", value)


def _call_id_prefix_stream(
    tenant_id: str,
    prefix: str,
    phone_number: str | None,
    equalities: dict[str, Any],
    ascending: bool,
    low: str | None,
    high: str | None,
) -> QueryStream:
    """The calls whose id starts with the prefix asked for, in time order: the partition of
    the calls that share its first 8 (or 4) characters, the rest of the prefix a condition."""
    length = 8 if len(prefix) >= 8 else 4
    conditions = _equal_to(equalities)
    if len(prefix) > length:
        conditions.prefix("id", prefix)
    if phone_number:
        conditions.either(("from_number", "to_number"), phone_number)
    index = ID_PREFIX_INDEXES[length]
    hash_value = partition(tenant_id, prefix[:length])
    return _stream(index, hash_value, ascending, (low, high), conditions)


def _phone_number_streams(
    tenant_id: str,
    phone_number: str,
    equalities: dict[str, Any],
    ascending: bool,
    low: str | None,
    high: str | None,
) -> list[QueryStream]:
    """The calls from the number and the calls to it, read side by side."""
    streams = []
    for side, other in (("from_number", None), ("to_number", "from_number")):
        conditions = _equal_to(equalities)
        if other:
            # A call with the number on both sides is read once, from the first stream.
            conditions.not_equals(other, phone_number)
        streams.append(
            _stream(
                INDEXES[side],
                partition(tenant_id, phone_number),
                ascending,
                (low, high),
                conditions,
            )
        )
    return streams


def _primary_stream(
    tenant_id: str,
    phone_number: str | None,
    equalities: dict[str, Any],
    ascending: bool,
    low: str | None,
    high: str | None,
) -> QueryStream:
    """The calls of the most selective equality filter's index, or of the time index."""
    primary = next((name for name in _PRIMARY_ORDER if name in equalities), None)
    conditions = _equal_to(equalities, but=primary)
    if phone_number:
        conditions.either(("from_number", "to_number"), phone_number)
    index = INDEXES[primary or "time"]
    hash_value = partition(tenant_id, equalities[primary]) if primary else tenant_id
    return _stream(index, hash_value, ascending, (low, high), conditions)


def _equal_to(equalities: dict[str, Any], but: str | None = None) -> _Conditions:
    """Conditions that every equality filter holds, except the one named `but`."""
    conditions = _Conditions()
    for name, value in equalities.items():
        if name != but:
            conditions.equals(name, value)
    return conditions


def _stream(
    index: IndexSpec,
    hash_value: str,
    ascending: bool,
    bounds: tuple[str | None, str | None],
    conditions: _Conditions,
) -> QueryStream:
    return QueryStream(
        index=index,
        hash_value=hash_value,
        ascending=ascending,
        range_low=bounds[0],
        range_high=bounds[1],
        filter_expression=conditions.expression(),
        names=conditions.names,
        values=conditions.values,
    )


def _first(items: list[tuple[str, QueryStream]], ascending: bool) -> tuple[str, QueryStream]:
    return min(items, key=lambda x: x[0]) if ascending else max(items, key=lambda x: x[0])


def _before(a: str, b: str, ascending: bool) -> bool:
    """Whether sort value `a` comes strictly before `b` in the page order."""
    return a < b if ascending else a > b


def read_merged(store: CallStore, streams: list[QueryStream], need: int) -> list[dict[str, Any]]:
    """The first `need` items of the streams merged in order (dedupe by call), reading little more.

    An item is emitted only once every unfinished stream is known at least down to it. To get
    there, the stream known the least far is read up to where the next stream is known (a
    bounded Query, nothing wasted); when all are known equally far, one of them takes a small
    unbounded step. With one stream this is a plain Query of `need` items.
    """
    ascending = streams[0].ascending
    step = max(1, need // 20)
    out: list[dict[str, Any]] = []
    last_id: str | None = None

    for stream in streams:
        if not stream.exhausted and not stream.buffer:
            store.fetch(stream, limit=need if len(streams) == 1 else step)

    while len(out) < need:
        active = [s for s in streams if not s.exhausted]
        horizon = _first([(s.known_to or "", s) for s in active], ascending)[0] if active else None
        # Emit every item that no unfinished stream can still precede.
        while len(out) < need:
            heads = [(s.sort_value(s.buffer[0]), s) for s in streams if s.buffer]
            if not heads:
                break
            value, stream = _first(heads, ascending)
            if horizon is not None and _before(horizon, value, ascending):
                break
            item = stream.buffer.pop(0)
            stream.last_consumed = item
            call_id = item["id"]["S"]
            if call_id != last_id:
                out.append(item)
                last_id = call_id
        if len(out) >= need or not active:
            break
        _read_further(store, active, need - len(out), step, ascending)
    return out


def _read_further(
    store: CallStore, active: list[QueryStream], remaining: int, step: int, ascending: bool
) -> None:
    """Read the unfinished stream known the least far: up to where the next one is known, or
    (all known equally far) a small unbounded step; a lone stream reads all that is missing."""
    if len(active) == 1:
        store.fetch(active[0], limit=remaining)
        return
    ordered = sorted(active, key=lambda s: s.known_to or "", reverse=not ascending)
    shallow, next_known = ordered[0], ordered[1].known_to
    if next_known is not None and shallow.known_to != next_known:
        store.fetch(shallow, limit=remaining, bound=next_known)
    else:
        store.fetch(shallow, limit=step)


def read_page(
    store: CallStore, streams: list[QueryStream], offset: int, limit: int
) -> tuple[list[StoredCall], bool]:
    """`limit` calls after skipping `offset`, and whether more follow (one look-ahead item)."""
    items = read_merged(store, streams, offset + limit + 1)
    page = items[offset : offset + limit]
    has_more = len(items) > offset + limit
    if has_more:
        # Leave the look-ahead item unread for the next page.
        lookahead = items[offset + limit]
        for stream in streams:
            if stream.last_consumed is lookahead:
                stream.buffer.insert(0, lookahead)
                earlier = reversed(items[: offset + limit])
                stream.last_consumed = next((i for i in earlier if _owns(stream, i)), None)
    return [stored_call(i) for i in page], has_more


def iter_calls(
    store: CallStore, streams: list[QueryStream], limit: int, ascending: bool, chunk: int = 100
) -> Iterator[StoredCall]:
    """Up to `limit` calls of a query in page order, read `chunk` at a time, so that a long
    read (an export) holds one chunk of calls at once, not all of them."""
    remaining = limit
    while remaining > 0:
        need = min(chunk, remaining)
        items = read_merged(store, streams, need)
        yield from (stored_call(item) for item in items)
        remaining -= len(items)
        if len(items) < need:
            return


def _owns(stream: QueryStream, item: dict[str, Any]) -> bool:
    return stream.index.hash_attr in item and item[stream.index.hash_attr]["S"] == stream.hash_value


def stream_positions(streams: list[QueryStream]) -> list[Any]:
    """The cursor state of each stream: where it resumes, or 0 when it is finished."""
    positions: list[Any] = []
    for stream in streams:
        if stream.exhausted and not stream.buffer:
            positions.append(0)
        else:
            key = stream.resume_position()
            positions.append({k: v["S"] for k, v in key.items()} if key else None)
    return positions


def restore_positions(streams: list[QueryStream], positions: Any) -> None:
    """Put each stream back where a cursor left it (the cursor is already authenticated)."""
    if not isinstance(positions, list) or len(positions) != len(streams):
        raise InvalidCursor()
    for stream, position in zip(streams, positions, strict=True):
        if position == 0:
            stream.exhausted = True
        elif isinstance(position, dict):
            stream.start_key = {k: {"S": str(v)} for k, v in position.items()}
            stream.origin = stream.start_key
        elif position is not None:
            raise InvalidCursor()


def count_calls(store: CallStore, streams: list[QueryStream]) -> int:
    """How many calls match (reads every match: made cheap by counters in a later change).

    A count reads each stream's whole key range, whatever page a stream is at."""
    return sum(store.count(stream) for stream in streams)
