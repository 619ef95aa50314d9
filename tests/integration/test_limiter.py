"""The distributed limiter on the template's RateLimitTable: racing dialers get distinct slots,
spaced at least 1/N apart, and an idle account dials at once."""

from __future__ import annotations

import itertools
import threading
import uuid

import pytest

from dialtone.dialing.limiter import SLOT_LEAD, RateLimiter, SlotOutOfReach, interval_us
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
    # Given eight dialers reserving five slots each, at once, for one account at 5 calls/s
    name = account()
    slots: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def dialer() -> None:
        start.wait()
        for _ in range(5):
            slot = limiter.reserve(name, 5)
            with lock:
                slots.append(slot)

    threads = [threading.Thread(target=dialer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then every slot is distinct, no two are closer than 1/5 s, and (the backlog being
    # reserved faster than it is due) none is further apart than one interval either
    assert len(slots) == 40
    assert len(set(slots)) == 40
    ordered = sorted(slots)
    gaps_us = [round((b - a) * 1e6) for a, b in itertools.pairwise(ordered)]
    assert min(gaps_us) >= 200_000
    assert set(gaps_us) == {interval_us(5)}


def test_accounts_do_not_share_slots(limiter: RateLimiter) -> None:
    # Given two accounts reserving at the same moment
    first, second = account(), account()
    # Then neither waits for the other
    a = limiter.reserve(first, 1)
    b = limiter.reserve(second, 1)
    assert abs(a - b) < 0.5
