"""GET /v1/dialer/status and a queued call's place in the dial queue (GET /v1/calls/{id}),
through their handlers."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone.auth import Scope
from dialtone.dialing.limiter import RateLimiter, interval_us
from dialtone.model_types import CallStatus
from local.invoke import api_event, invoke
from tests.integration.dialer.conftest import DialTenant


def dialer_status(authorizer: dict[str, str]) -> tuple[int, Any]:
    event = api_event(
        "dialer_status", "GET /v1/dialer/status", "/v1/dialer/status", authorizer=authorizer
    )
    result = invoke("dialer_status", event)
    return result["statusCode"], json.loads(result["body"])


def get_call(authorizer: dict[str, str], call_id: str) -> Any:
    event = api_event(
        "get_call",
        "GET /v1/calls/{call_id}",
        f"/v1/calls/{call_id}",
        path_parameters={"call_id": call_id},
        authorizer=authorizer,
    )
    result = invoke("get_call", event)
    assert result["statusCode"] == 200
    return json.loads(result["body"])


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def busy_tenant(dial_tenant: DialTenant) -> DialTenant:
    """A tenant dialing 2 calls a second, with 3 calls queued, 3 in flight and 2 done (queued
    before them)."""
    dial_tenant.settings(dial_rate_per_second=2)
    start = datetime.now(UTC) - timedelta(minutes=10)
    for status in (
        CallStatus.INITIATED,
        CallStatus.RINGING,
        CallStatus.IN_PROGRESS,
        CallStatus.COMPLETED,
        CallStatus.FAILED,
    ):
        call = dial_tenant.queued_call(queued_at=start - timedelta(minutes=5))
        dial_tenant.calls.change_call(
            dial_tenant.tenant_id, call.id, CallStatus.QUEUED, {"status": status}, dialed=True
        )
    for minute in range(3):
        dial_tenant.queued_call(queued_at=start + timedelta(minutes=minute))
    return dial_tenant


def test_dialer_status_of_an_idle_account(busy_tenant: DialTenant) -> None:
    # When the tenant asks for its dialer's status, its account not having dialed yet
    before = datetime.now(UTC)
    status, body = dialer_status(busy_tenant.fixture.authorizer(Scope.CALLS_READ))
    # Then it sees its rate, its backlog, its calls in flight, and when the backlog drains:
    # the next slot is now, the last of 3 calls two intervals later
    assert status == 200
    assert (body["rate_per_second"], body["backlog"], body["in_flight"]) == (2, 3, 3)
    next_slot = at(body["next_slot_at"])
    assert before - timedelta(seconds=1) <= next_slot <= datetime.now(UTC) + timedelta(seconds=1)
    assert at(body["drains_at"]) - next_slot == timedelta(microseconds=2 * interval_us(2))


def test_dialer_status_counts_the_slots_already_taken(
    busy_tenant: DialTenant, rate_limit_table: str
) -> None:
    # Given an account whose next four slots are taken (at 2 calls a second)
    limiter = RateLimiter(rate_limit_table)
    for _ in range(4):
        last = limiter.reserve(f"acct-{busy_tenant.tenant_id}", 2)
    # Then the next slot is after them, and the backlog drains 2 intervals later
    _, body = dialer_status(busy_tenant.fixture.authorizer(Scope.CALLS_READ))
    next_slot = at(body["next_slot_at"])
    assert next_slot.timestamp() == pytest.approx(last + interval_us(2) / 1e6, abs=1e-5)
    assert next_slot > datetime.now(UTC) + timedelta(seconds=1)
    assert at(body["drains_at"]) - next_slot == timedelta(microseconds=2 * interval_us(2))


def test_dialer_status_of_a_tenant_with_nothing_queued(dial_tenant: DialTenant) -> None:
    _, body = dialer_status(dial_tenant.fixture.authorizer(Scope.CALLS_READ))
    assert (body["backlog"], body["in_flight"], body["drains_at"]) == (0, 0, None)


def test_dialer_status_needs_calls_read(dial_tenant: DialTenant) -> None:
    status, body = dialer_status(dial_tenant.fixture.authorizer(Scope.CALLS_WRITE))
    assert (status, body) == (403, {"detail": "Missing scope calls:read"})


def test_a_queued_call_shows_its_position_and_when_it_will_be_dialed(
    busy_tenant: DialTenant,
) -> None:
    # Given the tenant's three queued calls, oldest first
    queued = sorted(
        (c for c in busy_tenant.fixture.call_ids),
        key=lambda call_id: busy_tenant.call(call_id).call.start_time,
    )
    queued = [c for c in queued if busy_tenant.call(c).call.status is CallStatus.QUEUED]
    authorizer = busy_tenant.fixture.authorizer(Scope.CALLS_READ)
    # When each is read (an estimate counts from the moment of its read)
    reads = []
    for call_id in queued:
        before = time.time()
        body = get_call(authorizer, call_id)
        reads.append((before, time.time(), body))
    # Then they stand 1st, 2nd, 3rd, one interval (1/2 s) apart from the moment of the read
    assert [body["queue_position"] for _, _, body in reads] == [1, 2, 3]
    interval = interval_us(2) / 1e6
    starts = [
        at(body["dial_at_estimate"]).timestamp() - i * interval - before
        for i, (before, _, body) in enumerate(reads)
    ]
    assert -0.2 <= starts[0] <= 2
    longest_read = max(after - before for before, after, _ in reads)
    assert max(starts) - min(starts) <= longest_read + 0.2


def test_a_call_that_left_the_queue_shows_no_position(busy_tenant: DialTenant) -> None:
    done = next(
        c
        for c in busy_tenant.fixture.call_ids
        if busy_tenant.call(c).call.status is CallStatus.COMPLETED
    )
    body = get_call(busy_tenant.fixture.authorizer(Scope.CALLS_READ), done)
    assert (body["queue_position"], body["dial_at_estimate"]) == (None, None)


def test_a_call_waiting_for_its_calling_window_shows_when_it_opens(
    dial_tenant: DialTenant,
) -> None:
    opening = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
    call = dial_tenant.queued_call(dial_at_estimate=opening)
    body = get_call(dial_tenant.fixture.authorizer(Scope.CALLS_READ), call.id)
    assert body["queue_position"] == 1
    assert at(body["dial_at_estimate"]) == opening
