"""The sweeper brings every stuck call to a final status, and never dials a call twice: a claim
without SID is reconciled with the provider before anything is dialed again."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone.dialing.dialer import Dialer, DialOutcome
from dialtone.dialing.sweeper import Sweeper
from dialtone.model_types import CallStatus
from dialtone.telephony.base import DialOrder, ProviderCall
from tests.integration.dialer.conftest import DialQueues, DialTenant, FakeProvider, later


class DialerDied(Exception):
    """The dialer's execution environment vanished right here."""


class DyingAfterPlacing(FakeProvider):
    """Places the call, then the dialer dies before it can save the SID."""

    def place_call(self, order: DialOrder) -> ProviderCall:
        super().place_call(order)
        raise DialerDied()


class DyingBeforePlacing(FakeProvider):
    """The dialer dies after claiming, before the provider is asked."""

    def place_call(self, order: DialOrder) -> ProviderCall:
        raise DialerDied()


@pytest.fixture
def make_sweeper(
    handler_environment: dict[str, str], dial_queues: DialQueues
) -> Callable[..., Sweeper]:
    from dialtone.store import CallStore

    def factory(provider: Any, minutes_later: float = 0) -> Sweeper:
        return Sweeper(
            calls=CallStore(handler_environment["CALLS_TABLE"]),
            accounts_table=handler_environment["ACCOUNTS_TABLE"],
            provider=provider,
            queue_url=dial_queues.url,
            callback_url=lambda tenant, call: "http://127.0.0.1:9/status",
            clock=later(minutes_later * 60),
            requeue_delay_seconds=1,
        )

    return factory


def test_a_dialer_dying_after_the_provider_call_dials_once_and_is_reconciled(
    make_dialer: Callable[..., Dialer],
    make_sweeper: Callable[..., Sweeper],
    dial_tenant: DialTenant,
) -> None:
    # Given a dialer that dies right after the provider placed the call
    provider = DyingAfterPlacing()
    call = dial_tenant.queued_call()
    with pytest.raises(DialerDied):
        make_dialer(provider=provider).handle(dial_tenant.message(call.id))
    stored = dial_tenant.call(call.id)
    assert stored.call.status is CallStatus.QUEUED
    assert stored.internal.claim_token
    # When the message is redelivered, to this dialer or another
    outcome = make_dialer(provider=provider).handle(dial_tenant.message(call.id))
    # Then nothing is dialed: the claim without SID means "maybe placed"
    assert outcome is DialOutcome.CLAIMED_ELSEWHERE
    assert provider.calls_placed_for(call.id) == 1
    # And a sweep within the grace period leaves the claim alone
    assert make_sweeper(provider).sweep_tenant(dial_tenant.tenant_id).examined == 0
    # When the sweeper runs three minutes later
    report = make_sweeper(provider, minutes_later=3).sweep_tenant(dial_tenant.tenant_id)
    # Then it found the provider's call and saved its SID: one call, never dialed again
    assert (report.reconciled, report.requeued) == (1, 0)
    stored = dial_tenant.call(call.id)
    sid = next(iter(provider.placed))
    assert stored.call.status is CallStatus.INITIATED
    assert stored.call.twilio_call_sid == sid
    assert make_dialer(provider=provider).handle(dial_tenant.message(call.id)) is (
        DialOutcome.NOT_QUEUED
    )
    assert provider.calls_placed_for(call.id) == 1


def test_a_reconciled_call_takes_the_providers_final_status(
    make_dialer: Callable[..., Dialer],
    make_sweeper: Callable[..., Sweeper],
    dial_tenant: DialTenant,
) -> None:
    # Given a call placed (and already completed at the provider) by a dialer that then died
    provider = DyingAfterPlacing()
    call = dial_tenant.queued_call()
    with pytest.raises(DialerDied):
        make_dialer(provider=provider).handle(dial_tenant.message(call.id))
    provider.status[next(iter(provider.placed))] = CallStatus.COMPLETED
    # When the sweeper reconciles it
    make_sweeper(provider, minutes_later=3).sweep_tenant(dial_tenant.tenant_id)
    # Then the call is completed, as the provider says, with its duration
    stored = dial_tenant.call(call.id).call
    assert stored.status is CallStatus.COMPLETED
    assert (stored.duration_seconds, stored.end_reason) == (42.0, "hangup")


