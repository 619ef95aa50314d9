"""GET /v1/calls through the list_calls handler, against the template's tables on moto."""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from dialtone.auth import Scope
from dialtone.model_types import CallOutcome, CallStatus, Direction
from local.invoke import api_event, invoke, sample_event
from tests.streams import drain_calls_stream

ROUTE = "GET /v1/calls"
BODY_FIELDS = {"calls", "total", "total_as_of", "limit", "offset", "next_cursor"}
TIMESTAMP_FIELDS = ("start_time", "end_time", "created_at", "updated_at", "queued_at", "dialed_at")

# A remote party of the tests' own, outside the 555-01xx range the seed draws customers from.
PARTY = "+14155550177"
PARTY_FORMATTED = "+1 (415) 555-0177"
OTHER_PARTY = "+13125550188"

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def list_calls(authorizer: dict[str, str] | None, **query: str) -> dict[str, Any]:
    """The Lambda result of GET /v1/calls?<query> for the caller the authorizer described, once
    every call stored so far is rolled up (the stream drained through its consumer)."""
    if authorizer:
        drain_calls_stream(authorizer["tenant_id"])
    event = api_event("list_calls", ROUTE, "/v1/calls", query=query, authorizer=authorizer)
    return invoke("list_calls", event)


def body(result: dict[str, Any]) -> Any:
    return json.loads(result["body"])


def page(tenant: Any, **query: str) -> dict[str, Any]:
    """A 200 page of the tenant's calls (a read-only key), as the client sees it."""
    result = list_calls(tenant.authorizer(Scope.CALLS_READ), **query)
    assert result["statusCode"] == 200, result["body"]
    return body(result)


def ids(listed: dict[str, Any]) -> list[str]:
    return [call["id"] for call in listed["calls"]]


def newest_first(calls: list[Any]) -> list[str]:
    """Ids in the API's default order: start time, then id, descending."""
    return [c.id for c in sorted(calls, key=lambda c: (c.start_time, c.id), reverse=True)]


