"""What a copy resumed from a SnapStart snapshot renews before its first request."""

from __future__ import annotations

import random
import sys
import types
from collections.abc import Callable

import pytest
from pydantic import Field

from dialtone import aws, settings, snapstart


class _Settings(settings.EnvSettings):
    table: str = Field(alias="SNAPSTART_TEST_TABLE", min_length=1)


def _restored_copy_draws(seed: int) -> list[float]:
    """A copy resumed with the snapshot's random state, after the restore hook ran."""
    random.seed(seed)  # the state every copy inherits from the snapshot
    snapstart.renew_after_restore()
    return [random.random() for _ in range(3)]


def test_copies_of_one_snapshot_draw_different_jitter() -> None:
    # Given two copies resumed from the same snapshot (the same random state)
    # When each runs the restore hook and draws its retry jitter
    first, second = _restored_copy_draws(7), _restored_copy_draws(7)

    # Then they do not pause in step
    assert first != second
    random.seed(7)
    assert first != [random.random() for _ in range(3)]


def test_settings_and_what_was_built_from_them_are_read_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given settings and a secret value cached in the snapshot
    reads: list[str] = []

    @settings.per_environment
    def secret(name: str) -> str:
        reads.append(name)
        return f"value-{len(reads)}"

    monkeypatch.setenv("SNAPSTART_TEST_TABLE", "calls-at-snapshot")
    assert settings.load(_Settings).table == "calls-at-snapshot"
    assert secret("cursor") == "value-1"
    monkeypatch.setenv("SNAPSTART_TEST_TABLE", "calls-after-restore")

    # When the copy is restored
    snapstart.renew_after_restore()

    # Then settings are validated again and the secret is read again on next use
    assert settings.load(_Settings).table == "calls-after-restore"
    assert secret("cursor") == "value-2"
    assert reads == ["cursor", "cursor"]


def test_clients_resolve_their_credentials_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a client created (with its credentials) before the snapshot
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "snapshot-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "snapshot-secret")
    before = aws.client("sqs")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "restored-key")

    # When the copy is restored
    snapstart.renew_after_restore()

    # Then the next use creates a new client, with the credentials of now
    after = aws.client("sqs")
    assert after is not before
    assert after._request_signer._credentials.access_key == "restored-key"
    aws.reset_clients()


def test_the_hook_is_registered_where_the_runtime_offers_snapshots(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given Lambda's runtime module for SnapStart hooks
    registered: list[Callable[[], None]] = []
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_after_restore = registered.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)

    # When dialtone registers its hook, Then the runtime runs it after every restore
    assert snapstart.register() is True
    assert registered == [snapstart.renew_after_restore]


def test_registering_does_nothing_outside_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given no SnapStart runtime (tests, the local stack)
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import fails

    # When / Then registering is a no-op that says so
    assert snapstart.register() is False
