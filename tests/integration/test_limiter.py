"""The distributed limiter on the template's RateLimitTable: racing dialers get distinct slots,
spaced at least 1/N apart, and an idle account dials at once; the send gate keeps calls 1/N
apart where they leave, however late a caller comes or however slow its write is."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from typing import Any

import pytest

from dialtone.dialing.limiter import (
    FINAL_STEP,
    FINAL_STEPS,
    GATE_LEAD,
    SLOT_LEAD,
    RateLimiter,
    SlotOutOfReach,
    gate_tolerance_us,
    interval_us,
)
from local.provision import Stack


@pytest.fixture
def table(handler_environment: dict[str, str], stack: Stack) -> str:
    """The template's RateLimitTable on the embedded endpoint."""
    return stack.names["RateLimitTable"]


@pytest.fixture
def limiter(table: str) -> RateLimiter:
    return RateLimiter(table)


def account() -> str:
    return f"acct-{uuid.uuid4().hex[:8]}"


def test_an_idle_account_gets_a_slot_now_then_one_interval_later(table: str) -> None:
    # Given an account that never dialed, and a clock standing still
    clock = [1_800_000_000.0]
    limiter = RateLimiter(table, clock=lambda: clock[0])
    name = account()
    # When two slots are reserved at 2 calls a second
    first = limiter.reserve(name, 2)
    second = limiter.reserve(name, 2)
    # Then the first is now (and the lead that covers the write), the second half a second (and
    # the guard) later
    assert first == pytest.approx(clock[0] + SLOT_LEAD)
    assert second - first == pytest.approx(interval_us(2) / 1e6)
    assert second - first >= 0.5
    assert limiter.next_slot(name) == pytest.approx(second + interval_us(2) / 1e6)


def test_after_a_pause_the_next_slot_is_now_again(table: str) -> None:
    # Given an account that dialed, then stayed idle for ten seconds
    clock = [1_800_000_000.0]
    limiter = RateLimiter(table, clock=lambda: clock[0])
    name = account()
    limiter.reserve(name, 1)
    clock[0] += 10
    # When it reserves again, it is not made to wait for slots nobody used
    assert limiter.reserve(name, 1) == pytest.approx(clock[0] + SLOT_LEAD)


def test_a_slot_out_of_reach_is_not_reserved(table: str) -> None:
    # Given an account whose next slot is two seconds away
    clock = [1_800_000_000.0]
    limiter = RateLimiter(table, clock=lambda: clock[0])
    name = account()
    limiter.reserve(name, 0.5)
    before = limiter.next_slot(name)
    # When a caller that can wait only one second asks for it
    with pytest.raises(SlotOutOfReach) as refused:
        limiter.reserve(name, 0.5, latest=clock[0] + 1)
    # Then it learns when the slot is, and the slot is still free for someone else
    assert refused.value.slot == before
    assert limiter.next_slot(name) == before


