"""The dialer's pure rules: the calling window in the callee's local time, dial messages, and
the limiter's spacing."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from dialtone.accounts import CallingWindow
from dialtone.dialing.dialer import (
    callee_zone,
    callee_zones,
    window_opening,
    window_opening_everywhere,
)
from dialtone.dialing.limiter import (
    MIN_GATE_TOLERANCE,
    PACING_GUARD,
    gate_tolerance_us,
    interval_us,
)
from dialtone.dialing.queue import DialMessage, PoisonMessage

DAYTIME = CallingWindow(start="08:00", end="21:00")
NIGHT = CallingWindow(start="21:00", end="08:00")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("number", "zone"),
    [
        ("+14155550123", "America/Los_Angeles"),
        ("+12125550143", "America/New_York"),
        ("+442079460000", "Europe/London"),
        ("+61291234567", "Australia/Sydney"),
        ("+15555550100", "UTC"),  # phonenumbers knows no zone for it
    ],
)
def test_the_callee_zone_comes_from_the_number(number: str, zone: str) -> None:
    assert callee_zone(number) == ZoneInfo(zone)


def test_inside_the_window_the_call_may_be_placed_now() -> None:
    # 12:00 in Los Angeles (20:00 UTC, winter)
    assert window_opening(DAYTIME, LOS_ANGELES, utc("2026-01-15T20:00:00")) is None


def test_before_the_window_the_call_waits_until_it_opens_today() -> None:
    # 06:30 in Los Angeles: the window opens at 08:00 local, 16:00 UTC
    opening = window_opening(DAYTIME, LOS_ANGELES, utc("2026-01-15T14:30:00"))
    assert opening == utc("2026-01-15T16:00:00")


def test_after_the_window_the_call_waits_until_tomorrow() -> None:
    # 22:00 in Los Angeles: the next opening is 08:00 local tomorrow
    opening = window_opening(DAYTIME, LOS_ANGELES, utc("2026-01-16T06:00:00"))
    assert opening == utc("2026-01-16T16:00:00")


def test_the_end_of_the_window_is_excluded() -> None:
    # 21:00 sharp in Los Angeles is outside 08:00-21:00
    assert window_opening(DAYTIME, LOS_ANGELES, utc("2026-01-16T05:00:00")) is not None


def test_a_window_across_midnight() -> None:
    # 23:00 in Los Angeles is inside 21:00-08:00; noon is not, and waits for 21:00
    assert window_opening(NIGHT, LOS_ANGELES, utc("2026-01-16T07:00:00")) is None
    assert window_opening(NIGHT, LOS_ANGELES, utc("2026-01-15T20:00:00")) == utc(
        "2026-01-16T05:00:00"
    )


def test_the_window_follows_daylight_saving_time() -> None:
    # 06:00 local in July (13:00 UTC, PDT): 08:00 local is 15:00 UTC, not 16:00
    assert window_opening(DAYTIME, LOS_ANGELES, utc("2026-07-15T13:00:00")) == utc(
        "2026-07-15T15:00:00"
    )


def test_a_dial_message_round_trips() -> None:
    message = DialMessage(tenant_id="acme", call_id="8c4e3a2e-6f7d-4a51-9a43-1f0e2d3c4b5a")
    assert DialMessage.parse(message.body()) == message


@pytest.mark.parametrize(
    "body",
    ["", "null", "{}", '{"tenant_id": "acme", "call_id": "x"}', '{"tenant_id": "a#b", "call_id": '
     '"8c4e3a2e-6f7d-4a51-9a43-1f0e2d3c4b5a"}'],
)  # fmt: skip
def test_anything_else_is_poison(body: str) -> None:
    with pytest.raises(PoisonMessage):
        DialMessage.parse(body)


@pytest.mark.parametrize("rate", [1, 2, 3, 7, 50, 100])
def test_requests_never_leave_closer_than_one_over_the_rate(rate: int) -> None:
    # Promises are an interval apart, and a call leaves within the tolerance after its own
    step = interval_us(rate)
    assert step - gate_tolerance_us(rate) > 1_000_000 / rate
    assert gate_tolerance_us(rate) >= MIN_GATE_TOLERANCE * 1_000_000
    # And the guard is small: 3% of 1/N, or what the tolerance needs at high rates
    assert step <= 1_000_000 * (1 / rate + max(PACING_GUARD / rate, 3 * MIN_GATE_TOLERANCE)) + 1


@pytest.mark.parametrize("rate", [1, 2, 3, 7, 50, 100])
def test_requests_leave_far_enough_apart_to_arrive_one_over_the_rate_apart(rate: int) -> None:
    # Two calls leave at least 1/N and a margin apart, for one request to take longer from the
    # gate to the provider than the next: twice the tolerance, 2% of 1/N (20 ms at 1 call/s)
    margin = interval_us(rate) - gate_tolerance_us(rate) - 1_000_000 / rate
    assert margin >= 2 * gate_tolerance_us(rate)
    assert margin >= 0.02 * 1_000_000 / rate


def test_the_goal_of_one_call_a_second_is_kept_on_average() -> None:
    # Callers on time for their slots send one slot apart: at most 5% slower than the rate
    assert 1_000_000 <= interval_us(1) <= 1_050_000


def test_a_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        interval_us(0)


NEW_YORK = ZoneInfo("America/New_York")


def test_a_number_that_spans_zones_waits_until_the_window_is_open_in_all_of_them() -> None:
    # Given a callee who may be in New York or Los Angeles, at 07:00 in New York (12:00 UTC)
    zones = [NEW_YORK, LOS_ANGELES]

    # When the window is checked
    opening = window_opening_everywhere(DAYTIME, zones, utc("2026-01-15T12:00:00"))

    # Then the call waits for 08:00 in Los Angeles (16:00 UTC), when New York is open too
    assert opening == utc("2026-01-15T16:00:00")
    assert window_opening_everywhere(DAYTIME, zones, utc("2026-01-15T17:00:00")) is None
    # And near the end of the day it waits for the next common morning
    assert window_opening_everywhere(DAYTIME, zones, utc("2026-01-16T02:30:00")) == utc(
        "2026-01-16T16:00:00"
    )


def test_a_toll_free_number_has_every_zone_of_its_country() -> None:
    zones = callee_zones("+18005550199")
    assert NEW_YORK in zones
    assert LOS_ANGELES in zones