def walk(tenant: Any, limit: int, **query: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Every id reached by following next_cursor from the first page, and the pages."""
    pages = [page(tenant, limit=str(limit), **query)]
    while pages[-1]["next_cursor"] is not None:
        assert len(pages) < 200, "next_cursor never ends"
        pages.append(page(tenant, limit=str(limit), cursor=pages[-1]["next_cursor"], **query))
    return [i for p in pages for i in ids(p)], pages


def error_locations(result: dict[str, Any]) -> list[list[str]]:
    return [error["loc"] for error in body(result)["detail"]]


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


# Order and shape


def test_calls_are_listed_newest_start_time_first(tenant: Any) -> None:
    # Given: five calls stored in an order unrelated to when they started
    offsets = [3, 0, 4, 1, 2]
    calls = [tenant.add_call(start_time=T0 + minutes(m)) for m in offsets]

    # When: the tenant lists its calls
    listed = page(tenant)

    # Then: the latest call comes first and the body has the documented shape
    assert ids(listed) == newest_first(calls)
    assert set(listed) == BODY_FIELDS
    assert (listed["total"], listed["limit"], listed["offset"]) == (5, 20, 0)
    assert listed["next_cursor"] is None


def test_order_asc_lists_oldest_first(tenant: Any) -> None:
    # Given: five calls
    calls = [tenant.add_call(start_time=T0 + minutes(m)) for m in (2, 0, 4, 3, 1)]

    # When: the tenant asks for ascending order
    listed = page(tenant, order="asc")

    # Then: the earliest call comes first
    assert ids(listed) == list(reversed(newest_first(calls)))


def test_listed_call_carries_the_call_object_with_utc_z_timestamps(tenant: Any) -> None:
    # Given: a completed call that was queued and dialed
    call = tenant.add_call(
        start_time=T0,
        status=CallStatus.COMPLETED,
        queued_at=T0 - minutes(1),
        dialed_at=T0 - minutes(0.5),
    )

    # When: the tenant lists its calls
    [listed] = page(tenant)["calls"]

    # Then: the call is the stored one and every timestamp is ISO-8601 UTC with a Z
    assert listed["id"] == call.id
    assert listed["direction"] == call.direction.value
    assert listed["start_time"] == "2026-03-10T12:00:00Z"
    for name in TIMESTAMP_FIELDS:
        assert listed[name].endswith("Z"), (name, listed[name])


def test_a_call_with_a_recording_is_listed_with_a_presigned_url(tenant: Any) -> None:
    # Given: one call with a recording in the bucket and one without
    with_audio = tenant.add_call(
        start_time=T0 + minutes(1), recording_key=f"{tenant.tenant_id}/a.wav"
    )
    without_audio = tenant.add_call(start_time=T0)

    # When: the tenant lists its calls
    listed = {c["id"]: c for c in page(tenant)["calls"]}

    # Then: only the recorded call has a SigV4 presigned link to its object
    url = listed[with_audio.id]["recording_url"]
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path.endswith(f"/{tenant.tenant_id}/a.wav")
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert "X-Amz-Signature" in query
    assert listed[without_audio.id]["recording_url"] is None


def test_another_tenants_calls_are_never_listed(make_tenant: Any) -> None:
    # Given: two tenants with calls from the same remote party
    mine, theirs = make_tenant(seed=1), make_tenant(seed=2)
    my_calls = mine.add_calls(3, direction=Direction.INBOUND, customer=PARTY)
    theirs.add_calls(4, direction=Direction.INBOUND, customer=PARTY)

    # When: the first tenant lists everything, and the calls of that party
    everything = page(mine)
    by_party = page(mine, phone_number=PARTY)

    # Then: it only ever sees its own calls
    assert sorted(ids(everything)) == sorted(c.id for c in my_calls)
    assert everything["total"] == 3
    assert sorted(ids(by_party)) == sorted(c.id for c in my_calls)
    assert by_party["total"] == 3


def test_another_tenants_call_id_is_not_found_by_search(make_tenant: Any) -> None:
    # Given: a call of another tenant
    mine, theirs = make_tenant(seed=1), make_tenant(seed=2)
    mine.add_calls(2)
    [their_call] = theirs.add_calls(1)

    # When: the first tenant searches the start of that call's id
    found = page(mine, search=their_call.id[:8])

    # Then: nothing
    assert (found["calls"], found["total"]) == ([], 0)


def test_a_key_without_calls_read_is_refused(tenant: Any) -> None:
    # Given: a tenant with a call and a key that may only dial
    tenant.add_call()

    # When: the key lists calls
    result = list_calls(tenant.authorizer(Scope.CALLS_WRITE))

    # Then: 403 names the missing scope
    assert result["statusCode"] == 403
    assert body(result) == {"detail": "Missing scope calls:read"}


def test_unknown_query_parameters_are_ignored(tenant: Any) -> None:
    # Given: calls of both directions
    inbound = tenant.add_calls(2, direction=Direction.INBOUND)
    tenant.add_calls(2, direction=Direction.OUTBOUND)

    # When: the query carries parameters the API does not know next to one it does
    listed = page(tenant, colour="blue", sort_by="nothing", direction="inbound")

    # Then: the known filter applies and the rest change nothing
    assert sorted(ids(listed)) == sorted(c.id for c in inbound)


# Limit and offset


def test_limit_defaults_to_20(tenant: Any) -> None:
    # Given: 25 calls
    tenant.add_calls(25)

    # When: the tenant lists without a limit
    listed = page(tenant)

    # Then: 20 come back, with the total and a cursor to the rest
    assert len(listed["calls"]) == 20
    assert (listed["total"], listed["limit"]) == (25, 20)
    assert listed["next_cursor"]


@pytest.mark.parametrize("limit", ["1", "100"])
def test_limit_bounds_are_accepted(tenant: Any, limit: str) -> None:
    # Given: three calls
    tenant.add_calls(3)

    # When: the tenant lists with a limit at either bound
    listed = page(tenant, limit=limit)

    # Then: the page holds at most that many
    assert listed["limit"] == int(limit)
    assert len(listed["calls"]) == min(3, int(limit))


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "2.5"])
def test_limit_outside_1_to_100_is_rejected_naming_limit(tenant: Any, limit: str) -> None:
    # Given / When: a limit that is not a whole number from 1 to 100
    result = list_calls(tenant.authorizer(Scope.CALLS_READ), limit=limit)

    # Then: 422 names query parameter `limit`
    assert result["statusCode"] == 422
    assert error_locations(result) == [["query", "limit"]]


def test_offset_skips_that_many_calls(tenant: Any) -> None:
    # Given: ten calls
    calls = tenant.add_calls(10)
    everything = newest_first(calls)

    # When: the tenant asks for the page at offset 5
    listed = page(tenant, offset="5", limit="3")

    # Then: it starts with the sixth call
    assert ids(listed) == everything[5:8]
    assert (listed["offset"], listed["total"]) == (5, 10)


def test_offset_past_the_end_gives_an_empty_page_with_the_total(tenant: Any) -> None:
    # Given: ten calls
    tenant.add_calls(10)

    # When: the tenant asks for offset 50
    listed = page(tenant, offset="50")

    # Then: no calls, but the total and the offset asked for
    assert listed["calls"] == []
    assert (listed["total"], listed["offset"], listed["next_cursor"]) == (10, 50, None)


def _listed_watching(tenant: Any, event: str, handler: Any, **query: str) -> Any:
    """A list page, once the calls stream is drained, with `handler` called on the handler's
    client's `event` (a botocore event name) while it is answered."""
    from dialtone import aws

    drain_calls_stream(tenant.tenant_id)
    events = aws.client("dynamodb").meta.events
    events.register(event, handler)
    try:
        return page(tenant, **query)
    finally:
        events.unregister(event, handler)


def _rollup_keys_read(tenant: Any, **query: str) -> tuple[int, int]:
    """The total of a list and the rollup keys its handler asked for (BatchGetItem)."""
    keys: list[int] = []

    def count(params: dict[str, Any], **_: Any) -> None:
        keys.append(sum(len(table["Keys"]) for table in params["RequestItems"].values()))

    listed = _listed_watching(tenant, "provide-client-params.dynamodb.BatchGetItem", count, **query)
    return listed["total"], sum(keys)


def test_a_filters_total_reads_the_days_of_its_own_calls_not_the_tenants_history(
    tenant: Any,
) -> None:
    # Given a tenant whose calls span two years, an agent's calls of the last of them only
    tenant.add_call(start_time=T0 - timedelta(days=730), agent_id="agent-old")
    recent = [
        tenant.add_call(start_time=T0 - timedelta(days=d), agent_id="agent-new") for d in (1, 3)
    ]

    # When the agents' calls are listed without a date range
    total, keys = _rollup_keys_read(tenant, agent_id="agent-new")
    unknown_total, unknown_keys = _rollup_keys_read(tenant, agent_id="agent-nobody")

    # Then the agent's total is counted on the days from its first call to its last (16 call
    # shards a day, and the hours of the edges), not on the 730 days of the tenant's history
    assert total == len(recent)
    assert keys <= 16 * 4 + 4 * 48
    # And an agent with no call reads no rollup item at all
    assert (unknown_total, unknown_keys) == (0, 0)


def test_a_total_reads_the_days_around_calls_not_every_day_of_a_century(tenant: Any) -> None:
    # Given a tenant with a call in 1971, one in 2090, and a week of calls in between
    far = [
        tenant.add_call(start_time=datetime(1971, 2, 3, 10, tzinfo=UTC), agent_id="agent-x"),
        tenant.add_call(start_time=datetime(2090, 6, 1, 23, tzinfo=UTC), customer=PARTY),
    ]
    week = [
        tenant.add_call(start_time=T0 + timedelta(days=d), agent_id="agent-x") for d in range(7)
    ]

    # When its calls are listed unfiltered, by agent, by number, and over three centuries
    everything = _rollup_keys_read(tenant)
    agent = _rollup_keys_read(tenant, agent_id="agent-x")
    number = _rollup_keys_read(tenant, phone_number=PARTY)
    centuries = _rollup_keys_read(tenant, start_date="1900-01-01", end_date="2199-12-31")

    # Then each total is exact, and reads the call shards of the days around the calls (16 a
    # day; the 43,000 days from the first call to the last would be 690,000 keys)
    assert everything[0] == centuries[0] == len(far) + len(week)
    assert (agent[0], number[0]) == (1 + len(week), 1)
    assert max(everything[1], agent[1], centuries[1]) <= 16 * 30
    assert number[1] <= 17 * 2


def _requests_made(tenant: Any, **query: str) -> tuple[int, dict[str, int]]:
    """The total of a list and the DynamoDB requests its handler made, by operation."""
    made: dict[str, int] = {}

    def count(event_name: str, **_: Any) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        made[operation] = made.get(operation, 0) + 1

    listed = _listed_watching(tenant, "provide-client-params.dynamodb", count, **query)
    return listed["total"], made


def test_a_total_of_calls_days_apart_reads_their_days_a_few_dozen_at_a_time(tenant: Any) -> None:
    # Given a tenant with 30 calls ten days apart (no two in one window of days)
    calls = [tenant.add_call(start_time=T0 - timedelta(days=10 * n)) for n in range(30)]

    # When its calls are listed
    total, made = _requests_made(tenant)

    # Then the total is exact, and after the first empty window one query finds the days of
    # the calls left, whose rollups are read 6 days a request: 5 queries (the page, the
    # watermark, the first and last call, the jump) and 8 reads, where a query and a read for
    # each call took 32 and 58
    assert total == len(calls)
    assert made["Query"] <= 5
    assert made["BatchGetItem"] <= 1 + 1 + 30 // 6 + 1


def test_negative_offset_is_rejected(tenant: Any) -> None:
    # Given / When: offset -1
    result = list_calls(tenant.authorizer(Scope.CALLS_READ), offset="-1")

    # Then: 422 names offset
    assert result["statusCode"] == 422
    assert error_locations(result) == [["query", "offset"]]


# Filters, one at a time and two at a time.
# Each filter: the query, what a matching call looks like, what a non-matching one looks like.

FILTERS: dict[str, tuple[dict[str, str], dict[str, Any], dict[str, Any]]] = {
    "direction": (
        {"direction": "inbound"},
        {"direction": Direction.INBOUND},
        {"direction": Direction.OUTBOUND},
    ),
    "status": (
        {"status": "no_answer"},
        {"status": CallStatus.NO_ANSWER},
        {"status": CallStatus.COMPLETED},
    ),
    "outcome": (
        {"outcome": "escalated"},
        {"status": CallStatus.COMPLETED, "outcome": CallOutcome.ESCALATED},
        {"status": CallStatus.COMPLETED, "outcome": CallOutcome.RESOLVED},
    ),
    "agent_id": ({"agent_id": "agent-x"}, {"agent_id": "agent-x"}, {"agent_id": "agent-y"}),
    "batch_id": ({"batch_id": "batch-1"}, {"batch_id": "batch-1"}, {"batch_id": "batch-2"}),
    "from_number": (
        {"from_number": PARTY},
        {"direction": Direction.INBOUND, "customer": PARTY},
        {"direction": Direction.INBOUND, "customer": OTHER_PARTY},
    ),
    "to_number": (
        {"to_number": PARTY},
        {"direction": Direction.OUTBOUND, "customer": PARTY},
        {"direction": Direction.OUTBOUND, "customer": OTHER_PARTY},
    ),
    "from_number formatted": (
        {"from_number": PARTY_FORMATTED},
        {"direction": Direction.INBOUND, "customer": PARTY},
        {"direction": Direction.INBOUND, "customer": OTHER_PARTY},
    ),
    "is_test_call true": (
        {"is_test_call": "true"},
        {"is_test_call": True},
        {"is_test_call": False},
    ),
    "is_test_call false": (
        {"is_test_call": "false"},
        {"is_test_call": False},
        {"is_test_call": True},
    ),
    "start_date": (
        {"start_date": "2026-03-10T12:30:00Z"},
        {"start_time": T0 + minutes(45)},
        {"start_time": T0 + minutes(10)},
    ),
    "end_date": (
        {"end_date": "2026-03-10T12:30:00Z"},
        {"start_time": T0 + minutes(10)},
        {"start_time": T0 + minutes(45)},
    ),
}


def add_mixed(tenant: Any, matching: dict[str, Any], other: dict[str, Any], each: int) -> list[Any]:
    """`each` matching and `each` other calls, interleaved in time; the matching ones."""
    matches = []
    for n in range(each):
        times = {"start_time": T0 + minutes(2 * n + 1)}
        matches.append(tenant.add_call(**{**times, **matching}))
        tenant.add_call(**{**{"start_time": T0 + minutes(2 * n)}, **other})
    return matches


@pytest.mark.parametrize("name", list(FILTERS))
def test_each_filter_lists_only_matching_calls(tenant: Any, name: str) -> None:
    # Given: three calls that match the filter interleaved with three that do not
    query, matching, other = FILTERS[name]
    matches = add_mixed(tenant, matching, other, each=3)

    # When: the tenant lists with the filter
    listed = page(tenant, **query)

    # Then: exactly the matching calls, newest first, and a total that counts only them
    assert ids(listed) == newest_first(matches)
    assert listed["total"] == 3


COMBINATIONS = [
    ("direction", "status"),
    ("agent_id", "outcome"),
    ("batch_id", "is_test_call true"),
    ("from_number", "status"),
    ("to_number", "agent_id"),
    ("direction", "start_date"),
    ("status", "end_date"),
    ("is_test_call false", "direction"),
]


@pytest.mark.parametrize(("first", "second"), COMBINATIONS)
def test_two_filters_together_list_calls_matching_both(
    tenant: Any, first: str, second: str
) -> None:
    # Given: a call for every mix of matching and missing each filter, twice over
    query_a, match_a, miss_a = FILTERS[first]
    query_b, match_b, miss_b = FILTERS[second]
    matches = []
    for n, (a, b) in enumerate(list(itertools.product((match_a, miss_a), (match_b, miss_b))) * 2):
        call = tenant.add_call(**{"start_time": T0 + minutes(n), **a, **b})
        if a is match_a and b is match_b:
            matches.append(call)

    # When: the tenant lists with both filters
    listed = page(tenant, **query_a, **query_b)

    # Then: only the calls that match both
    assert ids(listed) == newest_first(matches)
    assert listed["total"] == 2


# Dates: inclusive, on start_time; a date alone is the whole day.


@pytest.fixture
def calls_around_march_10(tenant: Any) -> dict[str, Any]:
    moments = {
        "9th, last second": datetime(2026, 3, 9, 23, 59, 59, tzinfo=UTC),
        "10th, midnight": datetime(2026, 3, 10, 0, 0, tzinfo=UTC),
        "10th, noon": datetime(2026, 3, 10, 12, 0, tzinfo=UTC),
        "10th, last second": datetime(2026, 3, 10, 23, 59, 59, 999000, tzinfo=UTC),
        "11th, midnight": datetime(2026, 3, 11, 0, 0, tzinfo=UTC),
    }
    return {name: tenant.add_call(start_time=moment) for name, moment in moments.items()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            {"start_date": "2026-03-10"},
            ["10th, midnight", "10th, noon", "10th, last second", "11th, midnight"],
        ),
        (
            {"end_date": "2026-03-10"},
            ["9th, last second", "10th, midnight", "10th, noon", "10th, last second"],
        ),
        (
            {"start_date": "2026-03-10", "end_date": "2026-03-10"},
            ["10th, midnight", "10th, noon", "10th, last second"],
        ),
        (
            {"start_date": "2026-03-10T12:00:00Z"},
            ["10th, noon", "10th, last second", "11th, midnight"],
        ),
        (
            {"end_date": "2026-03-10T12:00:00Z"},
            ["9th, last second", "10th, midnight", "10th, noon"],
        ),
        (
            {"start_date": "2026-03-10T14:00:00+02:00", "end_date": "2026-03-10T12:00:00Z"},
            ["10th, noon"],
        ),
    ],
    ids=["start day", "end day", "one whole day", "start instant", "end instant", "offset zone"],
)
def test_date_bounds_are_inclusive_on_start_time(
    tenant: Any, calls_around_march_10: dict[str, Any], query: dict[str, str], expected: list[str]
) -> None:
    # Given: calls on either side of and inside 10 March (UTC)
    # When: the tenant lists with date bounds
    listed = page(tenant, **query)

    # Then: the calls started within the bounds, both ends included
    assert ids(listed) == newest_first([calls_around_march_10[name] for name in expected])
    assert listed["total"] == len(expected)


