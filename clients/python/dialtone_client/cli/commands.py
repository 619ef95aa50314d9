"""What each command does with the SDK client, and how its failures become exit codes."""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

from dialtone_client import DialtoneError
from dialtone_client.cli.codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE, for_status
from dialtone_client.cli.render import (
    calls_table,
    fields_table,
    plain,
    print_json,
    stats_tables,
)

# A page of the list holds at most this many calls; longer lists follow the cursor.
PAGE_LIMIT = 100
_NUMBER_COLUMNS = ("to_number", "phone_number", "number", "phone", "to")


class InputError(Exception):
    """A file the user named cannot be used (exit 2, like bad arguments)."""


@dataclass(frozen=True)
class Ui:
    """Where output goes: `stream` for JSON and text, `out` for tables, `err` for progress."""

    stream: TextIO
    out: Console
    err: Console


Handler = Callable[[Any, argparse.Namespace, Ui], None]


def execute(handler: Handler, client: Any, args: argparse.Namespace, ui: Ui, err: TextIO) -> int:
    """Run a command; every failure is one line on stderr and an exit code, never a traceback."""
    try:
        handler(client, args, ui)
    except DialtoneError as error:
        prefix = f"{error.status_code} " if error.status_code else ""
        print(f"dialtone: {prefix}{_one_line(error.detail or str(error))}", file=err)
        return for_status(error.status_code)
    except TimeoutError as error:  # --timeout: the batch carries on without us
        print(f"dialtone: {_one_line(error)}; it carries on", file=err)
        return EXIT_FAILED
    except InputError as error:
        print(f"dialtone: {error}", file=err)
        return EXIT_USAGE
    except OSError as error:  # the output file cannot be written
        print(f"dialtone: {error.strerror or error}: {error.filename or ''}".rstrip(": "), file=err)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("dialtone: interrupted", file=err)
        return 130
    return EXIT_OK


def _one_line(detail: Any) -> str:
    """422 bodies list their issues: `field: message; field: message`."""
    if isinstance(detail, list):
        parts = []
        for issue in detail:
            if isinstance(issue, Mapping):
                where = ".".join(str(p) for p in issue.get("loc", ()) if p not in ("body", "query"))
                parts.append(f"{where}: {issue.get('msg')}" if where else str(issue.get("msg")))
            else:
                parts.append(str(issue))
        return "; ".join(parts)
    return " ".join(str(detail).split())


def filters(args: argparse.Namespace) -> dict[str, Any]:
    """The list filters the command line names, as the SDK's keyword arguments."""
    named = {
        "start_date": args.since,
        "end_date": args.until,
        "status": args.status,
        "direction": args.direction,
        "agent_id": args.agent,
    }
    return {name: value for name, value in named.items() if value is not None}


# calls list / show


def list_calls(client: Any, args: argparse.Namespace, ui: Ui) -> None:
    """The latest calls, newest first, as a table or a JSON array."""
    total: int | None = None
    if args.limit <= PAGE_LIMIT:
        page = plain(client.get_calls(limit=args.limit, **filters(args)))
        calls = page["calls"]
        total = page.get("total")
    else:
        calls = [plain(call) for call in islice(client.iter_calls(**filters(args)), args.limit)]
    if args.json:
        print_json(calls, ui.stream)
        return
    caption = f"{len(calls)} of {total} calls" if total is not None else f"{len(calls)} calls"
    ui.out.print(calls_table(calls, caption=caption))


def show_call(client: Any, args: argparse.Namespace, ui: Ui) -> None:
    """One call's fields."""
    call = plain(client.get_call(args.call_id))
    if args.json:
        print_json(call, ui.stream)
    else:
        ui.out.print(fields_table(call))


# calls transcript


def show_transcript(client: Any, args: argparse.Namespace, ui: Ui) -> None:
    """The transcript as readable lines, WebVTT, or the API's turns as JSON."""
    if args.format == "vtt":
        vtt = client.get_transcript(args.call_id, format="vtt")
        ui.stream.write(vtt if isinstance(vtt, str) else plain(vtt))
        return
    turns = plain(client.get_transcript(args.call_id, format="turns"))["turns"]
    if args.format == "turns":
        print_json(turns, ui.stream)
        return
    for line in transcript_lines(turns):
        ui.stream.write(line + "\n")


def transcript_lines(turns: list[Mapping[str, Any]]) -> Iterator[str]:
    """`[mm:ss] role: text`, one line per turn."""
    for turn in turns:
        start = turn.get("start_ms")
        clock = f"[{start // 60000:02d}:{start // 1000 % 60:02d}] " if start is not None else ""
        speaker = turn.get("name") or turn.get("role")
        yield f"{clock}{speaker}: {' '.join(str(turn.get('content', '')).split())}"


# calls recording / export


