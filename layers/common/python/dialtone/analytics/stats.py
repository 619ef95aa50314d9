"""`GET /v1/calls/stats` from the rollups, without reading the calls of the range.

The range is covered like `total` (`dialtone.analytics.totals.cover`): whole days from the day
rollups, whole hours at its edges from the hour rollups (only hours with `group_by=hour`), and
the partial hours left at the two edges from the calls themselves: they are read on the list
index (a few minutes of calls), and each call's contribution is computed with the consumer's
own code (`rollups.contribution`), so they count exactly as the rollups would, histograms
included. 30 days read about 200 rollup items (the call shards of each period) plus the calls of two
partial hours.

Each call shard holds a *metric block* for all calls (`m`), one per value of `direction`,
`status`, `outcome`, `is_test_call`, `agent_id` and `batch_id`, and one per value of the list's
common pairs (direction+status, status+outcome, agent+status, agent+direction, batch+status;
`rollups`), so stats answer no filter, one of those or one of those pairs, grouped by time or
by a dimension. A dimension grouped under a filter on another one would need a block per
combination of the two (three with a pair), which the rollups do not keep (422, saying what
works); grouped by a dimension the filters fix, the answer is that one group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from pydantic import Field

from dialtone import settings
from dialtone.analytics import histogram, rollups
from dialtone.analytics.rollup_store import RollupStore
from dialtone.analytics.stats_models import (
    MAX_GROUPS,
    MAX_RANGE_DAYS,
    CallStats,
    CallStatsParams,
    LatencyPercentiles,
    QueueTime,
    StatsCompare,
    StatsFigures,
    StatsGroup,
    StatsGroupBy,
    StatsLatency,
    StatsPeriod,
)
from dialtone.analytics.totals import DAY, HOUR, cover, shifted
from dialtone.auth import Principal, Scope
from dialtone.dynamo import from_item, string_key
from dialtone.errors import InvalidParameter
from dialtone.listing import CallFilters, plan_streams
from dialtone.settings import EnvSettings
from dialtone.store import CallStore


class CallStatsSettings(EnvSettings):
    """Stats read the rollups, and the calls of the partial hours at a range's edges."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    analytics_table: str = Field(alias="ANALYTICS_TABLE", min_length=1)


DEFAULT_RANGE = timedelta(days=30)
WEEK = timedelta(days=7)
_TICK = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MONDAY = datetime(1970, 1, 5, tzinfo=UTC)

# The filters stats answer, → the metric block of the calls that match.
_FILTER_BLOCKS: dict[str, Callable[[Any], str]] = {
    "direction": lambda v: f"d:{v}",
    "status": lambda v: f"s:{v}",
    "outcome": lambda v: f"o:{v}",
    "is_test_call": lambda v: f"t:{int(bool(v))}",
    "agent_id": lambda v: f"a:{v}",
    "batch_id": lambda v: f"b:{v}",
}
# The pairs stats answer, by their sorted filter names, → the metric block of their calls.
_PAIR_BLOCKS: dict[tuple[str, ...], Callable[[CallFilters], str]] = {
    ("direction", "status"): lambda f: f"ds:{f.direction}|{f.status}",
    ("outcome", "status"): lambda f: f"so:{f.status}|{f.outcome}",
    ("agent_id", "status"): lambda f: f"as:{f.agent_id}|{f.status}",
    ("agent_id", "direction"): lambda f: f"ad:{f.agent_id}|{f.direction}",
    ("batch_id", "status"): lambda f: f"bs:{f.batch_id}|{f.status}",
}
_UNSUPPORTED = ("from_number", "to_number", "phone_number", "call_id_prefix")
# A dimension group → the prefix of its metric blocks, and the filter on the same dimension.
_DIMENSIONS: dict[StatsGroupBy, tuple[str, str]] = {
    StatsGroupBy.AGENT: ("a", "agent_id"),
    StatsGroupBy.DIRECTION: ("d", "direction"),
    StatsGroupBy.STATUS: ("s", "status"),
    StatsGroupBy.OUTCOME: ("o", "outcome"),
    StatsGroupBy.BATCH: ("b", "batch_id"),
}
_TIME_UNITS = {StatsGroupBy.HOUR: HOUR, StatsGroupBy.DAY: DAY, StatsGroupBy.WEEK: WEEK}
_SUPPORTED_TEXT = (
    "stats support no filter, one of direction, status, outcome, agent_id, batch_id,"
    " is_test_call, or one of the pairs direction+status, status+outcome, agent_id+status,"
    " agent_id+direction, batch_id+status (with a date range); group_by a dimension only"
    " without a filter or with a filter on that dimension"
)