def test_end_date_before_start_date_is_rejected(tenant: Any) -> None:
    # Given / When: a range that ends before it starts
    result = list_calls(
        tenant.authorizer(Scope.CALLS_READ), start_date="2026-03-10", end_date="2026-03-09"
    )

    # Then: 422 names end_date
    assert result["statusCode"] == 422
    assert error_locations(result) == [["query", "end_date"]]


# phone_number: the remote party on either side


@pytest.fixture
def party_calls(tenant: Any) -> list[Any]:
    """Inbound calls from PARTY and outbound calls to it, interleaved in time, among others;
    returns the calls that involve PARTY."""
    involving = []
    for n in range(4):
        involving.append(
            tenant.add_call(
                start_time=T0 + minutes(4 * n), direction=Direction.INBOUND, customer=PARTY
            )
        )
        involving.append(
            tenant.add_call(
                start_time=T0 + minutes(4 * n + 1), direction=Direction.OUTBOUND, customer=PARTY
            )
        )
        tenant.add_call(
            start_time=T0 + minutes(4 * n + 2), direction=Direction.INBOUND, customer=OTHER_PARTY
        )
        tenant.add_call(
            start_time=T0 + minutes(4 * n + 3), direction=Direction.OUTBOUND, customer=OTHER_PARTY
        )
    tenant.add_call(start_time=T0 + minutes(30), direction=Direction.WEB)
    return involving


