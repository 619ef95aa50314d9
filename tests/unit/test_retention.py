"""dialtone.retention: when a call expires, which lifecycle class its recording is tagged with,
and deleting every version of a call's objects (against a stand-in S3 client)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from dialtone import aws, retention
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


# delete_object_versions


class FakeS3:
    """list_object_versions (paged) and delete_objects over an in-memory set of versions."""

    def __init__(self, entries: list[tuple[str, str, bool]], page_size: int = 3) -> None:
        self.entries = entries  # (key, version id, is a delete marker)
        self.page_size = page_size
        self.deletes: list[list[dict[str, str]]] = []
        self.errors: list[dict[str, str]] = []

    def get_paginator(self, operation: str) -> FakeS3:
        assert operation == "list_object_versions"
        return self

    def paginate(self, Bucket: str, Prefix: str) -> list[dict[str, Any]]:
        matching = [e for e in self.entries if e[0].startswith(Prefix)]
        pages = []
        for start in range(0, len(matching), self.page_size):
            page: dict[str, Any] = {"Versions": [], "DeleteMarkers": []}
            for key, version, marker in matching[start : start + self.page_size]:
                page["DeleteMarkers" if marker else "Versions"].append(
                    {"Key": key, "VersionId": version}
                )
            pages.append(page)
        return pages

    def delete_objects(self, Bucket: str, Delete: dict[str, Any]) -> dict[str, Any]:
        assert Delete["Quiet"] is True
        self.deletes.append(Delete["Objects"])
        return {"Errors": self.errors} if self.errors else {}


@pytest.fixture
def fake_s3(monkeypatch: pytest.MonkeyPatch) -> Any:
    def install(s3: FakeS3) -> FakeS3:
        monkeypatch.setattr(aws, "client", lambda service: s3)
        return s3

    return install


def test_every_version_and_delete_marker_under_the_prefix_is_deleted(fake_s3: Any) -> None:
    # Given: a call's objects (versions and a delete marker), and another call's object
    prefix = "tenants/t/calls/c/"
    s3 = fake_s3(
        FakeS3(
            [
                (f"{prefix}recording.wav", "v1", False),
                (f"{prefix}recording.wav", "v2", False),
                (f"{prefix}recording.ogg", "v3", True),
                (f"{prefix}recording.ogg", "v4", False),
                ("tenants/t/calls/other/recording.wav", "v5", False),
            ]
        )
    )

    # When: the call's prefix is emptied
    deleted = retention.delete_object_versions("bucket", prefix)

    # Then: its four versions and markers, across pages, and nothing of the other call
    assert deleted == 4
    removed = {(o["Key"].rsplit("/", 1)[-1], o["VersionId"]) for batch in s3.deletes for o in batch}
    assert removed == {
        ("recording.wav", "v1"),
        ("recording.wav", "v2"),
        ("recording.ogg", "v3"),
        ("recording.ogg", "v4"),
    }


def test_the_kept_key_survives(fake_s3: Any) -> None:
    prefix = "tenants/t/calls/c/"
    s3 = fake_s3(
        FakeS3([(f"{prefix}recording.wav", "v1", False), (f"{prefix}recording.ogg", "v2", False)])
    )
    assert retention.delete_object_versions("b", prefix, keep_key=f"{prefix}recording.ogg") == 1
    assert s3.deletes == [[{"Key": f"{prefix}recording.wav", "VersionId": "v1"}]]


def test_more_than_a_thousand_versions_are_deleted_in_requests_of_a_thousand(
    fake_s3: Any,
) -> None:
    s3 = fake_s3(FakeS3([("p/k", f"v{n}", False) for n in range(2500)], page_size=1000))
    assert retention.delete_object_versions("b", "p/") == 2500
    assert [len(batch) for batch in s3.deletes] == [1000, 1000, 500]


def test_nothing_to_delete_makes_no_request(fake_s3: Any) -> None:
    s3 = fake_s3(FakeS3([]))
    assert retention.delete_object_versions("b", "tenants/t/calls/c/") == 0
    assert s3.deletes == []


def test_a_version_s3_could_not_delete_is_an_error(fake_s3: Any) -> None:
    # Given: S3 refuses one of the deletions
    s3 = fake_s3(FakeS3([("p/k", "v1", False)]))
    s3.errors = [{"Key": "p/k", "VersionId": "v1", "Code": "AccessDenied", "Message": "Denied"}]

    # When / Then: the erasure fails loudly, naming the key, rather than report success
    with pytest.raises(RuntimeError, match="could not delete p/k: Denied"):
        retention.delete_object_versions("b", "p/")