def test_a_claim_the_provider_never_saw_goes_back_to_the_queue_and_is_dialed_once(
    make_dialer: Callable[..., Dialer],
    make_sweeper: Callable[..., Sweeper],
    dial_tenant: DialTenant,
    dial_queues: DialQueues,
) -> None:
    # Given a dialer that died after claiming a call, before placing it
    call = dial_tenant.queued_call()
    with pytest.raises(DialerDied):
        make_dialer(provider=DyingBeforePlacing()).handle(dial_tenant.message(call.id))
    # When the sweeper runs three minutes later and the provider has no such call
    provider = FakeProvider()
    report = make_sweeper(provider, minutes_later=3).sweep_tenant(dial_tenant.tenant_id)
    # Then the claim is released (one attempt counted) and a fresh message is queued
    assert report.requeued == 1
    stored = dial_tenant.call(call.id)
    assert stored.call.status is CallStatus.QUEUED
    assert stored.internal.claim_token is None
    assert stored.internal.dial_attempts == 1
    messages = dial_queues.receive(wait=3)
    assert [json.loads(m["Body"]) for m in messages] == [
        {"tenant_id": dial_tenant.tenant_id, "call_id": call.id}
    ]
    # And that message dials the call, once
    assert make_dialer(provider=provider).handle(messages[0]["Body"]) is DialOutcome.DIALED
    assert provider.calls_placed_for(call.id) == 1


def test_a_call_stuck_ringing_takes_the_providers_final_status(
    make_dialer: Callable[..., Dialer],
    make_sweeper: Callable[..., Sweeper],
    dial_tenant: DialTenant,
    provider: FakeProvider,
) -> None:
    # Given a dialed call whose status callbacks never came, and the provider says completed
    call = dial_tenant.queued_call()
    make_dialer().handle(dial_tenant.message(call.id))
    provider.status[next(iter(provider.placed))] = CallStatus.COMPLETED
    # When the sweeper runs within 10 minutes, nothing happens
    assert make_sweeper(provider, minutes_later=5).sweep_tenant(dial_tenant.tenant_id).examined == 0
    # When it runs 11 minutes after the dial
    report = make_sweeper(provider, minutes_later=11).sweep_tenant(dial_tenant.tenant_id)
    # Then the call is completed
    assert report.resolved == 1
    assert dial_tenant.call(call.id).call.status is CallStatus.COMPLETED


def test_a_call_the_provider_does_not_know_times_out(
    make_sweeper: Callable[..., Sweeper], dial_tenant: DialTenant
) -> None:
    # Given calls stuck ringing (a SID the provider never heard of) and in progress for 5 hours
    now = datetime.now(UTC)
    ringing = dial_tenant.queued_call(queued_at=now - timedelta(minutes=30))
    dial_tenant.calls.change_call(
        dial_tenant.tenant_id,
        ringing.id,
        CallStatus.QUEUED,
        {
            "status": CallStatus.RINGING,
            "twilio_call_sid": "CA" + "0" * 32,
            "dialed_at": now - timedelta(minutes=29),
        },
    )
    talking = dial_tenant.queued_call(queued_at=now - timedelta(hours=5))
    dial_tenant.calls.change_call(
        dial_tenant.tenant_id,
        talking.id,
        CallStatus.QUEUED,
        {"status": CallStatus.IN_PROGRESS, "start_time": now - timedelta(hours=5)},
    )
    # When the sweeper runs
    report = make_sweeper(FakeProvider()).sweep_tenant(dial_tenant.tenant_id)
    # Then both end failed with end_reason "timeout"
    assert report.timed_out == 2
    for call_id in (ringing.id, talking.id):
        stored = dial_tenant.call(call_id).call
        assert (stored.status, stored.end_reason) == (CallStatus.FAILED, "timeout")


def test_a_queued_call_whose_message_was_lost_gets_a_new_one_and_is_dialed_once(
    make_dialer: Callable[..., Dialer],
    make_sweeper: Callable[..., Sweeper],
    dial_tenant: DialTenant,
    dial_queues: DialQueues,
    provider: FakeProvider,
) -> None:
    # Given a call queued an hour ago whose dial message was lost (the queue holds none)
    call = dial_tenant.queued_call(queued_at=datetime.now(UTC) - timedelta(hours=1))
    assert dial_queues.receive() == []

    # When the sweeper runs
    report = make_sweeper(provider).sweep_tenant(dial_tenant.tenant_id)

    # Then the call is still queued, and a new message for it is in the dial queue
    assert report.reenqueued == 1
    assert dial_tenant.call(call.id).call.status is CallStatus.QUEUED
    messages = dial_queues.receive(wait=1)
    assert [json.loads(m["Body"]) for m in messages] == [
        {"tenant_id": dial_tenant.tenant_id, "call_id": call.id}
    ]
    # And the next sweep leaves it alone: it was just enqueued
    assert make_sweeper(provider, minutes_later=1).sweep_tenant(dial_tenant.tenant_id).examined == 0
    # And that message dials the call, once
    assert make_dialer().handle(messages[0]["Body"]) is DialOutcome.DIALED
    assert provider.calls_placed_for(call.id) == 1
    assert dial_tenant.call(call.id).call.status is CallStatus.INITIATED