@pytest.mark.parametrize("written", [PARTY, PARTY_FORMATTED, "+1 415.555.0177"])
def test_phone_number_matches_either_side_in_time_order(
    tenant: Any, party_calls: list[Any], written: str
) -> None:
    # Given: inbound calls from the party and outbound calls to it, among calls of others
    # When: the tenant filters by the party's number, however it is written
    listed = page(tenant, phone_number=written)

    # Then: both directions, merged newest first, and nothing else
    assert ids(listed) == newest_first(party_calls)
    assert listed["total"] == 8
    assert {c["direction"] for c in listed["calls"]} == {"inbound", "outbound"}


def test_phone_number_with_order_asc_merges_oldest_first(
    tenant: Any, party_calls: list[Any]
) -> None:
    # Given / When: the party's calls in ascending order
    listed = page(tenant, phone_number=PARTY, order="asc")

    # Then: the merge runs the other way
    assert ids(listed) == list(reversed(newest_first(party_calls)))


def test_phone_number_with_direction_keeps_one_side(tenant: Any, party_calls: list[Any]) -> None:
    # Given / When: the party's calls, outbound only
    listed = page(tenant, phone_number=PARTY, direction="outbound")

    # Then: the calls placed to the party
    outbound = [c for c in party_calls if c.direction is Direction.OUTBOUND]
    assert ids(listed) == newest_first(outbound)
    assert listed["total"] == 4