def download_recording(client: Any, args: argparse.Namespace, ui: Ui) -> None:
    """Stream the recording to --out with a progress bar on stderr."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=ui.err,
        transient=True,
    ) as progress:
        task = progress.add_task(f"recording {args.call_id}", total=None)

        def advance(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total)

        client.download_recording(args.call_id, args.out, progress=advance)
    size = args.out.stat().st_size
    ui.out.print(f"wrote {args.out} ({size:,} bytes)")


def export_calls(client: Any, args: argparse.Namespace, ui: Ui) -> None:
    """Every call the filters select, as CSV or JSON, to a file or stdout."""
    data: bytes = client.export_calls(args.format, **filters(args))
    if args.out == "-":
        ui.stream.write(data.decode())
        return
    Path(args.out).write_bytes(data)
    ui.out.print(f"wrote {args.out} ({len(data):,} bytes, {args.format})")


# calls dial / batch


def dial(client: Any, args: argparse.Namespace, ui: Ui) -> None:
    """Queue one outbound call and say its id."""
    accepted = plain(
        client.create_call(args.to_number, from_number=args.from_number, agent_id=args.agent)
    )
    if args.json:
        print_json(accepted, ui.stream)
    else:
        ui.out.print(f"{accepted['call_id']}  {accepted.get('status') or 'queued'}")


def read_numbers(path: Path) -> list[str]:
    """The numbers of a CSV file: its number column if it has a header, else the first column."""
    try:
        rows = [row for row in csv.reader(path.read_text().splitlines()) if any(row)]
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a text CSV file") from None
    column = 0
    header = [name.strip().lower() for name in rows[0]] if rows else []
    if header and not any(ch.isdigit() for ch in header[0]):
        rows = rows[1:]
        column = next((header.index(n) for n in _NUMBER_COLUMNS if n in header), 0)
    numbers = [row[column].strip() for row in rows if len(row) > column and row[column].strip()]
    if not numbers:
        raise InputError(f"{path} holds no phone numbers")
    return numbers


def batch(client: Any, args: argparse.Namespace, ui: Ui) -> None:
    """Queue a batch from a CSV file and follow it as it drains at the dial rate."""
    numbers = read_numbers(args.numbers)
    options = {"from_number": args.from_number, "agent_id": args.agent}
    if args.dry_run:
        answer = merge_dry_runs([plain(part) for part in client.dry_run_batch(numbers, **options)])
        if args.json:
            print_json(answer, ui.stream)
        else:
            ui.out.print(fields_table(dry_run_fields(answer)))
        return
    # The SDK sends more than 1,000 numbers as several batches: they are followed together.
    accepted = [plain(part) for part in client.create_batch(numbers, **options)]
    if args.no_wait:
        _print_batches(accepted, args.json, ui)
        return
    ids = ", ".join(part["batch_id"] for part in accepted)
    ui.err.print(f"batch {ids}: {sum(part['total'] for part in accepted)} calls queued")
    _print_batches(_follow(client, accepted, ui, args.timeout), args.json, ui)


def _follow(
    client: Any, accepted: list[dict[str, Any]], ui: Ui, timeout: int | None
) -> list[dict[str, Any]]:
    """Wait for each batch with one progress bar: calls dialed (no longer queued) of all."""
    deadline = None if timeout is None else time.monotonic() + timeout
    latest = {part["batch_id"]: {**part, "queued": part["total"]} for part in accepted}
    finals = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=ui.err,
    ) as progress:
        task = progress.add_task("dialing", total=sum(part["total"] for part in accepted))

        def advance(status: Any) -> None:
            figures = plain(status)
            latest[figures["batch_id"]] = figures
            seen = list(latest.values())
            progress.update(
                task,
                completed=sum(part["total"] - part.get("queued", 0) for part in seen),
                description=batch_line(seen),
            )

        for part in accepted:
            left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            finals.append(
                plain(client.wait_for_batch(part["batch_id"], timeout=left, progress=advance))
            )
    return finals


def batch_line(batches: Sequence[Mapping[str, Any]]) -> str:
    """`queued 3 initiated 1 completed 5 failed 0 canceled 0`, over every batch."""
    names = ("queued", "initiated", "completed", "failed", "canceled")
    return " ".join(f"{name} {sum(part.get(name, 0) for part in batches)}" for name in names)


def _print_batches(batches: list[dict[str, Any]], as_json: bool, ui: Ui) -> None:
    if as_json:
        print_json(batches[0] if len(batches) == 1 else batches, ui.stream)
        return
    for part in batches:
        ui.out.print(fields_table({key: value for key, value in part.items() if key != "calls"}))


def merge_dry_runs(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One answer for the chunks of a long list: counts added, number lists joined."""
    merged: dict[str, Any] = {"will_dial": 0, "skipped": {}, "deferred": {}}
    for part in parts:
        merged["will_dial"] += part.get("will_dial", 0)
        for group in ("skipped", "deferred"):
            for reason, numbers in (part.get(group) or {}).items():
                merged[group].setdefault(reason, []).extend(numbers)
    return merged


def dry_run_fields(answer: Mapping[str, Any]) -> dict[str, Any]:
    """`will_dial 2`, `skipped duplicate 1 (+1415...)`, one line per reason."""
    fields: dict[str, Any] = {"will_dial": answer.get("will_dial", 0)}
    for group in ("skipped", "deferred"):
        for reason, numbers in sorted((answer.get(group) or {}).items()):
            shown = ", ".join(numbers[:3]) + (", ..." if len(numbers) > 3 else "")
            fields[f"{group} {reason}"] = f"{len(numbers)} ({shown})" if numbers else "0"
    return fields


# stats


def stats(client: Any, args: argparse.Namespace, ui: Ui) -> None:
    """The period's figures, grouped when asked."""
    options = {"start_date": args.since, "end_date": args.until, "group_by": args.group_by}
    figures = plain(client.stats(**{k: v for k, v in options.items() if v is not None}))
    if args.json:
        print_json(figures, ui.stream)
        return
    for table in stats_tables(figures):
        ui.out.print(table)