class Piece(NamedTuple):
    """Counts of one period: a rollup item's, or one call's (an edge call) in its hour."""

    start: datetime
    counts: Mapping[str, int]


class Query(NamedTuple):
    """What one stats request reads and adds up."""

    tenant_id: str
    filters: CallFilters
    block: str
    group_by: StatsGroupBy | None
    # Which call shards the tenant's periods have (read once a request, for both its periods).
    layout: rollups.Layout = rollups.DEFAULT_LAYOUT

    @property
    def fixed_group(self) -> str | None:
        """The one group of a grouping by a dimension the filters fix (None otherwise)."""
        if self.group_by not in _DIMENSIONS:
            return None
        value = getattr(self.filters, _DIMENSIONS[self.group_by][1])
        return None if value is None else str(value)


def block_of(filters: CallFilters, group_by: StatsGroupBy | None) -> str:
    """The metric block of the calls these filters select; InvalidParameter (422) for filters
    (or a filter and a grouping) the rollups cannot answer."""
    for name in _UNSUPPORTED:
        if getattr(filters, name) is not None:
            location = "search" if name == "call_id_prefix" else name
            raise InvalidParameter(("query", location), f"{location}: {_SUPPORTED_TEXT}")
    given = [n for n in _FILTER_BLOCKS if getattr(filters, n) is not None]
    pair = tuple(sorted(given))
    if len(given) > 2 or (len(given) == 2 and pair not in _PAIR_BLOCKS):
        raise InvalidParameter(("query", given[-1]), f"{' and '.join(given)}: {_SUPPORTED_TEXT}")
    if group_by in _DIMENSIONS and given and _DIMENSIONS[group_by][1] not in given:
        raise InvalidParameter(
            ("query", "group_by"),
            f"group_by={group_by} with {' and '.join(given)}: {_SUPPORTED_TEXT}",
        )
    if not given:
        return "m"
    if len(given) == 2:
        return _PAIR_BLOCKS[pair](filters)
    return _FILTER_BLOCKS[given[0]](getattr(filters, given[0]))


