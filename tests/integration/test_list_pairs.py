"""GET /v1/calls with the common pairs of filters and a call-id prefix: the right calls, in the
right order, across pages (cursor and offset); status changes move a call between pair
partitions; calls stored before the pair indexes get their keys from the backfill."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone.auth import Scope
from dialtone.model_types import CallOutcome, CallStatus, Direction
from dialtone.models import Call
from dialtone.store import CALL_SK, CallStore, call_pk
from local.invoke import api_event, invoke
from tests.streams import drain_calls_stream

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
BATCH = "batch-pairs"
STATUSES = (CallStatus.COMPLETED, CallStatus.FAILED, CallStatus.NO_ANSWER)
OUTCOMES = (CallOutcome.RESOLVED, CallOutcome.ESCALATED)
# The window of the date-range cases: the calls of minutes 10 to 35.
RANGE = {"start_date": "2026-03-10T12:10:00Z", "end_date": "2026-03-10T12:35:00Z"}


def list_calls(tenant: Any, **query: str) -> dict[str, Any]:
    event = api_event(
        "list_calls", "GET /v1/calls", "/v1/calls", query=query,
        authorizer=tenant.authorizer(Scope.CALLS_READ),
    )  # fmt: skip
    return invoke("list_calls", event)


def page(tenant: Any, **query: str) -> dict[str, Any]:
    """A page, once every call stored so far is rolled up (for its `total`)."""
    drain_calls_stream(tenant.tenant_id)
    result = list_calls(tenant, **query)
    assert result["statusCode"] == 200, result["body"]
    listed: dict[str, Any] = json.loads(result["body"])
    return listed


def ids(listed: dict[str, Any]) -> list[str]:
    return [call["id"] for call in listed["calls"]]


def by_cursor(tenant: Any, limit: int, **query: str) -> list[str]:
    pages = [page(tenant, limit=str(limit), **query)]
    while pages[-1]["next_cursor"] is not None:
        assert len(pages) < 50, "next_cursor never ends"
        pages.append(page(tenant, limit=str(limit), cursor=pages[-1]["next_cursor"], **query))
    return [i for p in pages for i in ids(p)]


def by_offset(tenant: Any, limit: int, count: int, **query: str) -> list[str]:
    found: list[str] = []
    for offset in range(0, count + limit, limit):
        found += ids(page(tenant, limit=str(limit), offset=str(offset), **query))
    return found


def in_order(calls: list[Call], ascending: bool = False) -> list[str]:
    return [c.id for c in sorted(calls, key=lambda c: (c.start_time, c.id), reverse=not ascending)]


def _in_range(call: Call) -> bool:
    return T0 + timedelta(minutes=10) <= call.start_time <= T0 + timedelta(minutes=35)


@pytest.fixture
def grid(make_tenant: Any) -> tuple[Any, list[Call]]:
    """48 calls over every combination of direction, status, agent and outcome (some in a
    batch, two starting at the same instant), and a neighbour tenant with the same values."""
    tenant, neighbour = make_tenant(), make_tenant(seed=8)
    calls = []
    for n in range(48):
        direction = (Direction.INBOUND, Direction.OUTBOUND)[n % 2]
        status = STATUSES[n % 3]
        values: dict[str, Any] = {
            "start_time": T0 + timedelta(minutes=n if n != 21 else 20),
            "direction": direction,
            "status": status,
            "agent_id": ("agent-a", "agent-b")[(n // 2) % 2],
            "batch_id": BATCH if direction is Direction.OUTBOUND and n % 4 == 1 else None,
        }
        if status is CallStatus.COMPLETED:
            values["outcome"] = OUTCOMES[(n // 3) % 2]
        else:
            values["outcome"] = None
        calls.append(tenant.add_call(**values))
        neighbour.add_call(**values)
    return tenant, calls


PAIRS: list[tuple[str, dict[str, str], Callable[[Call], bool]]] = [
    (
        "direction+status",
        {"direction": "outbound", "status": "failed"},
        lambda c: c.direction is Direction.OUTBOUND and c.status is CallStatus.FAILED,
    ),
    (
        "agent+status",
        {"agent_id": "agent-a", "status": "completed"},
        lambda c: c.agent_id == "agent-a" and c.status is CallStatus.COMPLETED,
    ),
    (
        "agent+direction",
        {"agent_id": "agent-b", "direction": "inbound"},
        lambda c: c.agent_id == "agent-b" and c.direction is Direction.INBOUND,
    ),
    (
        "batch+status",
        {"batch_id": BATCH, "status": "no_answer"},
        lambda c: c.batch_id == BATCH and c.status is CallStatus.NO_ANSWER,
    ),
    (
        "status+outcome",
        {"status": "completed", "outcome": "escalated"},
        lambda c: c.status is CallStatus.COMPLETED and c.outcome is CallOutcome.ESCALATED,
    ),
]


@pytest.mark.parametrize(("name", "query", "matches"), PAIRS, ids=[p[0] for p in PAIRS])
@pytest.mark.parametrize("dated", [False, True], ids=["any-date", "date-range"])
def test_each_pair_pages_through_exactly_its_calls_newest_first(
    grid: tuple[Any, list[Call]],
    name: str,
    query: dict[str, str],
    matches: Callable[[Call], bool],
    dated: bool,
) -> None:
    # Given: the grid of calls, and the pair's filters (with a date range or not)
    tenant, calls = grid
    query = {**query, **(RANGE if dated else {})}
    expected = in_order([c for c in calls if matches(c) and (not dated or _in_range(c))])
    assert len(expected) >= 2, f"{name}: the grid gives this case too few calls"

    # When: the pages are followed by cursor, and asked for by offset
    walked = by_cursor(tenant, 3, **query)
    offsets = by_offset(tenant, 3, len(expected), **query)

    # Then: both give every matching call once, newest first, and the total agrees
    assert walked == expected
    assert offsets == expected
    assert page(tenant, **query)["total"] == len(expected)


def test_a_pair_in_ascending_order(grid: tuple[Any, list[Call]]) -> None:
    tenant, calls = grid
    expected = in_order(
        [c for c in calls if c.agent_id == "agent-a" and c.status is CallStatus.FAILED],
        ascending=True,
    )
    assert by_cursor(tenant, 2, agent_id="agent-a", status="failed", order="asc") == expected


def test_a_pair_with_a_third_filter_keeps_it_as_a_condition(grid: tuple[Any, list[Call]]) -> None:
    tenant, calls = grid
    expected = in_order(
        [
            c
            for c in calls
            if c.agent_id == "agent-b"
            and c.status is CallStatus.COMPLETED
            and c.direction is Direction.OUTBOUND
        ]
    )
    found = by_cursor(tenant, 2, agent_id="agent-b", status="completed", direction="outbound")
    assert found == expected


def _pair_page(tenant: Any, **query: str) -> list[str]:
    return ids(page(tenant, limit="100", **query))


def test_status_changes_move_a_call_between_pair_partitions(
    tenant: Any, call_store: CallStore
) -> None:
    # Given: a queued outbound call of agent-a in a batch
    call = tenant.add_call(
        start_time=T0, direction=Direction.OUTBOUND, status=CallStatus.QUEUED,
        agent_id="agent-a", batch_id=BATCH, outcome=None,
    )  # fmt: skip
    queued = {"status": "queued"}
    for pair in ({"direction": "outbound"}, {"agent_id": "agent-a"}, {"batch_id": BATCH}):
        assert _pair_page(tenant, **pair, **queued) == [call.id]

    # When: the dialer claims it (a status change that names no other field of a pair)
    assert call_store.change_call(
        tenant.tenant_id, call.id, CallStatus.QUEUED, {"status": CallStatus.INITIATED}
    )

    # Then: it left every queued pair partition and is in the initiated ones
    for pair in ({"direction": "outbound"}, {"agent_id": "agent-a"}, {"batch_id": BATCH}):
        assert _pair_page(tenant, **pair, **queued) == []
        assert _pair_page(tenant, **pair, status="initiated") == [call.id]

    # When: the runtime ends it with an outcome (a merge of the call's fields)
    call_store.merge_call(
        tenant.tenant_id,
        call.id,
        lambda _: {"status": CallStatus.COMPLETED, "outcome": CallOutcome.RESOLVED},
    )

    # Then: it is in the completed partitions and in status+outcome
    assert _pair_page(tenant, direction="outbound", status="initiated") == []
    assert _pair_page(tenant, status="completed", outcome="resolved") == [call.id]
    assert _pair_page(tenant, batch_id=BATCH, status="completed") == [call.id]
    assert _pair_page(tenant, agent_id="agent-a", direction="outbound") == [call.id]


def test_a_change_of_agent_or_outcome_moves_the_pairs_it_is_part_of(
    tenant: Any, call_store: CallStore
) -> None:
    # Given: a completed inbound call of agent-a, resolved
    call = tenant.add_call(
        start_time=T0, direction=Direction.INBOUND, status=CallStatus.COMPLETED,
        agent_id="agent-a", outcome=CallOutcome.RESOLVED,
    )  # fmt: skip

    # When: the runtime reassigns it to agent-b and clears its outcome
    call_store.merge_call(tenant.tenant_id, call.id, lambda _: {"agent_id": "agent-b"})
    call_store.merge_call(tenant.tenant_id, call.id, lambda _: {"outcome": None})

    # Then: agent-b's pairs hold it, agent-a's do not, and it left status+outcome
    assert _pair_page(tenant, agent_id="agent-a", status="completed") == []
    assert _pair_page(tenant, agent_id="agent-b", status="completed") == [call.id]
    assert _pair_page(tenant, agent_id="agent-b", direction="inbound") == [call.id]
    assert _pair_page(tenant, status="completed", outcome="resolved") == []


def test_a_status_change_built_on_a_stale_read_still_lands_in_the_right_partition(
    tenant: Any, call_store: CallStore
) -> None:
    # Given: a queued call whose agent changed after the dialer read it
    call = tenant.add_call(
        start_time=T0, direction=Direction.OUTBOUND, status=CallStatus.QUEUED,
        agent_id="agent-a", outcome=None,
    )  # fmt: skip
    stale = call_store.get_call(tenant.tenant_id, call.id, consistent=True).call
    call_store.merge_call(tenant.tenant_id, call.id, lambda _: {"agent_id": "agent-b"})

    # When: the dialer changes its status with the call as it read it
    changed = call_store.change_call(
        tenant.tenant_id, call.id, CallStatus.QUEUED, {"status": CallStatus.INITIATED},
        current=stale,
    )  # fmt: skip

    # Then: the change is made, with the agent the call has now
    assert changed
    assert _pair_page(tenant, agent_id="agent-b", status="initiated") == [call.id]
    assert _pair_page(tenant, agent_id="agent-a", status="initiated") == []


def test_a_status_change_of_a_call_that_moved_on_is_still_refused(
    tenant: Any, call_store: CallStore
) -> None:
    call = tenant.add_call(start_time=T0, status=CallStatus.COMPLETED, outcome=None)
    assert not call_store.change_call(
        tenant.tenant_id, call.id, CallStatus.QUEUED, {"status": CallStatus.INITIATED}
    )
    assert _pair_page(tenant, direction=call.direction.value, status="completed") == [call.id]


# Call-id prefix search

PREFIX = "abcd1234"


@pytest.fixture
def prefixed(make_tenant: Any) -> tuple[Any, list[Call], list[Call]]:
    """Seven calls whose ids start with PREFIX, four that share only its first 4 characters,
    others, and a neighbour tenant with calls of the same prefix."""
    tenant, neighbour = make_tenant(), make_tenant(seed=9)

    def with_id(call_id_start: str, minute: int, owner: Any) -> Call:
        tail = "00000000-0000-4000-8000-000000000000"[len(call_id_start) :]
        call_id = call_id_start + tail[: 36 - len(call_id_start)]
        return owner.add_call(
            id=call_id[:-3] + f"{minute:03d}", start_time=T0 + timedelta(minutes=minute)
        )

    full = [with_id(PREFIX, m, tenant) for m in (5, 1, 9, 3, 7, 2, 8)]
    short = [with_id("abcd9999", m, tenant) for m in (4, 6, 0, 10)]
    tenant.add_calls(5)
    for m in (11, 12):
        with_id(PREFIX, m, neighbour)
    return tenant, full, short


def test_a_call_id_prefix_pages_through_its_calls_newest_first(
    prefixed: tuple[Any, list[Call], list[Call]],
) -> None:
    tenant, full, _ = prefixed
    assert by_cursor(tenant, 3, search=PREFIX) == in_order(full)
    assert by_offset(tenant, 3, len(full), search=PREFIX) == in_order(full)
    assert by_cursor(tenant, 3, search=PREFIX, order="asc") == in_order(full, ascending=True)
    assert page(tenant, search=PREFIX)["total"] == len(full)


def test_a_short_and_a_long_call_id_prefix(prefixed: tuple[Any, list[Call], list[Call]]) -> None:
    tenant, full, short = prefixed
    assert by_cursor(tenant, 4, search="ABCD") == in_order(full + short)
    assert by_cursor(tenant, 4, search="abcd12") == in_order(full)
    newest = in_order(full)[0]
    # Longer than 8 characters: the 8-character partition, the rest a condition
    assert by_cursor(tenant, 4, search=newest[:13]) == in_order(full)
    assert by_cursor(tenant, 4, search="abcd1234-0001") == []
    assert by_cursor(tenant, 4, search=newest) == [newest]


def test_a_call_id_prefix_with_a_date_range(prefixed: tuple[Any, list[Call], list[Call]]) -> None:
    tenant, full, _ = prefixed
    window = {"start_date": "2026-03-10T12:02:00Z", "end_date": "2026-03-10T12:07:00Z"}
    expected = in_order([c for c in full if 2 <= (c.start_time - T0).total_seconds() / 60 <= 7])
    assert by_cursor(tenant, 2, search=PREFIX, **window) == expected


# Offset bound


def test_an_offset_deeper_than_the_maximum_is_refused_with_what_to_do(tenant: Any) -> None:
    tenant.add_calls(2)
    assert page(tenant, offset="1000")["calls"] == []
    result = list_calls(tenant, offset="1001")
    assert result["statusCode"] == 422
    [error] = json.loads(result["body"])["detail"]
    assert error["loc"] == ["query", "offset"]
    assert "1000" in error["msg"]


def test_a_page_starting_deeper_than_the_maximum_is_refused(tenant: Any) -> None:
    assert page(tenant, page="51", page_size="20")["offset"] == 1000
    result = list_calls(tenant, page="52", page_size="20")
    assert result["statusCode"] == 422
    [error] = json.loads(result["body"])["detail"]
    assert error["loc"] == ["query", "page"]
    assert "next_cursor" in error["msg"]


# Calls stored before the pair indexes


def test_backfill_gives_old_call_items_their_pair_and_prefix_keys(
    tenant: Any, call_store: CallStore
) -> None:
    # Given: a call item as stored before the pair and prefix indexes existed
    call = tenant.add_call(
        start_time=T0, direction=Direction.INBOUND, status=CallStatus.FAILED, outcome=None
    )
    new_keys = [
        "direction_status_key",
        "agent_status_key",
        "agent_direction_key",
        "id8_key",
        "id4_key",
    ]
    call_store.dynamodb.update_item(
        TableName=call_store.table_name,
        Key={"pk": {"S": call_pk(tenant.tenant_id, call.id)}, "sk": {"S": CALL_SK}},
        UpdateExpression="REMOVE " + ", ".join(new_keys),
    )
    assert _pair_page(tenant, direction="inbound", status="failed") == []
    assert _pair_page(tenant, search=call.id[:8]) == []

    # When: the backfill runs for the tenant (twice: the second finds nothing to do)
    assert call_store.backfill_list_keys(tenant.tenant_id) == 1
    assert call_store.backfill_list_keys(tenant.tenant_id) == 0

    # Then: the call is listed by its pairs and its id prefix again
    assert _pair_page(tenant, direction="inbound", status="failed") == [call.id]
    assert _pair_page(tenant, search=call.id[:8]) == [call.id]


def test_the_backfill_command_reports_what_it_updated(
    tenant: Any, call_store: CallStore, embedded_aws: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: one call item without its pair and prefix keys
    from dialtone.cli import main

    call = tenant.add_call(start_time=T0)
    call_store.dynamodb.update_item(
        TableName=call_store.table_name,
        Key={"pk": {"S": call_pk(tenant.tenant_id, call.id)}, "sk": {"S": CALL_SK}},
        UpdateExpression="REMOVE id8_key, id4_key",
    )
    capsys.readouterr()

    # When: the admin command runs for the tenant
    code = main(
        ["admin", "--endpoint-url", embedded_aws.url, "--region", "us-east-1", "--json",
         "backfill-list-keys", "--calls-table", call_store.table_name, "--tenant", tenant.tenant_id]
    )  # fmt: skip

    # Then: it says it updated that call, which a prefix search finds again
    assert code == 0
    assert json.loads(capsys.readouterr().out) == {"updated": 1}
    assert _pair_page(tenant, search=call.id[:4]) == [call.id]


def test_the_backfill_command_needs_the_calls_table(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dialtone.cli import main

    monkeypatch.delenv("CALLS_TABLE", raising=False)
    assert main(["admin", "--region", "us-east-1", "backfill-list-keys"]) == 2
    assert "--calls-table" in capsys.readouterr().err
