"""dialtone.recordings: deleting every version of a call's objects (against a stand-in S3
client)."""

from __future__ import annotations

from typing import Any

import pytest

from dialtone import aws, recordings

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
    deleted = recordings.delete_object_versions("bucket", prefix)

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
    assert recordings.delete_object_versions("b", prefix, keep_key=f"{prefix}recording.ogg") == 1
    assert s3.deletes == [[{"Key": f"{prefix}recording.wav", "VersionId": "v1"}]]


def test_more_than_a_thousand_versions_are_deleted_in_requests_of_a_thousand(
    fake_s3: Any,
) -> None:
    s3 = fake_s3(FakeS3([("p/k", f"v{n}", False) for n in range(2500)], page_size=1000))
    assert recordings.delete_object_versions("b", "p/") == 2500
    assert [len(batch) for batch in s3.deletes] == [1000, 1000, 500]


def test_nothing_to_delete_makes_no_request(fake_s3: Any) -> None:
    s3 = fake_s3(FakeS3([]))
    assert recordings.delete_object_versions("b", "tenants/t/calls/c/") == 0
    assert s3.deletes == []


def test_a_version_s3_could_not_delete_is_an_error(fake_s3: Any) -> None:
    # Given: S3 refuses one of the deletions
    s3 = fake_s3(FakeS3([("p/k", "v1", False)]))
    s3.errors = [{"Key": "p/k", "VersionId": "v1", "Code": "AccessDenied", "Message": "Denied"}]

    # When / Then: the erasure fails loudly, naming the key, rather than report success
    with pytest.raises(RuntimeError, match="could not delete p/k: Denied"):
        recordings.delete_object_versions("b", "p/")
