"""`total` of `GET /v1/calls` from the rollups, without counting the calls.

A range of start times is covered by whole days (day rollups), then whole hours at its edges
(hour rollups), then the partial hours left at the edges, counted directly on the list index
(a Select=COUNT Query on those minutes only). A range without a start (or an end) begins at the
day of the first call that can match (ends after the last one's day): the first and last item of
the index partitions a list of the same filters reads, one item each. The days are read a window
at a time, and a window in which nothing matches is followed by a jump: the start times of the
next calls that can match (up to 100 items of each of those partitions), then the rollups of
their days only. A tenant whose calls span decades with years between them reads the days of
its calls, not every day from the first to the last, and calls days apart cost a request for
every few dozen of them.

Filters the rollups answer: none; each single filter (`direction`, `status`, `outcome`,
`agent_id`, `batch_id`, `is_test_call`, `from_number`, `to_number`, `phone_number` or a phone
number `search`); the pairs direction+status, status+outcome, agent+status, agent+direction,
batch+status. The remote party's number is rolled up per day only, so a number filter covers
its range with whole days and counts the partial days at the edges directly (one party's calls).
Anything else (three filters or more, another pair, a call-id `search`) is counted directly
(`None` here): its cost grows with the calls that match.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from dialtone.analytics import rollups
from dialtone.analytics.rollup_store import RollupStore
from dialtone.analytics.rollups import Layout
from dialtone.dynamo import string_key
from dialtone.listing import CallFilters, count_calls, plan_streams
from dialtone.store import CallStore, QueryStream

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)
# A range longer than this is narrowed to the days of the tenant's first and last call (two
# one-item queries, cheaper than the rollup items of a week).
_CLAMP_BEYOND = timedelta(days=7)
# The keys of one BatchGetItem request: the widest window of days a total reads at once.
_BATCH_KEYS = 100
# The call items a jump reads at most from each index partition (their start times only): the
# days they fall on are the days it reads next.
_JUMP_ITEMS = 100
# The totals a counter keeps at most (see TotalCounter), the least recently counted dropped.
_KEPT_TOTALS = 256
_FIRST = datetime.min.replace(tzinfo=UTC)
_LAST = datetime.max.replace(tzinfo=UTC)


def shifted(moment: datetime, span: timedelta) -> datetime:
    """`moment + span`, held within the calendar (years 1 to 9999) instead of overflowing: a
    client may ask for any date-time of those years, and ranges are computed beyond them."""
    try:
        return moment + span
    except OverflowError:
        return _LAST if span > timedelta(0) else _FIRST


# Single filters and pairs, by the sorted names of the filters given, → the shard attribute.
_SHARD_ATTRIBUTES: dict[tuple[str, ...], Callable[[CallFilters], str]] = {
    (): lambda f: "n",
    ("direction",): lambda f: f"d:{f.direction}",
    ("status",): lambda f: f"s:{f.status}",
    ("outcome",): lambda f: f"o:{f.outcome}",
    ("is_test_call",): lambda f: f"t:{int(bool(f.is_test_call))}",
    ("agent_id",): lambda f: f"a:{f.agent_id}",
    ("batch_id",): lambda f: f"b:{f.batch_id}",
    ("direction", "status"): lambda f: f"ds:{f.direction}|{f.status}",
    ("outcome", "status"): lambda f: f"so:{f.status}|{f.outcome}",
    ("agent_id", "status"): lambda f: f"as:{f.agent_id}|{f.status}",
    ("agent_id", "direction"): lambda f: f"ad:{f.agent_id}|{f.direction}",
    ("batch_id", "status"): lambda f: f"bs:{f.batch_id}|{f.status}",
}
# A number filter: (local count prefixes in call shards, remote counts: (+names, -names)).
_NUMBER_ATTRIBUTES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "from_number": (("lf",), ("f",), ()),
    "to_number": (("lt",), ("t",), ()),
    "phone_number": (("lf", "lt"), ("f", "t"), ("b",)),
}
_FILTER_NAMES = (
    "direction",
    "status",
    "outcome",
    "is_test_call",
    "agent_id",
    "batch_id",
    "from_number",
    "to_number",
    "phone_number",
)


class Selection(NamedTuple):
    """What to add up in each rollup item for one query."""

    shard: tuple[str, ...]
    number: str | None = None
    number_plus: tuple[str, ...] = ()
    number_minus: tuple[str, ...] = ()

    @property
    def units(self) -> tuple[timedelta, ...]:
        # A number's remote counts exist per day only.
        return (DAY,) if self.number else (DAY, HOUR)

    @property
    def attributes(self) -> tuple[str, ...]:
        """The attributes of a rollup item that `count` reads."""
        return ("sk", *self.shard, *self.number_plus, *self.number_minus)

    def count(self, item: Mapping[str, Any]) -> int:
        """The calls an item counts for the query."""
        sk = item["sk"]["S"]
        names = self.number_plus if sk.startswith("P#") else self.shard
        minus = self.number_minus if sk.startswith("P#") else ()
        return sum(_n(item, n) for n in names) - sum(_n(item, n) for n in minus)


def _n(item: Mapping[str, Any], name: str) -> int:
    value = item.get(name)
    return int(value["N"]) if value else 0


def selection(filters: CallFilters) -> Selection | None:
    """The rollup attributes that answer these filters; None when rollups cannot."""
    if filters.call_id_prefix is not None:
        return None
    given = tuple(sorted(n for n in _FILTER_NAMES if getattr(filters, n) is not None))
    if given in _SHARD_ATTRIBUTES:
        return Selection(shard=(_SHARD_ATTRIBUTES[given](filters),))
    if len(given) == 1 and given[0] in _NUMBER_ATTRIBUTES:
        number = str(getattr(filters, given[0]))
        local, plus, minus = _NUMBER_ATTRIBUTES[given[0]]
        return Selection(
            shard=tuple(f"{p}:{number}" for p in local),
            number=number,
            number_plus=plus,
            number_minus=minus,
        )
    return None


def _floor(moment: datetime, unit: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + ((moment - epoch) // unit) * unit


def _ceil(moment: datetime, unit: timedelta) -> datetime:
    floor = _floor(moment, unit)
    return floor if floor == moment else shifted(floor, unit)


def cover(
    low: datetime, high: datetime, units: tuple[timedelta, ...]
) -> tuple[list[tuple[timedelta, datetime]], list[tuple[datetime, datetime]]]:
    """[low, high) as whole periods of the largest units that fit (each `(unit, start)`), and
    the pieces at the edges no unit covers."""
    if low >= high:
        return [], []
    if not units:
        return [], [(low, high)]
    unit, smaller = units[0], units[1:]
    first, last = _ceil(low, unit), _floor(high, unit)
    if first >= last:
        return cover(low, high, smaller)
    periods = [(unit, first + unit * i) for i in range((last - first) // unit)]
    left_periods, left_pieces = cover(low, first, smaller)
    right_periods, right_pieces = cover(last, high, smaller)
    return left_periods + periods + right_periods, left_pieces + right_pieces


def _period(unit: timedelta, start: datetime) -> str:
    return rollups.day_period(start) if unit == DAY else rollups.hour_period(start)


class RollupTotal(NamedTuple):
    """A total, and until when it includes every change (None: no change of the tenant was
    rolled up yet)."""

    total: int
    as_of: datetime | None


class TotalCounter:
    """Totals of a tenant's calls from its rollups, with the edges counted on the list index.

    With `keep_seconds`, a total that the rollups alone answer (no edge counted on the list
    index: no date range, or whole days) is kept in memory for that long, and answered again
    while the tenant's watermark has not moved: the rollups have applied no change since, so
    the same items would give the same sum. A client paging through its calls, or a console
    refreshing a list, then pays one small query for the total instead of reading up to 16
    items for each day of the tenant's history at each page. A change applied late from
    another stream shard (older than the watermark) can be missing for `keep_seconds` longer.
    """

    def __init__(
        self, calls: CallStore, rollup_store: RollupStore, keep_seconds: float = 0.0
    ) -> None:
        self.calls = calls
        self.rollups = rollup_store
        self.keep_seconds = keep_seconds
        # (tenant, filters) → (when it was counted, monotonic clock; the answer).
        self._kept: OrderedDict[tuple[str, CallFilters], tuple[float, RollupTotal]] = OrderedDict()

    def total(self, tenant_id: str, filters: CallFilters) -> RollupTotal | None:
        """The calls matching the filters, or None when the rollups cannot answer them."""
        chosen = selection(filters)
        if chosen is None:
            return None
        as_of = self.rollups.watermark(tenant_id)
        kept = self._kept_answer(tenant_id, filters, as_of)
        if kept is not None:
            return kept
        bounds = self._bounds(tenant_id, filters)
        if bounds is None:
            return RollupTotal(0, as_of)
        days, periods, pieces = _cover_days(*bounds, chosen.units)
        layout = self.rollups.layout(tenant_id)
        total = self._days_total(tenant_id, filters, chosen, days, layout)
        if keys := list(_keys(tenant_id, periods, chosen, layout)):
            items = self.rollups.get_items(keys, attributes=chosen.attributes)
            total += sum(chosen.count(item) for item in items)
        for low, high in pieces:
            edge = _with_range(filters, low, high - _TICK)
            total += count_calls(self.calls, plan_streams(tenant_id, edge, ascending=True))
        answer = RollupTotal(total, as_of)
        if not pieces:
            self._keep(tenant_id, filters, answer)
        return answer

    def _kept_answer(
        self, tenant_id: str, filters: CallFilters, as_of: datetime | None
    ) -> RollupTotal | None:
        kept = self._kept.get((tenant_id, filters))
        if kept is None or as_of is None:
            return None
        counted_at, answer = kept
        if answer.as_of != as_of or time.monotonic() - counted_at > self.keep_seconds:
            return None
        return answer

    def _keep(self, tenant_id: str, filters: CallFilters, answer: RollupTotal) -> None:
        if self.keep_seconds <= 0 or answer.as_of is None:
            return
        self._kept[(tenant_id, filters)] = (time.monotonic(), answer)
        self._kept.move_to_end((tenant_id, filters))
        while len(self._kept) > _KEPT_TOTALS:
            self._kept.popitem(last=False)

    def _bounds(self, tenant_id: str, filters: CallFilters) -> tuple[datetime, datetime] | None:
        """[low, high) of the start times asked for, within the days of the first and last
        call that can match: an open side ends there, and so does a side of a range longer
        than `_CLAMP_BEYOND` (a range of centuries reads the days that can hold such calls, not
        every day of it). None when nothing can match: no call at all, or none in the range."""
        low = filters.start
        # The last instant there is (9999-12-31's end) leaves the range as open as no end.
        high = shifted(filters.end, _TICK) if filters.end and filters.end < _LAST else None
        if low is None or high is None or high - low > _CLAMP_BEYOND:
            edges = self._edges(tenant_id, filters)
            if edges is None:
                return None
            first_day, after_last_day = _floor(edges[0], DAY), shifted(_floor(edges[1], DAY), DAY)
            low = first_day if low is None else max(low, first_day)
            high = after_last_day if high is None else min(high, after_last_day)
        return (low, high) if low < high else None

    def _days_total(
        self,
        tenant_id: str,
        filters: CallFilters,
        chosen: Selection,
        days: tuple[datetime, datetime],
        layout: Layout,
    ) -> int:
        """The calls of the whole days [first, end) from their day rollups, a window of days a
        request: as many days as one BatchGetItem's keys hold (a run of a few days is one
        request). After a window in which no call matches, the walk jumps: it reads the start
        times of the next calls that can match (`_call_days`) and then the rollups of their days
        only, and goes on with windows after the last of them. A tenant whose calls are days or
        years apart costs a request for every few dozen of its calls, not two for each."""
        day, end = days
        widest = max(1, _BATCH_KEYS // len(_day_keys(tenant_id, day, chosen, layout)))
        window, total = widest, 0
        while day < end:
            upto = min(shifted(day, DAY * window), end)
            days_read = list(_days(day, upto))
            counted, matched = self._read_days(tenant_id, chosen, days_read, widest, layout)
            total += counted
            day = upto
            if day >= end:
                break
            if matched:
                window = min(window * 2, widest)
                continue
            following, day = self._call_days(tenant_id, filters, day, end)
            total += self._read_days(tenant_id, chosen, following, widest, layout)[0]
            window = widest
        return total

    def _read_days(
        self,
        tenant_id: str,
        chosen: Selection,
        days: list[datetime],
        widest: int,
        layout: Layout,
    ) -> tuple[int, bool]:
        """The calls of these days from their day rollups (`widest` days a request), and whether
        any matched."""
        total, matched = 0, False
        for at in range(0, len(days), widest):
            keys = [
                key
                for d in days[at : at + widest]
                for key in _day_keys(tenant_id, d, chosen, layout)
            ]
            counts = [
                chosen.count(item)
                for item in self.rollups.get_items(keys, attributes=chosen.attributes)
            ]
            total += sum(counts)
            matched = matched or any(counts)
        return total, matched

    def _call_days(
        self, tenant_id: str, filters: CallFilters, day: datetime, end: datetime
    ) -> tuple[list[datetime], datetime]:
        """The days in [day, end) of the next `_JUMP_ITEMS` call items of each index partition a
        list of these filters reads (their key ranges only: any call that can match is among
        them), and the day the walk goes on from: the day after the last of them when a partition
        holds more, else `end`. No day in between but those holds a call that can match."""
        after = filters._replace(start=day, end=None)
        found: set[datetime] = set()
        known_until = end
        for stream in plan_streams(tenant_id, after, ascending=True):
            starts, more = self._call_starts(stream, _JUMP_ITEMS)
            found.update(_floor(start, DAY) for start in starts)
            if more and starts:
                known_until = min(known_until, shifted(_floor(starts[-1], DAY), DAY))
        return sorted(d for d in found if day <= d < known_until), known_until

    def _next_call(
        self, tenant_id: str, filters: CallFilters, moment: datetime | None
    ) -> datetime | None:
        """The start time of the first call item at or after `moment` (of all, when None) in the
        index partitions a list of these filters reads (their key ranges only, not their
        conditions: any call that can match is among them); None when they hold none."""
        after = filters._replace(start=moment, end=None)
        found = [self._call_starts(s, 1)[0] for s in plan_streams(tenant_id, after, ascending=True)]
        known = [starts[0] for starts in found if starts]
        return min(known) if known else None

    def _edges(self, tenant_id: str, filters: CallFilters) -> tuple[datetime, datetime] | None:
        """The start times of the first and last call items of the index partitions a list of
        these filters reads (each stream's partition, without its range or conditions: every
        call that can match is there, expired or not); None when they hold none. A filter's
        own days, not the tenant's: an agent with no call reads no rollup item, however long
        the tenant's history."""
        first = self._next_call(tenant_id, filters, None)
        if first is None:
            return None
        whole = filters._replace(start=None, end=None)
        lasts = [
            self._call_starts(s, 1)[0] for s in plan_streams(tenant_id, whole, ascending=False)
        ]
        # (a call removed between the two reads leaves its first without a last)
        return first, max([starts[0] for starts in lasts if starts] or [first])

    def _call_starts(self, stream: QueryStream, limit: int) -> tuple[list[datetime], bool]:
        """The start times of the first `limit` call items of a stream's key range (its index
        partition, from the stream's `range_low` when it has one), in the stream's order (its
        last ones, descending), whatever the stream's conditions; and whether it holds more."""
        index = stream.index
        condition, values = stream.key_condition(None)
        response = self.calls.dynamodb.query(
            TableName=self.calls.table_name,
            IndexName=index.name,
            KeyConditionExpression=condition,
            ExpressionAttributeNames={"#h": index.hash_attr, "#r": index.range_attr},
            ExpressionAttributeValues=values,
            Select="SPECIFIC_ATTRIBUTES",
            ProjectionExpression="#r",
            ScanIndexForward=stream.ascending,
            Limit=limit,
        )
        starts = [
            datetime.strptime(
                item[index.range_attr]["S"].split("#", 1)[0], "%Y-%m-%dT%H:%M:%S.%fZ"
            ).replace(tzinfo=UTC)
            for item in response.get("Items") or []
        ]
        return starts, "LastEvaluatedKey" in response


