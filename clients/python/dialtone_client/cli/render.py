"""How results look: rich tables for people, plain JSON for programs."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from rich import box
from rich.console import Console
from rich.table import Table

# The list's columns: (heading, field of a call).
CALL_COLUMNS = (
    ("ID", "id"),
    ("CREATED", "created_at"),
    ("DIRECTION", "direction"),
    ("STATUS", "status"),
    ("OUTCOME", "outcome"),
    ("TO", "to_number"),
    ("FROM", "from_number"),
    ("DURATION", "duration_seconds"),
    ("AGENT", "agent_name"),
)
# `calls show` leaves these to --json: long, nested or internal.
_SHOW_LATER = {"metadata", "analysis", "latency", "cost", "provider_usage"}


def plain(value: Any) -> Any:
    """A result of the SDK as JSON-ready data, whatever model class carries it."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", exclude_none=False)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def print_json(value: Any, stream: TextIO) -> None:
    """JSON on its own, uncoloured, so it pipes into jq."""
    stream.write(json.dumps(plain(value), indent=2, default=str) + "\n")


def cell(value: Any) -> str:
    """One table cell: '-' for nothing, numbers trimmed, timestamps to the second."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, Mapping | list):
        return json.dumps(value, separators=(",", ":"), default=str)
    text = str(value)
    # 2026-12-05T10:50:06.123456+00:00 -> 2026-12-05 10:50:06
    if len(text) >= 19 and text[4] == "-" and text[10] == "T":
        return text[:10] + " " + text[11:19]
    return text


def calls_table(calls: Iterable[Mapping[str, Any]], caption: str | None = None) -> Table:
    """One row per call."""
    table = Table(caption=caption, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    for heading, _ in CALL_COLUMNS:
        table.add_column(heading, no_wrap=heading in {"ID", "CREATED", "TO", "FROM"})
    for call in calls:
        table.add_row(*(cell(call.get(field)) for _, field in CALL_COLUMNS))
    return table


def fields_table(fields: Mapping[str, Any]) -> Table:
    """A record as `name  value` lines, leaving out what is empty or only in --json."""
    table = Table(show_header=False, show_edge=False, box=None, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for name, value in fields.items():
        if value is not None and name not in _SHOW_LATER:
            table.add_row(name, cell(value))
    return table


def stats_tables(stats: Mapping[str, Any]) -> list[Table | str]:
    """The period, its summary, then one row per group when grouped."""
    summary = stats.get("summary") or {}
    period = f"{cell(stats.get('start'))} to {cell(stats.get('end'))}"
    head = Table(show_header=False, show_edge=False, box=None, pad_edge=False)
    head.add_column(style="bold")
    head.add_column(justify="right")
    for name in (
        "calls",
        "answer_rate",
        "success_rate",
        "escalation_rate",
        "average_handle_time_seconds",
        "duration_p50_seconds",
        "duration_p95_seconds",
        "cost_total",
    ):
        head.add_row(name, cell(summary.get(name)))
    for name, count in sorted((summary.get("by_status") or {}).items()):
        head.add_row(f"status {name}", cell(count))
    tables: list[Table | str] = [period, head]
    groups = stats.get("groups") or []
    if groups:
        tables.append(_groups_table(str(stats.get("group_by") or "group"), groups))
    return tables


def _groups_table(group_by: str, groups: Iterable[Mapping[str, Any]]) -> Table:
    table = Table(header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(group_by.upper(), no_wrap=True)
    for heading in ("CALLS", "COMPLETED", "ANSWER RATE", "P50 DURATION", "COST"):
        table.add_column(heading, justify="right")
    for group in groups:
        figures = group.get("stats") or {}
        table.add_row(
            cell(group.get("key")),
            cell(figures.get("calls")),
            cell((figures.get("by_status") or {}).get("completed", 0)),
            cell(figures.get("answer_rate")),
            cell(figures.get("duration_p50_seconds")),
            cell(figures.get("cost_total")),
        )
    return table


def console(stream: TextIO) -> Console:
    """A console on `stream`; colours only on a terminal (rich decides). Piped or redirected
    tables get 200 columns (or $COLUMNS) rather than rich's 80, so ids are not cut."""
    width = None
    if not stream.isatty() and not os.environ.get("COLUMNS"):
        width = 200
    return Console(file=stream, width=width, highlight=False, soft_wrap=False)
