"""What the models of every domain are made of: the base model, timestamps, checks of the text
a client sends, and a call's directions, statuses and outcomes.

Apart from `dialtone.models` (the call and its transcript, history and recording) so that a
handler whose models are not the call's (agents, suppressions, webhooks) does not build those.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, cast

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, GetCoreSchemaHandler
from pydantic_core import CoreSchema, PydanticCustomError, core_schema


def format_timestamp(value: datetime) -> str:
    """ISO-8601 in UTC with a `Z`, the one timestamp format of the API."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class _SerializedAsTimestamp:
    """Serializes a date-time with `format_timestamp`, to a string (in Python and in JSON).

    What `PlainSerializer(format_timestamp, return_type=str)` does, with the same schemas, but
    without importing `pydantic.functional_serializers`, whose dataclasses take about 1.4 ms of
    every handler's cold start to make, for this one use."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        serialization = core_schema.plain_serializer_function_ser_schema(
            format_timestamp, return_schema=core_schema.str_schema()
        )
        return cast(CoreSchema, {**handler(source), "serialization": serialization})


Timestamp = Annotated[datetime, _SerializedAsTimestamp()]

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def refuse_unix_seconds(value: Any) -> Any:
    """A date-time given as a number: pydantic would read it as Unix seconds (`0.5` is a moment
    of 1970), where the contract's date-times are ISO-8601 text; refused as the wrong type."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.match(value.strip())):
        raise PydanticCustomError(
            "datetime_type", "Input should be an ISO-8601 date-time, like 2026-03-02T15:04:05Z"
        )
    return value


def within_utc_years(value: Any) -> Any:
    """A date-time whose offset takes it out of years 1-9999 in UTC (`0001-01-01T00:00:00+01:00`)
    cannot be stored or compared: refused as out of range rather than failing later."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        try:
            value.astimezone(UTC)
        except OverflowError:
            raise PydanticCustomError(
                "datetime_range", "Input should fall within the years 1 to 9999 in UTC"
            ) from None
    return value


# A date-time a client sends (query or body): ISO-8601 text only, within years 1-9999 in UTC.
IsoDateTime = Annotated[
    datetime, BeforeValidator(refuse_unix_seconds), AfterValidator(within_utc_years)
]


def date_only(value: Any) -> Any:
    """`YYYY-MM-DD` is a calendar day; anything else is parsed as an ISO-8601 date-time."""
    value = refuse_unix_seconds(value)
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


# A day or a moment a client sends in a query (`start_date`, `end_date`).
DateOrDateTime = Annotated[
    datetime | date, BeforeValidator(date_only), AfterValidator(within_utc_years)
]


def _not_blank(value: str) -> str:
    if not value:
        raise PydanticCustomError(
            "string_too_short", "String should have a character other than whitespace"
        )
    return value


def json_number(value: Any) -> Any:
    """A number as JSON has it: lax mode would read `true` as 1 and `"5"` as 5, values the
    contract's `number` and `integer` refuse."""
    if isinstance(value, bool | str | bytes):
        raise PydanticCustomError(
            "number_type",
            "Input should be a number, not {kind}",
            {"kind": "true or false" if isinstance(value, bool) else "text"},
        )
    return value


def json_boolean(value: Any) -> Any:
    """true or false as JSON has them: lax mode would read `1` or `"yes"` as true."""
    if value is not None and not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "Input should be true or false")
    return value


# A number, an integer and a flag a client sends in a body: of JSON's own types only. The
# optional ones check outside the union, so that a field's `ge`/`le` still reach its number.
Number = Annotated[float, BeforeValidator(json_number)]
Integer = Annotated[int, BeforeValidator(json_number)]
Flag = Annotated[bool, BeforeValidator(json_boolean)]
OptionalNumber = Annotated[float | None, BeforeValidator(json_number)]
OptionalInteger = Annotated[int | None, BeforeValidator(json_number)]
OptionalFlag = Annotated[bool | None, BeforeValidator(json_boolean)]


# Free text a client sends is checked as sent (its `max_length` is the contract's), then kept
# without its surrounding whitespace (`TRIMMED`): trimming first would take text longer than
# the contract allows. `NOT_BLANK`, after it, refuses text that was only whitespace.
TRIMMED = AfterValidator(str.strip)
NOT_BLANK = AfterValidator(_not_blank)


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    WEB = "web"
    MIC = "mic"


def _widget_is_web(value: Any) -> Any:
    return Direction.WEB if isinstance(value, str) and value.strip().lower() == "widget" else value


DirectionIn = Annotated[Direction, BeforeValidator(_widget_is_web)]
"""A direction as a client may send it: `widget` (the graded-calls document's name) is `web`."""


class CallStatus(StrEnum):
    QUEUED = "queued"
    INITIATED = "initiated"
    RINGING = "ringing"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    FAILED = "failed"
    CANCELED = "canceled"


class CallOutcome(StrEnum):
    RESOLVED = "resolved"
    UNRESOLVED = "unresolved"
    ESCALATED = "escalated"
    TRANSFERRED = "transferred"
    VOICEMAIL = "voicemail"
    ABANDONED = "abandoned"
    ERROR = "error"


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


class TranscriptFormat(StrEnum):
    EXCHANGES = "exchanges"
    TURNS = "turns"
    VTT = "vtt"


class ApiModel(BaseModel):
    # Schemas are built on first use: a handler pays only for the models it touches.
    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)


# Where a call's status may go next: forward only, never out of a final status.
STATUS_RANK = {
    CallStatus.QUEUED: 0,
    CallStatus.INITIATED: 1,
    CallStatus.RINGING: 2,
    CallStatus.IN_PROGRESS: 3,
    CallStatus.COMPLETED: 4,
    CallStatus.BUSY: 4,
    CallStatus.NO_ANSWER: 4,
    CallStatus.FAILED: 4,
    CallStatus.CANCELED: 4,
}
FINAL_STATUSES = frozenset(s for s, rank in STATUS_RANK.items() if rank == 4)


# The batch counter each status counts under.
BATCH_BUCKET = {
    CallStatus.QUEUED: "queued",
    CallStatus.INITIATED: "initiated",
    CallStatus.RINGING: "initiated",
    CallStatus.IN_PROGRESS: "initiated",
    CallStatus.COMPLETED: "completed",
    CallStatus.BUSY: "failed",
    CallStatus.NO_ANSWER: "failed",
    CallStatus.FAILED: "failed",
    CallStatus.CANCELED: "canceled",
}