def test_phone_number_with_agent_id(tenant: Any) -> None:
    # Given: calls with the party on both sides, handled by two agents
    wanted = [
        tenant.add_call(start_time=T0, direction=Direction.INBOUND, customer=PARTY, agent_id="a1"),
        tenant.add_call(
            start_time=T0 + minutes(1), direction=Direction.OUTBOUND, customer=PARTY, agent_id="a1"
        ),
    ]
    tenant.add_call(
        start_time=T0 + minutes(2), direction=Direction.INBOUND, customer=PARTY, agent_id="a2"
    )
    tenant.add_call(
        start_time=T0 + minutes(3), direction=Direction.INBOUND, customer=OTHER_PARTY, agent_id="a1"
    )

    # When: the tenant filters by the party and the agent
    listed = page(tenant, phone_number=PARTY, agent_id="a1")

    # Then: the agent's calls with the party, both directions
    assert ids(listed) == newest_first(wanted)
    assert listed["total"] == 2


def test_a_call_with_the_number_on_both_sides_is_listed_once(tenant: Any) -> None:
    # Given: a call from the party to itself, and an ordinary inbound call from it
    loop = tenant.add_call(
        start_time=T0 + minutes(1), direction=Direction.INBOUND, customer=PARTY, to_number=PARTY
    )
    ordinary = tenant.add_call(start_time=T0, direction=Direction.INBOUND, customer=PARTY)

    # When: the tenant filters by the party
    listed = page(tenant, phone_number=PARTY)

    # Then: each call once, and the total agrees
    assert ids(listed) == [loop.id, ordinary.id]
    assert listed["total"] == 2


# search: a phone number, or the start of a call id


@pytest.mark.parametrize("written", [PARTY, PARTY_FORMATTED])
def test_search_by_phone_number_finds_calls_on_either_side(
    tenant: Any, party_calls: list[Any], written: str
) -> None:
    # Given / When: a search for the party's full number, in E.164 or as typed
    listed = page(tenant, search=written)

    # Then: the same calls as the phone_number filter
    assert ids(listed) == newest_first(party_calls)
    assert listed["total"] == 8


def with_id(prefix: str) -> str:
    """A call id starting with `prefix`."""
    return prefix + str(uuid.uuid4())[len(prefix) :]


def test_search_by_call_id_prefix_lists_matches_newest_first(tenant: Any) -> None:
    # Given: three calls whose ids start with "abcd" (their id order is not their time order)
    # and one that does not
    older = tenant.add_call(id=with_id("abcd0"), start_time=T0)
    newest = tenant.add_call(id=with_id("abcd1"), start_time=T0 + minutes(2))
    middle = tenant.add_call(id=with_id("abcd2"), start_time=T0 + minutes(1))
    tenant.add_call(id=with_id("abce0"), start_time=T0 + minutes(3))

    # When: the tenant searches "abcd", in either order
    listed = page(tenant, search="abcd")
    oldest_first = page(tenant, search="abcd", order="asc")

    # Then: the three, newest first like every list (or oldest first when asked)
    assert ids(listed) == [newest.id, middle.id, older.id]
    assert listed["total"] == 3
    assert ids(oldest_first) == [older.id, middle.id, newest.id]


