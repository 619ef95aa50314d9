"""The webhook sender's rules: what an answer means, when the next attempt comes, how long a
delivery is retried, and the delivery ids it sends as `webhook-id`."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest

from dialtone.webhooks.models import DELIVERY_ID_PATTERN, delivery_id
from dialtone.webhooks.sender import (
    BACKOFF_CAP_FACTOR,
    MAX_ATTEMPTS,
    MAX_RETRY_AFTER_SECONDS,
    RetrySchedule,
    Step,
    Verdict,
    backoff_ceiling,
    backoff_seconds,
    classify,
    failure_reason,
    parse_retry_after,
)
from dialtone.webhooks.transport import Answer

NOW = datetime(2026, 12, 5, 10, 0, 0, tzinfo=UTC)
PRODUCTION_BASE = 60.0


def answer(status: int | None, **headers: str) -> Answer:
    return Answer(status, 12, None if status else "Timed out after 10 s", **headers)


# --- outcomes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_any_2xx_is_a_delivery(status: int) -> None:
    assert classify(answer(status)) is Verdict.DELIVERED
    assert failure_reason(answer(status)) is None


def test_410_means_the_receiver_wants_no_more() -> None:
    assert classify(answer(410)) is Verdict.GONE


@pytest.mark.parametrize("status", [429, 503])
def test_429_and_503_are_throttling(status: int) -> None:
    assert classify(answer(status)) is Verdict.THROTTLED


@pytest.mark.parametrize("status", [None, 301, 302, 307, 308, 400, 401, 404, 409, 500, 502, 504])
def test_everything_else_is_a_failure_to_retry(status: int | None) -> None:
    assert classify(answer(status)) is Verdict.FAILED
    assert failure_reason(answer(status))


def test_a_redirect_is_not_followed_and_says_where_it_pointed() -> None:
    reason = failure_reason(answer(302, location="https://elsewhere.example.com/hook"))
    assert reason is not None
    assert "not followed" in reason
    assert "https://elsewhere.example.com/hook" in reason


def test_no_answer_keeps_the_transport_error() -> None:
    assert failure_reason(Answer(None, 10_000, "Timed out after 10 s")) == "Timed out after 10 s"


# --- Retry-After ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("2", 2.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        ("Sat, 05 Dec 2026 10:00:30 GMT", 30.0),
        ("Sat, 05 Dec 2026 09:59:00 GMT", 0.0),  # already past: now
        ("999999999", float(MAX_RETRY_AFTER_SECONDS)),  # bounded
        ("Sun, 06 Dec 2026 10:00:00 GMT", float(MAX_RETRY_AFTER_SECONDS)),
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date_and_bounded(
    value: str, seconds: float
) -> None:
    assert parse_retry_after(value, NOW) == seconds


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "1.5", "Tomorrow, 10 o'clock"])
def test_an_unreadable_retry_after_is_ignored(value: str | None) -> None:
    assert parse_retry_after(value, NOW) is None


# --- the back-off -----------------------------------------------------------------------------


def test_the_ceiling_doubles_from_the_base_and_stops_at_256_times_it() -> None:
    ceilings = [backoff_ceiling(n, PRODUCTION_BASE) for n in range(1, 13)]
    assert ceilings[:9] == [60 * 2**i for i in range(9)]
    assert ceilings[9:] == [60 * BACKOFF_CAP_FACTOR] * 3


def test_full_jitter_spreads_waits_over_the_whole_range_below_the_ceiling() -> None:
    rng = random.Random(13)
    waits = [backoff_seconds(5, PRODUCTION_BASE, rng) for _ in range(2000)]
    ceiling = backoff_ceiling(5, PRODUCTION_BASE)
    assert all(0 <= w <= ceiling for w in waits)
    # Full jitter: waits near zero and near the ceiling both happen, not a fixed delay.
    assert min(waits) < ceiling * 0.05
    assert max(waits) > ceiling * 0.95
    assert ceiling * 0.45 < sum(waits) / len(waits) < ceiling * 0.55


def test_no_wait_is_shorter_than_a_tenth_of_the_base() -> None:
    # A wait drawn near zero would spend one of the delivery's attempts at once: SQS hands a
    # message hidden for 0 s straight back.
    rng = random.Random(7)
    waits = [backoff_seconds(n, PRODUCTION_BASE, rng) for n in (1, 2) for _ in range(2000)]
    assert min(waits) >= PRODUCTION_BASE * 0.1
    assert min(waits) < PRODUCTION_BASE * 0.15
    assert backoff_seconds(1, 1.0, random.Random(7)) >= 0.1


def test_a_failing_delivery_is_retried_for_about_a_day() -> None:
    # Given the production base and every wait between MAX_ATTEMPTS attempts
    ceilings = [backoff_ceiling(n, PRODUCTION_BASE) for n in range(1, MAX_ATTEMPTS)]
    expected = timedelta(seconds=sum(ceilings) / 2)  # full jitter: half the ceiling on average

    # Then the attempts span about a day on average, at most a bit over two
    assert timedelta(hours=20) <= expected <= timedelta(hours=28)
    assert timedelta(seconds=sum(ceilings)) <= timedelta(hours=60)
    # And no single wait is longer than SQS can hide a message
    assert max(ceilings) <= 12 * 3600


def test_simulated_schedules_end_about_a_day_after_the_first_attempt() -> None:
    rng = random.Random(2026)
    totals = [
        sum(backoff_seconds(n, PRODUCTION_BASE, rng) for n in range(1, MAX_ATTEMPTS))
        for _ in range(500)
    ]
    totals.sort()
    median = timedelta(seconds=totals[len(totals) // 2])
    assert timedelta(hours=20) <= median <= timedelta(hours=30)
    assert timedelta(seconds=totals[int(len(totals) * 0.05)]) >= timedelta(hours=14)


def test_the_base_scales_the_whole_schedule() -> None:
    assert backoff_ceiling(3, 1.0) == 4.0
    assert backoff_ceiling(3, 0.5) == 2.0


# --- what follows an attempt ------------------------------------------------------------------


def schedule(seed: int = 1) -> RetrySchedule:
    return RetrySchedule(base_seconds=PRODUCTION_BASE, rng=random.Random(seed))


def test_a_delivered_or_gone_delivery_is_done_with() -> None:
    for status in (200, 410):
        following = schedule().after(classify(answer(status)), answer(status), 1, NOW)
        assert following.step is Step.DONE


def test_throttling_waits_as_long_as_retry_after_asks() -> None:
    throttled = answer(429, retry_after="2")
    following = schedule().after(Verdict.THROTTLED, throttled, 3, NOW)
    assert following.step is Step.RETRY
    assert following.delay_seconds == 2.0


def test_throttling_without_retry_after_backs_off_like_any_failure() -> None:
    following = schedule(5).after(Verdict.THROTTLED, answer(503), 4, NOW)
    assert following.step is Step.RETRY
    assert following.delay_seconds == backoff_seconds(4, PRODUCTION_BASE, random.Random(5))


def test_a_failure_backs_off_within_its_ceiling() -> None:
    for attempt in range(1, MAX_ATTEMPTS):
        following = schedule(attempt).after(Verdict.FAILED, answer(500), attempt, NOW)
        assert following.step is Step.RETRY
        assert 0 <= following.delay_seconds <= backoff_ceiling(attempt, PRODUCTION_BASE)


@pytest.mark.parametrize("verdict", [Verdict.FAILED, Verdict.THROTTLED])
def test_the_last_attempt_failing_sends_the_message_to_the_dead_letter_queue(
    verdict: Verdict,
) -> None:
    following = schedule().after(verdict, answer(500, retry_after="5"), MAX_ATTEMPTS, NOW)
    assert following.step is Step.DEAD


# --- delivery ids -----------------------------------------------------------------------------


def test_a_delivery_id_is_the_same_for_the_same_event_and_subscription() -> None:
    first = delivery_id("evt_1", "wh_abcdefgh", NOW)
    assert first == delivery_id("evt_1", "wh_abcdefgh", NOW)
    assert first != delivery_id("evt_1", "wh_otherone", NOW)
    assert first != delivery_id("evt_2", "wh_abcdefgh", NOW)
    assert re.match(DELIVERY_ID_PATTERN, first)


def test_delivery_ids_sort_by_the_time_of_their_event() -> None:
    times = [NOW + timedelta(milliseconds=ms) for ms in (0, 1, 999, 60_000, 86_400_000)]
    ids = [delivery_id(f"evt_{i}", "wh_abcdefgh", t) for i, t in enumerate(reversed(times))]
    assert sorted(ids) == list(reversed(ids))