def _floor(moment: datetime, unit: timedelta, origin: datetime = _EPOCH) -> datetime:
    return origin + ((moment - origin) // unit) * unit


def _time_key(moment: datetime, group_by: StatsGroupBy) -> str:
    if group_by is StatsGroupBy.HOUR:
        return _floor(moment, HOUR).strftime("%Y-%m-%dT%H:00:00Z")
    if group_by is StatsGroupBy.DAY:
        return _floor(moment, DAY).strftime("%Y-%m-%d")
    return _floor(moment, WEEK, _MONDAY).strftime("%Y-%m-%d")


def time_keys(low: datetime, high: datetime, group_by: StatsGroupBy) -> list[str]:
    """The time groups of [low, high), oldest first; InvalidParameter past MAX_GROUPS."""
    unit = _TIME_UNITS[group_by]
    origin = _MONDAY if group_by is StatsGroupBy.WEEK else _EPOCH
    first = _floor(low, unit, origin)
    count = -(-(high - first) // unit)
    if count > MAX_GROUPS:
        raise InvalidParameter(
            ("query", "group_by"),
            f"group_by={group_by} gives {count} groups over this range, more than {MAX_GROUPS}:"
            " narrow the range or group by a longer period",
        )
    return [_time_key(first + unit * i, group_by) for i in range(count)]


def _block_counts(counts: Mapping[str, int], block: str) -> Iterator[tuple[str, int]]:
    """A metric block's counts (for `m`, its calls by status, direction and outcome are the
    item's own `s:`, `d:`, `o:` counts)."""
    start = block + "#"
    for name, value in counts.items():
        if name.startswith(start):
            yield name[len(start) :], value
        elif block == "m" and name[:2] in rollups.BREAKDOWN and "#" not in name:
            yield name, value


def _dimension_blocks(counts: Mapping[str, int], letter: str) -> Iterator[tuple[str, str, int]]:
    """(value, metric, count) of every block of a dimension (`a:<agent>#<metric>`)."""
    start = letter + ":"
    for name, value in counts.items():
        if name.startswith(start):
            block, sep, metric = name.rpartition("#")
            if sep:
                yield block[len(start) :], metric, value


class Totals:
    """The blocks of one period's pieces added up: the summary and each group."""

    def __init__(self, query: Query, keys: list[str]) -> None:
        self.query = query
        self.summary: Counter[str] = Counter()
        self.groups: dict[str, Counter[str]] = {key: Counter() for key in keys}

    def add(self, piece: Piece) -> None:
        own = dict(_block_counts(piece.counts, self.query.block))
        self.summary.update(own)
        group_by = self.query.group_by
        if group_by is None:
            return
        if group_by in _TIME_UNITS:
            self.groups[_time_key(piece.start, group_by)].update(own)
            return
        fixed = self.query.fixed_group
        if fixed is not None:
            self.groups.setdefault(fixed, Counter()).update(own)
            return
        letter = _DIMENSIONS[group_by][0]
        for value, metric, count in _dimension_blocks(piece.counts, letter):
            self.groups.setdefault(value, Counter())[metric] += count


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 6) if denominator else None


def _seconds(ms: float | None) -> float | None:
    return None if ms is None else round(ms / 1000, 3)


def _histogram(counts: Mapping[str, int], name: str) -> dict[str, int]:
    return {k[len(name) :]: v for k, v in counts.items() if k.startswith(name) and v}


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _percentiles(counts: Mapping[str, int], name: str) -> LatencyPercentiles:
    values = _histogram(counts, name)
    return LatencyPercentiles(
        p50=_ms(histogram.quantile(values, 0.5)), p95=_ms(histogram.quantile(values, 0.95))
    )


def _queue_time(counts: Mapping[str, int]) -> QueueTime:
    values = _histogram(counts, "hq")
    return QueueTime(
        calls=sum(values.values()),
        p50=_ms(histogram.quantile(values, 0.5)),
        p95=_ms(histogram.quantile(values, 0.95)),
    )


def _by(counts: Mapping[str, int], letter: str) -> dict[str, int]:
    start = letter + ":"
    return {k[len(start) :]: v for k, v in sorted(counts.items()) if k.startswith(start) and v}


def figures(counts: Mapping[str, int]) -> StatsFigures:
    """The published figures of a metric block's counts (definitions in `StatsFigures`)."""
    by_status = _by(counts, "s")
    by_outcome = _by(counts, "o")
    calls = sum(by_status.values())
    durations = _histogram(counts, "hd")
    cost = counts.get("cost", 0) / rollups.MICROS
    durn, adurn = counts.get("durn", 0), counts.get("adurn", 0)
    return StatsFigures(
        calls=calls,
        by_status=by_status,
        by_direction=_by(counts, "d"),
        by_outcome=by_outcome,
        answer_rate=_rate(counts.get("oba", 0), counts.get("obt", 0)),
        average_handle_time_seconds=_seconds(counts.get("dur", 0) / durn if durn else None),
        acd_seconds=_seconds(counts.get("adur", 0) / adurn if adurn else None),
        duration_p50_seconds=_seconds(histogram.quantile(durations, 0.5)),
        duration_p95_seconds=_seconds(histogram.quantile(durations, 0.95)),
        success_rate=_rate(counts.get("ok", 0), counts.get("okn", 0)),
        escalation_rate=_rate(by_outcome.get("escalated", 0), sum(by_outcome.values())),
        cost_total=round(cost, 6),
        cost_per_call=round(cost / calls, 6) if calls else None,
        latency_ms=StatsLatency(
            e2e=_percentiles(counts, "hl"),
            stt=_percentiles(counts, "hs"),
            llm=_percentiles(counts, "hm"),
            tts=_percentiles(counts, "ht"),
        ),
        queue_time_ms=_queue_time(counts),
    )


def _period_start(pk: str) -> datetime:
    period = pk.rsplit("#R#", 1)[1]
    if period.startswith("H"):
        return datetime.strptime(period[1:], "%Y-%m-%dT%H").replace(tzinfo=UTC)
    return datetime.strptime(period[1:], "%Y-%m-%d").replace(tzinfo=UTC)


def _item_piece(item: Mapping[str, Any]) -> Piece:
    counts = {
        name: int(value["N"])
        for name, value in item.items()
        if name not in ("pk", "sk", "as_of") and "N" in value
    }
    return Piece(_period_start(item["pk"]["S"]), counts)


def _call_piece(item: Mapping[str, Any]) -> Piece | None:
    """What an edge call adds to its hour's call shard, as the rollups would count it."""
    facts = rollups.facts_of(from_item(dict(item)))
    if facts is None:
        return None
    for (pk, sk), counts in rollups.contribution(facts).items():
        if "#R#H" in pk and sk.startswith("S#"):
            return Piece(_period_start(pk), counts)
    return None  # pragma: no cover - every call has an hour shard


class StatsReader:
    """Stats of a tenant's calls from its rollups, the edges read from the calls."""

    def __init__(self, calls: CallStore, rollup_store: RollupStore) -> None:
        self.calls = calls
        self.rollups = rollup_store

    def call_stats(self, principal: Principal, params: CallStatsParams) -> CallStats:
        """The figures of the tenant's calls over the range and filters asked for (InvalidParameter,
        422, for what the rollups cannot answer), with the previous period when asked."""
        from dialtone.call_filters import build_filters

        principal.require(Scope.CALLS_READ)
        filters = build_filters(params)
        block = block_of(filters, params.group_by)
        low, high = _range(filters, datetime.now(UTC))
        layout = self.rollups.layout(principal.tenant_id)
        query = Query(principal.tenant_id, filters, block, params.group_by, layout)
        current = self.period(query, low, high)
        previous = None
        if params.compare is StatsCompare.PREVIOUS_PERIOD:
            previous = self.period(query, shifted(low, low - high), low)
        return CallStats(
            start=current.start,
            end=current.end,
            summary=current.summary,
            groups=current.groups,
            groups_truncated=current.groups_truncated,
            group_by=params.group_by,
            as_of=self.rollups.watermark(principal.tenant_id),
            previous_period=previous,
        )

    def period(self, query: Query, low: datetime, high: datetime) -> StatsPeriod:
        """The figures of [low, high)."""
        group_by = query.group_by
        keys = time_keys(low, high, group_by) if group_by in _TIME_UNITS else []
        totals = Totals(query, keys)
        for piece in self.pieces(query, low, high):
            totals.add(piece)
        groups = None
        truncated = False
        if group_by is not None:
            groups, truncated = _groups(totals.groups, ordered=group_by in _TIME_UNITS)
        return StatsPeriod(
            start=low,
            end=high,
            summary=figures(totals.summary),
            groups=groups,
            groups_truncated=truncated,
        )

    def pieces(self, query: Query, low: datetime, high: datetime) -> Iterator[Piece]:
        """The rollup items covering [low, high) and the calls of its partial edge hours."""
        units = (HOUR,) if query.group_by is StatsGroupBy.HOUR else (DAY, HOUR)
        periods, edges = cover(low, high, units)
        keys = [
            string_key(pk=rollups.rollup_pk(query.tenant_id, period), sk=shard)
            for period in (_period(unit, start) for unit, start in periods)
            for shard in rollups.shard_keys(period, query.layout)
        ]
        yield from (_item_piece(item) for item in self.rollups.get_items(keys))
        for edge_low, edge_high in edges:
            yield from self._edge_calls(query, edge_low, edge_high)

    def _edge_calls(self, query: Query, low: datetime, high: datetime) -> Iterator[Piece]:
        edge = query.filters._replace(start=low, end=high - _TICK)
        seen: set[str] = set()
        for stream in plan_streams(query.tenant_id, edge, ascending=True):
            for item in self.calls.read_all(stream):
                call_id = item["id"]["S"]
                if call_id in seen:
                    continue
                seen.add(call_id)
                piece = _call_piece(item)
                if piece is not None:
                    yield piece


def _period(unit: timedelta, start: datetime) -> str:
    return rollups.day_period(start) if unit == DAY else rollups.hour_period(start)


def _range(filters: CallFilters, now: datetime) -> tuple[datetime, datetime]:
    """[low, high) asked for: up to now and 30 days back by default; InvalidParameter past
    MAX_RANGE_DAYS."""
    high = shifted(filters.end, _TICK) if filters.end else now
    low = filters.start or shifted(high, -DEFAULT_RANGE)
    if low >= high:
        raise InvalidParameter(("query", "start_date"), "start_date must be before end_date")
    if high - low > timedelta(days=MAX_RANGE_DAYS):
        raise InvalidParameter(
            ("query", "start_date"), f"stats cover at most {MAX_RANGE_DAYS} days at once"
        )
    return low, high


def _groups(groups: Mapping[str, Counter[str]], ordered: bool) -> tuple[list[StatsGroup], bool]:
    """Time groups in time order; dimension groups most calls first, MAX_GROUPS at most."""
    items: Iterable[tuple[str, Counter[str]]] = groups.items()
    if not ordered:

        def calls(entry: tuple[str, Counter[str]]) -> tuple[int, str]:
            return (-sum(v for k, v in entry[1].items() if k.startswith("s:")), entry[0])

        items = [e for e in sorted(items, key=calls) if calls(e)[0] < 0]
    chosen = list(items)
    return [StatsGroup(key=k, stats=figures(c)) for k, c in chosen[:MAX_GROUPS]], len(
        chosen
    ) > MAX_GROUPS


@settings.per_environment
def reader() -> StatsReader:
    """The stats reader of get_call_stats."""
    config = settings.load(CallStatsSettings)
    return StatsReader(CallStore(config.calls_table), RollupStore(config.analytics_table))
