"""Paging through merged index reads returns exactly what a brute-force filter would.

`phone_number` reads two indexes and merges them; cursors carry each index's position. These
tests compare every page walk with the answer computed from the calls themselves.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone.model_types import Direction
from dialtone.models import Call
from local.invoke import api_event, invoke
from local.seed import make_call
from tests.streams import drain_calls_stream

LINE = "+14155550100"


def _list(tenant: Any, query: dict[str, str]) -> dict[str, Any]:
    drain_calls_stream(tenant.tenant_id)  # `total` counts every call stored so far
    event = api_event(
        "list_calls", "GET /v1/calls", "/v1/calls", query=query, authorizer=tenant.authorizer()
    )
    response = invoke("list_calls", event)
    assert response["statusCode"] == 200, response["body"]
    body: dict[str, Any] = json.loads(response["body"])
    return body


def _walk(tenant: Any, query: dict[str, str]) -> tuple[list[str], list[int]]:
    ids: list[str] = []
    totals: list[int] = []
    cursor = None
    for _ in range(200):
        page = _list(tenant, {**query, **({"cursor": cursor} if cursor else {})})
        ids.extend(c["id"] for c in page["calls"])
        totals.append(page["total"])
        cursor = page["next_cursor"]
        if cursor is None:
            return ids, totals
    raise AssertionError("cursor walk did not end")


@pytest.fixture
def mixed_line_tenant(tenant: Any) -> tuple[Any, list[Call]]:
    """Calls on one line in both directions, interleaved in time, plus unrelated calls,
    and a few calls with the line on both sides."""
    rng = random.Random(11)
    base = datetime(2026, 10, 1, tzinfo=UTC)
    calls = []
    for n in range(70):
        direction = rng.choice([Direction.INBOUND, Direction.OUTBOUND, Direction.WEB])
        call = make_call(
            rng, direction=direction, start_time=base + timedelta(minutes=rng.randint(0, 40_000))
        )
        if direction is Direction.INBOUND:
            call = call.model_copy(update={"to_number": LINE})
        elif direction is Direction.OUTBOUND:
            call = call.model_copy(update={"from_number": LINE})
        if n % 17 == 0:
            call = call.model_copy(update={"from_number": LINE, "to_number": LINE})
        calls.append(call)
    tenant.store.put_calls(tenant.tenant_id, [(c, None) for c in calls])
    tenant.call_ids.extend(c.id for c in calls)
    return tenant, calls


def _expected(calls: list[Call], ascending: bool, keep: Any) -> list[str]:
    chosen = [c for c in calls if keep(c)]
    chosen.sort(key=lambda c: (c.start_time, c.id), reverse=not ascending)
    return [c.id for c in chosen]


def _on_line(call: Call) -> bool:
    return LINE in (call.from_number, call.to_number)


@pytest.mark.parametrize("order", ["desc", "asc"])
@pytest.mark.parametrize("limit", ["1", "7", "20"])
def test_phone_number_walk_matches_brute_force(
    mixed_line_tenant: Any, order: str, limit: str
) -> None:
    # Given calls on a line from both sides, some with the line on both sides
    tenant, calls = mixed_line_tenant
    expected = _expected(calls, order == "asc", _on_line)
    assert len(expected) > 40

    # When every page is walked by cursor
    ids, totals = _walk(tenant, {"phone_number": LINE, "limit": limit, "order": order})

    # Then the pages hold each matching call once, in order, and total counts each once
    assert ids == expected
    assert set(totals) == {len(expected)}


def test_phone_number_with_date_range_and_status(mixed_line_tenant: Any) -> None:
    # Given the same calls, and a window plus a second filter
    tenant, calls = mixed_line_tenant
    start, end = datetime(2026, 10, 5, tzinfo=UTC), datetime(2026, 10, 20, tzinfo=UTC)

    def keep(call: Call) -> bool:
        return (
            _on_line(call) and start <= call.start_time <= end and call.status.value == "completed"
        )

    expected = _expected(calls, False, keep)
    assert expected

    # When the filtered list is walked
    ids, totals = _walk(
        tenant,
        {
            "phone_number": LINE,
            "start_date": "2026-10-05T00:00:00Z",
            "end_date": "2026-10-20T00:00:00Z",
            "status": "completed",
            "limit": "4",
        },
    )

    # Then it is exactly the brute-force answer
    assert ids == expected
    assert set(totals) == {len(expected)}


@pytest.mark.parametrize("limit", ["2", "9"])
def test_offset_pages_match_cursor_pages(mixed_line_tenant: Any, limit: str) -> None:
    # Given the merged list read once by cursor
    tenant, calls = mixed_line_tenant
    expected = _expected(calls, False, _on_line)

    # When it is read by offsets instead
    ids: list[str] = []
    for offset in range(0, len(expected) + 5, int(limit)):
        page = _list(tenant, {"phone_number": LINE, "limit": limit, "offset": str(offset)})
        assert page["offset"] == offset
        ids.extend(c["id"] for c in page["calls"])

    # Then both agree
    assert ids == expected


def test_plain_list_walk_with_filters_matches_brute_force(mixed_line_tenant: Any) -> None:
    # Given the calls, filtered on two dimensions that share no index
    tenant, calls = mixed_line_tenant

    def keep(call: Call) -> bool:
        return call.direction is Direction.INBOUND and call.agent_id == "agent-billing"

    expected = _expected(calls, True, keep)

    # When walked in ascending order by cursor
    ids, _ = _walk(
        tenant, {"direction": "inbound", "agent_id": "agent-billing", "limit": "2", "order": "asc"}
    )

    # Then it is exactly the brute-force answer
    assert ids == expected
