"""The rules of what the voice runtime may send (dialtone.ingest request models)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from dialtone.ingest import CallUpdate, EventIn, EventsRequest, ExchangesRequest


def errors(model: type[Any], data: Any) -> str:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(data)
    return " | ".join(f"{e['loc']}: {e['msg']}" for e in raised.value.errors())


# Call updates


def test_an_update_with_start_and_end_times_is_valid() -> None:
    update = CallUpdate.model_validate(
        {"start_time": "2026-03-10T12:00:00Z", "end_time": "2026-03-10T12:05:00Z"}
    )
    assert update.end_time == datetime(2026, 3, 10, 12, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("sent", "utc"),
    [
        ("2026-03-10T13:00:00+01:00", datetime(2026, 3, 10, 12, 0, tzinfo=UTC)),
        ("2026-03-10T07:00:00-05:00", datetime(2026, 3, 10, 12, 0, tzinfo=UTC)),
        ("2026-03-10T12:00:00", datetime(2026, 3, 10, 12, 0, tzinfo=UTC)),
    ],
)
def test_times_are_kept_in_utc(sent: str, utc: datetime) -> None:
    update = CallUpdate.model_validate({"start_time": sent})
    # The same moment compares equal in any zone: the written form tells the zone.
    assert update.start_time is not None
    assert update.start_time.isoformat() == utc.isoformat()


@pytest.mark.parametrize(
    "data",
    [
        {"metadata": {"x": math.nan}},
        {"metadata": {"x": math.inf}},
        {"metadata": {"nested": [{"x": -math.inf}]}},
        {"provider_usage": {"tokens": 10**40}},
        {"metadata": {"x": 1e-200}},
        {"cost": {"total": math.nan}},
        {"latency": {"e2e": {"p50": math.inf}}},
    ],
)
def test_numbers_dynamodb_cannot_store_are_refused(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as raised:
        CallUpdate.model_validate(data)
    assert [e["type"] for e in raised.value.errors()] == ["not_storable"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"issue_count": 1}, "issue_count is set by the API and cannot be written"),
        (
            {"recording_url": "x", "created_at": "2026-01-01T00:00:00Z"},
            "created_at, recording_url are set by the API and cannot be written",
        ),
        ({"status": "queued"}, "queued is set by the API"),
        ({"colour": "blue"}, "Extra inputs are not permitted"),
        ({"from_number": "415 555 0123"}, "must be an E.164 number"),
    ],
)
def test_what_the_runtime_may_not_write_is_named(data: dict[str, Any], message: str) -> None:
    assert message in errors(CallUpdate, data)


# Exchanges and events


def test_one_exchange_or_one_event_is_a_list_of_one() -> None:
    exchanges = ExchangesRequest.model_validate({"sequence_number": 3, "user_transcript": "hi"})
    events = EventsRequest.model_validate({"type": "interrupt", "timestamp": "2026-03-10T12:00Z"})
    assert [e.sequence_number for e in exchanges.exchanges] == [3]
    assert [e.type.value for e in events.events] == ["interrupt"]


def test_an_event_without_an_id_is_named_by_its_content() -> None:
    # Given: the same event written two ways, and a different one
    one = EventIn.model_validate(
        {"type": "completion", "text": "Hi", "timestamp": "2026-03-10T12:00:00Z", "ttfb_ms": 300}
    )
    same = EventIn.model_validate(
        {
            "ttfb_ms": 300.0,
            "timestamp": "2026-03-10T13:00:00+01:00",
            "text": "Hi",
            "type": "completion",
        }
    )
    other = EventIn.model_validate(
        {"type": "completion", "text": "Hi!", "timestamp": "2026-03-10T12:00:00Z", "ttfb_ms": 300}
    )

    # Then: the same content has the same id, other content another
    assert one.to_event().event_id == same.to_event().event_id
    assert one.to_event().event_id != other.to_event().event_id
    assert len(one.to_event().event_id) == 32


def test_an_event_id_that_is_sent_is_kept() -> None:
    event = EventIn.model_validate(
        {"event_id": "evt-7", "type": "started", "timestamp": "2026-03-10T12:00:00Z"}
    )
    assert event.to_event().event_id == "evt-7"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "span", "status": "completed"}, "status is only for an ended event"),
        ({"type": "ended", "status": "ringing"}, "must be a final status"),
        ({"type": "completion", "outcome": "resolved"}, "outcome is only for lifecycle events"),
        ({"type": "span", "attributes": {"blob": "x" * 9000}}, "at most 8 KB of JSON"),
        ({"type": "span", "event_id": "has space"}, "String should match pattern"),
    ],
)
def test_event_rules(data: dict[str, Any], message: str) -> None:
    assert message in errors(EventIn, {"timestamp": "2026-03-10T12:00:00Z", **data})


@pytest.mark.parametrize("status", ["completed", "busy", "no_answer", "failed", "canceled"])
def test_an_ended_event_may_carry_any_final_status(status: str) -> None:
    event = EventIn.model_validate(
        {"type": "ended", "status": status, "timestamp": "2026-03-10T12:00:00Z"}
    )
    assert event.status is not None
    assert event.status.value == status


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (CallUpdate, {"start_time": "0001-01-01T00:00:00+05:00"}),  # before year 1 in UTC
        (CallUpdate, {"end_time": "9999-12-31T23:00:00-05:00"}),  # after year 9999 in UTC
        (CallUpdate, {"start_time": "1969-12-31T23:59:59Z"}),
        (CallUpdate, {"end_time": "2100-01-01T00:00:00Z"}),
        (ExchangesRequest, {"sequence_number": 0, "exchange_timestamp": "0001-01-01T00:00:00"}),
        (EventsRequest, {"type": "span", "timestamp": "9999-12-31T23:59:59Z"}),
    ],
)
def test_a_moment_outside_1970_to_2099_is_refused(model: type[Any], data: dict[str, Any]) -> None:
    assert "must be a moment from 1970 to 2099" in errors(model, data)


def test_the_first_and_last_moments_allowed_are_kept() -> None:
    update = CallUpdate.model_validate(
        {"start_time": "1970-01-01T00:00:00Z", "end_time": "2099-12-31T23:59:59-00:00"}
    )
    assert (update.start_time, update.end_time) == (
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC),
    )


def test_attributes_cannot_hide_the_size_of_arguments_and_result() -> None:
    # 5 KB of arguments and 5 KB of result: over the 8 KB of an event, whatever attributes say
    data = {
        "type": "function_call",
        "timestamp": "2026-03-10T12:00:00Z",
        "arguments": {"query": "x" * 5000},
        "result": "y" * 5000,
        "attributes": {"arguments": None, "result": None},
    }
    assert "at most 8 KB of JSON" in errors(EventIn, data)


def test_a_request_holds_at_most_262144_characters_of_text_in_all() -> None:
    # 40 exchanges of 2 x 4,000 characters: each within its limit, 320,000 characters in all
    exchanges = [
        {"sequence_number": n, "user_transcript": "a" * 4000, "agent_response": "b" * 4000}
        for n in range(40)
    ]
    assert "at most 262,144 characters of text in all" in errors(
        ExchangesRequest, {"exchanges": exchanges}
    )
    assert len(ExchangesRequest.model_validate({"exchanges": exchanges[:32]}).exchanges) == 32
    events = [
        {
            "type": "span",
            "timestamp": "2026-03-10T12:00:00Z",
            "text": "t" * 4000,
            "event_id": f"e{n}",
        }
        for n in range(70)
    ]
    assert "at most 262,144 characters of text in all" in errors(EventsRequest, {"events": events})
    assert len(EventsRequest.model_validate({"events": events[:60]}).events) == 60
