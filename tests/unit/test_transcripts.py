"""Transcript shapes: turns with offsets into the recording, and WebVTT captions."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from dialtone.call_responses import Turn
from dialtone.calls import to_turns, to_webvtt
from dialtone.models import Call, Exchange

START = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def call() -> Call:
    return Call(
        id="3f2a9c1e-0b7d-4c55-9a0e-2f4f1b7c9d10",
        direction="inbound",
        status="completed",
        start_time=START,
        created_at=START,
        updated_at=START,
    )


def _at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def test_turns_alternate_user_then_agent_in_exchange_order(call: Call) -> None:
    # Given: two exchanges
    exchanges = [
        Exchange(sequence_number=0, user_transcript="Hi", agent_response="Hello, how can I help?"),
        Exchange(sequence_number=1, user_transcript="Cancel my order", agent_response="Done."),
    ]

    # When: they are turned into turns
    turns = to_turns(call, exchanges)

    # Then: user and assistant alternate, in order, as text
    assert [(t.role, t.content) for t in turns] == [
        ("user", "Hi"),
        ("assistant", "Hello, how can I help?"),
        ("user", "Cancel my order"),
        ("assistant", "Done."),
    ]
    assert {t.content_type for t in turns} == {"text"}


def test_reported_offsets_are_used_as_they_are(call: Call) -> None:
    # Given: an exchange whose runtime reported exact offsets
    exchange = Exchange(
        sequence_number=0,
        user_transcript="Hi",
        agent_response="Hello",
        exchange_timestamp=_at(30),
        user_start_ms=1200,
        user_end_ms=2100,
        agent_start_ms=2600,
        agent_end_ms=3900,
    )

    # When: it is turned into turns
    turns = to_turns(call, [exchange])

    # Then: the offsets are exactly the reported ones (the timestamp is not used)
    assert [(t.start_ms, t.end_ms) for t in turns] == [(1200, 2100), (2600, 3900)]


def test_missing_offsets_are_derived_from_timestamp_and_length(call: Call) -> None:
    # Given: an exchange 5 s into the call with no offsets; 30 and 45 characters of speech
    user, agent = "u" * 30, "a" * 45
    exchange = Exchange(
        sequence_number=0, user_transcript=user, agent_response=agent, exchange_timestamp=_at(5)
    )

    # When: it is turned into turns
    turns = to_turns(call, [exchange])

    # Then: the user starts at the timestamp, speaking at 15 characters a second,
    # and the agent answers when the user stops
    assert [(t.start_ms, t.end_ms) for t in turns] == [(5000, 7000), (7000, 10000)]


def test_short_utterances_last_at_least_a_second(call: Call) -> None:
    # Given: a one-word exchange at the start of the call
    exchange = Exchange(sequence_number=0, user_transcript="Yes", agent_response="OK")

    # When: it is turned into turns
    turns = to_turns(call, [exchange])

    # Then: each turn lasts one second
    assert [(t.start_ms, t.end_ms) for t in turns] == [(0, 1000), (1000, 2000)]


def test_derived_offsets_never_go_back_in_time(call: Call) -> None:
    # Given: a second exchange stamped before the first one's speech ended
    exchanges = [
        Exchange(sequence_number=0, user_transcript="u" * 150, exchange_timestamp=_at(0)),
        Exchange(sequence_number=1, user_transcript="again", exchange_timestamp=_at(2)),
    ]

    # When: they are turned into turns
    first, second = to_turns(call, exchanges)

    # Then: the second starts where the first ended (10 s), not at 2 s
    assert (first.start_ms, first.end_ms) == (0, 10000)
    assert second.start_ms == 10000


def test_timestamp_before_the_call_starts_is_clamped_to_zero(call: Call) -> None:
    # Given: an exchange stamped before the call's start time
    exchange = Exchange(sequence_number=0, user_transcript="Hello?", exchange_timestamp=_at(-3))

    # When: it is turned into turns
    (turn,) = to_turns(call, [exchange])

    # Then: it starts at the beginning of the recording
    assert turn.start_ms == 0


def test_an_exchange_with_only_one_side_gives_one_turn(call: Call) -> None:
    # Given: an agent greeting with no user speech, and an unanswered user line
    exchanges = [
        Exchange(sequence_number=0, agent_response="Welcome to Acme."),
        Exchange(sequence_number=1, user_transcript="Hello?"),
    ]

    # When: they are turned into turns
    turns = to_turns(call, exchanges)

    # Then: there is one turn per thing said
    assert [t.role for t in turns] == ["assistant", "user"]
    assert turns[1].start_ms == turns[0].end_ms


def test_no_exchanges_give_no_turns(call: Call) -> None:
    # Given / When / Then: an empty transcript has no turns
    assert to_turns(call, []) == []


def test_webvtt_has_header_numbered_cues_timings_and_voices() -> None:
    # Given: two turns
    turns = [
        Turn(role="user", content="Hi there", start_ms=5000, end_ms=6500),
        Turn(role="assistant", content="Hello!", start_ms=6500, end_ms=3_723_456),
    ]

    # When: they are rendered as WebVTT
    vtt = to_webvtt(turns)

    # Then: the file is the WEBVTT header and one cue per turn, speaker as a voice span
    assert vtt.split("\n") == [
        "WEBVTT",
        "",
        "1",
        "00:00:05.000 --> 00:00:06.500",
        "<v User>Hi there",
        "",
        "2",
        "00:00:06.500 --> 01:02:03.456",
        "<v Agent>Hello!",
        "",
    ]


def test_webvtt_escapes_markup_characters() -> None:
    # Given: text with characters that are markup in WebVTT
    turns = [Turn(role="user", content="Is 3 < 4 & 5 > 2? <b>yes</b>", start_ms=0, end_ms=1000)]

    # When: it is rendered
    vtt = to_webvtt(turns)

    # Then: they are escaped once, and no raw tag is left apart from the voice span
    cue_text = vtt.split("\n")[4]
    assert cue_text == "<v User>Is 3 &lt; 4 &amp; 5 &gt; 2? &lt;b&gt;yes&lt;/b&gt;"
    assert "&amp;lt;" not in vtt


def test_webvtt_drops_blank_lines_inside_a_cue() -> None:
    # Given: text with an empty line, which would end a cue early
    turns = [Turn(role="assistant", content="First line\n\nSecond line", start_ms=0, end_ms=1000)]

    # When: it is rendered
    vtt = to_webvtt(turns)

    # Then: the cue keeps both lines with no blank line between them
    assert "<v Agent>First line\nSecond line\n" in vtt


def test_webvtt_of_no_turns_is_just_the_header() -> None:
    # Given / When / Then: an empty transcript is a valid, empty caption file
    assert to_webvtt([]).startswith("WEBVTT\n")
    assert "-->" not in to_webvtt([])


def test_webvtt_of_derived_turns_is_in_time_order(call: Call) -> None:
    # Given: turns derived from a transcript without offsets
    exchanges = [
        Exchange(sequence_number=i, user_transcript=f"question {i}", agent_response=f"answer {i}")
        for i in range(3)
    ]
    vtt = to_webvtt(to_turns(call, exchanges))

    # When: the cue timings are read back
    timings = [line.split(" --> ") for line in vtt.split("\n") if " --> " in line]

    # Then: every cue starts no earlier than the previous one ended (fixed-width times sort)
    assert len(timings) == 6
    for (_, previous_end), (start, end) in itertools.pairwise(timings):
        assert previous_end <= start < end
