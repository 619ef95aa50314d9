"""`dialtone calls ...` against the local stack: the real command, the real SDK, real HTTP."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from dialtone.accounts import AccountStore, TenantSettingsUpdate
from dialtone.auth import Scope
from dialtone_client.cli import main
from local.stack import LocalStack

pytestmark = pytest.mark.e2e

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def dialtone(
    local_stack: LocalStack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> Run:
    """`dialtone(*argv)` -> (exit code, stdout, stderr), configured as `make dev` leaves it."""
    monkeypatch.delenv("DIALTONE_API_URL", raising=False)
    monkeypatch.delenv("DIALTONE_API_KEY", raising=False)
    # Output to a pipe, as the command sees it without $COLUMNS (pytest-xdist's workers set 80)
    monkeypatch.delenv("COLUMNS", raising=False)
    local_stack.write_info(tmp_path / ".dialtone" / "local.json")
    monkeypatch.chdir(tmp_path)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_list_shows_the_demo_calls_and_json_agrees(dialtone: Run, local_stack: LocalStack) -> None:
    run = dialtone
    # When the calls are listed as a table and as JSON
    code, table, err = run("calls", "list", "--limit", "5", "--direction", "inbound")
    assert (code, err) == (0, "")
    code, listed, _ = run("calls", "list", "--limit", "5", "--direction", "inbound", "--json")
    assert code == 0

    # Then both show the same five inbound calls
    calls = json.loads(listed)
    assert len(calls) == 5
    assert {call["direction"] for call in calls} == {"inbound"}
    for call in calls:
        assert call["id"] in table
    assert "ID" in table
    assert "STATUS" in table
    assert "of " in table  # "5 of N calls"


def test_show_prints_a_call_and_an_unknown_id_exits_4(
    dialtone: Run, local_stack: LocalStack
) -> None:
    run = dialtone
    call_id = local_stack.info["example_call_id"]

    code, out, _ = run("calls", "show", call_id, "--json")
    assert code == 0
    assert json.loads(out)["id"] == call_id

    code, out, err = run("calls", "show", str(uuid.uuid4()))
    assert code == 4
    assert out == ""
    assert err.startswith("dialtone: 404 ")
    assert err.count("\n") == 1


def test_a_wrong_key_exits_3(dialtone: Run) -> None:
    code, _, err = dialtone("calls", "list", "--api-key", "dt_0000000000000000_not-a-key")

    assert code == 3
    assert err.startswith("dialtone: 403 ")


def test_recording_downloads_the_whole_file(
    dialtone: Run, local_stack: LocalStack, tmp_path: Path
) -> None:
    run = dialtone
    call_id = local_stack.info["example_call_id"]
    out = tmp_path / "call.wav"

    code, printed, err = run("calls", "recording", call_id, "--out", str(out))

    assert code == 0, err
    _, shown, _ = run("calls", "show", call_id, "--json")
    size = json.loads(shown)["recording_size_bytes"]
    assert out.stat().st_size == size
    assert out.read_bytes()[:4] == b"RIFF"  # the demo recordings are WAV
    assert f"wrote {out}" in printed


@pytest.fixture
def dialing_key(local_stack: LocalStack) -> str:
    """The key of a fresh tenant that dials from a default number, 2 calls a second on a
    telephony account of its own (so other tests' calls do not slow it down)."""
    session = local_stack.aws.session()
    accounts = AccountStore(local_stack.info["accounts_table"], dynamodb=session.client("dynamodb"))
    tenant = accounts.create_tenant(name=f"CLI {uuid.uuid4().hex[:4]}")
    accounts.update_settings(
        tenant.tenant_id,
        TenantSettingsUpdate(
            default_from_number="+14155550100",
            dial_rate_per_second=2,
            telephony_account_id=f"acct-{tenant.tenant_id}",
        ),
    )
    return accounts.create_key(tenant.tenant_id, tuple(Scope)).plaintext


def test_dial_queues_a_call_that_show_then_finds(dialtone: Run, dialing_key: str) -> None:
    # When a call is dialed from the command line with the tenant's key
    code, out, err = dialtone("calls", "dial", "+14155550177", "--json", "--api-key", dialing_key)

    # Then it is queued, and `calls show` finds it with its number
    assert code == 0, err
    call_id = json.loads(out)["call_id"]
    code, shown, _ = dialtone("calls", "show", call_id, "--json", "--api-key", dialing_key)
    assert code == 0
    assert json.loads(shown)["to_number"] == "+14155550177"


def test_batch_follows_a_small_batch_until_it_has_drained(
    dialtone: Run, dialing_key: str, tmp_path: Path
) -> None:
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("to_number\n+14155550181\n+14155550182\n")

    code, dry, err = dialtone(
        "calls", "batch", str(numbers), "--dry-run", "--json", "--api-key", dialing_key
    )
    assert code == 0, err
    assert json.loads(dry)["will_dial"] == 2

    code, out, err = dialtone(
        "calls", "batch", str(numbers), "--timeout", "90", "--json", "--api-key", dialing_key
    )
    assert code == 0, err
    final = json.loads(out)
    assert final["total"] == 2
    assert (final["queued"], final["initiated"]) == (0, 0)
    assert sorted(entry["to_number"] for entry in final["calls"]) == [
        "+14155550181",
        "+14155550182",
    ]


def test_transcript_stats_and_export_read_the_demo_data(
    dialtone: Run, local_stack: LocalStack, tmp_path: Path
) -> None:
    run = dialtone
    call_id = local_stack.info["example_call_id"]

    code, text, err = run("calls", "transcript", call_id)
    assert code == 0, err
    assert text.startswith("[00:")
    code, vtt, _ = run("calls", "transcript", call_id, "--format", "vtt")
    assert code == 0
    assert vtt.startswith("WEBVTT")

    code, figures, err = run("stats", "--group-by", "status", "--since", "365d", "--json")
    assert code == 0, err
    stats = json.loads(figures)
    assert stats["summary"]["calls"] == sum(group["stats"]["calls"] for group in stats["groups"])
    assert stats["summary"]["calls"] > 0

    out = tmp_path / "calls.csv"
    code, _, err = run("calls", "export", "--format", "csv", "--out", str(out))
    assert code == 0, err
    with out.open(encoding="utf-8-sig", newline="") as exported:  # the API's CSV has a BOM
        rows = list(csv.DictReader(exported))
    assert rows
    assert all(uuid.UUID(row["id"]) for row in rows)
    assert {row["status"] for row in rows} == {"completed"}  # the export is of completed calls