def _cover_days(
    low: datetime, high: datetime, units: tuple[timedelta, ...]
) -> tuple[
    tuple[datetime, datetime], list[tuple[timedelta, datetime]], list[tuple[datetime, datetime]]
]:
    """`cover` of [low, high) whose whole days (`units` begins with DAY) are given as one run
    [first, end) instead of a period each: a range can span thousands of years."""
    first, last = _ceil(low, DAY), _floor(high, DAY)
    if first >= last:
        periods, pieces = cover(low, high, units[1:])
        return (first, first), periods, pieces
    left_periods, left_pieces = cover(low, first, units[1:])
    right_periods, right_pieces = cover(last, high, units[1:])
    return (first, last), left_periods + right_periods, left_pieces + right_pieces


def _days(first: datetime, end: datetime) -> Iterator[datetime]:
    while first < end:
        yield first
        first = shifted(first, DAY)


def _keys(
    tenant_id: str,
    periods: list[tuple[timedelta, datetime]],
    chosen: Selection,
    layout: Layout,
) -> Iterator[dict[str, Any]]:
    for unit, start in periods:
        yield from _period_keys(tenant_id, _period(unit, start), chosen, layout)


def _day_keys(
    tenant_id: str, day: datetime, chosen: Selection, layout: Layout
) -> list[dict[str, Any]]:
    return list(_period_keys(tenant_id, rollups.day_period(day), chosen, layout))


def _period_keys(
    tenant_id: str, period: str, chosen: Selection, layout: Layout
) -> Iterator[dict[str, Any]]:
    pk = rollups.rollup_pk(tenant_id, period)
    for shard in rollups.shard_keys(period, layout):
        yield string_key(pk=pk, sk=shard)
    if chosen.number is not None:
        yield string_key(pk=pk, sk=rollups.number_sk(chosen.number))


def _with_range(filters: CallFilters, low: datetime, high: datetime) -> CallFilters:
    return filters._replace(start=low, end=high)