def test_search_by_whole_call_id_or_upper_case_prefix(tenant: Any) -> None:
    # Given: two calls
    wanted = tenant.add_call(id=with_id("f00d"), start_time=T0)
    tenant.add_call(id=with_id("beef"), start_time=T0)

    # When: the tenant searches the whole id, and an upper-case prefix of it
    whole = page(tenant, search=wanted.id)
    upper = page(tenant, search=wanted.id[:6].upper())

    # Then: that call each time
    assert ids(whole) == [wanted.id]
    assert ids(upper) == [wanted.id]


@pytest.mark.parametrize("text", ["ab", "abc", "hello world"])
def test_search_that_is_neither_a_number_nor_4_id_characters_is_rejected(
    tenant: Any, text: str
) -> None:
    # Given / When: a search too short (or not hex) to be part of a call id
    result = list_calls(tenant.authorizer(Scope.CALLS_READ), search=text)

    # Then: 422 names search
    assert result["statusCode"] == 422
    assert error_locations(result) == [["query", "search"]]


# Bad input is 422 naming the parameter, never 5xx


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("start_date", "2026-13-45"),
        ("start_date", "yesterday"),
        ("end_date", "2026-02-30"),
        ("end_date", "10/03/2026"),
        ("direction", "sideways"),
        ("status", "done"),
        ("outcome", "happy"),
        ("order", "up"),
        ("is_test_call", "maybe"),
        ("from_number", "12345"),
        ("to_number", "+1555"),
        ("phone_number", "not a number"),
        ("phone_number", "+1 (415) 555"),
        ("search", "+1 (999) 000-0000"),
        ("agent_id", ""),
    ],
)
def test_bad_parameter_is_rejected_naming_it(tenant: Any, name: str, value: str) -> None:
    # Given / When: one malformed parameter
    result = list_calls(tenant.authorizer(Scope.CALLS_READ), **{name: value})

    # Then: 422 with a validation detail naming that parameter
    assert result["statusCode"] == 422, result["body"]
    detail = body(result)["detail"]
    assert [error["loc"] for error in detail] == [["query", name]]
    assert all(error["msg"] for error in detail)


# Cursor paging


def test_cursor_walk_visits_every_call_once(tenant: Any) -> None:
    # Given: 23 calls
    tenant.add_calls(23)
    whole = ids(page(tenant, limit="100"))

    # When: the tenant follows next_cursor five at a time
    walked, pages = walk(tenant, limit=5)

    # Then: the pages, in order, are the single big page: no duplicate and no gap
    assert walked == whole
    assert [len(p["calls"]) for p in pages] == [5, 5, 5, 5, 3]
    assert all(p["total"] == 23 for p in pages)
    assert pages[-1]["next_cursor"] is None


def test_cursor_walk_in_ascending_order(tenant: Any) -> None:
    # Given: 17 calls
    calls = tenant.add_calls(17)

    # When: the tenant walks them oldest first, four at a time
    walked, pages = walk(tenant, limit=4, order="asc")

    # Then: every call once, oldest first
    assert walked == list(reversed(newest_first(calls)))
    assert pages[-1]["next_cursor"] is None


