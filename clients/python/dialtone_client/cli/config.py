"""Where the command line finds the API: flags, then the environment, then `make dev`'s file."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ENV_URL = "DIALTONE_API_URL"
ENV_KEY = "DIALTONE_API_KEY"
LOCAL_FILE = Path(".dialtone") / "local.json"

_AGE = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class ConfigError(Exception):
    """Missing or unreadable configuration: the user must say where the API is."""


@dataclass(frozen=True)
class Config:
    """The API to talk to, and where each value came from (shown by error messages)."""

    api_url: str
    api_key: str
    source: str


def find_local_file(start: Path) -> Path | None:
    """`.dialtone/local.json` in `start` or the nearest parent that has one."""
    for folder in (start, *start.parents):
        candidate = folder / LOCAL_FILE
        if candidate.is_file():
            return candidate
    return None


def _read_local(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} is not a JSON object")
    return data


def resolve(
    api_url: str | None,
    api_key: str | None,
    environ: dict[str, str] | os._Environ[str],
    cwd: Path,
) -> Config:
    """Each value from its flag, else the environment, else `.dialtone/local.json`."""
    url = api_url or environ.get(ENV_URL)
    key = api_key or environ.get(ENV_KEY)
    source = "flags/environment"
    if not (url and key):
        path = find_local_file(cwd)
        local = _read_local(path)
        url = url or local.get("api_url")
        key = key or local.get("api_key")
        if path is not None:
            source = str(path)
    if not url:
        raise ConfigError(
            f"no API URL: pass --api-url, set {ENV_URL}, or run `make dev` (it writes {LOCAL_FILE})"
        )
    if not key:
        raise ConfigError(
            f"no API key: pass --api-key, set {ENV_KEY}, or run `make dev` (it writes {LOCAL_FILE})"
        )
    return Config(api_url=str(url).rstrip("/"), api_key=str(key), source=source)


def parse_when(text: str, now: datetime | None = None) -> datetime | date:
    """`7d`/`12h`/`30m`/`2w` ago, or an ISO date or date-time (UTC when it names no offset)."""
    value = text.strip()
    age = _AGE.match(value)
    if age:
        amount, unit = age.groups()
        moment = (now or datetime.now(UTC)) - timedelta(**{_UNITS[unit]: int(amount)})
        return moment.replace(microsecond=0)
    if len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r} is neither an age (7d, 12h, 30m, 2w) nor an ISO date or date-time"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
