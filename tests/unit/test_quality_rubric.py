"""The default grader: each criterion of the rubric on crafted calls, and the rules every grader
shares (dialtone.quality.graders.rubric and base)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone.model_types import CallOutcome, CallStatus
from dialtone.models import (
    Call,
    CallAnalysis,
    CallLatency,
    Exchange,
    HistoryEvent,
    HistoryEventType,
    LatencyStats,
)
from dialtone.quality.graders.base import NO_TRANSCRIPT, GradingSubject
from dialtone.quality.graders.rubric import RUBRIC_VERSION, WEIGHTS, RubricGrader
from dialtone.quality.models import Grade, GradeStatus

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
GRADED_AT = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
CALL_ID = "0b7e2c1a-5d4f-4e3b-9a8c-1f2e3d4c5b6a"

# Four words from each side: a balanced conversation.
USER = "I need my balance"
AGENT = "Your balance is ready"


def make_call(**fields: Any) -> Call:
    values: dict[str, Any] = {
        "id": CALL_ID,
        "direction": "inbound",
        "status": CallStatus.COMPLETED,
        "outcome": CallOutcome.RESOLVED,
        "end_reason": "hangup",
        "start_time": T0,
        "end_time": T0 + timedelta(seconds=120),
        "duration_seconds": 120.0,
        "latency": CallLatency(e2e=LatencyStats(p50=800, p95=1500, num=4)),
        "created_at": T0,
        "updated_at": T0,
    }
    values.update(fields)
    return Call.model_validate(values)


def exchange(n: int, user: str | None = USER, agent: str | None = AGENT, **fields: Any) -> Exchange:
    return Exchange(sequence_number=n, user_transcript=user, agent_response=agent, **fields)


def conversation(turns: int = 4) -> list[Exchange]:
    return [exchange(n) for n in range(turns)]


def grade(call: Call, exchanges: list[Exchange], events: Sequence[HistoryEvent] = ()) -> Grade:
    grader = RubricGrader(clock=lambda: GRADED_AT)
    return grader.grade(GradingSubject.of(call, exchanges, events))


def criterion(result: Grade, name: str) -> tuple[float, str]:
    (found,) = [c for c in result.criteria if c.name == name]
    return found.score, found.evidence


# A good call, and the shape of every grade


def test_a_resolved_smooth_call_scores_full_marks_on_every_criterion() -> None:
    # Given a resolved, error-free, fast and balanced two-minute call
    # When it is graded
    result = grade(make_call(), conversation())
    # Then every criterion is met, with its weight and its evidence
    assert result.status is GradeStatus.COMPLETED
    assert result.score == 1.0
    assert [c.name for c in result.criteria] == list(WEIGHTS)
    assert [c.weight for c in result.criteria] == list(WEIGHTS.values())
    assert all(c.score == 1.0 and c.evidence for c in result.criteria)
    assert (result.grader, result.rubric_version) == ("rubric", RUBRIC_VERSION)
    assert result.graded_at == GRADED_AT
    assert result.error is None
    assert result.summary == f"Score 1.00 (rubric {RUBRIC_VERSION}); every criterion met."


def test_the_weights_of_the_rubric_sum_to_one() -> None:
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


def test_the_grade_serialises_as_the_contract_says() -> None:
    body = grade(make_call(), conversation()).model_dump(mode="json")
    assert set(body) == {
        "call_id",
        "status",
        "score",
        "criteria",
        "summary",
        "grader",
        "rubric_version",
        "graded_at",
        "error",
    }
    assert body["graded_at"] == "2026-03-10T13:00:00Z"
    assert set(body["criteria"][0]) == {"name", "weight", "score", "evidence"}


# Calls that cannot be judged


def test_a_call_with_no_transcript_fails_with_a_reason_not_a_zero() -> None:
    result = grade(make_call(), [])
    assert result.status is GradeStatus.FAILED
    assert result.error == NO_TRANSCRIPT
    assert result.score is None
    assert result.criteria == []
    assert result.graded_at == GRADED_AT


def test_exchanges_without_a_word_or_an_error_are_no_transcript() -> None:
    result = grade(make_call(), [exchange(0, user="  ", agent=None), exchange(1, None, "")])
    assert (result.status, result.error) == (GradeStatus.FAILED, NO_TRANSCRIPT)


def test_a_call_still_in_progress_is_not_graded() -> None:
    result = grade(make_call(status=CallStatus.IN_PROGRESS, outcome=None), conversation())
    assert result.status is GradeStatus.FAILED
    assert result.error == "Call has not ended (status in_progress)"


def test_a_pending_grade_has_no_score_and_names_its_grader() -> None:
    pending = RubricGrader().pending(CALL_ID)
    assert (pending.status, pending.score, pending.graded_at) == (GradeStatus.PENDING, None, None)
    assert (pending.grader, pending.rubric_version) == ("rubric", RUBRIC_VERSION)


# Resolution


@pytest.mark.parametrize(
    ("fields", "expected", "evidence"),
    [
        ({"outcome": CallOutcome.RESOLVED}, 1.0, "outcome resolved"),
        ({"outcome": CallOutcome.UNRESOLVED}, 0.0, "outcome unresolved"),
        ({"outcome": CallOutcome.ABANDONED}, 0.0, "outcome abandoned"),
        ({"outcome": CallOutcome.TRANSFERRED}, 0.5, "outcome transferred"),
        ({"outcome": CallOutcome.ESCALATED}, 0.5, "outcome escalated"),
        (
            {"outcome": None, "analysis": CallAnalysis(call_successful=True)},
            1.0,
            "no outcome; analysis.call_successful is true",
        ),
        (
            {"outcome": None, "analysis": CallAnalysis(call_successful=False)},
            0.0,
            "no outcome; analysis.call_successful is false",
        ),
        ({"outcome": None}, 0.5, "no outcome nor analysis; completed"),
        ({"outcome": None, "status": CallStatus.FAILED}, 0.0, "no outcome; call ended failed"),
        # The outcome is the runtime's final word: it wins over an earlier analysis.
        (
            {"outcome": CallOutcome.UNRESOLVED, "analysis": CallAnalysis(call_successful=True)},
            0.0,
            "outcome unresolved",
        ),
    ],
)
def test_resolution_reads_the_outcome_then_the_analysis_then_the_status(
    fields: dict[str, Any], expected: float, evidence: str
) -> None:
    assert criterion(grade(make_call(**fields), conversation()), "resolution") == (
        expected,
        evidence,
    )


# Error turns


def test_an_error_turn_lowers_the_error_criterion_and_the_score() -> None:
    # Given the good call, once with its third turn failing
    clean = grade(make_call(), conversation())
    turns = conversation()
    turns[2] = exchange(2, agent=None, error=True, error_message="LLM timeout after 10 s")
    failing = grade(make_call(), turns)
    # Then the failure costs a quarter of the criterion, and its weight's share of the score
    score, evidence = criterion(failing, "error_turns")
    assert score == 0.75
    assert evidence == "1 of 4 turns ended in an error (first: turn 2: LLM timeout after 10 s)"
    assert failing.score == pytest.approx(clean.score - 0.25 * WEIGHTS["error_turns"])
    assert "error_turns 0.75" in (failing.summary or "")


def test_four_error_turns_leave_nothing_of_the_error_criterion() -> None:
    turns = [exchange(n, agent=None, error=True) for n in range(5)] + [exchange(5)]
    score, evidence = criterion(grade(make_call(), turns), "error_turns")
    assert score == 0.0
    assert evidence == "5 of 6 turns ended in an error (first: turn 0)"


def test_a_call_whose_only_turns_failed_is_graded_not_refused() -> None:
    result = grade(make_call(outcome=None), [exchange(0, None, None, error=True)])
    assert result.status is GradeStatus.COMPLETED
    assert criterion(result, "error_turns")[0] == 0.75
    assert criterion(result, "talk_balance") == (0.0, "no words spoken")


# Escalation


def escalated_event(seconds: float, reason: str | None = None) -> HistoryEvent:
    return HistoryEvent(
        event_id="esc-1",
        type=HistoryEventType.ESCALATED,
        timestamp=T0 + timedelta(seconds=seconds),
        reason=reason,
    )


def test_an_escalation_in_the_history_lowers_the_escalation_criterion() -> None:
    result = grade(
        make_call(outcome=CallOutcome.ESCALATED),
        conversation(),
        [escalated_event(65, "caller asked for a person")],
    )
    assert criterion(result, "escalation") == (
        0.3,
        "escalated at 01:05 (caller asked for a person)",
    )
    assert criterion(result, "resolution") == (0.5, "outcome escalated")
    assert result.score is not None
    assert result.score < 1.0


def test_an_escalated_outcome_without_its_event_still_counts() -> None:
    result = grade(make_call(outcome=CallOutcome.ESCALATED), conversation())
    assert criterion(result, "escalation") == (0.3, "outcome escalated")


def test_a_transfer_costs_less_than_an_escalation() -> None:
    result = grade(make_call(outcome=CallOutcome.TRANSFERRED), conversation())
    assert criterion(result, "escalation") == (0.7, "outcome transferred")


def test_handing_over_an_unsolved_call_scores_above_leaving_the_caller_unanswered() -> None:
    # As documented: escalating lowers the escalation criterion, but resolution rates a
    # hand-over above an unresolved call, so the escalated call ends higher overall.
    escalated = grade(
        make_call(outcome=CallOutcome.ESCALATED), conversation(), [escalated_event(30)]
    )
    unresolved = grade(make_call(outcome=CallOutcome.UNRESOLVED), conversation())
    assert escalated.score is not None
    assert unresolved.score is not None
    assert escalated.score > unresolved.score
    resolved = grade(make_call(), conversation()).score
    assert resolved is not None
    assert escalated.score < resolved


# Agent latency


def test_slow_latency_lowers_the_latency_score() -> None:
    # p50 twice its 1 s target (halfway to the 3 s that fails it), p95 twice its 2 s target
    slow = make_call(latency=CallLatency(e2e=LatencyStats(p50=2000, p95=4000, num=10)))
    score, evidence = criterion(grade(slow, conversation()), "agent_latency")
    assert score == 0.5
    assert evidence == (
        "e2e p50 2,000 ms (target 1,000), p95 4,000 ms (target 2,000), reported by the runtime"
    )


def test_latency_past_three_times_its_target_scores_nothing() -> None:
    dead = make_call(latency=CallLatency(e2e=LatencyStats(p50=3500, p95=9000, num=10)))
    assert criterion(grade(dead, conversation()), "agent_latency")[0] == 0.0


def test_only_a_slow_tail_costs_half_the_latency_criterion_at_most() -> None:
    tail = make_call(latency=CallLatency(e2e=LatencyStats(p50=600, p95=7000, num=10)))
    assert criterion(grade(tail, conversation()), "agent_latency")[0] == 0.5


def test_latency_is_derived_from_history_spans_when_not_reported() -> None:
    spans = [
        HistoryEvent(
            event_id=f"e2e-{n}",
            type=HistoryEventType.SPAN,
            name="e2e",
            timestamp=T0 + timedelta(seconds=n),
            duration_ms=ms,
        )
        for n, ms in enumerate([2000, 2000, 2000])
    ]
    result = grade(make_call(latency=None), conversation(), spans)
    score, evidence = criterion(result, "agent_latency")
    assert score == 0.75  # p50 2 s scores 0.5, p95 2 s meets its target
    assert evidence.endswith("from 3 e2e spans")


def test_latency_is_derived_from_turn_timings_when_nothing_else_measures_it() -> None:
    turns = [exchange(n, user_end_ms=10_000 * n, agent_start_ms=10_000 * n + 900) for n in range(4)]
    score, evidence = criterion(grade(make_call(latency=None), turns), "agent_latency")
    assert score == 1.0
    assert (
        evidence == "e2e p50 900 ms (target 1,000), p95 900 ms (target 2,000), from 4 timed turns"
    )


def test_unmeasured_latency_is_left_out_and_its_weight_shared() -> None:
    result = grade(make_call(latency=None), conversation())
    assert "agent_latency" not in [c.name for c in result.criteria]
    assert sum(c.weight for c in result.criteria) == pytest.approx(1.0)
    weights = {c.name: c.weight for c in result.criteria}
    assert weights["resolution"] == pytest.approx(0.30 / 0.85, abs=1e-4)
    assert result.summary is not None
    assert result.summary.endswith("not measured: agent_latency.")


# Early hang-up


def test_a_caller_who_abandons_before_the_agent_could_help_is_an_early_hang_up() -> None:
    call = make_call(outcome=CallOutcome.ABANDONED, duration_seconds=12.0)
    score, evidence = criterion(grade(call, conversation(1)), "early_hangup")
    assert score == 0.0
    assert evidence == "caller abandoned the call early (1 agent answers in 12 s)"


def test_a_caller_hang_up_reason_counts_as_leaving() -> None:
    call = make_call(outcome=None, end_reason="caller_hangup", duration_seconds=20.0)
    score, evidence = criterion(grade(call, conversation(3)), "early_hangup")
    assert score == 0.0
    assert evidence.startswith("caller hung up (caller_hangup) early")


def test_a_caller_left_waiting_late_in_the_call_costs_half() -> None:
    # Given six answered turns over five minutes, then the caller's words left unanswered
    turns = [*conversation(6), exchange(6, user="Hello? Are you there?", agent=None)]
    call = make_call(outcome=CallOutcome.UNRESOLVED, duration_seconds=300.0)
    score, evidence = criterion(grade(call, turns), "early_hangup")
    assert score == 0.5
    assert evidence == "caller's last words went unanswered (6 agent answers in 300 s)"


def test_a_short_call_that_got_its_answer_is_no_early_hang_up() -> None:
    call = make_call(duration_seconds=15.0, end_reason="caller_hangup")
    score, evidence = criterion(grade(call, conversation(1)), "early_hangup")
    assert score == 1.0
    assert evidence == "caller hung up (caller_hangup), once resolved (1 agent answers in 15 s)"


def test_a_call_that_ends_normally_shows_no_early_hang_up() -> None:
    score, evidence = criterion(grade(make_call(), conversation()), "early_hangup")
    assert (score, evidence) == (1.0, "no sign the caller left early (4 agent answers in 120 s)")


# Talk balance


@pytest.mark.parametrize(
    ("user", "agent", "expected", "share"),
    [
        ("one two three four", "one two three four", 1.0, "50%"),
        # The agent talks 90% of the time: lecturing (1 - 0.9) / (1 - 0.7)
        ("one", "one two three four five six seven eight nine", 0.333, "90%"),
        # The agent says 15%: hardly answering, 0.15 / 0.30
        (
            "a b c d e f g h i j k l m n o p q",
            "one two three",
            0.5,
            "15%",
        ),
        ("one two three four", None, 0.0, "0%"),
    ],
)
def test_talk_balance_scores_the_agent_share_of_words_against_its_band(
    user: str, agent: str | None, expected: float, share: str
) -> None:
    turns = [exchange(0, user=user, agent=agent)]
    score, evidence = criterion(grade(make_call(), turns), "talk_balance")
    assert score == pytest.approx(expected, abs=1e-3)
    assert f"({share}; band 30%-70%)" in evidence


# Determinism


def test_the_same_call_always_gets_the_same_grade() -> None:
    # Given a call with something to say on every criterion, read in any order
    turns = [
        *conversation(5),
        exchange(5, agent=None, error=True, error_message="tool failed"),
        exchange(6, user="hello?", agent=None),
    ]
    events = [escalated_event(90, "tool failed")]
    call = make_call(outcome=CallOutcome.ESCALATED, duration_seconds=95.0)
    first = grade(call, turns, events)
    shuffled = turns[:]
    random.Random(7).shuffle(shuffled)
    # When it is graded again and again
    again = [grade(call, shuffled, events) for _ in range(3)]
    # Then the grade is the same to the byte
    assert all(g.model_dump_json() == first.model_dump_json() for g in again)
    assert first.score is not None
    assert 0.0 < first.score < 1.0