SIDE_PATTERNS: dict[str, Any] = {
    "interleaved": lambda n: Direction.INBOUND if n % 3 else Direction.OUTBOUND,
    "in runs": lambda n: Direction.INBOUND if (n // 4) % 2 else Direction.OUTBOUND,
    "one side only": lambda n: Direction.OUTBOUND,
}


@pytest.mark.parametrize(
    ("limit", "order", "pattern"),
    [
        (1, "desc", "interleaved"),
        (3, "desc", "interleaved"),
        (3, "asc", "interleaved"),
        (2, "desc", "in runs"),
        (2, "asc", "in runs"),
        (5, "desc", "one side only"),
    ],
)
def test_cursor_walk_over_both_sides_of_a_phone_number(
    tenant: Any, limit: int, order: str, pattern: str
) -> None:
    # Given: a dozen calls with the party on either side (two indexes to merge), among others
    side = SIDE_PATTERNS[pattern]
    involving = []
    for n in range(12):
        involving.append(
            tenant.add_call(start_time=T0 + minutes(2 * n), direction=side(n), customer=PARTY)
        )
        tenant.add_call(start_time=T0 + minutes(2 * n + 1), customer=OTHER_PARTY)
    whole = ids(page(tenant, phone_number=PARTY, order=order, limit="100"))

    # When: the tenant walks the party's calls page by page
    walked, pages = walk(tenant, limit=limit, phone_number=PARTY, order=order)

    # Then: the same calls in the same order as one big page, each once
    expected = newest_first(involving)
    assert whole == (expected if order == "desc" else list(reversed(expected)))
    assert walked == whole
    assert all(p["total"] == 12 for p in pages)
    assert pages[-1]["next_cursor"] is None


def test_offset_paging_over_both_sides_of_a_phone_number(
    tenant: Any, party_calls: list[Any]
) -> None:
    # Given: eight calls with the party on either side
    # When: the tenant asks for three of them from offset 3
    listed = page(tenant, phone_number=PARTY, offset="3", limit="3")

    # Then: the fourth to sixth of the merged list
    assert ids(listed) == newest_first(party_calls)[3:6]
    assert (listed["total"], listed["offset"]) == (8, 3)


def matches(call: Any, query: dict[str, str]) -> bool:
    """Whether a call passes the list filters of `query` (the few used below)."""
    checks = {
        "direction": lambda v: call.direction.value == v,
        "status": lambda v: call.status.value == v,
        "is_test_call": lambda v: call.is_test_call == (v == "true"),
        "phone_number": lambda v: v in (call.from_number, call.to_number),
        "start_date": lambda v: call.start_time >= datetime.fromisoformat(v),
        "end_date": lambda v: call.start_time <= datetime.fromisoformat(v),
        "order": lambda v: True,
    }
    return all(checks[name](value) for name, value in query.items())


@pytest.mark.parametrize(
    "query",
    [
        {"direction": "inbound", "status": "completed"},
        {"phone_number": PARTY, "status": "completed"},
        {
            "phone_number": PARTY,
            "start_date": "2026-03-10T12:10:00+00:00",
            "end_date": "2026-03-10T12:40:00+00:00",
        },
        {"is_test_call": "false", "order": "asc"},
    ],
    ids=["two filters", "phone and status", "phone in a date range", "test flag ascending"],
)
def test_cursor_walk_with_filters_finds_exactly_the_matching_calls(
    tenant: Any, query: dict[str, str]
) -> None:
    # Given: 36 calls of every kind, half of them with the party on one side
    calls = [
        tenant.add_call(
            start_time=T0 + minutes(n),
            direction=[Direction.INBOUND, Direction.OUTBOUND, Direction.WEB][n % 3],
            status=[CallStatus.COMPLETED, CallStatus.BUSY][n % 5 == 0],
            customer=[PARTY, OTHER_PARTY][n % 2],
            is_test_call=n % 7 == 0,
        )
        for n in range(36)
    ]
    expected = newest_first([c for c in calls if matches(c, query)])
    if query.get("order") == "asc":
        expected.reverse()

    # When: the tenant walks the filtered list three at a time
    walked, pages = walk(tenant, limit=3, **query)

    # Then: exactly the matching calls, in order, each once
    assert len(expected) >= 5
    assert walked == expected
    assert all(p["total"] == len(expected) for p in pages)


def test_search_number_and_phone_number_that_disagree_are_rejected(tenant: Any) -> None:
    # Given / When: a phone_number filter and a search for another number
    result = list_calls(tenant.authorizer(Scope.CALLS_READ), phone_number=PARTY, search=OTHER_PARTY)

    # Then: 422 names search
    assert result["statusCode"] == 422
    assert error_locations(result) == [["query", "search"]]


def test_cursor_walk_with_a_call_id_search(tenant: Any) -> None:
    # Given: seven calls whose ids start alike
    matches = [
        tenant.add_call(id=with_id(f"cafe{n}"), start_time=T0 + minutes(n)) for n in range(7)
    ]

    # When: the tenant walks the search results three at a time
    walked, _ = walk(tenant, limit=3, search="cafe")

    # Then: each match once
    assert sorted(walked) == sorted(c.id for c in matches)
    assert len(walked) == 7


def test_next_cursor_is_null_when_the_last_page_is_exactly_full(tenant: Any) -> None:
    # Given: exactly two pages of calls
    tenant.add_calls(6)

    # When: the tenant walks three at a time
    _, pages = walk(tenant, limit=3)

    # Then: two pages, and the second says there is no more
    assert [len(p["calls"]) for p in pages] == [3, 3]
    assert pages[1]["next_cursor"] is None


@pytest.fixture
def first_cursor(tenant: Any) -> str:
    """The next_cursor of the first page of 2 of the tenant's (inbound) calls."""
    tenant.add_calls(6, direction=Direction.INBOUND)
    cursor: str = page(tenant, limit="2", direction="inbound")["next_cursor"]
    assert cursor
    return cursor


def tampered(cursor: str) -> str:
    payload, mac = cursor.split(".", 1)
    flipped = "A" if payload[5] != "A" else "B"
    return f"{payload[:5]}{flipped}{payload[6:]}.{mac}"


@pytest.mark.parametrize(
    "bad", [tampered, lambda c: c + "x", lambda c: "garbage", lambda c: c.split(".")[0]]
)
def test_a_tampered_cursor_is_refused(tenant: Any, first_cursor: str, bad: Any) -> None:
    # Given / When: a cursor that is not the one the API issued
    result = list_calls(
        tenant.authorizer(Scope.CALLS_READ),
        limit="2",
        direction="inbound",
        cursor=bad(first_cursor),
    )

    # Then: 400 Invalid cursor
    assert result["statusCode"] == 400
    assert body(result) == {"detail": "Invalid cursor"}


def test_a_cursor_is_refused_for_another_tenant(make_tenant: Any) -> None:
    # Given: a cursor issued to tenant A
    tenant_a, tenant_b = make_tenant(seed=1), make_tenant(seed=2)
    tenant_a.add_calls(4)
    tenant_b.add_calls(4)
    cursor = page(tenant_a, limit="2")["next_cursor"]

    # When: tenant B presents it
    result = list_calls(tenant_b.authorizer(Scope.CALLS_READ), limit="2", cursor=cursor)

    # Then: 400, and nothing of A's leaks
    assert result["statusCode"] == 400
    assert body(result) == {"detail": "Invalid cursor"}


@pytest.mark.parametrize(
    "query",
    [
        {"direction": "outbound"},
        {},
        {"direction": "inbound", "order": "asc"},
        {"direction": "inbound", "status": "busy"},
    ],
    ids=["other filter value", "filter dropped", "other order", "filter added"],
)
def test_a_cursor_is_refused_with_different_filters(
    tenant: Any, first_cursor: str, query: dict[str, str]
) -> None:
    # Given: a cursor of the inbound, newest-first list
    # When: it is presented with another query
    result = list_calls(
        tenant.authorizer(Scope.CALLS_READ), limit="2", cursor=first_cursor, **query
    )

    # Then: 400 Invalid cursor
    assert result["statusCode"] == 400
    assert body(result) == {"detail": "Invalid cursor"}


def test_offset_together_with_a_cursor_is_rejected(tenant: Any, first_cursor: str) -> None:
    # Given / When: a cursor and an offset
    result = list_calls(
        tenant.authorizer(Scope.CALLS_READ),
        limit="2",
        direction="inbound",
        cursor=first_cursor,
        offset="5",
    )

    # Then: 422 names offset
    assert result["statusCode"] == 422
    assert error_locations(result) == [["query", "offset"]]


# The sample event


def test_the_sample_event_lists_the_sample_tenants_inbound_calls(sample_tenant: Any) -> None:
    # Given: the sample's tenant has an inbound and an outbound call
    inbound = sample_tenant.add_call(direction=Direction.INBOUND, start_time=T0)
    sample_tenant.add_call(direction=Direction.OUTBOUND, start_time=T0)
    drain_calls_stream(sample_tenant.tenant_id)  # both rolled up, for `total`

    # When: events/list_calls.json (limit=20&direction=inbound) is handled as it is
    result = invoke("list_calls", sample_event("list_calls"))

    # Then: 200 with the inbound call
    assert result["statusCode"] == 200
    listed = body(result)
    assert (ids(listed), listed["total"], listed["limit"]) == ([inbound.id], 1, 20)


# Paging with page and page_size


def test_page_and_page_size_walk_every_call_once(tenant: Any) -> None:
    # Given: 23 calls
    calls = [tenant.add_call(start_time=T0 + minutes(m)) for m in range(23)]

    # When: pages of 5 are asked for, page 1 to page 5
    pages = [page(tenant, page=str(n), page_size="5") for n in range(1, 6)]

    # Then: every call once, newest first, each page saying which page it is
    assert [i for p in pages for i in ids(p)] == newest_first(calls)
    assert [(p["page"], p["page_size"], p["limit"], p["offset"]) for p in pages] == [
        (n, 5, 5, (n - 1) * 5) for n in range(1, 6)
    ]
    assert [len(p["calls"]) for p in pages] == [5, 5, 5, 5, 3]
    assert pages[-1]["next_cursor"] is None


def test_page_alone_uses_pages_of_twenty(tenant: Any) -> None:
    # Given: 25 calls
    calls = tenant.add_calls(25)

    # When: page 2 is asked for without a page size
    listed = page(tenant, page="2")

    # Then: the last 5 of pages of 20
    assert (listed["page"], listed["page_size"]) == (2, 20)
    assert ids(listed) == newest_first(calls)[20:]


def test_limit_and_offset_pages_do_not_carry_page_fields(tenant: Any) -> None:
    # Given: a call
    tenant.add_call()

    # When: listed with limit and offset
    listed = page(tenant, limit="5", offset="0")

    # Then: the page has no page or page_size
    assert "page" not in listed
    assert "page_size" not in listed


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"page": "2", "limit": "10"}, "limit"),
        ({"page_size": "10", "offset": "10"}, "offset"),
        ({"page": "1", "cursor": "abc"}, "cursor"),
    ],
    ids=["page with limit", "page_size with offset", "page with cursor"],
)
def test_mixing_paging_styles_is_refused(tenant: Any, query: dict[str, str], named: str) -> None:
    # When: page paging is mixed with limit/offset or a cursor
    result = list_calls(tenant.authorizer(Scope.CALLS_READ), **query)

    # Then: 422 that names the parameter and says to use one style
    assert result["statusCode"] == 422, result["body"]
    assert error_locations(result) == [["query", named]]
    assert "not both" in body(result)["detail"][0]["msg"]