def test_racing_dialers_get_unique_slots_spaced_at_least_one_interval(
    limiter: RateLimiter,
) -> None:
    # Given eight dialers reserving five slots each, at once, for one account at 1 call/s (a
    # 40 s backlog: reserving it takes far less, even on a loaded machine)
    name = account()
    slots: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def dialer() -> None:
        start.wait()
        for _ in range(5):
            slot = limiter.reserve(name, 1)
            with lock:
                slots.append(slot)

    threads = [threading.Thread(target=dialer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then every slot is distinct, no two are closer than 1 s, and (the backlog being
    # reserved faster than it is due) none is further apart than one interval either
    assert len(slots) == 40
    assert len(set(slots)) == 40
    ordered = sorted(slots)
    gaps_us = [round((b - a) * 1e6) for a, b in itertools.pairwise(ordered)]
    assert min(gaps_us) >= 1_000_000
    assert set(gaps_us) == {interval_us(1)}


def test_accounts_do_not_share_slots(limiter: RateLimiter) -> None:
    # Given two accounts reserving at the same moment
    first, second = account(), account()
    # Then neither waits for the other
    a = limiter.reserve(first, 1)
    b = limiter.reserve(second, 1)
    assert abs(a - b) < 0.5


# The send gate


def test_callers_pass_the_send_gate_at_least_one_interval_apart(limiter: RateLimiter) -> None:
    # Given six dialers sending three calls each, at once, for one account at 10 calls/s,
    # without any slot (the gate alone)
    name = account()
    passed: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(6)

    def dialer() -> None:
        start.wait()
        for _ in range(3):
            moment = limiter.pass_gate(name, 10)
            with lock:
                passed.append(moment)

    threads = [threading.Thread(target=dialer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then every call passed, and no two passed closer than 1/10 s
    assert len(passed) == 18
    gaps_us = [round((b - a) * 1e6) for a, b in itertools.pairwise(sorted(passed))]
    assert min(gaps_us) >= interval_us(10) - gate_tolerance_us(10) > 100_000
    # And the account remembers the last send's promise, kept within the tolerance
    last = limiter.last_sent(name)
    assert last is not None
    assert last <= max(passed) <= last + gate_tolerance_us(10) / 1e6


def test_a_caller_late_for_its_slot_does_not_crowd_the_next_one(limiter: RateLimiter) -> None:
    # Given an account at 2 calls/s whose first caller reserved a slot, then woke 0.45 s late
    name = account()
    first_slot = limiter.reserve(name, 2)
    second_slot = limiter.reserve(name, 2)
    time.sleep(max(0.0, first_slot - time.time()) + 0.45)
    first = limiter.pass_gate(name, 2)
    # When the second caller comes on time for its own slot (0.54 s after the first slot)
    time.sleep(max(0.0, second_slot - time.time()))
    second = limiter.pass_gate(name, 2)
    # Then it waits at the gate: the two calls leave at least half a second apart
    assert first >= first_slot + 0.45
    assert second - first >= (interval_us(2) - gate_tolerance_us(2)) / 1e6 > 0.5


class SlowFirstAnswer:
    """A DynamoDB client whose first send-gate write is applied at once but answered late."""

    def __init__(self, client: Any, delay: float) -> None:
        self.client = client
        self.delay = delay
        self.gate_writes = 0

    def get_item(self, **request: Any) -> Any:
        return self.client.get_item(**request)

    def update_item(self, **request: Any) -> Any:
        answer = self.client.update_item(**request)
        if "last_sent_us" in request["UpdateExpression"]:
            self.gate_writes += 1
            if self.gate_writes == 1:
                time.sleep(self.delay)
        return answer


def test_a_gate_write_answered_too_late_is_taken_again(table: str) -> None:
    # Given a caller whose first gate write comes back after the moment it promised
    from dialtone import aws

    name = account()
    delay = GATE_LEAD + 0.05
    slow = SlowFirstAnswer(aws.client("dynamodb"), delay=delay)
    caller = RateLimiter(table, dynamodb=slow)
    before = time.time()
    # When it passes the gate
    moment = caller.pass_gate(name, 1)
    # Then it did not send on the broken promise: it promised again, and passed after the
    # late answer
    assert slow.gate_writes >= 2
    assert moment >= before + delay
    # And the account's last send is the renewed promise: no one passes within an interval
    last = caller.last_sent(name)
    assert last is not None
    assert last <= moment <= last + gate_tolerance_us(1) / 1e6
    other = RateLimiter(table)
    assert other.pass_gate(name, 1) - moment >= (interval_us(1) - gate_tolerance_us(1)) / 1e6


def test_a_gate_that_opens_too_late_is_not_waited_for(limiter: RateLimiter) -> None:
    # Given an account that just sent, at one call every two seconds
    name = account()
    sent = limiter.pass_gate(name, 0.5)
    # When a caller that can wait only half a second asks to send
    with pytest.raises(SlotOutOfReach) as refused:
        limiter.pass_gate(name, 0.5, latest=time.time() + 0.5)
    # Then it learns when the gate opens, without waiting, and without having sent
    assert refused.value.slot >= sent + 2.0
    last = limiter.last_sent(name)
    assert last is not None
    assert last <= sent


class SlowAnswers(SlowFirstAnswer):
    """A DynamoDB client whose every send-gate write is applied at once but answered late."""

    def update_item(self, **request: Any) -> Any:
        answer = self.client.update_item(**request)
        if "last_sent_us" in request["UpdateExpression"]:
            self.gate_writes += 1
            time.sleep(self.delay)
        return answer


def test_a_caller_whose_writes_are_slow_promises_earlier(table: str) -> None:
    # Given a caller whose every gate write comes back later than the usual lead
    from dialtone import aws

    name = account()
    delay = GATE_LEAD + 0.05
    slow = SlowAnswers(aws.client("dynamodb"), delay=delay)
    caller = RateLimiter(table, dynamodb=slow)
    # When it passes the gate twice, an interval apart
    first = caller.pass_gate(name, 1)
    second = caller.pass_gate(name, 1)
    # Then after its first broken promise it promised early enough for the slow answers: two
    # calls for three writes, not one promise broken after the other
    assert slow.gate_writes == 3
    assert caller.gate_lead() >= 2 * delay
    assert second - first >= (interval_us(1) - gate_tolerance_us(1)) / 1e6


class StallOnce(SlowFirstAnswer):
    """A DynamoDB client whose gate writes are answered at once, but for one, the `nth`, which
    stalls (applied at once, answered `delay` late)."""

    def __init__(self, client: Any, delay: float, nth: int) -> None:
        super().__init__(client, delay)
        self.nth = nth

    def update_item(self, **request: Any) -> Any:
        answer = self.client.update_item(**request)
        if "last_sent_us" in request["UpdateExpression"]:
            self.gate_writes += 1
            if self.gate_writes == self.nth:
                time.sleep(self.delay)
        return answer


def test_one_stalled_write_does_not_make_every_later_promise_late(table: str) -> None:
    # Given a caller whose fourth gate write stalled for 0.2 s (twice the lead) among quick ones
    from dialtone import aws

    name = account()
    stalling = StallOnce(aws.client("dynamodb"), delay=0.2, nth=4)
    caller = RateLimiter(table, dynamodb=stalling)
    for _ in range(4):
        caller.pass_gate(name, 20)
    # When it looks at how long before a promise it must write it
    lead = caller.gate_lead()
    # Then the one stall is not taken for a slow table: the lead is the usual one
    assert lead == pytest.approx(GATE_LEAD)
    # But a second stall is: the lead covers two of them
    stalling.nth = stalling.gate_writes + 1
    caller.pass_gate(name, 20)
    assert caller.gate_lead() >= 2 * 0.2


def test_a_promise_is_written_half_an_interval_ahead_at_a_low_rate(limiter: RateLimiter) -> None:
    # At 1 call/s, a write that stalls up to half a second is still answered before its slot;
    # at 10 calls/s the lead's double is already more than half an interval
    assert limiter.promise_ahead(1) == pytest.approx(interval_us(1) / 2e6)
    assert limiter.promise_ahead(1) > 2 * GATE_LEAD
    assert limiter.promise_ahead(10) == pytest.approx(2 * GATE_LEAD)


def test_a_write_that_stalls_less_than_the_promises_advance_keeps_the_slot(table: str) -> None:
    # Given a caller with a slot at 1 call/s whose promise write stalls for 0.3 s (more than
    # the lead: written only twice the lead ahead, it would be answered after the slot)
    from dialtone import aws

    name = account()
    slow = SlowFirstAnswer(aws.client("dynamodb"), delay=0.3)
    caller = RateLimiter(table, dynamodb=slow)
    slot = caller.reserve(name, 1) + 0.6
    # When it promises its send as far ahead of the slot as it is told
    time.sleep(max(0.0, slot - caller.promise_ahead(1) - time.time()))
    moment = caller.pass_gate(name, 1, at=slot)
    # Then the promise was kept: one write, and the call leaves at its slot
    assert slow.gate_writes == 1
    assert slot <= moment <= slot + gate_tolerance_us(1) / 1e6


def test_a_slot_is_not_reserved_before_the_send_gate_opens(table: str) -> None:
    # Given an account whose caller reserved a slot, then passed the gate half a second late
    clock = [1_800_000_000.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    limiter = RateLimiter(table, clock=lambda: clock[0], sleep=sleep)
    name = account()
    first = limiter.reserve(name, 1)
    clock[0] = first + 0.5
    limiter.pass_gate(name, 1, at=first)
    last = limiter.last_sent(name)
    assert last is not None
    assert last > first + 0.5
    # When the next caller reserves a slot
    second = limiter.reserve(name, 1)
    # Then its slot is when the gate opens, not one interval after the first slot: a promise
    # for an earlier slot would only be refused, a write wasted late in the slot
    assert second == pytest.approx(last + interval_us(1) / 1e6)


def test_the_sleep_until_a_promise_ends_in_short_steps(table: str) -> None:
    # Given a caller whose sleeps are recorded
    clock = [1_800_000_000.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock[0] += seconds

    limiter = RateLimiter(table, clock=lambda: clock[0], sleep=sleep)
    # When it passes the gate of an idle account (a promise the lead ahead)
    moment = limiter.pass_gate(account(), 1)
    # Then it slept until shortly before its promise at once, then in short steps: a thread
    # that slept briefly is woken on time more often on a busy machine
    assert moment == pytest.approx(1_800_000_000.0 + GATE_LEAD)
    assert sleeps[0] == pytest.approx(GATE_LEAD - FINAL_STEPS)
    assert len(sleeps) >= FINAL_STEPS / FINAL_STEP
    assert max(sleeps[1:]) <= FINAL_STEP + 1e-9
