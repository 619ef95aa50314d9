"""POST /v1/calls/batch?dry_run=true says what the batch would do, storing and dialing nothing,
by the rules the real batch and the dialer apply: the real batch of the same numbers dials
exactly the numbers the dry run said it would."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dialtone import settings
from dialtone.accounts import CallingWindow
from dialtone.dialing.dialer import Dialer, DialOutcome
from dialtone.dialing.suppressions import SuppressionCreate, SuppressionStore
from dialtone.model_types import CallStatus
from dialtone.telephony.simulator import SimulatorProvider
from local.endpoint import environment
from local.invoke import api_event, invoke
from tests.integration.dialer.conftest import DialQueues, DialTenant
from tests.integration.dialer.test_dial_counters import every_call
from tests.integration.dialer.test_dialing_api import (
    create_batch,
    messages,
    stored_batches,
    tenant_calls,
)


@pytest.fixture(autouse=True)
def _handlers_on_this_tests_queue(dial_queues: DialQueues) -> Iterator[None]:
    with environment({"DIAL_QUEUE_URL": dial_queues.url}):
        settings.reset()
        yield
    settings.reset()


def dry_run(tenant: DialTenant, body: Any, authorizer: dict[str, str] | None = None) -> Any:
    event = api_event(
        "create_call_batch",
        "POST /v1/calls/batch",
        "/v1/calls/batch",
        authorizer=authorizer or tenant.fixture.authorizer(),
        body=json.dumps(body),
        query={"dry_run": "true"},
    )
    result = invoke("create_call_batch", event)
    return result["statusCode"], json.loads(result["body"])


def make_campaign(tenant: DialTenant, accounts_table: str, size: int) -> list[str]:
    """`size` numbers: 95% different ones, then 5% of them given again; 10% of the different
    ones on the tenant's do-not-call list."""
    distinct = [f"+1415555{n:04d}" for n in range(5000, 5000 + size * 95 // 100)]
    suppressions = SuppressionStore(accounts_table)
    for number in distinct[::9][: size // 10]:
        suppressions.add(tenant.tenant_id, SuppressionCreate(phone_number=number))
    return distinct + distinct[size // 10 : size // 10 + size // 20]


@pytest.fixture
def campaign(dial_tenant: DialTenant, handler_environment: dict[str, str]) -> list[str]:
    """1,000 numbers: 950 different ones, 50 of them given twice, 100 of them suppressed."""
    return make_campaign(dial_tenant, handler_environment["ACCOUNTS_TABLE"], 1000)


@pytest.fixture
def small_campaign(dial_tenant: DialTenant, handler_environment: dict[str, str]) -> list[str]:
    """The same mix at 100 numbers: 95 different ones, 5 given twice, 10 suppressed. (950
    messages through the embedded SQS take minutes: its ReceiveMessage reads the whole queue.)
    """
    return make_campaign(dial_tenant, handler_environment["ACCOUNTS_TABLE"], 100)


def test_a_dry_run_counts_what_a_batch_would_dial_and_stores_nothing(
    dial_tenant: DialTenant, dial_queues: DialQueues, campaign: list[str]
) -> None:
    # When a campaign of 1,000 numbers, 100 suppressed and 50 duplicates, is tried
    status, body = dry_run(dial_tenant, {"to_numbers": campaign})
    # Then 850 would be dialed, and the others are named with their reason
    assert status == 200
    assert body["will_dial"] == 850
    skipped = body["skipped"]
    assert skipped["invalid_number"] == []
    assert skipped["duplicate"] == campaign[100:150][:50] == campaign[950:]
    assert skipped["suppressed"] == campaign[:950][::9][:100]
    assert body["deferred"] == {"outside_calling_window": []}
    # And nothing was stored or queued
    assert tenant_calls(dial_tenant) == []
    assert stored_batches(dial_tenant) == []
    assert messages(dial_queues) == []


def test_the_real_batch_dials_exactly_what_the_dry_run_said(
    dial_tenant: DialTenant,
    dial_queues: DialQueues,
    small_campaign: list[str],
    make_dialer: Callable[..., Dialer],
    tmp_path: Path,
) -> None:
    campaign = small_campaign
    # Given the dry run of a campaign: 85 of its 100 numbers will be dialed
    _, plan = dry_run(dial_tenant, {"to_numbers": campaign})
    assert (plan["will_dial"], len(plan["skipped"]["suppressed"])) == (85, 10)
    assert len(plan["skipped"]["duplicate"]) == 5
    # When the same numbers are sent as a real batch, and every message reaches a dialer
    # placing calls through the simulator
    dial_tenant.settings(dial_rate_per_second=100)
    status, accepted = create_batch(dial_tenant, {"to_numbers": campaign})
    assert status == 202
    assert accepted["duplicates"] == plan["skipped"]["duplicate"]
    simulator = SimulatorProvider("test-token", state_dir=tmp_path, ring_seconds=0, talk_seconds=0)
    dialer = make_dialer(provider=simulator)
    with ThreadPoolExecutor(max_workers=8) as dialers:  # as concurrent dialer instances
        outcomes = list(dialers.map(dialer.handle, map(json.dumps, messages(dial_queues))))
    # Then the dialer placed exactly will_dial calls, to the numbers not skipped
    placed = {s.call.to_number for s in every_call(dial_tenant) if s.call.twilio_call_sid}
    assert outcomes.count(DialOutcome.DIALED) == len(placed) == plan["will_dial"] == 85
    assert placed == set(campaign) - set(plan["skipped"]["suppressed"])
    canceled = [s.call for s in every_call(dial_tenant) if s.call.status is CallStatus.CANCELED]
    assert sorted(c.to_number or "" for c in canceled) == sorted(plan["skipped"]["suppressed"])


def test_invalid_numbers_are_skipped_as_a_real_batch_keeps_them_failed(
    dial_tenant: DialTenant,
) -> None:
    status, body = dry_run(dial_tenant, {"to_numbers": ["+14155550141", "not a number", "12"]})
    assert status == 200
    assert body["will_dial"] == 1
    assert body["skipped"]["invalid_number"] == ["not a number", "12"]


def test_numbers_outside_the_calling_window_are_dialed_later_not_skipped(
    dial_tenant: DialTenant, make_dialer: Callable[..., Dialer]
) -> None:
    # Given a calling window that is closed now in California (it opens in 2 hours)
    local = datetime.now(UTC).astimezone(ZoneInfo("America/Los_Angeles"))
    opens, closes = local + timedelta(hours=2), local + timedelta(hours=3)
    dial_tenant.settings(
        calling_window=CallingWindow(start=opens.strftime("%H:%M"), end=closes.strftime("%H:%M"))
    )
    # When a batch to a Californian number is tried
    status, body = dry_run(dial_tenant, {"to_numbers": ["+14155550142"]})
    # Then it will be dialed, later: as the dialer does with such a call, deferring it
    assert status == 200
    assert body["will_dial"] == 1
    assert body["deferred"] == {"outside_calling_window": ["+14155550142"]}
    call = dial_tenant.queued_call(to_number="+14155550142")
    assert make_dialer().handle(dial_tenant.message(call.id)) is DialOutcome.DEFERRED


def test_a_dry_run_checks_the_request_as_the_real_batch_does(dial_tenant: DialTenant) -> None:
    from dialtone.auth import Scope

    status, body = dry_run(
        dial_tenant,
        {"to_numbers": ["+14155550141"]},
        dial_tenant.fixture.authorizer(Scope.CALLS_READ),
    )
    assert (status, body) == (403, {"detail": "Missing scope calls:write"})
    status, body = dry_run(dial_tenant, {"to_numbers": ["+14155550141"], "agent_id": "nobody"})
    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "agent_id"]
    status, body = dry_run(dial_tenant, {"to_numbers": []})
    assert status == 422
