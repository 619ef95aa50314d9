"""Transcripts as the graded-calls document gives them: tool use woven into the turns, `patch`
history events, and `widget` as a name of the `web` direction, through the handlers on moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone.auth import Scope
from tests import call_routes as routes
from tests.call_routes import body, call_route

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def at(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def create_call(tenant: Any, **fields: Any) -> str:
    return routes.create_call(tenant, **{"start_time": at(0), **fields})


def ingest(tenant: Any, function: str, route: str, call_id: str, payload: Any) -> dict[str, Any]:
    return call_route(function, route, call_id, tenant.authorizer(Scope.CALLS_INGEST), payload)


def send_events(tenant: Any, call_id: str, *events: dict[str, Any]) -> dict[str, Any]:
    route = "POST /v1/calls/{call_id}/events"
    return ingest(tenant, "append_call_events", route, call_id, {"events": list(events)})


def send_exchanges(tenant: Any, call_id: str, *exchanges: dict[str, Any]) -> None:
    route = "POST /v1/calls/{call_id}/exchanges"
    payload = {"exchanges": list(exchanges)}
    result = ingest(tenant, "append_call_exchanges", route, call_id, payload)
    assert result["statusCode"] == 200, result["body"]


def read(tenant: Any, function: str, suffix: str, call_id: str, **query: str) -> dict[str, Any]:
    route = f"GET /v1/calls/{{call_id}}{suffix}"
    authorizer = tenant.authorizer(Scope.CALLS_READ)
    return call_route(function, route, call_id, authorizer, query=query or None)


def turns(tenant: Any, call_id: str) -> list[dict[str, Any]]:
    result = read(tenant, "get_call_transcript", "/transcript", call_id, format="turns")
    assert result["statusCode"] == 200, result["body"]
    found: list[dict[str, Any]] = body(result)["turns"]
    return found


def history(tenant: Any, call_id: str) -> list[dict[str, Any]]:
    result = read(tenant, "get_call_history", "/history", call_id)
    assert result["statusCode"] == 200, result["body"]
    events: list[dict[str, Any]] = body(result)["events"]
    return events


def order_lookup(tenant: Any) -> str:
    """A call where the caller asks for an order, the agent looks it up with a tool, and
    answers: two exchanges, a function call and its response in between."""
    call_id = create_call(tenant)
    send_exchanges(
        tenant,
        call_id,
        {"sequence_number": 0, "user_transcript": "Where is order 42?",
         "agent_response": "Let me check.", "user_start_ms": 0, "user_end_ms": 2000,
         "agent_start_ms": 2500, "agent_end_ms": 3500},
        {"sequence_number": 1, "agent_response": "It ships tomorrow.",
         "agent_start_ms": 6000, "agent_end_ms": 8000},
    )  # fmt: skip
    result = send_events(
        tenant,
        call_id,
        {"event_id": "fc-1", "type": "function_call", "timestamp": at(4), "name": "get_order",
         "arguments": {"order_id": 42}, "duration_ms": 300},
        {"event_id": "fr-1", "type": "function_response", "timestamp": at(4.5),
         "name": "get_order", "result": {"status": "packed"}, "duration_ms": 500},
        {"event_id": "llm-1", "type": "completion", "timestamp": at(5), "text": "ignored"},
    )  # fmt: skip
    assert result["statusCode"] == 200, result["body"]
    return call_id


def test_tool_use_is_woven_into_the_turns_in_time_order(tenant: Any) -> None:
    # Given: a call whose agent used a tool between two things it said
    call_id = order_lookup(tenant)

    # When: its transcript is read as turns
    got = turns(tenant, call_id)

    # Then: user, assistant, the tool call, the tool's answer, assistant, each at its offset
    assert got == [
        {"role": "user", "content_type": "text", "content": "Where is order 42?",
         "start_ms": 0, "end_ms": 2000},
        {"role": "assistant", "content_type": "text", "content": "Let me check.",
         "start_ms": 2500, "end_ms": 3500},
        {"role": "tool_call", "content_type": "function", "content": '{"order_id":42}',
         "start_ms": 4000, "end_ms": 4300, "name": "get_order"},
        {"role": "tool_response", "content_type": "function_response",
         "content": '{"status":"packed"}', "start_ms": 4500, "end_ms": 5000,
         "name": "get_order"},
        {"role": "assistant", "content_type": "text", "content": "It ships tomorrow.",
         "start_ms": 6000, "end_ms": 8000},
    ]  # fmt: skip


def test_captions_stay_speech_only(tenant: Any) -> None:
    # Given: the call with its tool use
    call_id = order_lookup(tenant)

    # When: its captions are read
    result = read(tenant, "get_call_transcript", "/transcript", call_id, format="vtt")

    # Then: three cues, what was said, none for the tool
    assert result["body"].count(" --> ") == 3
    assert "order_id" not in result["body"]
    assert "<v Agent>It ships tomorrow." in result["body"]


def test_a_patch_corrects_an_earlier_event_in_history_and_turns(tenant: Any) -> None:
    # Given: the call with its tool use
    call_id = order_lookup(tenant)

    # When: a patch corrects the tool's answer
    result = send_events(
        tenant,
        call_id,
        {"event_id": "patch-1", "type": "patch", "timestamp": at(9),
         "target_event_id": "fr-1", "changes": {"result": {"status": "shipped"}}},
    )  # fmt: skip

    # Then: it is stored
    assert result["statusCode"] == 200, result["body"]
    assert body(result)["stored"] == 1
    # And: the history shows the corrected event, marked, and the patch itself
    events = {event["event_id"]: event for event in history(tenant, call_id)}
    assert events["fr-1"]["result"] == {"status": "shipped"}
    assert events["fr-1"]["patched_by"] == ["patch-1"]
    assert events["fr-1"]["name"] == "get_order"
    assert events["patch-1"]["type"] == "patch"
    assert events["patch-1"]["target_event_id"] == "fr-1"
    assert events["patch-1"]["changes"] == {"result": {"status": "shipped"}}
    assert "patched_by" not in events["fc-1"]
    # And: the turns show the corrected answer
    answer = next(t for t in turns(tenant, call_id) if t["role"] == "tool_response")
    assert answer["content"] == '{"status":"shipped"}'


def test_later_patches_win_and_a_patch_of_an_unknown_event_changes_nothing(tenant: Any) -> None:
    # Given: the call with its tool use
    call_id = order_lookup(tenant)

    # When: two patches change the tool call's arguments, and one targets no event
    send_events(
        tenant,
        call_id,
        {"event_id": "p-2", "type": "patch", "timestamp": at(11), "target_event_id": "fc-1",
         "changes": {"arguments": {"order_id": 44}}},
        {"event_id": "p-1", "type": "patch", "timestamp": at(10), "target_event_id": "fc-1",
         "changes": {"arguments": {"order_id": 43}, "duration_ms": 100}},
        {"event_id": "p-3", "type": "patch", "timestamp": at(12), "target_event_id": "nope",
         "changes": {"text": "x"}},
    )  # fmt: skip

    # Then: applied in time order; the patch of no event is kept but changes nothing
    events = {event["event_id"]: event for event in history(tenant, call_id)}
    assert events["fc-1"]["arguments"] == {"order_id": 44}
    assert events["fc-1"]["duration_ms"] == 100
    assert events["fc-1"]["patched_by"] == ["p-1", "p-2"]
    assert "p-3" in events


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"type": "patch", "changes": {"text": "x"}}, "target_event_id"),
        ({"type": "patch", "target_event_id": "fr-1"}, "target_event_id"),
        ({"type": "patch", "target_event_id": "fr-1", "changes": {}}, "target_event_id"),
        ({"type": "patch", "target_event_id": "fr-1", "changes": {"status": "failed"}}, "status"),
        ({"type": "span", "target_event_id": "fr-1"}, "only for a patch"),
        ({"type": "patch", "target_event_id": "fr-1", "changes": {"duration_ms": -1}}, "0"),
    ],
    ids=["no target", "no changes", "empty changes", "unpatchable field", "not a patch", "bad"],
)
def test_malformed_patches_are_refused(tenant: Any, event: dict[str, Any], message: str) -> None:
    # Given: a call
    call_id = create_call(tenant)

    # When: a patch without a target or changes, or changing what a patch cannot, is sent
    result = send_events(tenant, call_id, {"timestamp": at(1), **event})

    # Then: 422 saying why, and nothing stored
    assert result["statusCode"] == 422, result["body"]
    assert message in result["body"]
    assert history(tenant, call_id) == []


def test_widget_is_stored_as_web(tenant: Any) -> None:
    # When: the runtime creates a call with the direction "widget"
    call = create_call(tenant, direction="widget")

    # Then: it is a web call
    got = read(tenant, "get_call", "", call)
    assert body(got)["direction"] == "web"


def test_turns_of_another_tenants_call_are_not_found(tenant: Any, make_tenant: Any) -> None:
    # Given: a call of another tenant, with tool use
    call_id = order_lookup(make_tenant(seed=9))

    # When: the tenant asks for its turns
    result = read(tenant, "get_call_transcript", "/transcript", call_id, format="turns")

    # Then: 404
    assert result["statusCode"] == 404
    assert body(result) == {"detail": "Call not found"}
