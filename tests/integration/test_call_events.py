"""POST /v1/calls/{call_id}/events (the voice runtime reports history and lifecycle events) and
GET /v1/calls/{call_id}/history, through their handlers, against the template's tables on moto:
ordering, idempotency, the call's lifecycle, derived latency and redaction."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone.accounts import AccountStore
from dialtone.auth import Scope
from tests import call_routes as routes
from tests.call_routes import body, call_route

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
CUSTOMER = "+14155550123"
EVENT_FIELDS = {
    "event_id",
    "type",
    "timestamp",
    "name",
    "duration_ms",
    "ttfb_ms",
    "text",
    "arguments",
    "result",
    "status",
    "outcome",
    "reason",
    "attributes",
}


def ingest(tenant: Any) -> dict[str, str]:
    return tenant.authorizer(Scope.CALLS_INGEST)


def at(seconds: float) -> str:
    """The moment `seconds` after T0, as the runtime writes it."""
    return (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def put_call(tenant: Any, call_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    return call_route("upsert_call", "PUT /v1/calls/{call_id}", call_id, ingest(tenant), payload)


def create_call(tenant: Any, **fields: Any) -> str:
    """A call the runtime created with PUT, started at T0; its id."""
    return routes.create_call(tenant, **{"start_time": at(0), **fields})


def post_events(authorizer: dict[str, str] | None, call_id: str, payload: Any) -> dict[str, Any]:
    """The Lambda result of POST /v1/calls/<call_id>/events (a raw string is sent as is)."""
    route = "POST /v1/calls/{call_id}/events"
    return call_route("append_call_events", route, call_id, authorizer, payload)


def send(tenant: Any, call_id: str, *events: dict[str, Any]) -> dict[str, Any]:
    """POST the events; the receipt (the request must succeed)."""
    result = post_events(ingest(tenant), call_id, {"events": list(events)})
    assert result["statusCode"] == 200, result["body"]
    receipt: dict[str, Any] = body(result)
    return receipt


def get_history(authorizer: dict[str, str] | None, call_id: str) -> dict[str, Any]:
    route = "GET /v1/calls/{call_id}/history"
    return call_route("get_call_history", route, call_id, authorizer)


def history(tenant: Any, call_id: str) -> list[dict[str, Any]]:
    result = get_history(tenant.authorizer(Scope.CALLS_READ), call_id)
    assert result["statusCode"] == 200, result["body"]
    assert body(result)["call_id"] == call_id
    events: list[dict[str, Any]] = body(result)["events"]
    return events


def get_call(tenant: Any, call_id: str) -> dict[str, Any]:
    authorizer = tenant.authorizer(Scope.CALLS_READ)
    result = call_route("get_call", "GET /v1/calls/{call_id}", call_id, authorizer)
    assert result["statusCode"] == 200, result["body"]
    call: dict[str, Any] = body(result)
    return call


def span(event_id: str, name: str, seconds: float, **measures: float) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": "span",
        "name": name,
        "timestamp": at(seconds),
        **measures,
    }


def lifecycle(event_id: str, kind: str, seconds: float, **fields: Any) -> dict[str, Any]:
    return {"event_id": event_id, "type": kind, "timestamp": at(seconds), **fields}


# History


def test_history_is_in_time_order_whatever_the_order_of_arrival(tenant: Any) -> None:
    # Given: a call
    call_id = create_call(tenant)

    # When: its events arrive out of time order, over two requests (two at the same moment)
    send(
        tenant,
        call_id,
        span("e-tts", "tts", 9, duration_ms=800),
        {"event_id": "e-fn", "type": "function_call", "name": "lookup", "timestamp": at(5)},
    )
    send(
        tenant,
        call_id,
        span("e-stt", "stt", 2, duration_ms=300),
        {"event_id": "e-ack", "type": "acknowledgement", "text": "Mm-hmm.", "timestamp": at(5)},
        {"event_id": "e-int", "type": "interrupt", "timestamp": at(7.5)},
    )

    # Then: history lists them by time, ties by event id, each with every field
    got = history(tenant, call_id)
    assert [e["event_id"] for e in got] == ["e-stt", "e-ack", "e-fn", "e-int", "e-tts"]
    assert [e["timestamp"] for e in got] == [at(2), at(5), at(5), at(7.5), at(9)]
    assert all(set(e) == EVENT_FIELDS for e in got)
    assert got[0] == {
        "event_id": "e-stt",
        "type": "span",
        "timestamp": "2026-03-10T12:00:02Z",
        "name": "stt",
        "duration_ms": 300,
        "ttfb_ms": None,
        "text": None,
        "arguments": None,
        "result": None,
        "status": None,
        "outcome": None,
        "reason": None,
        "attributes": {},
    }


def test_a_single_event_object_is_accepted_as_the_body(tenant: Any) -> None:
    # Given / When: one event, not wrapped in a list
    call_id = create_call(tenant)
    result = post_events(ingest(tenant), call_id, span("e1", "llm", 1, ttfb_ms=420))

    # Then: it is stored
    assert result["statusCode"] == 200
    assert [e["event_id"] for e in history(tenant, call_id)] == ["e1"]


def test_a_call_without_events_has_an_empty_history(tenant: Any) -> None:
    call_id = create_call(tenant)
    assert history(tenant, call_id) == []


# Idempotency


def test_a_repeated_event_id_with_the_same_content_changes_nothing(tenant: Any) -> None:
    # Given: a call with two events
    call_id = create_call(tenant)
    first = send(tenant, call_id, span("e1", "stt", 1, ttfb_ms=180), span("e2", "tts", 2))
    before = history(tenant, call_id)

    # When: the runtime retries them with a new one
    again = send(
        tenant,
        call_id,
        span("e2", "tts", 2),
        span("e1", "stt", 1, ttfb_ms=180),
        span("e3", "llm", 3),
    )

    # Then: the repeats are counted unchanged and only the new one is stored
    assert (first["received"], first["stored"], first["unchanged"]) == (2, 2, 0)
    assert (again["received"], again["stored"], again["unchanged"]) == (3, 1, 2)
    after = history(tenant, call_id)
    assert after[:2] == before
    assert [e["event_id"] for e in after] == ["e1", "e2", "e3"]


def test_a_repeated_event_id_with_other_content_is_a_conflict(tenant: Any) -> None:
    # Given: a call with event e1
    call_id = create_call(tenant)
    send(tenant, call_id, span("e1", "stt", 1, ttfb_ms=180))

    # When: a request says something else under e1, and brings e2 and e3
    result = post_events(
        ingest(tenant),
        call_id,
        {
            "events": [
                span("e2", "tts", 2),
                span("e1", "stt", 1, ttfb_ms=999),
                span("e3", "llm", 3),
            ]
        },
    )

    # Then: 409 naming e1; e1 keeps what it said; e2 and e3 were stored
    assert result["statusCode"] == 409
    detail = body(result)["detail"]
    assert "event_id already stored with different content: e1;" in detail
    got = history(tenant, call_id)
    assert [e["event_id"] for e in got] == ["e1", "e2", "e3"]
    assert got[0]["ttfb_ms"] == 180


def test_an_event_without_an_id_is_recognised_by_its_content(tenant: Any) -> None:
    # Given: a call, and an event without an event_id
    call_id = create_call(tenant)
    event = {"type": "completion", "text": "It ships tomorrow.", "timestamp": at(4), "ttfb_ms": 350}

    # When: the runtime sends it, retries it exactly, and sends one that differs in its text
    first = send(tenant, call_id, event)
    retry = send(tenant, call_id, dict(reversed(list(event.items()))))
    other = send(tenant, call_id, {**event, "text": "It ships today."})

    # Then: the retry was a no-op; the other is an event of its own; each has a derived id
    assert (first["stored"], retry["stored"], retry["unchanged"], other["stored"]) == (1, 0, 1, 1)
    got = history(tenant, call_id)
    assert sorted(e["text"] for e in got) == ["It ships today.", "It ships tomorrow."]
    assert all(re.fullmatch(r"[0-9a-f]{32}", e["event_id"]) for e in got)
    assert got[0]["event_id"] != got[1]["event_id"]


def test_the_same_moment_in_another_zone_is_the_same_event(tenant: Any) -> None:
    # Given: an event without an id, sent once in UTC
    call_id = create_call(tenant)
    send(tenant, call_id, {"type": "interrupt", "timestamp": "2026-03-10T12:00:04Z"})

    # When: it is retried with the same moment written with another offset
    retry = send(tenant, call_id, {"type": "interrupt", "timestamp": "2026-03-10T13:00:04+01:00"})

    # Then: it is recognised as the same event
    assert (retry["stored"], retry["unchanged"]) == (0, 1)
    assert len(history(tenant, call_id)) == 1


# Lifecycle


def test_started_moves_a_ringing_call_to_in_progress(tenant: Any) -> None:
    # Given: a call the runtime created while it rang
    call_id = create_call(tenant, status="ringing")

    # When: the call starts
    receipt = send(tenant, call_id, lifecycle("s", "started", 1))

    # Then: it is in progress, and the receipt says so
    assert (receipt["status"], receipt["outcome"]) == ("in_progress", None)
    assert get_call(tenant, call_id)["status"] == "in_progress"


def test_ended_completes_the_call_with_its_end_time_duration_reason_and_outcome(
    tenant: Any,
) -> None:
    # Given: a call in progress since T0
    call_id = create_call(tenant)

    # When: it ends 95.5 seconds later
    receipt = send(
        tenant,
        call_id,
        lifecycle("end", "ended", 95.5, reason="caller_hangup", outcome="resolved"),
    )

    # Then: completed at that moment, with the duration, reason and outcome
    assert (receipt["status"], receipt["outcome"]) == ("completed", "resolved")
    call = get_call(tenant, call_id)
    assert (call["status"], call["outcome"]) == ("completed", "resolved")
    assert (call["end_time"], call["duration_seconds"]) == (at(95.5), 95.5)
    assert call["end_reason"] == "caller_hangup"


def test_ended_with_a_status_closes_the_call_with_it(tenant: Any) -> None:
    # Given: a ringing outbound call
    call_id = create_call(tenant, direction="outbound", to_number=CUSTOMER, status="ringing")

    # When: it ends unanswered
    receipt = send(tenant, call_id, lifecycle("end", "ended", 30, status="no_answer"))

    # Then: no_answer
    assert receipt["status"] == "no_answer"
    call = get_call(tenant, call_id)
    assert (call["status"], call["end_time"], call["duration_seconds"]) == ("no_answer", at(30), 30)


def test_escalated_sets_the_outcome_and_keeps_the_call_going(tenant: Any) -> None:
    # Given: a call in progress
    call_id = create_call(tenant)

    # When: the agent escalates to a human
    receipt = send(tenant, call_id, lifecycle("esc", "escalated", 40, reason="asked for a human"))

    # Then: the outcome is escalated, and the call still in progress
    assert (receipt["status"], receipt["outcome"]) == ("in_progress", "escalated")
    call = get_call(tenant, call_id)
    assert (call["status"], call["outcome"]) == ("in_progress", "escalated")


def test_a_late_started_after_ended_does_not_reopen_the_call(tenant: Any) -> None:
    # Given: a call that ended
    call_id = create_call(tenant)
    send(tenant, call_id, lifecycle("end", "ended", 60))

    # When: its started event arrives late
    receipt = send(tenant, call_id, lifecycle("start", "started", 0.5))

    # Then: it stays completed, and history has both in time order
    assert receipt["status"] == "completed"
    call = get_call(tenant, call_id)
    assert (call["status"], call["end_time"]) == ("completed", at(60))
    assert [e["event_id"] for e in history(tenant, call_id)] == ["start", "end"]


def test_the_first_ended_event_sets_the_end_and_a_later_one_changes_nothing(
    tenant: Any,
) -> None:
    # Given: a call that ended with no answer at 30 s
    call_id = create_call(tenant)
    send(tenant, call_id, lifecycle("end-1", "ended", 30, status="failed", reason="network_error"))

    # When: another ended event says completed at 90 s
    receipt = send(tenant, call_id, lifecycle("end-2", "ended", 90, reason="hangup"))

    # Then: the call keeps its first end
    assert receipt["status"] == "failed"
    call = get_call(tenant, call_id)
    assert (call["status"], call["end_time"], call["end_reason"]) == (
        "failed",
        at(30),
        "network_error",
    )


def test_lifecycle_events_in_one_request_apply_in_time_order(tenant: Any) -> None:
    # Given: a ringing call
    call_id = create_call(tenant, status="ringing")

    # When: ended, escalated and started arrive together, in reverse order
    receipt = send(
        tenant,
        call_id,
        lifecycle("c", "ended", 120, reason="transferred"),
        lifecycle("b", "escalated", 60),
        lifecycle("a", "started", 1),
    )

    # Then: the call went through them in order and is completed and escalated
    assert (receipt["status"], receipt["outcome"]) == ("completed", "escalated")
    call = get_call(tenant, call_id)
    assert (call["end_time"], call["end_reason"]) == (at(120), "transferred")


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (lifecycle("x", "started", 1, status="completed"), "status is only for an ended event"),
        (span("x", "llm", 1, ttfb_ms=1) | {"status": "completed"}, "status is only for"),
        (lifecycle("x", "ended", 1, status="in_progress"), "must be a final status"),
        (span("x", "llm", 1) | {"outcome": "resolved"}, "outcome is only for lifecycle events"),
    ],
)
def test_status_and_outcome_only_where_they_mean_something(
    tenant: Any, event: dict[str, Any], message: str
) -> None:
    # Given: an in-progress call
    call_id = create_call(tenant)

    # When: an event carries a status or outcome it cannot have
    result = post_events(ingest(tenant), call_id, {"events": [event]})

    # Then: 422 saying why; nothing stored and the call unchanged
    assert result["statusCode"] == 422
    assert message in json.dumps(body(result)["detail"])
    assert history(tenant, call_id) == []
    assert get_call(tenant, call_id)["status"] == "in_progress"


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        {"events": []},
        {"events": [{"type": "span", "name": "llm"}]},
        {"events": [{"type": "dance", "timestamp": "2026-03-10T12:00:00Z"}]},
        {"events": [{"type": "span", "timestamp": "yesterday"}]},
        {"events": [span("x", "llm", 1, ttfb_ms=-1)]},
        {"events": [span("bad id!", "llm", 1)]},
        {"events": [span("x", "llm", 1) | {"colour": "blue"}]},
        {"events": [span("x", "llm", 1) | {"text": "a" * 4001}]},
        {"events": [span("x", "llm", 1) | {"attributes": {"blob": "a" * 9000}}]},
        {"events": [span(f"e{n}", "llm", 1) for n in range(501)]},
        {"events": [span("x", "llm", 1, ttfb_ms=1), span("x", "llm", 1, ttfb_ms=2)]},
    ],
)
def test_bad_bodies_are_refused(tenant: Any, payload: Any) -> None:
    # Given: a call
    call_id = create_call(tenant)

    # When: the runtime posts a body that is not a valid event list
    result = post_events(ingest(tenant), call_id, payload)

    # Then: 422 pointing into the body, and nothing stored
    assert result["statusCode"] == 422, result["body"]
    assert body(result)["detail"][0]["loc"][0] == "body"
    assert history(tenant, call_id) == []


def post_raw_event(tenant: Any, event_type: str, fields: str) -> tuple[str, dict[str, Any]]:
    """A new call, and the answer to one event of `event_type` whose other fields are the raw
    JSON `fields` (numbers Python's json would not write)."""
    call_id = create_call(tenant)
    raw = (
        f'{{"events": [{{"type": "{event_type}", "timestamp": "2026-03-10T12:00:01Z", {fields}}}]}}'
    )
    return call_id, post_events(ingest(tenant), call_id, raw)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e400", "1e200"])
def test_numbers_dynamodb_cannot_store_in_arguments_are_refused(tenant: Any, value: str) -> None:
    # Given / When: an event whose arguments hold a number DynamoDB cannot store
    call_id, result = post_raw_event(tenant, "function_call", f'"arguments": {{"amount": {value}}}')

    # Then: 422, never a server error
    assert result["statusCode"] == 422, result["body"]
    assert history(tenant, call_id) == []


@pytest.mark.parametrize("field", ["duration_ms", "ttfb_ms"])
@pytest.mark.parametrize("value", ["2.2250738585e-313", "1e-200"])
def test_a_positive_time_too_small_to_store_is_refused(tenant: Any, field: str, value: str) -> None:
    # Given / When: an event whose time is above 0 but below DynamoDB's smallest number
    # (found by fuzzing: it was a 500)
    call_id, result = post_raw_event(tenant, "escalated", f'"{field}": {value}')

    # Then: 422 naming the field, and nothing stored
    assert result["statusCode"] == 422, result["body"]
    assert body(result)["detail"][0]["loc"] == ["body", "events", 0, field]
    assert history(tenant, call_id) == []


def test_a_large_float_is_stored_read_and_sent_again_as_it_was(tenant: Any) -> None:
    # Given an event whose result holds a float that is a whole number of 39 digits (found by
    # fuzzing: reading it back made an int DynamoDB cannot take, and the request was a 500)
    call_id = create_call(tenant)
    event = {
        "event_id": "ack-1",
        "type": "function_call",
        "timestamp": at(1),
        "result": {"limit": -3.402823466e38, "ratio": 1e125},
    }

    # When it is sent, then sent again (a retry), then read
    first = send(tenant, call_id, event)
    again = send(tenant, call_id, event)
    [stored] = history(tenant, call_id)

    # Then it is stored once, the retry changes nothing, and it reads as it was sent
    assert (first["stored"], again["unchanged"]) == (1, 1)
    assert stored["result"] == {"limit": -3.402823466e38, "ratio": 1e125}


# Latency


MEASURED = [
    span("e2e-1", "e2e", 10, ttfb_ms=800),
    span("e2e-2", "e2e", 20, ttfb_ms=1400),
    span("e2e-3", "e2e", 30, ttfb_ms=1000),
    span("e2e-4", "e2e", 40, ttfb_ms=1200, duration_ms=5000),
    span("stt-1", "stt", 11, duration_ms=200),
    span("stt-2", "stt", 21, duration_ms=300),
    {"event_id": "llm-1", "type": "completion", "timestamp": at(12), "ttfb_ms": 400},
    {"event_id": "llm-2", "type": "completion", "timestamp": at(22), "ttfb_ms": 600},
    span("turn-1", "turn", 13, duration_ms=9999),
]
DERIVED = {
    "e2e": {"p50": 1100.0, "p90": 1340.0, "p95": 1370.0, "p99": 1394.0},
    "stt": {"p50": 250.0, "p90": 290.0, "p95": 295.0, "p99": 299.0},
    "llm": {"p50": 500.0, "p90": 580.0, "p95": 590.0, "p99": 598.0},
}


def test_latency_is_derived_from_spans_when_the_call_ends(tenant: Any) -> None:
    # Given: a call whose runtime reports measured spans and completions
    call_id = create_call(tenant)
    send(tenant, call_id, *MEASURED)

    # Then: while it is in progress, no latency is shown
    assert get_call(tenant, call_id)["latency"] is None

    # When: the call ends
    send(tenant, call_id, lifecycle("end", "ended", 60))

    # Then: its latency per stage follows from the spans: first-byte time when there is one,
    # completions for llm, no tts (nothing measured it), other span names ignored
    latency = get_call(tenant, call_id)["latency"]
    for stage, percentiles in DERIVED.items():
        assert {k: latency[stage][k] for k in percentiles} == percentiles, stage
    assert (latency["e2e"]["min"], latency["e2e"]["max"], latency["e2e"]["num"]) == (800, 1400, 4)
    assert (latency["stt"]["num"], latency["llm"]["num"]) == (2, 2)
    assert latency["tts"] is None


def test_an_ending_with_its_measurements_reads_the_call_once_then_after_each_write(
    tenant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import botocore.client

    # Given: an in-progress call, and the DynamoDB requests that touch its item counted
    call_id = create_call(tenant)
    send(tenant, call_id, lifecycle("start", "started", 1))
    requests: list[str] = []
    make_api_call = botocore.client.BaseClient._make_api_call

    def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        items = [params] + [next(iter(t.values())) for t in params.get("TransactItems", [])]
        if any(i.get("Key", {}).get("sk") == {"S": "CALL"} for i in items):
            requests.append(operation)
        return make_api_call(client, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counted)

    # When: the runtime sends its spans and the call's end in one request
    receipt = send(tenant, call_id, *MEASURED, lifecycle("end", "ended", 60))
    monkeypatch.undo()

    # Then: the call ends with its latency derived; its item was read once before the events
    # were appended (on the condition that the call is there) and the two writes of it (the
    # end with its counters, then the latency), and once after each write (for the receipt)
    assert receipt["status"] == "completed"
    assert get_call(tenant, call_id)["latency"]["e2e"]["num"] == 4
    writes = ["TransactWriteItems", "TransactWriteItems", "GetItem", "UpdateItem", "GetItem"]
    assert requests == ["GetItem", *writes]


def test_latency_follows_measurements_that_arrive_after_the_end(tenant: Any) -> None:
    # Given: an ended call with two e2e spans
    call_id = create_call(tenant)
    send(tenant, call_id, span("a", "e2e", 1, ttfb_ms=100), span("b", "e2e", 2, ttfb_ms=300))
    send(tenant, call_id, lifecycle("end", "ended", 60))
    assert get_call(tenant, call_id)["latency"]["e2e"]["p50"] == 200

    # When: a late span arrives
    send(tenant, call_id, span("c", "e2e", 3, ttfb_ms=1100))

    # Then: the latency takes it in
    e2e = get_call(tenant, call_id)["latency"]["e2e"]
    assert (e2e["p50"], e2e["num"], e2e["max"]) == (300, 3, 1100)


def test_a_put_to_a_final_status_derives_latency_from_the_events(tenant: Any) -> None:
    # Given: a call with measured events
    call_id = create_call(tenant)
    send(tenant, call_id, *MEASURED)

    # When: the runtime completes it with PUT rather than an ended event
    result = put_call(tenant, call_id, {"status": "completed"})

    # Then: the answer and the call carry the derived latency
    assert result["statusCode"] == 200
    assert body(result)["latency"]["e2e"]["p50"] == 1100
    assert get_call(tenant, call_id)["latency"]["e2e"]["p50"] == 1100


def test_latency_the_runtime_reported_itself_is_never_overwritten(tenant: Any) -> None:
    # Given: a call whose runtime PUT its own latency
    call_id = create_call(tenant)
    own = {"e2e": {"p50": 950.0, "p90": 1500.0, "num": 42}}
    put_call(tenant, call_id, {"latency": own})
    reported = get_call(tenant, call_id)["latency"]

    # When: measured events arrive, the call ends, and more measurements follow
    send(tenant, call_id, *MEASURED)
    send(tenant, call_id, lifecycle("end", "ended", 60))
    send(tenant, call_id, span("late", "e2e", 61, ttfb_ms=5))

    # Then: the latency is still the runtime's own
    latency = get_call(tenant, call_id)["latency"]
    assert latency == reported
    assert (latency["e2e"]["p50"], latency["e2e"]["num"], latency["stt"]) == (950.0, 42, None)


def test_latency_reported_after_derivation_replaces_it_for_good(tenant: Any) -> None:
    # Given: an ended call with derived latency
    call_id = create_call(tenant)
    send(tenant, call_id, *MEASURED, lifecycle("end", "ended", 60))
    assert get_call(tenant, call_id)["latency"]["e2e"]["p50"] == 1100

    # When: the runtime PUTs its own latency, then a late span arrives
    put_call(tenant, call_id, {"latency": {"e2e": {"p50": 700.0, "num": 9}}})
    send(tenant, call_id, span("late", "e2e", 61, ttfb_ms=5))

    # Then: the runtime's latency stays
    e2e = get_call(tenant, call_id)["latency"]["e2e"]
    assert (e2e["p50"], e2e["num"]) == (700.0, 9)


def test_a_call_ended_without_measurements_has_no_latency(tenant: Any) -> None:
    call_id = create_call(tenant)
    send(tenant, call_id, lifecycle("s", "started", 0), lifecycle("end", "ended", 60))
    assert get_call(tenant, call_id)["latency"] is None


# Who may write and read


def test_events_of_an_unknown_call_are_not_found(tenant: Any) -> None:
    result = post_events(ingest(tenant), str(uuid.uuid4()), span("e1", "llm", 1))
    assert result["statusCode"] == 404
    assert body(result) == {"detail": "Call not found"}


def test_another_tenants_call_has_no_history_and_takes_no_events(make_tenant: Any) -> None:
    # Given: a call of one tenant, with an event
    owner, other = make_tenant(), make_tenant()
    call_id = create_call(owner)
    send(owner, call_id, span("e1", "llm", 1))

    # When: another tenant reads its history and posts an event to it
    read = get_history(other.authorizer(Scope.CALLS_READ), call_id)
    written = post_events(ingest(other), call_id, lifecycle("end", "ended", 5))

    # Then: 404 for both; the owner's call did not end
    assert (read["statusCode"], written["statusCode"]) == (404, 404)
    assert body(read) == {"detail": "Call not found"}
    assert [e["event_id"] for e in history(owner, call_id)] == ["e1"]
    assert get_call(owner, call_id)["status"] == "in_progress"


def test_history_needs_calls_read(tenant: Any) -> None:
    # Given: a call with an event
    call_id = create_call(tenant)
    send(tenant, call_id, span("e1", "llm", 1))

    # When: a key that may only ingest reads its history
    result = get_history(ingest(tenant), call_id)

    # Then: 403 naming calls:read
    assert result["statusCode"] == 403
    assert body(result) == {"detail": "Missing scope calls:read"}


def test_events_need_calls_ingest(tenant: Any) -> None:
    # Given: a call
    call_id = create_call(tenant)

    # When: a key that may read and place calls posts an ended event
    result = post_events(
        tenant.authorizer(Scope.CALLS_READ, Scope.CALLS_WRITE), call_id, lifecycle("e", "ended", 5)
    )

    # Then: 403, nothing stored, the call did not end
    assert result["statusCode"] == 403
    assert body(result) == {"detail": "Missing scope calls:ingest"}
    assert history(tenant, call_id) == []
    assert get_call(tenant, call_id)["status"] == "in_progress"


def test_a_history_of_a_call_id_that_is_not_a_uuid_is_rejected(tenant: Any) -> None:
    result = get_history(tenant.authorizer(Scope.CALLS_READ), "12345")
    assert result["statusCode"] == 422
    assert body(result)["detail"][0]["loc"] == ["path", "call_id"]


# Redaction


def sensitive_events() -> list[dict[str, Any]]:
    return [
        {
            "event_id": "said",
            "type": "completion",
            "timestamp": at(5),
            "text": "Sure, my email is jane.doe+calls@example.co.uk and my cell is (650) 253-0000.",
            "attributes": {"heard": "card 4111 1111 1111 1111, expiry 12/27", "turn": 3},
        },
        {
            "event_id": "tool",
            "type": "function_call",
            "name": "update_contact",
            "timestamp": at(6),
            "arguments": {
                "phone": "+44 20 7946 0958",
                "contact": {"emails": ["ops@acme-corp.com"], "order": "10442"},
                "count": 2,
            },
            "result": ["Call me back on 415-555-0132 about ticket 558213.", 7, None],
        },
        {
            "event_id": "end",
            "type": "ended",
            "timestamp": at(60),
            "reason": "caller_hangup",
            "text": "caller asked to be called on 650-253-0000 at 3:45 pm",
        },
    ]


REDACTED = {
    "said": {
        "text": "Sure, my email is [EMAIL] and my cell is [PHONE].",
        "attributes": {"heard": "card [CARD], expiry 12/27", "turn": 3},
    },
    "tool": {
        "arguments": {
            "phone": "[PHONE]",
            "contact": {"emails": ["[EMAIL]"], "order": "10442"},
            "count": 2,
        },
        "result": ["Call me back on [PHONE] about ticket 558213.", 7, None],
    },
    "end": {"reason": "caller_hangup", "text": "caller asked to be called on [PHONE] at 3:45 pm"},
}


def assert_redacted(events: list[dict[str, Any]]) -> None:
    by_id = {e["event_id"]: e for e in events}
    assert list(by_id) == ["said", "tool", "end"]
    for event_id, fields in REDACTED.items():
        assert {k: by_id[event_id][k] for k in fields} == fields, event_id


def test_a_call_that_opted_out_stores_its_history_redacted(tenant: Any) -> None:
    # Given: a call created opted out of sensitive data storage
    call_id = create_call(tenant, opt_out_sensitive_data_storage=True)

    # When: its events carry an email, phone numbers and a card number
    send(tenant, call_id, *sensitive_events())

    # Then: history has placeholders instead, and keeps times, order numbers and counts
    assert_redacted(history(tenant, call_id))
    # And: the end reason on the call is the vocabulary's, which holds nothing to redact
    assert get_call(tenant, call_id)["end_reason"] == "caller_hangup"


def test_a_retry_of_a_redacted_event_is_recognised(tenant: Any) -> None:
    # Given: an opted-out call with its events stored redacted
    call_id = create_call(tenant, opt_out_sensitive_data_storage=True)
    send(tenant, call_id, *sensitive_events())

    # When: the runtime retries them as it has them (unredacted)
    again = send(tenant, call_id, *sensitive_events())

    # Then: they are repeats, not conflicts
    assert (again["stored"], again["unchanged"]) == (0, 3)


def test_a_call_of_an_opted_out_tenant_stores_its_history_redacted(
    make_tenant: Any, account_store: AccountStore
) -> None:
    # Given: a tenant that opted out, and a call created without a word about it
    tenant = make_tenant()
    account_store.dynamodb.update_item(
        TableName=account_store.table_name,
        Key={"pk": {"S": f"TENANT#{tenant.tenant_id}"}, "sk": {"S": "TENANT"}},
        UpdateExpression="SET opt_out_sensitive_data_storage = :on",
        ExpressionAttributeValues={":on": {"BOOL": True}},
    )
    call_id = create_call(tenant)

    # When: its events carry sensitive data
    send(tenant, call_id, *sensitive_events())

    # Then: they are stored redacted
    assert get_call(tenant, call_id)["opt_out_sensitive_data_storage"] is True
    assert_redacted(history(tenant, call_id))


def test_a_normal_call_stores_its_history_as_sent(tenant: Any) -> None:
    # Given: a call that did not opt out
    call_id = create_call(tenant)

    # When: its events carry sensitive data
    sent = sensitive_events()
    send(tenant, call_id, *sent)

    # Then: they are stored as sent
    by_id = {e["event_id"]: e for e in history(tenant, call_id)}
    assert by_id["said"]["text"] == sent[0]["text"]
    assert by_id["said"]["attributes"] == sent[0]["attributes"]
    assert by_id["tool"]["arguments"] == sent[1]["arguments"]
    assert by_id["tool"]["result"] == sent[1]["result"]
    assert by_id["end"]["text"] == sent[2]["text"]


def test_an_opted_out_calls_analysis_summary_is_redacted(tenant: Any) -> None:
    # Given / When: an opted-out call created with a summary, then updated with another
    call_id = create_call(
        tenant,
        opt_out_sensitive_data_storage=True,
        analysis={"summary": "Wants a callback on (650) 253-0000.", "user_sentiment": "neutral"},
    )
    created = get_call(tenant, call_id)["analysis"]
    put_call(tenant, call_id, {"analysis": {"summary": "Emailed the receipt to jane@example.com."}})

    # Then: each summary is stored redacted; the rest of the analysis is kept
    assert created["summary"] == "Wants a callback on [PHONE]."
    analysis = get_call(tenant, call_id)["analysis"]
    assert analysis["summary"] == "Emailed the receipt to [EMAIL]."
    assert analysis["user_sentiment"] == "neutral"


def test_an_ended_reason_outside_the_vocabulary_is_refused_and_nothing_is_stored(
    tenant: Any,
) -> None:
    call_id = create_call(tenant)
    result = post_events(
        ingest(tenant), call_id, {"events": [lifecycle("end", "ended", 30, reason="sip 503")]}
    )
    assert result["statusCode"] == 422, result["body"]
    [error] = body(result)["detail"]
    assert error["loc"] == ["body", "events", 0]
    assert "network_error" in error["msg"]
    assert history(tenant, call_id) == []


def test_the_runtimes_reason_replaces_the_providers_hangup_but_nothing_more_precise(
    tenant: Any,
) -> None:
    # Given a call the provider ended with `hangup` (it does not say who hung up)
    call_id = create_call(tenant, status="completed", end_reason="hangup")

    # When the runtime's ended event says the agent hung up (in Vapi's words)
    send(tenant, call_id, lifecycle("end", "ended", 60, reason="assistant-ended-call"))

    # Then the call says so; and a later, different reason does not replace it
    assert get_call(tenant, call_id)["end_reason"] == "agent_hangup"
    send(tenant, call_id, lifecycle("end-2", "ended", 61, reason="caller_hangup"))
    assert get_call(tenant, call_id)["end_reason"] == "agent_hangup"
    assert [e["reason"] for e in history(tenant, call_id)] == ["agent_hangup", "caller_hangup"]
