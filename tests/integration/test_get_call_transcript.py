"""GET /v1/calls/{call_id}/transcript through the get_call_transcript handler, on moto."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone.auth import Scope
from dialtone.models import Exchange
from local.invoke import api_event, invoke, sample_event

ROUTE = "GET /v1/calls/{call_id}/transcript"
T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
EXCHANGE_FIELDS = {
    "sequence_number",
    "user_transcript",
    "agent_response",
    "error",
    "error_message",
    "exchange_timestamp",
}
TURN_FIELDS = {"role", "content_type", "content", "start_ms", "end_ms"}
CUE_TIMING = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})$")


def get_transcript(authorizer: dict[str, str] | None, call_id: str, **query: str) -> dict[str, Any]:
    """The Lambda result of GET /v1/calls/<call_id>/transcript?<query>."""
    event = api_event(
        "get_call_transcript",
        ROUTE,
        f"/v1/calls/{call_id}/transcript",
        query=query,
        path_parameters={"call_id": call_id},
        authorizer=authorizer,
    )
    return invoke("get_call_transcript", event)


def body(result: dict[str, Any]) -> Any:
    return json.loads(result["body"])


def header(result: dict[str, Any], name: str) -> str:
    headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    return str(headers.get(name.lower(), ""))


def conversation() -> list[Exchange]:
    """Three exchanges with offsets into the recording, as the voice runtime reports them."""
    lines = [
        ("Hi, where is my order?", "Let me check that for you."),
        ("It's order 10442.", "It ships tomorrow."),
        ("Great, thanks.", "You're welcome!"),
    ]
    exchanges = []
    for n, (user, agent) in enumerate(lines):
        base = 500 + n * 8000
        exchanges.append(
            Exchange(
                sequence_number=n,
                user_transcript=user,
                agent_response=agent,
                exchange_timestamp=T0 + timedelta(milliseconds=base),
                user_start_ms=base,
                user_end_ms=base + 2000,
                agent_start_ms=base + 2600,
                agent_end_ms=base + 5000,
            )
        )
    return exchanges


@pytest.fixture
def call_with_conversation(tenant: Any) -> Any:
    """A call whose three exchanges were stored out of sequence order."""
    first, second, third = conversation()
    return tenant.add_call(start_time=T0, exchanges=[third, first, second])


# Exchanges (the default)


def test_exchanges_come_in_sequence_order_even_when_stored_out_of_order(
    tenant: Any, call_with_conversation: Any
) -> None:
    # Given: a call whose exchanges were stored 2, 0, 1
    # When: the tenant reads its transcript
    result = get_transcript(tenant.authorizer(Scope.CALLS_READ), call_with_conversation.id)

    # Then: 200 with the exchanges in sequence order, each with the documented fields
    assert result["statusCode"] == 200
    got = body(result)
    assert set(got) == {"call_id", "exchanges", "next_cursor"}
    assert got["call_id"] == call_with_conversation.id
    assert [e["sequence_number"] for e in got["exchanges"]] == [0, 1, 2]
    assert [e["user_transcript"] for e in got["exchanges"]] == [
        "Hi, where is my order?",
        "It's order 10442.",
        "Great, thanks.",
    ]
    assert got["exchanges"][1]["agent_response"] == "It ships tomorrow."
    for exchange in got["exchanges"]:
        assert set(exchange) >= EXCHANGE_FIELDS
        assert exchange["error"] is False
        assert exchange["exchange_timestamp"].endswith("Z")
    assert got["exchanges"][0]["exchange_timestamp"] == "2026-03-10T12:00:00.500000Z"


def test_format_exchanges_is_the_default(tenant: Any, call_with_conversation: Any) -> None:
    # Given / When: the transcript asked for explicitly as exchanges, and without a format
    authorizer = tenant.authorizer(Scope.CALLS_READ)
    explicit = get_transcript(authorizer, call_with_conversation.id, format="exchanges")
    default = get_transcript(authorizer, call_with_conversation.id)

    # Then: the same body
    assert explicit["statusCode"] == 200
    assert body(explicit) == body(default)


def test_an_exchange_that_failed_reports_its_error(tenant: Any) -> None:
    # Given: a call whose second exchange failed
    failed = Exchange(
        sequence_number=1,
        user_transcript="Hello?",
        error=True,
        error_message="LLM timeout",
        exchange_timestamp=T0 + timedelta(seconds=5),
    )
    ok = Exchange(sequence_number=0, user_transcript="Hi", agent_response="Hello!")
    call = tenant.add_call(start_time=T0, exchanges=[failed, ok])

    # When: the tenant reads the transcript
    got = body(get_transcript(tenant.authorizer(Scope.CALLS_READ), call.id))

    # Then: the error is reported on that exchange only
    assert [(e["error"], e["error_message"]) for e in got["exchanges"]] == [
        (False, None),
        (True, "LLM timeout"),
    ]
    assert got["exchanges"][1]["agent_response"] is None


def test_a_call_without_exchanges_has_an_empty_transcript(tenant: Any) -> None:
    # Given: a call with no exchanges
    call = tenant.add_call()

    # When: the tenant reads its transcript
    result = get_transcript(tenant.authorizer(Scope.CALLS_READ), call.id)

    # Then: 200 with no exchanges
    assert result["statusCode"] == 200
    assert body(result) == {"call_id": call.id, "exchanges": [], "next_cursor": None}


# Turns


def test_format_turns_alternates_user_and_agent_in_order(
    tenant: Any, call_with_conversation: Any
) -> None:
    # Given: a call of three exchanges
    # When: the tenant reads the transcript as turns
    result = get_transcript(
        tenant.authorizer(Scope.CALLS_READ), call_with_conversation.id, format="turns"
    )

    # Then: six turns, user then agent, with their text and their offsets into the recording
    assert result["statusCode"] == 200
    got = body(result)
    assert set(got) == {"call_id", "turns", "next_cursor"}
    assert got["call_id"] == call_with_conversation.id
    turns = got["turns"]
    assert all(set(turn) == TURN_FIELDS for turn in turns)
    assert [t["role"] for t in turns] == ["user", "assistant"] * 3
    assert {t["content_type"] for t in turns} == {"text"}
    assert [t["content"] for t in turns[:2]] == [
        "Hi, where is my order?",
        "Let me check that for you.",
    ]
    assert turns[-1]["content"] == "You're welcome!"
    assert [(t["start_ms"], t["end_ms"]) for t in turns[:2]] == [(500, 2500), (3100, 5500)]
    starts = [t["start_ms"] for t in turns]
    assert starts == sorted(starts)


def test_format_turns_of_a_call_without_exchanges_is_empty(tenant: Any) -> None:
    # Given: a call with no exchanges
    call = tenant.add_call()

    # When: the tenant reads it as turns
    got = body(get_transcript(tenant.authorizer(Scope.CALLS_READ), call.id, format="turns"))

    # Then: no turns
    assert got == {"call_id": call.id, "turns": [], "next_cursor": None}


# WebVTT


def cues(vtt: str) -> list[tuple[int, int, str]]:
    """(start ms, end ms, text) of each cue of a WebVTT document."""
    blocks = vtt.strip().split("\n\n")[1:]
    parsed = []
    for block in blocks:
        lines = block.splitlines()
        timing_line = next(i for i, line in enumerate(lines) if "-->" in line)
        match = CUE_TIMING.match(lines[timing_line])
        assert match, lines[timing_line]
        h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(g) for g in match.groups())
        start = ((h1 * 60 + m1) * 60 + s1) * 1000 + ms1
        end = ((h2 * 60 + m2) * 60 + s2) * 1000 + ms2
        parsed.append((start, end, "\n".join(lines[timing_line + 1 :])))
    return parsed


def test_format_vtt_gives_captions_aligned_with_the_recording(
    tenant: Any, call_with_conversation: Any
) -> None:
    # Given: a call of three exchanges with offsets into its recording
    # When: the tenant reads the transcript as WebVTT
    result = get_transcript(
        tenant.authorizer(Scope.CALLS_READ), call_with_conversation.id, format="vtt"
    )

    # Then: a WebVTT document, one cue per turn, in order, timed as the runtime reported
    assert result["statusCode"] == 200
    assert header(result, "Content-Type").startswith("text/vtt")
    vtt = result["body"]
    assert vtt.startswith("WEBVTT")
    captions = cues(vtt)
    assert len(captions) == 6
    assert vtt.count("-->") == 6
    assert captions[0][:2] == (500, 2500)
    assert captions[1][:2] == (3100, 5500)
    assert "Hi, where is my order?" in captions[0][2]
    assert "Let me check that for you." in captions[1][2]
    assert "It ships tomorrow." in captions[3][2]
    starts = [start for start, _, _ in captions]
    assert starts == sorted(starts)
    assert all(start < end for start, end, _ in captions)


def test_format_vtt_escapes_markup_in_what_was_said(tenant: Any) -> None:
    # Given: an exchange whose words look like markup
    said = Exchange(
        sequence_number=0, user_transcript="Is 3 < 4 & 5 > 2?", agent_response="<b>Yes</b>"
    )
    call = tenant.add_call(start_time=T0, exchanges=[said])

    # When: the tenant reads the captions
    vtt = get_transcript(tenant.authorizer(Scope.CALLS_READ), call.id, format="vtt")["body"]

    # Then: the words are escaped, so a player shows them as said
    texts = [text for _, _, text in cues(vtt)]
    assert "Is 3 &lt; 4 &amp; 5 &gt; 2?" in texts[0]
    assert "&lt;b&gt;Yes&lt;/b&gt;" in texts[1]
    assert "<b>" not in vtt


def test_format_vtt_of_a_call_without_exchanges_is_an_empty_document(tenant: Any) -> None:
    # Given: a call with no exchanges
    call = tenant.add_call()

    # When: the tenant reads the captions
    result = get_transcript(tenant.authorizer(Scope.CALLS_READ), call.id, format="vtt")

    # Then: a valid WebVTT document without cues
    assert result["statusCode"] == 200
    assert result["body"].strip() == "WEBVTT"


def test_captions_without_reported_offsets_follow_the_exchange_times(tenant: Any) -> None:
    # Given: a call whose runtime reported only when each exchange happened (0 s, 10 s, 20 s),
    # opening with the agent's greeting
    greeting = Exchange(sequence_number=0, agent_response="Hello, this is Acme.")
    spoken = [
        Exchange(
            sequence_number=n,
            user_transcript=f"Question number {n}.",
            agent_response=f"Answer number {n}.",
            exchange_timestamp=T0 + timedelta(seconds=10 * (n - 1)),
        )
        for n in (1, 2, 3)
    ]
    call = tenant.add_call(start_time=T0, exchanges=[spoken[2], greeting, spoken[0], spoken[1]])

    # When: the tenant reads the turns and the captions
    authorizer = tenant.authorizer(Scope.CALLS_READ)
    turns = body(get_transcript(authorizer, call.id, format="turns"))["turns"]
    captions = cues(get_transcript(authorizer, call.id, format="vtt")["body"])

    # Then: the greeting alone, then user and agent in turn; each question starts no earlier
    # than its exchange, and the captions match the turns, in order
    assert [t["role"] for t in turns] == ["assistant"] + ["user", "assistant"] * 3
    user_starts = [t["start_ms"] for t in turns if t["role"] == "user"]
    assert user_starts[1] >= 10_000
    assert user_starts[2] >= 20_000
    assert [(start, end) for start, end, _ in captions] == [
        (t["start_ms"], t["end_ms"]) for t in turns
    ]
    starts = [start for start, _, _ in captions]
    assert starts == sorted(starts)
    assert all(start < end for start, end, _ in captions)


@pytest.mark.parametrize("fmt", ["bogus", "srt", "VTT-ish"])
def test_an_unknown_format_is_rejected(tenant: Any, call_with_conversation: Any, fmt: str) -> None:
    # Given / When: a format the API does not offer
    result = get_transcript(
        tenant.authorizer(Scope.CALLS_READ), call_with_conversation.id, format=fmt
    )

    # Then: 422 names format
    assert result["statusCode"] == 422
    assert [e["loc"] for e in body(result)["detail"]] == [["query", "format"]]


# Who may read which call


@pytest.mark.parametrize("fmt", ["exchanges", "turns", "vtt"])
def test_another_tenants_transcript_is_not_found(make_tenant: Any, fmt: str) -> None:
    # Given: a call of tenant A with a transcript
    tenant_a, tenant_b = make_tenant(seed=1), make_tenant(seed=2)
    call = tenant_a.add_call(start_time=T0, exchanges=conversation())

    # When: tenant B asks for it, in any format
    result = get_transcript(tenant_b.authorizer(), call.id, format=fmt)

    # Then: 404 Call not found, as JSON
    assert result["statusCode"] == 404
    assert body(result) == {"detail": "Call not found"}


def test_an_unknown_call_is_not_found(tenant: Any) -> None:
    # Given / When: a call id the tenant never had
    result = get_transcript(tenant.authorizer(Scope.CALLS_READ), str(uuid.uuid4()))

    # Then: 404 Call not found
    assert result["statusCode"] == 404
    assert body(result) == {"detail": "Call not found"}


def test_a_call_id_that_is_not_a_uuid_is_rejected(tenant: Any) -> None:
    # Given / When: an id that cannot be a call id
    result = get_transcript(tenant.authorizer(Scope.CALLS_READ), "call-1")

    # Then: 422 names the path parameter
    assert result["statusCode"] == 422
    assert [e["loc"] for e in body(result)["detail"]] == [["path", "call_id"]]


def test_a_key_without_calls_read_is_refused(tenant: Any, call_with_conversation: Any) -> None:
    # Given / When: a key that may only manage webhooks reads a transcript
    result = get_transcript(tenant.authorizer(Scope.WEBHOOKS_MANAGE), call_with_conversation.id)

    # Then: 403 names the missing scope
    assert result["statusCode"] == 403
    assert body(result) == {"detail": "Missing scope calls:read"}


def test_the_sample_event_returns_the_transcript_as_turns(sample_tenant: Any) -> None:
    # Given: the sample's tenant has the sample's call with a conversation
    sample_tenant.add_call(id=sample_tenant.call_id, start_time=T0, exchanges=conversation())

    # When: events/get_call_transcript.json (format=turns) is handled as it is
    result = invoke("get_call_transcript", sample_event("get_call_transcript"))

    # Then: 200 with the six turns
    assert result["statusCode"] == 200
    got = body(result)
    assert got["call_id"] == sample_tenant.call_id
    assert [t["role"] for t in got["turns"]] == ["user", "assistant"] * 3
