"""The dialer's rules, against the template's tables and queues on the embedded endpoint, with
a fake provider that records what it was asked to dial."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dialtone.dialing.dialer import (
    Dialer,
    DialOutcome,
    DialRetryLater,
    callee_zone,
)
from dialtone.dialing.limiter import RateLimiter
from dialtone.dialing.queue import PoisonMessage
from dialtone.dialing.suppressions import SuppressionCreate, SuppressionStore
from dialtone.model_types import CallStatus
from dialtone.store import CALL_SK, call_pk
from dialtone.telephony.base import DialOrder, ProviderCall, ProviderError
from tests.integration.dialer.conftest import (
    FROM_NUMBER,
    TO_NUMBER,
    DialQueues,
    DialTenant,
    FakeProvider,
    MetricsRecorder,
    permanent,
    retryable,
)


def test_a_queued_call_is_placed_and_its_sid_saved(
    make_dialer: Callable[..., Dialer],
    dial_tenant: DialTenant,
    provider: FakeProvider,
    metrics: MetricsRecorder,
) -> None:
    # Given a queued call
    call = dial_tenant.queued_call()
    # When the dialer takes its message
    outcome = make_dialer().handle(dial_tenant.message(call.id))
    # Then the provider was asked once, for this call, with the call's numbers and callback
    assert outcome is DialOutcome.DIALED
    assert len(provider.attempts) == 1
    order = provider.attempts[0][1]
    assert (order.to_number, order.from_number) == (TO_NUMBER, call.from_number)
    assert order.status_callback_url.endswith(f"call_id={call.id}")
    # And the call is initiated with the provider's SID, and stays claimed (not cancelable)
    stored = dial_tenant.call(call.id)
    sid = next(iter(provider.placed))
    assert stored.call.status is CallStatus.INITIATED
    assert stored.call.twilio_call_sid == stored.call.call_sid == sid
    assert stored.call.dialed_at is not None
    assert stored.internal.claim_token
    assert stored.internal.telephony_account_id == f"acct-{dial_tenant.tenant_id}"
    # And the metrics say so
    assert metrics.values["CallsDialed"] == [1]
    assert len(metrics.values["DialLatency"]) == 1
    assert len(metrics.values["LimiterWait"]) == 1


def test_the_same_message_twice_dials_once(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant, provider: FakeProvider
) -> None:
    # Given a queued call whose message is delivered twice
    call = dial_tenant.queued_call()
    dialer = make_dialer()
    # When both deliveries are processed
    first = dialer.handle(dial_tenant.message(call.id))
    second = dialer.handle(dial_tenant.message(call.id))
    # Then the call was placed once
    assert (first, second) == (DialOutcome.DIALED, DialOutcome.NOT_QUEUED)
    assert provider.calls_placed_for(call.id) == 1


def test_two_dialers_racing_on_one_call_dial_it_once(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant, provider: FakeProvider
) -> None:
    # Given five calls, each delivered to two dialers at the same moment
    calls = [dial_tenant.queued_call() for _ in range(5)]
    outcomes: list[DialOutcome] = []
    lock = threading.Lock()

    def run(call_id: str, start: threading.Barrier) -> None:
        dialer = make_dialer()
        start.wait()
        outcome = dialer.handle(dial_tenant.message(call_id))
        with lock:
            outcomes.append(outcome)

    for call in calls:
        start = threading.Barrier(2)
        threads = [threading.Thread(target=run, args=(call.id, start)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    # Then each call was placed exactly once, and each loser did nothing
    assert [provider.calls_placed_for(c.id) for c in calls] == [1] * 5
    assert outcomes.count(DialOutcome.DIALED) == 5
    assert all(o in (DialOutcome.DIALED, DialOutcome.CLAIMED_ELSEWHERE, DialOutcome.NOT_QUEUED)
               for o in outcomes)  # fmt: skip


def test_a_canceled_call_is_never_dialed(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant, provider: FakeProvider
) -> None:
    # Given a call canceled while its message waited in the queue
    call = dial_tenant.queued_call()
    dial_tenant.calls.change_call(
        dial_tenant.tenant_id, call.id, CallStatus.QUEUED, {"status": CallStatus.CANCELED}
    )
    # When the message arrives, nothing is dialed
    assert make_dialer().handle(dial_tenant.message(call.id)) is DialOutcome.NOT_QUEUED
    assert provider.attempts == []


def test_a_suppressed_number_is_canceled_at_dial_time(
    make_dialer: Callable[..., Dialer],
    dial_tenant: DialTenant,
    provider: FakeProvider,
    handler_environment: dict[str, str],
) -> None:
    # Given a call queued before its number was put on the do-not-call list
    call = dial_tenant.queued_call(to_number="+14155550177")
    suppressions = SuppressionStore(handler_environment["ACCOUNTS_TABLE"])
    suppressions.add(dial_tenant.tenant_id, SuppressionCreate(phone_number="+14155550177"))
    # When its message arrives
    outcome = make_dialer().handle(dial_tenant.message(call.id))
    # Then it is never dialed and ends canceled, suppressed
    assert outcome is DialOutcome.SUPPRESSED
    assert provider.attempts == []
    stored = dial_tenant.call(call.id).call
    assert (stored.status, stored.end_reason) == (CallStatus.CANCELED, "suppressed")


def _closed_window_now(number: str) -> tuple[dict[str, str], datetime]:
    """A one-hour calling window starting two hours from now in the callee's local time, and
    when it opens (UTC)."""
    zone = callee_zone(number)
    local = datetime.now(UTC).astimezone(zone)
    start = (local + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=1)
    window = {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
    return window, start.astimezone(UTC)


def test_outside_the_calling_window_the_call_waits(
    make_dialer: Callable[..., Dialer],
    dial_tenant: DialTenant,
    provider: FakeProvider,
    dial_queues: DialQueues,
) -> None:
    # Given a tenant whose calling window (callee's local time) opens in about two hours
    window, opening = _closed_window_now(TO_NUMBER)
    dial_tenant.settings(calling_window=window)
    call = dial_tenant.queued_call()
    # When the call's message arrives
    outcome = make_dialer().handle(dial_tenant.message(call.id))
    # Then nothing is dialed; the call stays queued, showing when it will be dialed
    assert outcome is DialOutcome.DEFERRED
    assert provider.attempts == []
    stored = dial_tenant.call(call.id)
    assert stored.call.status is CallStatus.QUEUED
    assert stored.internal.claim_token is None
    assert stored.call.dial_at_estimate == opening
    # And a fresh message waits in the queue (15 minutes at most, then the check repeats)
    assert dial_queues.counts() == {"visible": 0, "in_flight": 0, "delayed": 1}


def test_inside_the_calling_window_the_call_is_dialed(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant, provider: FakeProvider
) -> None:
    # Given a window open now in the callee's zone (Los Angeles for a 415 number)
    assert callee_zone(TO_NUMBER) == ZoneInfo("America/Los_Angeles")
    local = datetime.now(UTC).astimezone(callee_zone(TO_NUMBER))
    start, end = local - timedelta(hours=1), local + timedelta(hours=1)
    dial_tenant.settings(
        calling_window={"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
    )
    call = dial_tenant.queued_call()
    # Then the call is dialed at once
    assert make_dialer().handle(dial_tenant.message(call.id)) is DialOutcome.DIALED
    assert provider.calls_placed_for(call.id) == 1


def test_retryable_provider_errors_are_retried_in_process(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant
) -> None:
    # Given a provider that throttles twice, then accepts
    provider = FakeProvider(failures=[retryable("429"), retryable("503")])
    call = dial_tenant.queued_call()
    # When the message is processed
    outcome = make_dialer(provider=provider).handle(dial_tenant.message(call.id))
    # Then the third attempt placed the call
    assert outcome is DialOutcome.DIALED
    assert len(provider.attempts) == 3
    assert provider.calls_placed_for(call.id) == 1
    assert dial_tenant.call(call.id).call.status is CallStatus.INITIATED


def test_a_provider_that_keeps_failing_gives_the_message_back_then_fails_the_call(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant, metrics: MetricsRecorder
) -> None:
    # Given a provider that is down for good, and a call in a batch-less queue
    provider = FakeProvider(failures=[retryable() for _ in range(100)])
    dialer = make_dialer(provider=provider)
    call = dial_tenant.queued_call()
    # When the message is delivered, each delivery tries four times, then gives it back
    for attempt in range(1, 5):
        with pytest.raises(DialRetryLater):
            dialer.handle(dial_tenant.message(call.id))
        stored = dial_tenant.call(call.id)
        # unclaimed again (so it can still be canceled), with the attempt counted
        assert stored.call.status is CallStatus.QUEUED
        assert stored.internal.claim_token is None
        assert stored.internal.dial_attempts == attempt
    assert [dialer.retry_visibility(n) for n in (1, 2, 3, 4)] == [0, 0, 0, 0]
    # Then the fifth delivery's failure ends the call failed, with the provider's reason
    assert dialer.handle(dial_tenant.message(call.id)) is DialOutcome.FAILED
    stored = dial_tenant.call(call.id)
    assert stored.call.status is CallStatus.FAILED
    assert stored.call.error_reason == "http_503: Twilio answered 503"
    assert len(provider.attempts) == 5 * 4
    assert metrics.values["CallsFailed"] == [1]


def test_the_backoff_between_deliveries_doubles(make_dialer: Callable[..., Dialer]) -> None:
    dialer = make_dialer(retry_visibility_seconds=30)
    assert [dialer.retry_visibility(n) for n in (1, 2, 3, 4, 5, 6)] == [30, 60, 120, 240, 480, 900]


def test_a_permanent_provider_error_fails_the_call_at_once(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant
) -> None:
    # Given a provider that refuses the number
    provider = FakeProvider(failures=[permanent()])
    call = dial_tenant.queued_call()
    # Then one attempt is made and the call ends failed with the provider's reason
    assert make_dialer(provider=provider).handle(dial_tenant.message(call.id)) is (
        DialOutcome.FAILED
    )
    assert len(provider.attempts) == 1
    stored = dial_tenant.call(call.id).call
    assert stored.status is CallStatus.FAILED
    assert stored.error_reason == "21211: Invalid 'To' Phone Number"
    # And the end reason Twilio's error code names
    assert stored.end_reason == "invalid_number"


def test_a_permanent_provider_error_of_no_known_code_ends_the_call_with_error(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant
) -> None:
    refusal = ProviderError("Twilio answered 400 (error 99999): nope", False, code="99999")
    call = dial_tenant.queued_call()
    dialer = make_dialer(provider=FakeProvider(failures=[refusal]))
    assert dialer.handle(dial_tenant.message(call.id)) is DialOutcome.FAILED
    stored = dial_tenant.call(call.id).call
    assert (stored.status, stored.end_reason) == (CallStatus.FAILED, "error")


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        '{"tenant_id": "t"}',
        '{"tenant_id": "a tenant", "call_id": "8c4e3a2e-6f7d-4a51-9a43-1f0e2d3c4b5a"}',
    ],
)
def test_a_message_that_is_not_a_dial_message_is_poison(
    make_dialer: Callable[..., Dialer], body: str
) -> None:
    with pytest.raises(PoisonMessage):
        make_dialer().handle(body)


def test_a_message_for_an_unknown_tenant_is_poison(make_dialer: Callable[..., Dialer]) -> None:
    body = json.dumps(
        {"tenant_id": "no-such-tenant", "call_id": "8c4e3a2e-6f7d-4a51-9a43-1f0e2d3c4b5a"}
    )
    with pytest.raises(PoisonMessage):
        make_dialer().handle(body)


def test_a_message_for_an_erased_call_needs_nothing(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant, provider: FakeProvider
) -> None:
    body = dial_tenant.message("8c4e3a2e-6f7d-4a51-9a43-1f0e2d3c4b5a")
    assert make_dialer().handle(body) is DialOutcome.GONE
    assert provider.attempts == []


def test_a_call_whose_erasure_begins_after_it_was_read_is_not_dialed(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant, provider: FakeProvider
) -> None:
    # Given: a queued call, and a dialer that reads it just before an admin begins erasing it
    call = dial_tenant.queued_call()
    dialer = make_dialer()
    read = dialer.calls.get_call

    def read_then_erasure_begins(*args: Any, **kwargs: Any) -> Any:
        stored = read(*args, **kwargs)
        dial_tenant.calls.begin_erasure(dial_tenant.tenant_id, call.id)
        return stored

    dialer.calls.get_call = read_then_erasure_begins  # type: ignore[method-assign]

    # When: the dialer handles the call's message
    outcome = dialer.handle(dial_tenant.message(call.id))

    # Then: it cannot claim the call, finds it gone, and nobody is phoned
    assert outcome is DialOutcome.GONE
    assert provider.attempts == []
    item = dial_tenant.calls.dynamodb.get_item(
        TableName=dial_tenant.calls.table_name,
        Key={"pk": {"S": call_pk(dial_tenant.tenant_id, call.id)}, "sk": {"S": CALL_SK}},
    )["Item"]
    assert "claim_token" not in item


def test_a_call_erased_while_it_is_being_placed_ends_the_dial_without_error(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant, provider: FakeProvider
) -> None:
    # Given: a queued call whose erasure begins while the provider is placing it
    call = dial_tenant.queued_call()
    place = provider.place_call

    def erasure_begins_meanwhile(order: DialOrder) -> ProviderCall:
        placed = place(order)
        dial_tenant.calls.begin_erasure(dial_tenant.tenant_id, call.id)
        return placed

    provider.place_call = erasure_begins_meanwhile  # type: ignore[method-assign]

    # When: the dialer handles the call's message
    outcome = make_dialer().handle(dial_tenant.message(call.id))

    # Then: the one placement stands and the message is done with (no retry, no second dial);
    # nothing more is written to the call being erased
    assert outcome is DialOutcome.DIALED
    assert provider.calls_placed_for(call.id) == 1
    item = dial_tenant.calls.dynamodb.get_item(
        TableName=dial_tenant.calls.table_name,
        Key={"pk": {"S": call_pk(dial_tenant.tenant_id, call.id)}, "sk": {"S": CALL_SK}},
    )["Item"]
    assert (item["status"]["S"], "twilio_call_sid" in item) == ("queued", False)


def test_a_slot_beyond_the_deadline_releases_the_claim_and_reschedules(
    make_dialer: Callable[..., Dialer],
    dial_tenant: DialTenant,
    provider: FakeProvider,
    dial_queues: DialQueues,
    handler_environment: dict[str, str],
) -> None:
    # Given an account whose next slot is a minute away (a slow rate and a busy account)
    dial_tenant.settings(dial_rate_per_second=1)
    dialer = make_dialer()
    for _ in range(60):
        dialer.limiter.reserve(f"acct-{dial_tenant.tenant_id}", 1)
    call = dial_tenant.queued_call()
    # When a dialer with 20 s left takes the message
    import time

    outcome = dialer.handle(dial_tenant.message(call.id), deadline=time.time() + 20)
    # Then it neither dials nor holds the claim; the call comes back about when its slot is
    assert outcome is DialOutcome.RESCHEDULED
    assert provider.attempts == []
    stored = dial_tenant.call(call.id)
    assert stored.call.status is CallStatus.QUEUED
    assert stored.internal.claim_token is None
    assert dial_queues.counts()["delayed"] == 1


def test_dialing_a_batch_call_moves_the_batch_counters(
    make_dialer: Callable[..., Dialer],
    dial_tenant: DialTenant,
    dial_queues: DialQueues,
    provider: FakeProvider,
) -> None:
    # Given a batch of two good numbers and one the provider refuses
    from dialtone.dialing.accept import BatchDialRequest, Dialing

    dialing = Dialing(dial_tenant.calls, dial_queues.url)
    provider.failures = []
    accepted = dialing.create_batch(
        dial_tenant.fixture.principal(),
        BatchDialRequest(
            to_numbers=["+14155550131", "+14155550132", "+14155550133"],
            from_number="+14155550100",
        ),
    )
    status = dialing.batch_status(dial_tenant.fixture.principal(), accepted.batch_id)
    dial_tenant.fixture.call_ids.extend(c.call_id for c in status.calls)
    refused = next(c.call_id for c in status.calls if c.to_number == "+14155550133")
    # When the dialer takes every message of the queue
    dialer = make_dialer()
    real_place = provider.place_call

    def place(order: Any) -> Any:
        if order.call_id == refused:
            raise permanent()
        return real_place(order)

    provider.place_call = place  # type: ignore[method-assign]
    for message in dial_queues.receive():
        dialer.handle(message["Body"], message["ReceiptHandle"])
    # Then the counters follow the calls
    status = dialing.batch_status(dial_tenant.fixture.principal(), accepted.batch_id)
    assert (status.queued, status.initiated, status.failed) == (0, 2, 1)
    assert status.queued + status.initiated + status.completed + status.failed == status.total


def test_an_error_before_the_provider_is_asked_frees_the_claim(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant, provider: FakeProvider
) -> None:
    # Given a limiter that fails (its table unreachable, say)
    class BrokenLimiter:
        def reserve(self, *args: Any, **kwargs: Any) -> float:
            raise RuntimeError("limiter table unavailable")

    call = dial_tenant.queued_call()
    # When the message is processed, the error is reported (the message will come back)
    with pytest.raises(RuntimeError):
        make_dialer(limiter=BrokenLimiter()).handle(dial_tenant.message(call.id))
    # Then nothing was dialed and the call is free for the next delivery (no sweeper needed)
    assert provider.attempts == []
    stored = dial_tenant.call(call.id)
    assert stored.call.status is CallStatus.QUEUED
    assert stored.internal.claim_token is None
    assert make_dialer().handle(dial_tenant.message(call.id)) is DialOutcome.DIALED


class _TimesOutAfterPlacing(FakeProvider):
    """Places the call, then loses the answer: a read timeout the dialer cannot see through."""

    def place_call(self, order: DialOrder) -> ProviderCall:
        super().place_call(order)
        raise ProviderError("Twilio timed out", retryable=True, code="timeout", ambiguous=True)


class _TimesOutBeforePlacing(FakeProvider):
    """Loses the request: nothing was placed, but the dialer cannot know that."""

    def place_call(self, order: DialOrder) -> ProviderCall:
        self.attempts.append((0.0, order))
        raise ProviderError("Twilio timed out", retryable=True, code="timeout", ambiguous=True)


def test_a_timeout_after_the_call_was_placed_is_looked_up_not_dialed_again(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant
) -> None:
    # Given a provider that places the call but whose answer is lost
    provider = _TimesOutAfterPlacing()
    call = dial_tenant.queued_call()

    # When the message is processed
    outcome = make_dialer(provider=provider).handle(dial_tenant.message(call.id))

    # Then the call was placed once, found by lookup, and its SID saved
    assert outcome is DialOutcome.DIALED
    assert len(provider.attempts) == 1
    assert provider.calls_placed_for(call.id) == 1
    stored = dial_tenant.call(call.id).call
    assert stored.status is CallStatus.INITIATED
    assert stored.twilio_call_sid in provider.placed


def test_a_timeout_with_nothing_found_keeps_the_claim_for_the_sweeper(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant
) -> None:
    # Given a provider whose request timed out and that has no such call (yet)
    provider = _TimesOutBeforePlacing()
    dialer = make_dialer(provider=provider)
    call = dial_tenant.queued_call()

    # When the message is processed, and delivered again
    first = dialer.handle(dial_tenant.message(call.id))
    second = dialer.handle(dial_tenant.message(call.id))

    # Then the provider was asked once: the claim stays (no blind retry, no second dial)
    assert first is DialOutcome.UNCERTAIN
    assert second is DialOutcome.CLAIMED_ELSEWHERE
    assert len(provider.attempts) == 1
    stored = dial_tenant.call(call.id)
    assert stored.call.status is CallStatus.QUEUED
    assert stored.internal.claim_token is not None


def test_tenants_on_the_deployments_account_share_its_calls_per_second(
    make_dialer: Callable[..., Dialer], make_tenant: Any, account_store: Any, call_store: Any
) -> None:
    # Given two tenants that name no telephony account of their own, each asking for 50 calls/s,
    # on a deployment whose account allows 1 call/s
    tenants = []
    for _ in range(2):
        fixture = DialTenant(make_tenant(), account_store, call_store)
        fixture.settings(dial_rate_per_second=50, default_from_number=FROM_NUMBER)
        tenants.append(fixture)
    provider = FakeProvider()
    dialer = make_dialer(provider=provider, account_dial_rate=1)
    calls = [t.queued_call() for t in tenants]

    # When one call of each is dialed
    for fixture, call in zip(tenants, calls, strict=True):
        assert dialer.handle(fixture.message(call.id)) is DialOutcome.DIALED

    # Then the second waited for the account's next slot, a second on (not the 1/50 s each
    # tenant asked for): one limit for the account. Half a second leaves room for a loaded
    # machine; the exact gaps are `make bench`'s dial_pacing figures.
    first, second = (at for at, _ in provider.attempts)
    assert second - first >= 0.5


class _GateWatch(RateLimiter):
    """The real limiter; remembers the moment its send gate was passed, and can be late for
    it (a dialer descheduled, or waking late, between its slot and its request)."""

    def __init__(self, table: str, late_by: float = 0.0) -> None:
        super().__init__(table)
        self.late_by = late_by
        self.reserved = threading.Event()
        self.passed: list[float] = []

    def reserve(
        self, account_id: str, rate_per_second: float, latest: float | None = None
    ) -> float:
        slot = super().reserve(account_id, rate_per_second, latest)
        self.reserved.set()
        return slot

    def pass_gate(
        self,
        account_id: str,
        rate_per_second: float,
        latest: float | None = None,
        at: float | None = None,
    ) -> float:
        time.sleep(self.late_by)
        moment = super().pass_gate(account_id, rate_per_second, latest, at)
        self.passed.append(moment)
        return moment


def test_a_dialer_late_for_its_slot_does_not_crowd_the_next_call(
    make_dialer: Callable[..., Dialer],
    dial_tenant: DialTenant,
    provider: FakeProvider,
    rate_limit_table: str,
) -> None:
    # Given a tenant at 2 calls/s and two dialers: the first, holding the first slot, is
    # delayed 0.45 s right before sending; the second is on time for the next slot
    dial_tenant.settings(dial_rate_per_second=2)
    first_call, second_call = dial_tenant.queued_call(), dial_tenant.queued_call()
    late = _GateWatch(rate_limit_table, late_by=0.45)
    on_time = _GateWatch(rate_limit_table)
    first = threading.Thread(
        target=make_dialer(limiter=late).handle, args=(dial_tenant.message(first_call.id),)
    )
    first.start()
    assert late.reserved.wait(timeout=10)
    make_dialer(limiter=on_time).handle(dial_tenant.message(second_call.id))
    first.join()
    # Then the two calls reached the provider at least 1/2 s apart (the late dialer yields its
    # turn to the one on time, if it must)
    (first_sent, _), (second_sent, _) = provider.attempts
    assert second_sent - first_sent >= 0.5
    assert {order.call_id for _, order in provider.attempts} == {first_call.id, second_call.id}
    # And each call's dialed_at is the moment its dialer passed the send gate, right before
    # its request left
    sent = {order.call_id: at for at, order in provider.attempts}
    for call, watch in ((first_call, late), (second_call, on_time)):
        dialed_at = dial_tenant.call(call.id).call.dialed_at
        assert dialed_at == datetime.fromtimestamp(watch.passed[0], UTC)
        assert 0 <= sent[call.id] - watch.passed[0] < 0.1
    assert abs(on_time.passed[0] - late.passed[0]) >= 0.5


def test_the_provider_is_prepared_before_the_slot(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant, provider: FakeProvider
) -> None:
    # Given a queued call
    call = dial_tenant.queued_call()
    # When it is dialed
    make_dialer().handle(dial_tenant.message(call.id))
    # Then the provider was prepared for it (its connection opened) before the call left
    (prepared_at, prepared), (sent_at, sent) = provider.prepared[0], provider.attempts[0]
    assert prepared.call_id == sent.call_id == call.id
    assert prepared_at <= sent_at


# The dial figures


def test_a_dialed_call_carries_when_it_was_queued_given_its_slot_and_dialed(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant, provider: FakeProvider
) -> None:
    # Given a call queued 90 seconds ago
    queued_at = datetime.now(UTC) - timedelta(seconds=90)
    call = dial_tenant.queued_call(queued_at=queued_at)

    # When it is dialed
    assert make_dialer().handle(dial_tenant.message(call.id)) is DialOutcome.DIALED

    # Then it shows its slot, the moment the request left (as the provider saw it, within the
    # gate's tolerance after the slot) and how long it waited, from the same instants
    stored = dial_tenant.call(call.id).call
    [(placed_at, _, _)] = provider.placed.values()
    assert stored.queued_at == queued_at
    assert stored.dial_slot_at is not None
    assert stored.dialed_at is not None
    assert 0 <= (stored.dialed_at - stored.dial_slot_at).total_seconds() < 0.5
    assert abs(stored.dialed_at.timestamp() - placed_at) < 0.5
    expected = (stored.dialed_at - queued_at).total_seconds() * 1000
    assert stored.queue_time_ms is not None
    assert abs(stored.queue_time_ms - expected) <= 1
    assert 90_000 <= stored.queue_time_ms < 100_000


def test_a_call_never_dialed_has_no_dial_figures(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant, account_store: Any
) -> None:
    # Given a call to a number on the do-not-call list
    SuppressionStore(account_store.table_name).add(
        dial_tenant.tenant_id, SuppressionCreate(phone_number=TO_NUMBER)
    )
    call = dial_tenant.queued_call()

    # When its message is processed
    assert make_dialer().handle(dial_tenant.message(call.id)) is DialOutcome.SUPPRESSED

    # Then it keeps when it was queued, and has no slot, dial time or queue time
    stored = dial_tenant.call(call.id).call
    assert stored.queued_at is not None
    assert (stored.dial_slot_at, stored.dialed_at, stored.queue_time_ms) == (None, None, None)


# A provider SID belongs to one call


class _FindsAnotherCall(_TimesOutBeforePlacing):
    """Times out, and the lookup then matches another call's placement (the same numbers in
    the same minutes), as a lookup by numbers and time can."""

    def __init__(self, other_sid: str) -> None:
        super().__init__()
        self.other_sid = other_sid

    def find_call(self, order: DialOrder, placed_after: datetime) -> ProviderCall | None:
        return ProviderCall(sid=self.other_sid, status=CallStatus.IN_PROGRESS)


def test_a_lookup_after_a_timeout_never_attaches_another_calls_sid(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant, provider: FakeProvider
) -> None:
    # Given a call dialed to a number, which holds its provider SID
    first = dial_tenant.queued_call()
    assert make_dialer().handle(dial_tenant.message(first.id)) is DialOutcome.DIALED
    sid = dial_tenant.call(first.id).call.twilio_call_sid
    assert sid is not None

    # When a second call to the same number times out and the lookup finds the first's call
    second = dial_tenant.queued_call()
    outcome = make_dialer(provider=_FindsAnotherCall(sid)).handle(dial_tenant.message(second.id))

    # Then the second call does not take the SID: its claim stays for the sweeper to settle
    assert outcome is DialOutcome.UNCERTAIN
    stored = dial_tenant.call(second.id)
    assert (stored.call.status, stored.call.twilio_call_sid) == (CallStatus.QUEUED, None)
    assert stored.internal.claim_token
    # And the SID still belongs to the first call only
    assert dial_tenant.calls.sid_owner(sid) == (dial_tenant.tenant_id, first.id)
    assert dial_tenant.call(first.id).call.twilio_call_sid == sid


def test_saving_a_placement_whose_sid_another_call_holds_changes_nothing(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant, provider: FakeProvider
) -> None:
    # Given a dialed call, and another call claimed by a dialer
    first = dial_tenant.queued_call()
    dialer = make_dialer()
    assert dialer.handle(dial_tenant.message(first.id)) is DialOutcome.DIALED
    sid = dial_tenant.call(first.id).call.twilio_call_sid
    assert sid is not None
    second = dial_tenant.queued_call()
    assert dialer._claim(
        dial_tenant.accounts.get_tenant(dial_tenant.tenant_id), dial_tenant.call(second.id), "t"
    )
    claimed = dial_tenant.call(second.id)

    # When a placement carrying the first call's SID is saved on it (the guard of last resort)
    saved = dialer.writer.save_placement(
        claimed, "t", ProviderCall(sid=sid, status=CallStatus.INITIATED), datetime.now(UTC)
    )

    # Then it is refused whole: the second call stays queued and claimed, without a SID
    assert saved is False
    stored = dial_tenant.call(second.id)
    assert (stored.call.status, stored.call.twilio_call_sid, stored.call.dialed_at) == (
        CallStatus.QUEUED,
        None,
        None,
    )
    assert dial_tenant.calls.sid_owner(sid) == (dial_tenant.tenant_id, first.id)


def test_an_erased_call_releases_its_sid(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant
) -> None:
    call = dial_tenant.queued_call()
    assert make_dialer().handle(dial_tenant.message(call.id)) is DialOutcome.DIALED
    sid = dial_tenant.call(call.id).call.twilio_call_sid
    assert sid is not None
    dial_tenant.calls.begin_erasure(dial_tenant.tenant_id, call.id)
    dial_tenant.calls.delete_call_items(dial_tenant.tenant_id, call.id)
    assert dial_tenant.calls.sid_owner(sid) is None
