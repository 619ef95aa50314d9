"""The filters of a list of calls (`GET /v1/calls`, and the export and stats that take the same
parameters): the query parameters, and the normalised filters they become.

Apart from `dialtone.calls` so that the stats take them without the call routes' reading rules
and response models.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from dialtone import phones
from dialtone.errors import InvalidParameter
from dialtone.model_types import CallOutcome, CallStatus, DateOrDateTime, DirectionIn

if TYPE_CHECKING:
    from dialtone import listing

_CALL_ID_FRAGMENT = re.compile(r"^[0-9a-f-]{4,36}$")


class CallFilterParams(BaseModel):
    """The filters of `GET /v1/calls`, shared by the export; unknown parameters are ignored."""

    model_config = ConfigDict(defer_build=True, extra="ignore", frozen=True)

    start_date: DateOrDateTime | None = None
    end_date: DateOrDateTime | None = None
    direction: DirectionIn | None = None
    status: CallStatus | None = None
    outcome: CallOutcome | None = None
    agent_id: str | None = Field(default=None, min_length=1, max_length=128)
    batch_id: str | None = Field(default=None, min_length=1, max_length=128)
    from_number: phones.PhoneText | None = None
    to_number: phones.PhoneText | None = None
    phone_number: phones.PhoneText | None = None
    search: str | None = Field(default=None, max_length=64)
    is_test_call: bool | None = None


def _instant(value: datetime | date, end_of_day: bool) -> datetime:
    """A UTC instant; a bare date means its first (or, for an end bound, its last) moment."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    moment = time.max if end_of_day else time.min
    return datetime.combine(value, moment, tzinfo=UTC)


def _phone(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return phones.to_e164(value)
    except ValueError as error:
        raise InvalidParameter(("query", name), f"{name} {error}") from error


def build_filters(params: CallFilterParams) -> listing.CallFilters:
    """Interpret and normalise list parameters; InvalidParameter (422) names a bad one."""
    from dialtone import listing

    start = _instant(params.start_date, end_of_day=False) if params.start_date else None
    end = _instant(params.end_date, end_of_day=True) if params.end_date else None
    if start and end and start > end:
        raise InvalidParameter(("query", "end_date"), "end_date must not be before start_date")
    phone_number = _phone("phone_number", params.phone_number)
    call_id_prefix = None
    if params.search is not None and params.search.strip():
        text = params.search.strip()
        if phones.looks_like_phone(text):
            searched = _phone("search", text)
            if phone_number and searched != phone_number:
                # Both must hold: no call has two different remote numbers on one side each.
                raise InvalidParameter(("query", "search"), "search and phone_number disagree")
            phone_number = searched
        else:
            fragment = text.lower()
            if not _CALL_ID_FRAGMENT.match(fragment):
                raise InvalidParameter(
                    ("query", "search"),
                    "search must be a phone number (+ and country code) "
                    "or at least 4 characters of a call id",
                )
            call_id_prefix = fragment
    return listing.CallFilters(
        start=start,
        end=end,
        direction=params.direction,
        status=params.status,
        outcome=params.outcome,
        agent_id=params.agent_id,
        batch_id=params.batch_id,
        from_number=_phone("from_number", params.from_number),
        to_number=_phone("to_number", params.to_number),
        phone_number=phone_number,
        call_id_prefix=call_id_prefix,
        is_test_call=params.is_test_call,
    )