def test_a_queued_call_older_than_a_day_is_never_failed_and_is_dialed_once(
    make_dialer: Callable[..., Dialer],
    make_sweeper: Callable[..., Sweeper],
    dial_tenant: DialTenant,
    dial_queues: DialQueues,
    provider: FakeProvider,
) -> None:
    # Given a call queued 25 hours ago, its message still waiting in a long backlog
    call = dial_tenant.queued_call(queued_at=datetime.now(UTC) - timedelta(hours=25))
    dial_queues.sqs.send_message(QueueUrl=dial_queues.url, MessageBody=dial_tenant.message(call.id))

    # When the sweeper runs
    make_sweeper(provider).sweep_tenant(dial_tenant.tenant_id)

    # Then the call is not failed: it is still queued, now with a second message
    stored = dial_tenant.call(call.id).call
    assert (stored.status, stored.end_reason, stored.error_reason) == (
        CallStatus.QUEUED,
        None,
        None,
    )
    messages = dial_queues.receive(wait=1)
    assert len(messages) == 2
    # And when both messages arrive, the call is dialed once
    outcomes = [make_dialer().handle(m["Body"]) for m in messages]
    assert outcomes == [DialOutcome.DIALED, DialOutcome.NOT_QUEUED]
    assert provider.calls_placed_for(call.id) == 1


def test_queued_calls_recently_enqueued_touched_or_waiting_for_their_window_are_left_alone(
    make_sweeper: Callable[..., Sweeper], dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    now = datetime.now(UTC)
    # Given a call queued 10 minutes ago
    fresh = dial_tenant.queued_call(queued_at=now - timedelta(minutes=10))
    # And one queued 2 hours ago that a dialer tried and gave back a minute ago
    retried = dial_tenant.queued_call(queued_at=now - timedelta(hours=2))
    dial_tenant.calls.change_call(
        dial_tenant.tenant_id, retried.id, CallStatus.QUEUED, {"dial_attempts": 1}
    )
    # And one queued 25 hours ago that waits for its calling window
    waiting = dial_tenant.queued_call(
        queued_at=now - timedelta(hours=25), dial_at_estimate=now + timedelta(hours=1)
    )

    # When the sweeper runs
    report = make_sweeper(FakeProvider()).sweep_tenant(dial_tenant.tenant_id)

    # Then none of them is touched: all still queued, no message sent
    assert report.reenqueued == 0
    for call in (fresh, retried, waiting):
        assert dial_tenant.call(call.id).call.status is CallStatus.QUEUED
    assert dial_queues.receive(wait=1) == []


def test_the_sweeper_visits_every_tenant(
    make_sweeper: Callable[..., Sweeper], dial_tenant: DialTenant
) -> None:
    assert dial_tenant.tenant_id in set(make_sweeper(FakeProvider()).tenants())


class FindsAnotherCall(FakeProvider):
    """A provider whose lookup by numbers and time matches another call's placement."""

    def __init__(self, sid: str) -> None:
        super().__init__()
        self.sid = sid

    def find_call(self, order: DialOrder, placed_after: datetime) -> ProviderCall | None:
        return ProviderCall(sid=self.sid, status=CallStatus.IN_PROGRESS)


def test_a_reconciliation_that_finds_another_calls_sid_hands_the_call_back_instead(
    make_dialer: Callable[..., Dialer],
    make_sweeper: Callable[..., Sweeper],
    dial_tenant: DialTenant,
) -> None:
    # Given a dialed call holding its SID, and a call to the same number whose dialer died
    # after claiming it
    first = dial_tenant.queued_call()
    assert make_dialer().handle(dial_tenant.message(first.id)) is DialOutcome.DIALED
    sid = dial_tenant.call(first.id).call.twilio_call_sid
    assert sid is not None
    second = dial_tenant.queued_call()
    with pytest.raises(DialerDied):
        make_dialer(provider=DyingBeforePlacing()).handle(dial_tenant.message(second.id))

    # When the sweeper's lookup for the second call matches the first call's placement
    report = make_sweeper(FindsAnotherCall(sid), minutes_later=3).sweep_tenant(
        dial_tenant.tenant_id
    )

    # Then the second call does not take the SID: it goes back to the queue, as one never placed
    assert (report.reconciled, report.requeued) == (0, 1)
    stored = dial_tenant.call(second.id)
    assert (stored.call.status, stored.call.twilio_call_sid) == (CallStatus.QUEUED, None)
    assert stored.internal.claim_token is None
    assert dial_tenant.calls.sid_owner(sid) == (dial_tenant.tenant_id, first.id)
