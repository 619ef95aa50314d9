"""`dialtone calls ...` and `dialtone stats`: parsing, configuration, output and exit codes,
with the SDK replaced by a fake that records what it was asked."""

from __future__ import annotations

import ast
import io
import json
import tomllib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import respx

import dialtone_client
from dialtone_client.cli import main, run
from dialtone_client.cli.config import Config

URL = "https://api.example.test"
KEY = "dt_test_key"


def call(number: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"call-{number:04d}",
        "created_at": "2026-12-01T09:30:15.123456+00:00",
        "start_time": "2026-12-01T09:30:15+00:00",
        "updated_at": "2026-12-01T09:31:00+00:00",
        "direction": "outbound",
        "status": "completed",
        "outcome": "resolved",
        "to_number": "+14155550100",
        "from_number": "+14155550199",
        "duration_seconds": 42.5,
        "agent_name": "Front desk",
        "metadata": {"crm": "x"},
        **fields,
    }


class FakeClient:
    """Answers like the SDK's `Dialtone`, and remembers each call made to it."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.asked: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.calls = [call(n) for n in range(1, 251)]
        self.error: Exception | None = None
        self.closed = False

    def _ask(self, name: str, *args: Any, **kwargs: Any) -> None:
        self.asked.append((name, args, kwargs))
        if self.error is not None:
            raise self.error

    def get_calls(self, **filters: Any) -> dict[str, Any]:
        self._ask("get_calls", **filters)
        return {"calls": self.calls[: filters["limit"]], "total": len(self.calls), "limit": 20}

    def iter_calls(self, **filters: Any) -> Iterator[dict[str, Any]]:
        self._ask("iter_calls", **filters)
        yield from self.calls

    def get_call(self, call_id: str) -> dict[str, Any]:
        self._ask("get_call", call_id)
        return call(7, id=call_id)

    def get_transcript(self, call_id: str, format: str) -> Any:
        self._ask("get_transcript", call_id, format=format)
        if format == "vtt":
            return "WEBVTT\n\n00:00.000 --> 00:02.000\n<v agent>Hello\n"
        return {
            "call_id": call_id,
            "turns": [
                {"role": "agent", "content": "Hello, this is the clinic.", "start_ms": 0},
                {"role": "user", "content": "Hi,\n I need  a refill.", "start_ms": 65_400},
            ],
        }

    def download_recording(self, call_id: str, path: Path, progress: Any) -> Path:
        self._ask("download_recording", call_id, path)
        Path(path).write_bytes(b"RIFF" + b"\0" * 2044)
        progress(1024, 2048)
        progress(2048, 2048)
        return Path(path)

    def export_calls(self, export_format: str, **filters: Any) -> bytes:
        self._ask("export_calls", export_format, **filters)
        return b"id,status\r\ncall-0001,completed\r\n"

    def create_call(self, to_number: str, **options: Any) -> dict[str, Any]:
        self._ask("create_call", to_number, **options)
        return {"call_id": "call-new", "call_sid": "SIM123", "status": "queued"}

    def create_batch(self, to_numbers: list[str], **options: Any) -> list[dict[str, Any]]:
        self._ask("create_batch", to_numbers, **options)
        # Like the SDK: one batch per 1,000 numbers.
        return [
            {"batch_id": f"batch-{n + 1}", "total": len(to_numbers[n * 1000 : n * 1000 + 1000])}
            for n in range((len(to_numbers) + 999) // 1000)
        ]

    def dry_run_batch(self, to_numbers: list[str], **options: Any) -> list[dict[str, Any]]:
        self._ask("dry_run_batch", to_numbers, **options)
        return [
            {
                "will_dial": 1,
                "skipped": {"duplicate": [], "invalid_number": [], "suppressed": [to_numbers[0]]},
                "deferred": {"outside_calling_window": [to_numbers[1]]},
            }
        ]

    def wait_for_batch(self, batch_id: str, timeout: float | None, progress: Any) -> dict[str, Any]:
        self._ask("wait_for_batch", batch_id)
        if timeout is not None and timeout < 5:
            raise TimeoutError(f"Batch {batch_id} still has 2 calls in progress")
        total = 1000 if batch_id == "batch-1" else 2
        figures = {"batch_id": batch_id, "status": "processing", "total": total, "canceled": 0}
        progress({**figures, "queued": total, "initiated": 0, "completed": 0, "failed": 0})
        final = {**figures, "status": "completed", "queued": 0, "initiated": 0}
        final.update({"completed": total - 1, "failed": 1, "calls": [{"call_id": "a"}]})
        progress(final)
        return final

    def close(self) -> None:
        self.closed = True

    def stats(self, **options: Any) -> dict[str, Any]:
        self._ask("stats", **options)
        figures = {"calls": 12, "answer_rate": 0.75, "by_status": {"completed": 9, "failed": 3}}
        return {
            "start": "2026-11-05T00:00:00Z",
            "end": "2026-12-05T00:00:00Z",
            "group_by": options.get("group_by"),
            "summary": figures,
            "groups": [
                {"key": "2026-12-01", "stats": {**figures, "calls": 5}},
                {"key": "2026-12-02", "stats": {**figures, "calls": 7}},
            ]
            if options.get("group_by")
            else [],
        }


class Cli:
    """Runs the command line in process with the fake SDK; keeps what it printed."""

    def __init__(self, tmp_path: Path) -> None:
        self.cwd = tmp_path
        self.environ = {"DIALTONE_API_URL": URL, "DIALTONE_API_KEY": KEY}
        self.client: FakeClient | None = None
        self.error: Exception | None = None
        self.out = ""
        self.err = ""

    def connect(self, config: Config) -> FakeClient:
        self.client = FakeClient(config)
        self.client.error = self.error
        return self.client

    def __call__(self, *argv: str) -> int:
        out, err = io.StringIO(), io.StringIO()
        code = run(
            list(argv),
            connect=self.connect,
            stdout=out,
            stderr=err,
            environ=self.environ,
            cwd=self.cwd,
        )
        self.out, self.err = out.getvalue(), err.getvalue()
        return code

    def asked(self) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
        assert self.client is not None
        return self.client.asked


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    # Output to a file is as wide as the command line makes it, whatever the terminal running
    # the tests says (pytest-xdist's workers see a $COLUMNS of 80).
    monkeypatch.delenv("COLUMNS", raising=False)
    return Cli(tmp_path)


def write_local_json(folder: Path, **info: str) -> None:
    (folder / ".dialtone").mkdir(parents=True)
    (folder / ".dialtone" / "local.json").write_text(json.dumps(info))


# Configuration


def test_flags_win_over_the_environment_and_the_local_file(cli: Cli) -> None:
    # Given every source names a different API
    write_local_json(cli.cwd, api_url="http://127.0.0.1:3000", api_key="local-key")
    cli.environ = {"DIALTONE_API_URL": "https://env.test", "DIALTONE_API_KEY": "env-key"}

    # When the flags name a third (one before the command, one after it)
    code = cli("--api-url", "https://flag.test/", "calls", "show", "c1", "--api-key", "flag-key")

    # Then the flags are used, the URL without its trailing slash
    assert code == 0
    assert cli.client is not None
    assert (cli.client.config.api_url, cli.client.config.api_key) == (
        "https://flag.test",
        "flag-key",
    )


def test_the_environment_wins_over_the_local_file(cli: Cli) -> None:
    write_local_json(cli.cwd, api_url="http://127.0.0.1:3000", api_key="local-key")
    cli.environ = {"DIALTONE_API_URL": "https://env.test", "DIALTONE_API_KEY": "env-key"}

    assert cli("calls", "show", "c1") == 0

    assert cli.client is not None
    assert (cli.client.config.api_url, cli.client.config.api_key) == ("https://env.test", "env-key")


def test_make_devs_file_is_found_from_a_subfolder_and_fills_what_is_missing(cli: Cli) -> None:
    # Given the local stack's file at the repository's root and only the URL in the environment
    write_local_json(cli.cwd, api_url="http://127.0.0.1:3000", api_key="local-key")
    cli.environ = {"DIALTONE_API_URL": "http://127.0.0.1:4000"}
    cli.cwd = cli.cwd / "functions" / "get_call"
    cli.cwd.mkdir(parents=True)

    assert cli("calls", "show", "c1") == 0

    assert cli.client is not None
    assert (cli.client.config.api_url, cli.client.config.api_key) == (
        "http://127.0.0.1:4000",
        "local-key",
    )


def test_no_configuration_is_a_usage_error_naming_every_way_to_give_it(cli: Cli) -> None:
    cli.environ = {}

    code = cli("calls", "list")

    assert code == 2
    assert cli.client is None  # nothing was asked of the API
    assert cli.err.count("\n") == 1
    assert "no API URL" in cli.err
    assert "--api-url" in cli.err
    assert "DIALTONE_API_URL" in cli.err
    assert "make dev" in cli.err


def test_an_unreadable_local_file_is_one_line(cli: Cli) -> None:
    cli.environ = {}
    (cli.cwd / ".dialtone").mkdir()
    (cli.cwd / ".dialtone" / "local.json").write_text("{not json")

    assert cli("calls", "list") == 2
    assert cli.err.startswith("dialtone: cannot read ")
    assert cli.err.count("\n") == 1


# Arguments


@pytest.mark.parametrize(
    "argv",
    [
        ("calls", "list", "--status", "done"),
        ("calls", "list", "--since", "yesterday"),
        ("calls", "list", "--limit", "0"),
        ("calls", "transcript", "c1", "--format", "srt"),
        ("calls", "recording", "c1"),
        ("calls", "export", "--format", "xml", "--out", "x"),
        ("calls",),
        ("stats", "--group-by", "month"),
        ("bogus",),
    ],
)
def test_bad_arguments_exit_2_with_usage_and_call_nothing(cli: Cli, argv: tuple[str, ...]) -> None:
    assert cli(*argv) == 2
    assert "usage: dialtone" in cli.err
    assert "error:" in cli.err
    assert "Traceback" not in cli.err
    assert cli.client is None


def test_help_lists_the_calls_commands_and_admin(
    cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("--help") == 0
    assert {"calls", "stats", "admin"} <= set(capsys.readouterr().out.replace(",", " ").split())

    assert cli("calls", "--help") == 0
    listed = capsys.readouterr().out
    for command in ("list", "show", "transcript", "recording", "export", "dial", "batch"):
        assert f"    {command} " in listed


def test_since_and_until_accept_ages_and_iso_dates(cli: Cli) -> None:
    before = datetime.now(UTC)

    assert cli("calls", "list", "--since", "7d", "--until", "2026-12-01") == 0

    (name, _, asked), *_ = cli.asked()
    assert name == "get_calls"
    start = asked["start_date"]
    assert isinstance(start, datetime)
    assert abs((before - timedelta(days=7)) - start) < timedelta(seconds=5)
    assert asked["end_date"] == date(2026, 12, 1)


# calls list / show


def test_list_is_a_table_of_the_latest_calls_with_the_filters_passed_on(cli: Cli) -> None:
    code = cli(
        "calls", "list", "--status", "completed", "--direction", "outbound", "--agent", "ag-1",
        "--limit", "3",
    )  # fmt: skip

    assert code == 0
    assert cli.asked() == [
        (
            "get_calls",
            (),
            {"limit": 3, "status": "completed", "direction": "outbound", "agent_id": "ag-1"},
        )
    ]
    lines = cli.out.splitlines()
    header = next(line for line in lines if "ID" in line and "STATUS" in line)
    assert "DURATION" in header
    rows = [line for line in lines if "call-0" in line]
    assert [row.split()[0] for row in rows] == ["call-0001", "call-0002", "call-0003"]
    assert "2026-12-01 09:30:15" in rows[0]
    assert "42.5" in rows[0]
    assert "3 of 250 calls" in cli.out


def test_a_long_list_follows_the_cursor_up_to_the_limit(cli: Cli) -> None:
    assert cli("calls", "list", "--limit", "120", "--json") == 0

    assert [name for name, _, _ in cli.asked()] == ["iter_calls"]
    listed = json.loads(cli.out)
    assert len(listed) == 120
    assert listed[-1]["id"] == "call-0120"


def test_show_prints_the_calls_fields_and_json_prints_everything(cli: Cli) -> None:
    assert cli("calls", "show", "call-abc") == 0
    assert cli.asked() == [("get_call", ("call-abc",), {})]
    assert any(line.split()[:2] == ["id", "call-abc"] for line in cli.out.splitlines())
    assert "crm" not in cli.out  # metadata is for --json

    assert cli("calls", "show", "call-abc", "--json") == 0
    shown = json.loads(cli.out)
    assert shown["id"] == "call-abc"
    assert shown["metadata"] == {"crm": "x"}


# calls transcript / recording / export


def test_transcript_reads_as_timed_lines(cli: Cli) -> None:
    assert cli("calls", "transcript", "c1") == 0

    assert cli.asked() == [("get_transcript", ("c1",), {"format": "turns"})]
    assert cli.out.splitlines() == [
        "[00:00] agent: Hello, this is the clinic.",
        "[01:05] user: Hi, I need a refill.",
    ]


def test_transcript_as_vtt_and_as_turns(cli: Cli) -> None:
    assert cli("calls", "transcript", "c1", "--format", "vtt") == 0
    assert cli.out.startswith("WEBVTT\n")

    assert cli("calls", "transcript", "c1", "--format", "turns") == 0
    assert [turn["role"] for turn in json.loads(cli.out)] == ["agent", "user"]


def test_recording_is_downloaded_to_the_named_file(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "call.wav"

    assert cli("calls", "recording", "c1", "--out", str(out)) == 0

    assert cli.asked() == [("download_recording", ("c1", out), {})]
    assert out.read_bytes().startswith(b"RIFF")
    assert f"wrote {out} (2,048 bytes)" in cli.out


def test_export_writes_the_file_in_the_asked_format(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "calls.csv"

    code = cli("calls", "export", "--format", "csv", "--out", str(out), "--status", "completed")

    assert code == 0
    assert cli.asked() == [("export_calls", ("csv",), {"status": "completed"})]
    assert out.read_text().splitlines() == ["id,status", "call-0001,completed"]


def test_export_to_dash_prints_to_stdout(cli: Cli) -> None:
    assert cli("calls", "export", "--format", "csv", "--out", "-") == 0
    assert cli.out.startswith("id,status")


def test_export_to_an_unwritable_place_is_one_line_and_exit_1(cli: Cli, tmp_path: Path) -> None:
    code = cli("calls", "export", "--out", str(tmp_path / "missing" / "calls.csv"))

    assert code == 1
    assert cli.err.startswith("dialtone: No such file or directory")
    assert cli.err.count("\n") == 1


# calls dial / batch


def test_dial_queues_one_call_and_prints_its_id(cli: Cli) -> None:
    code = cli("calls", "dial", "+14155550123", "--from", "+14155550100", "--agent", "ag-1")

    assert code == 0
    assert cli.asked() == [
        ("create_call", ("+14155550123",), {"from_number": "+14155550100", "agent_id": "ag-1"})
    ]
    assert cli.out.split() == ["call-new", "queued"]


def test_batch_reads_the_number_column_and_follows_the_batch(cli: Cli, tmp_path: Path) -> None:
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("name,to_number\nAda,+14155550101\n\nBob, +14155550102\n")

    code = cli("calls", "batch", str(numbers), "--agent", "ag-1")

    assert code == 0
    assert cli.asked() == [
        (
            "create_batch",
            (["+14155550101", "+14155550102"],),
            {"from_number": None, "agent_id": "ag-1"},
        ),
        ("wait_for_batch", ("batch-1",), {}),
    ]
    assert "batch batch-1: 2 calls queued" in cli.err
    table = {line.split()[0]: line.split()[1] for line in cli.out.splitlines() if line.strip()}
    assert table["status"] == "completed"
    assert table["completed"] == "999"
    assert table["failed"] == "1"
    assert cli.client is not None
    assert cli.client.closed


def test_a_long_batch_is_followed_batch_after_batch(cli: Cli, tmp_path: Path) -> None:
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("".join(f"+1415555{n:04d}\n" for n in range(1002)))

    assert cli("calls", "batch", str(numbers), "--json") == 0

    waited = [args for name, args, _ in cli.asked() if name == "wait_for_batch"]
    assert waited == [("batch-1",), ("batch-2",)]
    assert "batch batch-1, batch-2: 1002 calls queued" in cli.err
    assert [part["status"] for part in json.loads(cli.out)] == ["completed", "completed"]


def test_a_batch_followed_past_its_timeout_is_one_line_and_exit_1(cli: Cli, tmp_path: Path) -> None:
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("+14155550101\n+14155550102\n")

    assert cli("calls", "batch", str(numbers), "--timeout", "1") == 1

    assert cli.err.endswith(
        "dialtone: Batch batch-1 still has 2 calls in progress; it carries on\n"
    )
    assert "Traceback" not in cli.err


def test_batch_no_wait_prints_the_batch_and_returns(cli: Cli, tmp_path: Path) -> None:
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("+14155550101\n")

    assert cli("calls", "batch", str(numbers), "--no-wait", "--json") == 0

    assert [name for name, _, _ in cli.asked()] == ["create_batch"]
    assert json.loads(cli.out) == {"batch_id": "batch-1", "total": 1}


def test_batch_dry_run_says_what_would_be_dialed(cli: Cli, tmp_path: Path) -> None:
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("+14155550101\n+14155550102\n+14155550103\n")

    assert cli("calls", "batch", str(numbers), "--dry-run") == 0

    ((name, (to_numbers,), _),) = cli.asked()
    assert name == "dry_run_batch"
    assert len(to_numbers) == 3
    lines = [line.split() for line in cli.out.splitlines() if line.strip()]
    assert ["will_dial", "1"] in lines
    assert ["skipped", "suppressed", "1", "(+14155550101)"] in lines
    assert ["skipped", "duplicate", "0"] in lines
    assert ["deferred", "outside_calling_window", "1", "(+14155550102)"] in lines


@pytest.mark.parametrize("content", ["", "to_number\n", "name\n\n"])
def test_a_batch_file_without_numbers_is_a_usage_error(
    cli: Cli, tmp_path: Path, content: str
) -> None:
    numbers = tmp_path / "numbers.csv"
    numbers.write_text(content)

    assert cli("calls", "batch", str(numbers)) == 2
    assert cli.err == f"dialtone: {numbers} holds no phone numbers\n"
    assert cli.asked() == []


def test_a_missing_batch_file_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    assert cli("calls", "batch", str(tmp_path / "nope.csv")) == 2
    assert cli.err.startswith("dialtone: cannot read ")


# stats


def test_stats_prints_the_summary_and_one_row_per_group(cli: Cli) -> None:
    assert cli("stats", "--group-by", "day") == 0

    ((name, _, options),) = cli.asked()
    assert name == "stats"
    assert options["group_by"] == "day"
    assert abs(datetime.now(UTC) - timedelta(days=30) - options["start_date"]) < timedelta(
        seconds=5
    )
    lines = cli.out.splitlines()
    assert any(line.split() == ["calls", "12"] for line in lines)
    assert any(line.split() == ["answer_rate", "0.75"] for line in lines)
    assert any(line.split()[:3] == ["2026-12-01", "5", "9"] for line in lines)
    assert any(line.split()[:2] == ["2026-12-02", "7"] for line in lines)


# Errors from the API


@pytest.mark.parametrize(
    ("status", "exit_code"), [(401, 3), (403, 3), (404, 4), (422, 2), (500, 1), (503, 1)]
)
def test_an_api_error_is_one_line_with_its_own_exit_code(
    cli: Cli, status: int, exit_code: int
) -> None:
    cli.error = dialtone_client.DialtoneError(
        f"{status} on GET /v1/calls/c1", status_code=status, detail="Call c1 not found"
    )

    assert cli("calls", "show", "c1") == exit_code

    assert cli.err == f"dialtone: {status} Call c1 not found\n"
    assert cli.out == ""


def test_a_validation_error_lists_its_issues_on_one_line(cli: Cli) -> None:
    issues = [
        {"loc": ["body", "to_number"], "msg": "not a valid phone number", "type": "value_error"},
        {"loc": ["body", "agent_id"], "msg": "too long", "type": "string_too_long"},
    ]
    cli.error = dialtone_client.DialtoneError("422", status_code=422, detail=issues)

    assert cli("calls", "dial", "+1") == 2

    assert cli.err == ("dialtone: 422 to_number: not a valid phone number; agent_id: too long\n")


def test_no_answer_from_the_api_is_one_line_and_exit_1(cli: Cli) -> None:
    cli.error = dialtone_client.APIConnectionError(
        "Connection failed: [Errno 111] Connection refused"
    )

    assert cli("calls", "list") == 1

    assert cli.err == "dialtone: Connection failed: [Errno 111] Connection refused\n"


# admin


def test_admin_is_handed_to_the_admin_command_line(
    cli: Cli, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACCOUNTS_TABLE", raising=False)

    code = cli("admin", "get-tenant", "--tenant", "t1")

    assert code == 2
    assert cli.client is None
    assert "no accounts table: pass --table NAME or set ACCOUNTS_TABLE" in capsys.readouterr().err


# Packaging


ROOT = Path(__file__).resolve().parents[2]


def _top_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_the_lambda_code_imports_neither_the_sdk_nor_rich() -> None:
    # The layer and the functions ship to Lambda; the command line lives with the SDK.
    shipped = [*(ROOT / "layers").rglob("*.py"), *(ROOT / "functions").rglob("*.py")]
    offending = {
        str(path.relative_to(ROOT))
        for path in shipped
        if _top_level_imports(path) & {"dialtone_client", "rich", "httpx"}
    }
    assert offending == set()


def test_one_distribution_installs_the_dialtone_command() -> None:
    sdk = tomllib.loads((ROOT / "clients" / "python" / "pyproject.toml").read_text())
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())

    assert sdk["project"]["scripts"] == {"dialtone": "dialtone_client.cli:main"}
    assert "dialtone" not in root["project"].get("scripts", {})
    assert any(dep.startswith("rich") for dep in sdk["project"]["optional-dependencies"]["cli"])


# Through the real SDK, on a mocked transport


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[respx.MockRouter]:
    """`main` as a user runs it (the real `Dialtone` client), the API mocked by respx."""
    monkeypatch.setenv("DIALTONE_API_URL", URL)
    monkeypatch.setenv("DIALTONE_API_KEY", KEY)
    monkeypatch.chdir(tmp_path)
    with respx.mock(base_url=URL, assert_all_called=True) as router:
        yield router


def test_list_through_the_sdk_sends_the_key_and_the_filters(
    wire: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = wire.get("/v1/calls").respond(
        json={"calls": [call(1), call(2)], "total": 2, "limit": 20, "offset": 0}
    )

    assert main(["calls", "list", "--status", "completed", "--since", "2026-11-01"]) == 0

    request = listed.calls.last.request
    assert request.headers["X-API-Key"] == KEY
    sent = dict(request.url.params)
    assert (sent["limit"], sent["status"], sent["start_date"]) == ("20", "completed", "2026-11-01")
    assert "direction" not in request.url.params
    rows = [line.split()[0] for line in capsys.readouterr().out.splitlines() if "call-0" in line]
    assert rows == ["call-0001", "call-0002"]


def test_a_forbidden_key_through_the_sdk_is_exit_3(
    wire: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    wire.get("/v1/calls/c1").respond(403, json={"message": "Forbidden"})

    assert main(["calls", "show", "c1"]) == 3

    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "dialtone: 403 Forbidden\n")


def test_dry_run_through_the_sdk_asks_for_a_dry_run(
    wire: respx.MockRouter, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("+14155550101\n+14155550101\n")
    dry_run = wire.post("/v1/calls/batch", params={"dry_run": "true"}).respond(
        json={
            "will_dial": 1,
            "skipped": {"duplicate": ["+14155550101"], "invalid_number": [], "suppressed": []},
            "deferred": {"outside_calling_window": []},
        }
    )

    assert main(["calls", "batch", str(numbers), "--dry-run", "--json"]) == 0

    sent = json.loads(dry_run.calls.last.request.content)
    assert sent == {"to_numbers": ["+14155550101", "+14155550101"]}
    assert json.loads(capsys.readouterr().out) == {
        "will_dial": 1,
        "skipped": {"duplicate": ["+14155550101"], "invalid_number": [], "suppressed": []},
        "deferred": {"outside_calling_window": []},
    }
