"""Stats from the rollups (dialtone.analytics.stats): after any sequence of creates, changes,
erasures and expiries delivered in any order and any number of times, every figure equals the
published definition applied to the calls as they are in the end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialtone.analytics.rollup_store import RollupStore
from dialtone.analytics.stats import Query, StatsReader, block_of, figures, time_keys
from dialtone.analytics.stats_models import StatsGroupBy
from dialtone.analytics.stream import apply_records
from dialtone.errors import InvalidParameter
from dialtone.listing import CallFilters
from dialtone.model_types import CallOutcome, CallStatus, Direction
from dialtone.models import Call, CallAnalysis, CallCost, CallLatency, LatencyStats
from tests.fake_dynamodb import FakeDynamoDB
from tests.stats_brute import assert_figures
from tests.unit.test_rollups import T0, TENANT, call_versions, stream_of

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@st.composite
def measured_versions(draw: st.DrawFn, index: int) -> list[Call | None]:
    """A call's versions, each with an analysis verdict, a cost and latencies drawn, and a
    queue time for an outbound call once dialed."""
    versions = draw(call_versions(index))
    result: list[Call | None] = []
    for version in versions:
        if version is None:
            result.append(None)
            continue
        stages = {
            stage: draw(st.sampled_from([None, 0.0, 140.0, 480.0, 1900.0]))
            for stage in ("e2e", "stt", "llm", "tts")
        }
        dialed = version.direction is Direction.OUTBOUND and version.status is not CallStatus.QUEUED
        queue_time = draw(st.sampled_from([0, 850, 61_000, 3_600_000])) if dialed else None
        result.append(
            version.model_copy(
                update={
                    "queue_time_ms": queue_time,
                    "analysis": CallAnalysis(
                        call_successful=draw(st.sampled_from([None, True, False]))
                    ),
                    "cost": CallCost(total=draw(st.sampled_from([0.0, 0.0123, 1.5]))),
                    "latency": CallLatency(
                        **{
                            s: LatencyStats(p50=v) if v is not None else None
                            for s, v in stages.items()
                        }
                    ),
                }
            )
        )
    return result


FILTERS: list[dict[str, Any]] = [
    {},
    {"direction": Direction.OUTBOUND},
    {"status": CallStatus.COMPLETED},
    {"outcome": CallOutcome.ESCALATED},
    {"agent_id": "agent-2"},
    {"batch_id": "batch-1"},
    {"is_test_call": False},
    {"direction": Direction.OUTBOUND, "status": CallStatus.COMPLETED},
    {"status": CallStatus.COMPLETED, "outcome": CallOutcome.ESCALATED},
    {"agent_id": "agent-2", "status": CallStatus.IN_PROGRESS},
    {"agent_id": "agent-1", "direction": Direction.OUTBOUND},
    {"batch_id": "batch-1", "status": CallStatus.BUSY},
]


def matches(call: Call, query: dict[str, Any]) -> bool:
    return all(getattr(call, name) == value for name, value in query.items())


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_stats_equal_a_recomputation_over_the_calls_whatever_the_delivery(
    data: st.DataObject,
) -> None:
    # Given calls created, changed, erased or expired, as stream records delivered with
    # duplicates, in any order, in batches of any size
    histories = [data.draw(measured_versions(i)) for i in range(data.draw(st.integers(1, 6)))]
    records = stream_of(histories)
    duplicates = data.draw(st.lists(st.sampled_from(records), max_size=len(records)))
    delivery = data.draw(st.permutations(records + duplicates))
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(delivery) - 1)), max_size=6)))
    batches = [delivery[a:b] for a, b in zip([0, *cuts], [*cuts, len(delivery)], strict=False)]
    store = RollupStore("analytics", dynamodb=FakeDynamoDB())
    for batch in batches:
        assert apply_records(store, batch).failed == []

    # When stats are read over whole hours (the edges of a range are read from the calls, which
    # the integration tests cover), with each filter and grouped by day and by agent
    reader = StatsReader(calls=None, rollup_store=store)  # type: ignore[arg-type]
    finals = [versions[-1] for versions in histories if versions[-1] is not None]
    low = T0 + data.draw(st.integers(0, 3 * 24 - 1)) * HOUR
    high = T0 + 4 * DAY
    in_range = [c for c in finals if low <= c.start_time < high]
    for query in FILTERS:
        filters = CallFilters(start=low, end=high, **query)
        chosen = [c for c in in_range if matches(c, query)]
        period = reader.period(Query(TENANT, filters, block_of(filters, None), None), low, high)

        # Then every figure equals the definition applied to the calls in the end
        assert_figures(period.summary.model_dump(), chosen)

    by_day = reader.period(Query(TENANT, CallFilters(), "m", StatsGroupBy.DAY), low, high)
    for group in by_day.groups or []:
        day = T0.replace(day=int(group.key[-2:]))
        start = max(day, low)
        assert_figures(
            group.stats.model_dump(), [c for c in in_range if start <= c.start_time < day + DAY]
        )
    by_agent = reader.period(Query(TENANT, CallFilters(), "m", StatsGroupBy.AGENT), low, high)
    for group in by_agent.groups or []:
        assert_figures(group.stats.model_dump(), [c for c in in_range if c.agent_id == group.key])
    assert {g.key for g in by_agent.groups or []} == {c.agent_id for c in in_range if c.agent_id}
    # ... and a pair grouped by one of its own dimensions is that one group
    pair = CallFilters(agent_id="agent-2", status=CallStatus.COMPLETED)
    grouped = reader.period(
        Query(TENANT, pair, block_of(pair, StatsGroupBy.STATUS), StatsGroupBy.STATUS), low, high
    )
    chosen = [c for c in in_range if c.agent_id == "agent-2" and c.status is CallStatus.COMPLETED]
    assert [g.key for g in grouped.groups or []] == (["completed"] if chosen else [])
    for group in grouped.groups or []:
        assert_figures(group.stats.model_dump(), chosen)


def test_figures_of_no_calls_are_zero_or_null() -> None:
    # Given nothing counted
    empty = figures({})

    # Then counts are zero and every ratio or percentile is null, never a division by zero
    assert empty.calls == 0
    assert empty.cost_total == 0
    assert empty.answer_rate is None
    assert empty.acd_seconds is None
    assert empty.duration_p95_seconds is None
    assert empty.latency_ms.e2e.p50 is None
    assert (empty.queue_time_ms.calls, empty.queue_time_ms.p95) == (0, None)


@pytest.mark.parametrize(
    ("filters", "group_by", "location"),
    [
        (CallFilters(direction=Direction.INBOUND, outcome=CallOutcome.ERROR), None, "outcome"),
        (
            CallFilters(agent_id="a", status=CallStatus.BUSY, direction=Direction.INBOUND),
            None,
            "agent_id",
        ),
        (
            CallFilters(agent_id="agent-1", status=CallStatus.BUSY),
            StatsGroupBy.DIRECTION,
            "group_by",
        ),
        (CallFilters(phone_number="+14155550100"), None, "phone_number"),
        (CallFilters(call_id_prefix="0b6f"), None, "search"),
        (CallFilters(agent_id="agent-1"), StatsGroupBy.BATCH, "group_by"),
    ],
)
def test_what_the_rollups_cannot_answer_is_refused_naming_it(
    filters: CallFilters, group_by: StatsGroupBy | None, location: str
) -> None:
    with pytest.raises(InvalidParameter) as refused:
        block_of(filters, group_by)
    assert refused.value.location == ("query", location)
    assert "stats support" in str(refused.value)


def test_a_single_filter_selects_its_metric_block() -> None:
    assert block_of(CallFilters(), StatsGroupBy.AGENT) == "m"
    assert block_of(CallFilters(agent_id="agent-1"), StatsGroupBy.AGENT) == "a:agent-1"
    assert block_of(CallFilters(is_test_call=True), StatsGroupBy.DAY) == "t:1"


def test_a_common_pair_selects_its_metric_block() -> None:
    both = CallFilters(agent_id="agent-1", status=CallStatus.BUSY)
    assert block_of(both, StatsGroupBy.STATUS) == "as:agent-1|busy"
    assert block_of(both, StatsGroupBy.AGENT) == "as:agent-1|busy"
    assert (
        block_of(CallFilters(status=CallStatus.COMPLETED, outcome=CallOutcome.RESOLVED), None)
        == "so:completed|resolved"
    )
    assert block_of(CallFilters(batch_id="b-1", status=CallStatus.FAILED), None) == "bs:b-1|failed"


def test_time_groups_cover_the_range_and_are_capped() -> None:
    assert time_keys(T0 + 30 * timedelta(minutes=1), T0 + 3 * HOUR, StatsGroupBy.HOUR) == [
        "2026-03-10T00:00:00Z",
        "2026-03-10T01:00:00Z",
        "2026-03-10T02:00:00Z",
    ]
    # 2026-03-10 is a Tuesday: its week starts on Monday the 9th
    assert time_keys(T0, T0 + DAY, StatsGroupBy.WEEK) == ["2026-03-09"]
    assert len(time_keys(T0, T0 + 500 * HOUR, StatsGroupBy.HOUR)) == 500
    with pytest.raises(InvalidParameter, match="narrow the range"):
        time_keys(T0, T0 + 501 * HOUR, StatsGroupBy.HOUR)
