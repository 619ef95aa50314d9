"""The `dialtone` command: the calls of one tenant through the API, and `dialtone admin`.

    dialtone [--api-url URL] [--api-key KEY] COMMAND ...

    calls list [--since 7d] [--until T] [--status S] [--direction D] [--agent A]
               [--limit N] [--json]
    calls show ID [--json]
    calls transcript ID [--format text|vtt|turns]
    calls recording ID --out FILE
    calls export --format csv|json --out FILE [filters as for list]
    calls dial +E164 [--from E164] [--agent A] [--json]
    calls batch numbers.csv [--from E164] [--agent A] [--dry-run] [--no-wait] [--timeout S] [--json]
                       (one number a line, or a header with a to_number/phone_number column)
    stats [--group-by day] [--since 30d] [--until T] [--json]
    admin ...          tenants and API keys in the accounts table (see `dialtone admin --help`)

The API comes from --api-url/--api-key, else DIALTONE_API_URL/DIALTONE_API_KEY, else the
`.dialtone/local.json` that `make dev` writes (looked for here and in the parent folders).
The global options may also follow the command.

Exit codes: 0 done, 1 the request failed (API or network error), 2 bad usage (also a request
the API rejects as invalid, 400/422), 3 authentication or permission (401/403), 4 not found.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from dialtone_client import Dialtone
from dialtone_client.cli import commands
from dialtone_client.cli.codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from dialtone_client.cli.config import Config, ConfigError, parse_when, resolve
from dialtone_client.cli.render import console

STATUSES = (
    "queued",
    "initiated",
    "ringing",
    "in_progress",
    "completed",
    "busy",
    "no_answer",
    "failed",
    "canceled",
)
DIRECTIONS = ("inbound", "outbound", "web", "mic")
GROUP_BY = ("hour", "day", "week", "agent", "direction", "status", "outcome", "batch")

Connect = Callable[[Config], Any]


class UsageError(Exception):
    """Bad command-line input (reported like argparse's own, exit 2)."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of exiting, so `run` always returns a code."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.format_usage()}{self.prog}: error: {message}")


def _when(text: str) -> Any:
    try:
        return parse_when(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _connection_options(suppress: bool) -> _Parser:
    """--api-url/--api-key, accepted before and after the command (SUPPRESS keeps the first)."""
    parent = _Parser(add_help=False)
    default: dict[str, Any] = {"default": argparse.SUPPRESS} if suppress else {"default": None}
    parent.add_argument(
        "--api-url", metavar="URL", help="the API (default: $DIALTONE_API_URL)", **default
    )
    parent.add_argument(
        "--api-key", metavar="KEY", help="an API key (default: $DIALTONE_API_KEY)", **default
    )
    return parent


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=_when, help="from this time: 7d, 12h, 2w or ISO date")
    parser.add_argument("--until", type=_when, help="up to this time: an age or ISO date")
    parser.add_argument("--status", choices=STATUSES)
    parser.add_argument("--direction", choices=DIRECTIONS)
    parser.add_argument("--agent", metavar="AGENT_ID", help="only this agent's calls")


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _calls_parser(groups: Any, after: list[_Parser]) -> None:
    calls = groups.add_parser("calls", parents=after, help="list, read, export and place calls")
    sub = calls.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    listing = sub.add_parser("list", parents=after, help="the latest calls, as a table")
    _filters(listing)
    listing.add_argument("--limit", type=_limit, default=20, help="calls to show (default 20)")
    _json_flag(listing)
    listing.set_defaults(handler=commands.list_calls)

    show = sub.add_parser("show", parents=after, help="one call's details")
    show.add_argument("call_id", metavar="ID")
    _json_flag(show)
    show.set_defaults(handler=commands.show_call)

    transcript = sub.add_parser("transcript", parents=after, help="one call's transcript")
    transcript.add_argument("call_id", metavar="ID")
    transcript.add_argument(
        "--format",
        choices=("text", "vtt", "turns"),
        default="text",
        help="text (readable), vtt (WebVTT captions) or turns (JSON)",
    )
    transcript.set_defaults(handler=commands.show_transcript)

    recording = sub.add_parser("recording", parents=after, help="download a call's recording")
    recording.add_argument("call_id", metavar="ID")
    recording.add_argument("--out", required=True, type=Path, metavar="FILE")
    recording.set_defaults(handler=commands.download_recording)

    export = sub.add_parser("export", parents=after, help="export calls to a CSV or JSON file")
    _filters(export)
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--out", required=True, metavar="FILE", help="a file, or - for stdout")
    export.set_defaults(handler=commands.export_calls)

    dial = sub.add_parser("dial", parents=after, help="place one outbound call")
    dial.add_argument("to_number", metavar="+E164")
    dial.add_argument("--from", dest="from_number", metavar="E164", help="caller ID")
    dial.add_argument("--agent", metavar="AGENT_ID", help="the agent that takes the call")
    _json_flag(dial)
    dial.set_defaults(handler=commands.dial)

    batch = sub.add_parser(
        "batch", parents=after, help="dial every number of a CSV file, following the batch"
    )
    batch.add_argument("numbers", type=Path, metavar="numbers.csv")
    batch.add_argument("--from", dest="from_number", metavar="E164", help="caller ID")
    batch.add_argument("--agent", metavar="AGENT_ID", help="the agent that takes the calls")
    batch.add_argument("--dry-run", action="store_true", help="say what would be dialed")
    batch.add_argument("--no-wait", action="store_true", help="queue the batch and return")
    batch.add_argument(
        "--timeout",
        type=_limit,
        metavar="SECONDS",
        help="stop following after this long (exit 1; the batch carries on)",
    )
    _json_flag(batch)
    batch.set_defaults(handler=commands.batch)


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree (`admin` is listed here and handed to its own parser)."""
    parser = _Parser(
        prog="dialtone",
        description="Dialtone Calls API from the command line.",
        parents=[_connection_options(suppress=False)],
    )
    groups = parser.add_subparsers(dest="group", metavar="GROUP", parser_class=_Parser)
    groups.required = True
    after = [_connection_options(suppress=True)]
    _calls_parser(groups, after)

    stats = groups.add_parser("stats", parents=after, help="call figures for a period")
    stats.add_argument("--since", type=_when, default=_when("30d"), help="default: 30d")
    stats.add_argument("--until", type=_when)
    stats.add_argument("--group-by", choices=GROUP_BY)
    _json_flag(stats)
    stats.set_defaults(handler=commands.stats)

    groups.add_parser(
        "admin",
        add_help=False,
        help="create tenants and manage API keys (AWS access to the accounts table)",
    )
    return parser


def _admin(argv: list[str]) -> int:
    # The admin command line ships with the API's own package (boto3 and all), which a user of
    # the SDK alone does not have: imported by name, only when asked for.
    try:
        admin_cli = importlib.import_module("dialtone.cli")
    except ImportError as error:
        missing = error.name in ("dialtone", "dialtone.cli")
        print(
            "dialtone: `dialtone admin` needs the dialtone package: "
            "run `pip install -e .` in the Dialtone repository"
            if missing
            else f"dialtone: `dialtone admin` cannot start: {error}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    code: int = admin_cli.main(argv)
    return code


def run(
    argv: Sequence[str],
    *,
    connect: Connect,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    environ: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> int:
    """Run one command and return its exit code; `connect` makes the SDK client."""
    args_list = list(argv)
    if args_list[:1] == ["admin"]:
        return _admin(args_list)
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        args = build_parser().parse_args(args_list)
        config = resolve(
            args.api_url, args.api_key, os.environ if environ is None else environ, cwd or Path()
        )
    except UsageError as error:
        print(str(error), file=err)
        return EXIT_USAGE
    except ConfigError as error:
        print(f"dialtone: {error}", file=err)
        return EXIT_USAGE
    except SystemExit as done:  # --help prints and exits 0
        return done.code if isinstance(done.code, int) else EXIT_OK
    ui = commands.Ui(stream=out, out=console(out), err=console(err))
    client = connect(config)
    try:
        return commands.execute(args.handler, client, args, ui, err)
    finally:
        client.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]) against the real API."""

    def connect(config: Config) -> Any:
        return Dialtone(api_key=config.api_key, base_url=config.api_url)

    return run(sys.argv[1:] if argv is None else argv, connect=connect)
