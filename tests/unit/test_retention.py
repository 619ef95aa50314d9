"""dialtone.retention: when a call expires, which lifecycle class its recording is tagged with,
and where a call's objects live."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from dialtone.accounts import MAX_RETENTION_DAYS, MIN_RETENTION_DAYS
from dialtone.retention import RETENTION_CLASSES, call_prefix, expires_at, retention_class

START = datetime(2026, 3, 10, 12, 30, 15, tzinfo=UTC)


# expires_at


@pytest.mark.parametrize("days", [1, 30, 365, 3650])
def test_a_call_expires_its_retention_after_its_start_in_epoch_seconds(days: int) -> None:
    # Given / When: a call started at START kept `days`
    expiry = expires_at(START, days)

    # Then: exactly that many days of seconds after the start, as an int
    assert isinstance(expiry, int)
    assert expiry == int(START.timestamp()) + days * 86400


def test_the_expiry_is_the_same_instant_whatever_the_start_times_zone() -> None:
    # Given: START read on a UTC-5 wall clock
    elsewhere = START.astimezone(timezone(timedelta(hours=-5)))

    # When / Then: the same instant, the same expiry
    assert expires_at(elsewhere, 30) == expires_at(START, 30)


def test_a_fraction_of_a_second_is_dropped() -> None:
    # Given / When: a start with microseconds
    expiry = expires_at(START.replace(microsecond=999_999), 1)

    # Then: whole seconds, never rounded past the period
    assert expiry == int(START.timestamp()) + 86400


@pytest.mark.parametrize("days", [None, 0])
def test_no_retention_keeps_the_call(days: int | None) -> None:
    assert expires_at(START, days) is None


# retention_class


def test_the_classes_are_ascending_and_cover_every_retention_a_tenant_may_choose() -> None:
    # Given / Then: strictly ascending, from the smallest retention to the largest allowed
    assert list(RETENTION_CLASSES) == sorted(set(RETENTION_CLASSES))
    assert RETENTION_CLASSES[0] == MIN_RETENTION_DAYS
    assert RETENTION_CLASSES[-1] == MAX_RETENTION_DAYS


@pytest.mark.parametrize("days", RETENTION_CLASSES)
def test_a_retention_equal_to_a_class_is_that_class(days: int) -> None:
    assert retention_class(days) == days


@pytest.mark.parametrize(
    ("days", "expected"),
    [(2, 7), (8, 14), (15, 30), (31, 60), (45, 60), (91, 180), (366, 730), (3000, 3650)],
)
def test_a_retention_between_classes_rounds_up_to_the_next(days: int, expected: int) -> None:
    # Given / When / Then: never a class that would delete the recording before the records
    assert retention_class(days) == expected


def test_every_retention_rounds_up_to_the_smallest_class_that_keeps_it() -> None:
    # Given / When / Then: for each allowed retention, the class keeps it at least as long,
    # and the class below (if any) would not
    for days in range(MIN_RETENTION_DAYS, MAX_RETENTION_DAYS + 1):
        chosen = retention_class(days)
        assert chosen is not None
        assert chosen >= days
        below = [c for c in RETENTION_CLASSES if c < chosen]
        assert not below or below[-1] < days


@pytest.mark.parametrize("days", [RETENTION_CLASSES[-1] + 1, 10_000])
def test_a_retention_above_the_largest_class_is_kept_indefinitely(days: int) -> None:
    assert retention_class(days) is None


@pytest.mark.parametrize("days", [None, 0])
def test_no_retention_has_no_class(days: int | None) -> None:
    assert retention_class(days) is None


def test_a_calls_prefix_holds_its_objects_and_no_other_calls() -> None:
    prefix = call_prefix("acme", "0b7e2c1a-5d4f-4e3b-9a8c-1f2e3d4c5b6a")
    assert prefix == "tenants/acme/calls/0b7e2c1a-5d4f-4e3b-9a8c-1f2e3d4c5b6a/"
    assert not call_prefix("acme", "0b7e2c1a").startswith(prefix)