def test_page_paging_with_the_defaults_a_generated_client_sends_is_served(tenant: Any) -> None:
    # Given: 12 calls
    calls = tenant.add_calls(12)

    # When: page 2 of 5 is asked for with limit and offset at their defaults, as a client
    # generated from openapi.json sends them on every request
    listed = page(tenant, page="2", page_size="5", limit="20", offset="0")

    # Then: the page asked for, not a conflict
    assert (listed["page"], listed["page_size"], listed["limit"], listed["offset"]) == (2, 5, 5, 5)
    assert ids(listed) == newest_first(calls)[5:10]


@pytest.mark.parametrize(
    "query", [{"page": "0"}, {"page_size": "0"}, {"page_size": "101"}, {"page": "x"}]
)
def test_out_of_range_pages_are_refused(tenant: Any, query: dict[str, str]) -> None:
    # When: a page below 1 or a page size outside 1-100
    result = list_calls(tenant.authorizer(Scope.CALLS_READ), **query)

    # Then: 422 naming it
    assert result["statusCode"] == 422
    assert error_locations(result) == [["query", next(iter(query))]]


def test_search_matches_a_whole_call_id(tenant: Any) -> None:
    # Given: several calls
    calls = tenant.add_calls(5)
    wanted = calls[2].id

    # When: searched by the whole id, in upper case as some tools copy it
    listed = page(tenant, search=wanted.upper())

    # Then: that call alone
    assert ids(listed) == [wanted]
    assert listed["total"] == 1
