"""GET /v1/calls/stats through the get_call_stats handler, against the template's tables on moto:
every figure equals a recomputation over the calls themselves (counts exactly, percentiles within
the histogram's 2 %), with the range's partial edge hours read from the calls."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone.accounts import AccountStore
from dialtone.auth import Scope
from dialtone.model_types import CallStatus, Direction
from dialtone.models import Call
from dialtone.store import CallStore
from local.invoke import api_event, invoke
from tests.stats_brute import assert_figures
from tests.streams import drain_calls_stream
from tests.tenants import TenantFixture, erase_account_items

ROUTE = "GET /v1/calls/stats"
T0 = datetime(2026, 3, 10, tzinfo=UTC)
# A range whose edges cut hours (and days): its first and last hours are read from the calls.
LOW = T0 + timedelta(hours=5, minutes=17)
HIGH = T0 + timedelta(days=2, hours=7, minutes=41)
STATUSES = [
    CallStatus.COMPLETED,
    CallStatus.COMPLETED,
    CallStatus.BUSY,
    CallStatus.NO_ANSWER,
    CallStatus.FAILED,
    CallStatus.CANCELED,
    CallStatus.IN_PROGRESS,
    CallStatus.QUEUED,
]


def stats(authorizer: dict[str, str] | None, **query: str) -> dict[str, Any]:
    """The Lambda result of GET /v1/calls/stats?<query>, once every stored call is rolled up."""
    if authorizer:
        drain_calls_stream(authorizer["tenant_id"])
    event = api_event(
        "get_call_stats", ROUTE, "/v1/calls/stats", query=query, authorizer=authorizer
    )
    return invoke("get_call_stats", event)


def ok(tenant: Any, **query: str) -> dict[str, Any]:
    result = stats(tenant.authorizer(Scope.CALLS_READ), **query)
    assert result["statusCode"] == 200, result["body"]
    answer: dict[str, Any] = json.loads(result["body"])
    return answer


@dataclass
class Seeded:
    """A tenant with calls over three days from T0 (and a batch among them), and a neighbour."""

    tenant: TenantFixture
    calls: list[Call]
    batch: list[Call]
    other: TenantFixture
    other_calls: list[Call]


@pytest.fixture(scope="module")
def seeded(handler_environment: dict[str, str]) -> Iterator[Seeded]:
    """Seeded once for the module (rolling calls up on the embedded endpoint is slow)."""
    store = CallStore(handler_environment["CALLS_TABLE"])
    accounts = AccountStore(handler_environment["ACCOUNTS_TABLE"])
    fixtures = []
    for seed_value in (7, 11):
        created = accounts.create_tenant(name=f"Stats tenant {seed_value}")
        fixtures.append(TenantFixture(created.tenant_id, store, random.Random(seed_value)))
    tenant, other = fixtures
    calls = seed(tenant, count=96)
    batch = [dialed(tenant, h) for h in range(8, 20)]
    yield Seeded(tenant, calls + batch, batch, other, seed(other, count=30))
    for fixture in fixtures:
        for call_id in fixture.call_ids:
            store.delete_call_items(fixture.tenant_id, call_id)
        erase_account_items(accounts, fixture.tenant_id)


def dialed(tenant: Any, hour: int) -> Call:
    """A batch call placed by the dialer: outbound, with the queue time it waited unless it was
    never dialed (still queued, or canceled before its turn)."""
    status = STATUSES[hour % len(STATUSES)]
    never_dialed = status in (CallStatus.QUEUED, CallStatus.CANCELED)
    return tenant.add_call(
        start_time=T0 + timedelta(hours=hour, minutes=7),
        batch_id="batch-stats",
        agent_id="agent-sales",
        direction=Direction.OUTBOUND,
        status=status,
        queue_time_ms=None if never_dialed else 350 * (hour - 7) ** 2,
    )


def seed(tenant: Any, count: int, days: int = 3) -> list[Call]:
    """Calls of every status and direction spread over `days` days from T0."""
    calls = []
    for n in range(count):
        start = T0 + timedelta(minutes=tenant.rng.randrange(days * 24 * 60), seconds=n % 60)
        calls.append(tenant.add_call(start_time=start, status=STATUSES[n % len(STATUSES)]))
    return calls


def between(calls: list[Call], low: datetime, high: datetime) -> list[Call]:
    return [c for c in calls if low <= c.start_time < high]


# Figures


def test_figures_over_a_range_with_partial_edges_equal_a_recomputation(seeded: Seeded) -> None:
    # Given calls of every status over three days, some in the partial hours at the edges
    tenant, calls = seeded.tenant, seeded.calls
    assert between(calls, LOW, LOW.replace(minute=0) + timedelta(hours=1))

    # When the stats of a range that starts and ends inside an hour are asked for
    answer = ok(tenant, start_date=LOW.isoformat(), end_date=HIGH.isoformat())

    # Then every figure equals a recomputation over the calls of that range
    assert_figures(answer["summary"], between(calls, LOW, HIGH + timedelta(microseconds=1)))
    assert answer["start"].startswith("2026-03-10T05:17")
    assert answer["groups"] is None
    assert answer["previous_period"] is None
    assert answer["as_of"] is not None


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ({"direction": "outbound"}, lambda c: c.direction is Direction.OUTBOUND),
        ({"status": "completed"}, lambda c: c.status is CallStatus.COMPLETED),
        ({"outcome": "escalated"}, lambda c: str(c.outcome) == "escalated"),
        ({"agent_id": "agent-support"}, lambda c: c.agent_id == "agent-support"),
        ({"is_test_call": "false"}, lambda c: not c.is_test_call),
    ],
)
def test_each_single_filter_gives_the_figures_of_its_calls(
    seeded: Seeded, query: dict[str, str], matches: Any
) -> None:
    # Given calls of several agents, statuses and directions
    tenant, calls = seeded.tenant, seeded.calls

    # When stats are asked for with one filter
    answer = ok(tenant, start_date=LOW.isoformat(), end_date=HIGH.isoformat(), **query)

    # Then they are the figures of the calls that match it
    chosen = [c for c in between(calls, LOW, HIGH) if matches(c)]
    assert chosen
    assert_figures(answer["summary"], chosen)


PAIRS = [
    (
        {"direction": "outbound", "status": "completed"},
        lambda c: c.direction is Direction.OUTBOUND and c.status is CallStatus.COMPLETED,
    ),
    (
        {"agent_id": "agent-support", "status": "completed"},
        lambda c: c.agent_id == "agent-support" and c.status is CallStatus.COMPLETED,
    ),
    (
        {"agent_id": "agent-sales", "direction": "outbound"},
        lambda c: c.agent_id == "agent-sales" and c.direction is Direction.OUTBOUND,
    ),
    (
        {"batch_id": "batch-stats", "status": "busy"},
        lambda c: c.batch_id == "batch-stats" and c.status is CallStatus.BUSY,
    ),
    (
        {"status": "completed", "outcome": "resolved"},
        lambda c: c.status is CallStatus.COMPLETED and str(c.outcome) == "resolved",
    ),
]


@pytest.mark.parametrize(("query", "matches"), PAIRS)
def test_each_common_pair_gives_the_figures_of_its_calls(
    seeded: Seeded, query: dict[str, str], matches: Any
) -> None:
    # Given calls of several agents, statuses, directions and a batch
    tenant, calls = seeded.tenant, seeded.calls

    # When stats are asked for with one of the list's common pairs, over a range whose edge
    # hours are read from the calls, and compared with the period before
    answer = ok(
        tenant,
        start_date=LOW.isoformat(),
        end_date=HIGH.isoformat(),
        compare="previous_period",
        **query,
    )

    # Then they are the figures of the calls that match both filters
    chosen = [c for c in between(calls, LOW, HIGH) if matches(c)]
    assert chosen
    assert_figures(answer["summary"], chosen)
    before = LOW - (HIGH - LOW)
    earlier = [c for c in between(calls, before, LOW) if matches(c)]
    assert_figures(answer["previous_period"]["summary"], earlier)


@pytest.mark.parametrize(
    "query",
    [
        {"agent_id": "agent-edge", "status": "completed"},
        {"agent_id": "agent-edge", "direction": "outbound"},
        {"batch_id": "batch-edge", "status": "completed"},
    ],
)
def test_a_pairs_calls_in_the_partial_edge_hours_count(tenant: Any, query: dict[str, str]) -> None:
    # Given an agent's batch calls in the partial hours at both edges of a range, one whole
    # day between them, and one just before the range
    def add(start: datetime) -> Call:
        return tenant.add_call(
            start_time=start,
            agent_id="agent-edge",
            batch_id="batch-edge",
            direction=Direction.OUTBOUND,
            status=CallStatus.COMPLETED,
        )

    inside = [add(LOW + timedelta(minutes=10)), add(T0 + timedelta(days=1, hours=12))]
    inside.append(add(HIGH - timedelta(minutes=10)))
    add(LOW - timedelta(minutes=5))

    # When stats are asked for with the agent's or the batch's pair over that range
    answer = ok(tenant, start_date=LOW.isoformat(), end_date=HIGH.isoformat(), **query)

    # Then the calls inside count, those of the edges as the rollups would count them
    assert answer["summary"]["calls"] == len(inside)
    assert_figures(answer["summary"], inside)


def test_a_pair_grouped_by_day_or_by_one_of_its_dimensions(seeded: Seeded) -> None:
    # Given an agent's calls of several statuses over three days
    tenant, calls = seeded.tenant, seeded.calls
    mine = [c for c in calls if c.agent_id == "agent-support" and c.status is CallStatus.COMPLETED]
    pair = {"agent_id": "agent-support", "status": "completed"}

    # When that agent's completed calls are grouped by day, and by status
    days = ok(tenant, start_date="2026-03-10", end_date="2026-03-12", group_by="day", **pair)
    statuses = ok(tenant, start_date="2026-03-10", end_date="2026-03-12", group_by="status", **pair)

    # Then each day holds that day's calls of the pair, and the one status group all of them
    assert [g["key"] for g in days["groups"]] == ["2026-03-10", "2026-03-11", "2026-03-12"]
    for group in days["groups"]:
        day = datetime.fromisoformat(group["key"]).replace(tzinfo=UTC)
        assert_figures(group["stats"], between(mine, day, day + timedelta(days=1)))
    assert [g["key"] for g in statuses["groups"]] == ["completed"]
    assert_figures(statuses["groups"][0]["stats"], mine)


def test_a_batch_filter_counts_the_batch_only(seeded: Seeded) -> None:
    # Given a batch's calls among others
    tenant, batch = seeded.tenant, seeded.batch

    # When stats are asked for that batch
    answer = ok(tenant, start_date="2026-03-10", end_date="2026-03-12", batch_id="batch-stats")

    # Then only its calls count, their queue time over the dialed ones
    assert_figures(answer["summary"], batch)
    queue = answer["summary"]["queue_time_ms"]
    assert 0 < queue["calls"] == len([c for c in batch if c.queue_time_ms is not None]) < len(batch)
    assert queue["p95"] > queue["p50"]


def test_queue_time_leaves_out_calls_never_dialed(seeded: Seeded) -> None:
    # Given outbound calls dialed after waiting (the batch's), and others never dialed
    tenant, batch = seeded.tenant, seeded.batch

    # When the stats are grouped by status
    answer = ok(tenant, start_date="2026-03-10", end_date="2026-03-12", group_by="status")

    # Then a queued or canceled call has no queue time: their groups count none
    groups = {g["key"]: g["stats"]["queue_time_ms"] for g in answer["groups"]}
    assert groups["queued"] == groups["canceled"] == {"calls": 0, "p50": None, "p95": None}
    completed = [c for c in batch if c.status is CallStatus.COMPLETED]
    assert groups["completed"]["calls"] == len(completed) > 0


def test_the_default_range_is_the_last_30_days(tenant: Any) -> None:
    # Given calls 1 and 20 days ago, and one 40 days ago
    now = datetime.now(UTC)
    recent = [
        tenant.add_call(start_time=now - timedelta(days=d, minutes=3), status=CallStatus.BUSY)
        for d in (1, 20)
    ]
    tenant.add_call(start_time=now - timedelta(days=40), status=CallStatus.BUSY)

    # When stats are asked for without a range
    answer = ok(tenant)

    # Then the last 30 days count
    assert answer["summary"]["calls"] == len(recent)
    start, end = (datetime.fromisoformat(answer[k]) for k in ("start", "end"))
    assert end - start == timedelta(days=30)


# Groups


def test_group_by_day_gives_every_day_of_the_range_with_its_calls(seeded: Seeded) -> None:
    # Given calls over three days
    tenant, calls = seeded.tenant, seeded.calls

    # When stats are grouped by day over a range that cuts its first and last day
    answer = ok(tenant, start_date=LOW.isoformat(), end_date=HIGH.isoformat(), group_by="day")

    # Then there is a group per day of the range, each with the figures of that day's calls
    keys = [g["key"] for g in answer["groups"]]
    assert keys == ["2026-03-10", "2026-03-11", "2026-03-12"]
    for group in answer["groups"]:
        day = datetime.fromisoformat(group["key"]).replace(tzinfo=UTC)
        low, high = max(day, LOW), min(day + timedelta(days=1), HIGH)
        assert_figures(group["stats"], between(calls, low, high))
    assert sum(g["stats"]["calls"] for g in answer["groups"]) == answer["summary"]["calls"]


def test_group_by_hour_and_week(seeded: Seeded) -> None:
    # Given calls over three days
    tenant, calls = seeded.tenant, seeded.calls

    # When grouped by hour over six hours with partial edges, and by week
    hours = ok(
        tenant,
        start_date=(T0 + timedelta(hours=10, minutes=30)).isoformat(),
        end_date=(T0 + timedelta(hours=15, minutes=59, seconds=59)).isoformat(),
        group_by="hour",
    )
    weeks = ok(tenant, start_date="2026-03-01", end_date="2026-03-20", group_by="week")

    # Then each hour group holds that hour's calls in the range, empty hours included
    assert [g["key"] for g in hours["groups"]] == [
        f"2026-03-10T{h:02d}:00:00Z" for h in range(10, 16)
    ]
    for group in hours["groups"]:
        hour = datetime.fromisoformat(group["key"].replace("Z", "+00:00"))
        low = max(hour, T0 + timedelta(hours=10, minutes=30))
        assert group["stats"]["calls"] == len(between(calls, low, hour + timedelta(hours=1)))
    # ... and weeks start on Mondays (2026-03-09 is one)
    assert [g["key"] for g in weeks["groups"]] == [
        "2026-02-23",
        "2026-03-02",
        "2026-03-09",
        "2026-03-16",
    ]
    assert [g["stats"]["calls"] for g in weeks["groups"]] == [0, 0, len(calls), 0]


def test_group_by_agent_gives_each_agents_figures_most_calls_first(seeded: Seeded) -> None:
    # Given calls of several agents
    tenant, calls = seeded.tenant, seeded.calls

    # When grouped by agent
    answer = ok(tenant, start_date="2026-03-10", end_date="2026-03-12", group_by="agent")

    # Then each agent with calls has its group, most calls first, with its calls' figures
    agents = Counter(c.agent_id for c in calls)
    assert [g["key"] for g in answer["groups"]] == [
        a for a, _ in sorted(agents.items(), key=lambda e: (-e[1], e[0]))
    ]
    for group in answer["groups"]:
        assert_figures(group["stats"], [c for c in calls if c.agent_id == group["key"]])
    assert answer["groups_truncated"] is False


@pytest.mark.parametrize("group_by", ["direction", "status", "outcome"])
def test_group_by_a_dimension_splits_the_calls_by_its_values(seeded: Seeded, group_by: str) -> None:
    # Given calls of every direction, status and outcome
    tenant, calls = seeded.tenant, seeded.calls

    # When grouped by a dimension
    answer = ok(tenant, start_date="2026-03-10", end_date="2026-03-12", group_by=group_by)

    # Then each value with calls is a group holding exactly its calls
    values = Counter(str(getattr(c, group_by)) for c in calls if getattr(c, group_by))
    assert {g["key"]: g["stats"]["calls"] for g in answer["groups"]} == dict(values)


def test_a_dimension_filter_and_the_same_dimensions_groups(seeded: Seeded) -> None:
    # Given calls of several statuses
    tenant, calls = seeded.tenant, seeded.calls

    # When filtered on a status and grouped by status
    answer = ok(
        tenant, start_date="2026-03-10", end_date="2026-03-12", status="busy", group_by="status"
    )

    # Then the one group is that status
    busy = [c for c in calls if c.status is CallStatus.BUSY]
    assert [(g["key"], g["stats"]["calls"]) for g in answer["groups"]] == [("busy", len(busy))]


# Compare


def test_compare_previous_period_gives_the_range_before(seeded: Seeded) -> None:
    # Given calls over three days
    tenant, calls = seeded.tenant, seeded.calls

    # When the second day is compared with the first
    answer = ok(
        tenant,
        start_date="2026-03-11T00:00:00Z",
        end_date="2026-03-11T23:59:59.999999Z",
        compare="previous_period",
        group_by="day",
    )

    # Then the previous period is the day before, with its figures and its groups
    previous = answer["previous_period"]
    assert previous["start"].startswith("2026-03-10T00:00:00")
    assert previous["end"].startswith("2026-03-11T00:00:00")
    assert_figures(previous["summary"], between(calls, T0, T0 + timedelta(days=1)))
    assert [g["key"] for g in previous["groups"]] == ["2026-03-10"]
    assert_figures(
        answer["summary"], between(calls, T0 + timedelta(days=1), T0 + timedelta(days=2))
    )


# Isolation, scopes, bad parameters


def test_another_tenants_calls_never_count(seeded: Seeded) -> None:
    # Given two tenants with calls at the same times
    tenant, mine, other = seeded.tenant, seeded.calls, seeded.other

    # When each asks for stats
    answer = ok(tenant, start_date="2026-03-10", end_date="2026-03-12", group_by="agent")

    # Then each sees its own calls only
    assert answer["summary"]["calls"] == len(mine)
    assert sum(g["stats"]["calls"] for g in answer["groups"]) == len(mine)
    theirs = ok(other, start_date="2026-03-10", end_date="2026-03-12")["summary"]["calls"]
    assert theirs == len(seeded.other_calls)


def test_a_key_without_calls_read_is_refused(tenant: Any) -> None:
    # Given a key that may only create calls
    # When it asks for stats
    result = stats(tenant.authorizer(Scope.CALLS_WRITE))

    # Then it is refused with 403
    assert result["statusCode"] == 403


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ({"group_by": "minute"}, "group_by"),
        ({"compare": "last_year"}, "compare"),
        ({"status": "lost"}, "status"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2026-03-12", "end_date": "2026-03-10"}, "end_date"),
        ({"start_date": "2025-01-01", "end_date": "2026-03-10"}, "start_date"),
        ({"direction": "outbound", "outcome": "resolved"}, "outcome"),
        ({"agent_id": "agent-support", "status": "completed", "direction": "inbound"}, "agent_id"),
        ({"agent_id": "agent-support", "status": "completed", "group_by": "batch"}, "group_by"),
        ({"from_number": "+14155550100"}, "from_number"),
        ({"search": "0b6f3b5e"}, "search"),
        ({"agent_id": "agent-support", "group_by": "status"}, "group_by"),
        ({"start_date": "2026-01-01", "end_date": "2026-03-10", "group_by": "hour"}, "group_by"),
    ],
)
def test_bad_or_unsupported_parameters_are_422_naming_the_parameter(
    tenant: Any, query: dict[str, str], location: str
) -> None:
    # When stats are asked with a bad parameter or a filter the rollups cannot answer
    result = stats(tenant.authorizer(Scope.CALLS_READ), **query)

    # Then the answer is 422 and names the parameter
    assert result["statusCode"] == 422, result["body"]
    locations = [e["loc"] for e in json.loads(result["body"])["detail"]]
    assert any(loc[-1] == location for loc in locations), locations


def test_more_than_500_hours_is_refused_but_500_days_of_days_is_not(tenant: Any) -> None:
    # Given a tenant with a call
    tenant.add_call(start_time=T0 + timedelta(hours=3))

    # When grouped by hour over 21 days (504 groups), and by day over 366 days
    hours = stats(
        tenant.authorizer(Scope.CALLS_READ),
        start_date="2026-03-01",
        end_date="2026-03-21",
        group_by="hour",
    )
    days = ok(tenant, start_date="2025-03-11", end_date="2026-03-11", group_by="day")

    # Then the hours are refused (narrow the range), the days answered
    assert hours["statusCode"] == 422
    assert "narrow the range" in hours["body"]
    assert len(days["groups"]) == 366
    assert days["summary"]["calls"] == 1


@pytest.mark.parametrize(
    "query",
    [
        {"end_date": "9999-12-31"},
        {"start_date": "9999-12-31T23:30:00Z", "end_date": "9999-12-31"},
        {"end_date": "0001-01-01", "compare": "previous_period", "group_by": "week"},
        {"start_date": "0001-01-01", "end_date": "0001-01-03", "compare": "previous_period"},
    ],
    ids=["last-day-default-start", "last-half-hour", "first-day-weeks", "first-days-compare"],
)
def test_ranges_at_the_calendars_edges_are_answered(tenant: Any, query: dict[str, str]) -> None:
    # Given a tenant with a call today
    tenant.add_call(start_time=datetime.now(UTC) - timedelta(minutes=5))

    # When stats are asked for at the first or last days there are (the range, its default
    # start or its previous period would reach past them)
    answer = ok(tenant, **query)

    # Then they are answered, with none of the tenant's calls, and the range held within them
    assert answer["summary"]["calls"] == 0
    start, end = (datetime.fromisoformat(answer[k]) for k in ("start", "end"))
    assert start <= end
    if answer.get("previous_period"):
        assert answer["previous_period"]["summary"]["calls"] == 0
