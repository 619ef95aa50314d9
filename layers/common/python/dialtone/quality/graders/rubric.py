"""The default grader: a transparent, deterministic rubric over the call, its transcript, its
history and its latency. README.md ("Grading rubric") documents it for users; the constants
below are that document's numbers.

Six criteria, each scored 0-1 with the evidence it used, weighted into the call's score. The
same call always gets the same grade (but for `graded_at`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from dialtone.latency import derive_latency, stats
from dialtone.model_types import CallOutcome, CallStatus
from dialtone.models import Call, Exchange, HistoryEvent, HistoryEventType, LatencyStats
from dialtone.quality.graders.base import Grader, GradingSubject, weighted_score, word_count
from dialtone.quality.models import SCORE_DECIMALS, CriterionScore, Grade

# Bumped whenever a criterion, a weight or a threshold changes: grades of different versions
# are not comparable.
RUBRIC_VERSION = "1.0"

RESOLUTION = "resolution"
ERROR_TURNS = "error_turns"
ESCALATION = "escalation"
AGENT_LATENCY = "agent_latency"
EARLY_HANGUP = "early_hangup"
TALK_BALANCE = "talk_balance"

# What the call achieved counts most; how it felt (errors, hand-overs, pauses) next; how it
# ended and how the talk was shared are hints rather than verdicts.
WEIGHTS = {
    RESOLUTION: 0.30,
    ERROR_TURNS: 0.20,
    ESCALATION: 0.15,
    AGENT_LATENCY: 0.15,
    EARLY_HANGUP: 0.10,
    TALK_BALANCE: 0.10,
}

# Resolution. A person took over: not solved by the agent, but the caller was not lost either.
HANDED_OVER_RESOLUTION = 0.5
# Completed with neither an outcome nor the runtime's own judgement: no evidence either way.
UNKNOWN_RESOLUTION = 0.5
OUTCOME_RESOLUTION = {
    CallOutcome.RESOLVED: 1.0,
    CallOutcome.ESCALATED: HANDED_OVER_RESOLUTION,
    CallOutcome.TRANSFERRED: HANDED_OVER_RESOLUTION,
    CallOutcome.UNRESOLVED: 0.0,
    CallOutcome.ABANDONED: 0.0,
    CallOutcome.VOICEMAIL: 0.0,
    CallOutcome.ERROR: 0.0,
}

# Error turns. Each turn that failed costs a quarter: a caller remembers every failure however
# long the call was, and after four there is nothing left to save.
ERROR_TURN_PENALTY = 0.25

# Escalation. The agent gave up a call it was meant to handle; handing over still beats losing
# the caller, so not 0 (and the resolution criterion rates a hand-over above no answer at all).
ESCALATED_SCORE = 0.3
# A transfer is usually the routing the caller asked for: lighter than an escalation.
TRANSFERRED_SCORE = 0.7

# Agent latency: from the caller's last word to the agent's first. People expect an answer
# within about a second in conversation, and at worst within two.
LATENCY_TARGET_P50_MS = 1000.0
LATENCY_TARGET_P95_MS = 2000.0
# A percentile scores 1 at its target and 0 at this many times it, linearly between: a pause of
# three seconds (six at the tail) sounds like a dead line.
LATENCY_FAIL_FACTOR = 3.0

# Early hang-up. A caller gone within this many seconds, or before this many answers of the
# agent, left before the agent could help (a greeting and one question take about that long).
EARLY_HANGUP_SECONDS = 30.0
EARLY_HANGUP_MIN_ANSWERS = 2
EARLY_HANGUP_SCORE = 0.0
# Gone later while waiting for an answer: a bad end, but after the agent had its chance.
LATE_HANGUP_SCORE = 0.5
# `end_reason`s with which runtimes say the caller (not the agent) hung up.
CALLER_HANGUP_REASONS = frozenset(
    {"caller_hangup", "user_hangup", "customer_hangup", "customer-ended-call", "user_hung_up"}
)

# Talk balance: the agent's share of the words spoken. Between these bounds, a conversation;
# below, an agent that hardly answers; above, one that lectures a caller who cannot get a word
# in. Outside the band the score falls linearly to 0 at a share of 0 or 1.
AGENT_SHARE_MIN = 0.30
AGENT_SHARE_MAX = 0.70


@dataclass(frozen=True)
class Judgement:
    """How the call did on one criterion; a `score` of None: not measurable on this call."""

    name: str
    score: float | None
    evidence: str


# Resolution


def judge_resolution(call: Call) -> Judgement:
    """The outcome first, then the runtime's `analysis.call_successful`, then the status."""
    if call.outcome is not None:
        return Judgement(
            RESOLUTION, OUTCOME_RESOLUTION[call.outcome], f"outcome {call.outcome.value}"
        )
    successful = call.analysis.call_successful if call.analysis else None
    if successful is not None:
        return Judgement(
            RESOLUTION,
            1.0 if successful else 0.0,
            f"no outcome; analysis.call_successful is {str(successful).lower()}",
        )
    if call.status is CallStatus.COMPLETED:
        return Judgement(RESOLUTION, UNKNOWN_RESOLUTION, "no outcome nor analysis; completed")
    return Judgement(RESOLUTION, 0.0, f"no outcome; call ended {call.status.value}")


# Error turns


def judge_error_turns(turns: Sequence[Exchange]) -> Judgement:
    """Each turn that ended in an error costs ERROR_TURN_PENALTY."""
    errors = [turn for turn in turns if turn.error]
    evidence = f"{len(errors)} of {len(turns)} turns ended in an error"
    if errors:
        first = errors[0]
        evidence += f" (first: turn {first.sequence_number}"
        evidence += f": {_clip(first.error_message)})" if first.error_message else ")"
    score = max(0.0, 1.0 - ERROR_TURN_PENALTY * len(errors))
    return Judgement(ERROR_TURNS, score, evidence)


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Escalation


def judge_escalation(call: Call, events: Sequence[HistoryEvent]) -> Judgement:
    """An escalation (an `escalated` event or outcome) or a transfer lowers the criterion."""
    escalations = [e for e in events if e.type is HistoryEventType.ESCALATED]
    if escalations:
        first = escalations[0]
        at = _clock(max(0.0, (first.timestamp - call.start_time).total_seconds()))
        reason = f" ({first.reason})" if first.reason else ""
        return Judgement(ESCALATION, ESCALATED_SCORE, f"escalated at {at}{reason}")
    if call.outcome is CallOutcome.ESCALATED:
        return Judgement(ESCALATION, ESCALATED_SCORE, "outcome escalated")
    if call.outcome is CallOutcome.TRANSFERRED:
        return Judgement(ESCALATION, TRANSFERRED_SCORE, "outcome transferred")
    return Judgement(ESCALATION, 1.0, "no escalation or transfer")


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes:02d}:{rest:02d}"


# Agent latency


def judge_latency(subject: GradingSubject) -> Judgement:
    """The e2e p50 and p95 against their targets, each scoring half: as the runtime reported
    them, else from the history's spans, else from the transcript's turn timings."""
    measured = _latency(subject)
    if measured is None:
        return Judgement(AGENT_LATENCY, None, "no latency reported, no timed spans or turns")
    latency, source = measured
    p50, p95 = latency.p50 or 0.0, latency.p95 or 0.0
    score = (
        _latency_score(p50, LATENCY_TARGET_P50_MS) + _latency_score(p95, LATENCY_TARGET_P95_MS)
    ) / 2
    evidence = (
        f"e2e p50 {p50:,.0f} ms (target {LATENCY_TARGET_P50_MS:,.0f}), "
        f"p95 {p95:,.0f} ms (target {LATENCY_TARGET_P95_MS:,.0f}), {source}"
    )
    return Judgement(AGENT_LATENCY, score, evidence)


def _latency(subject: GradingSubject) -> tuple[LatencyStats, str] | None:
    reported = _usable(subject.call.latency.e2e if subject.call.latency else None)
    if reported is not None:
        return reported, "reported by the runtime"
    derived = derive_latency(subject.events)
    spans = _usable(derived.e2e if derived else None)
    if spans is not None:
        return spans, f"from {spans.num} e2e spans"
    gaps = [
        e.agent_start_ms - e.user_end_ms
        for e in subject.exchanges
        if e.agent_start_ms is not None and e.user_end_ms is not None
    ]
    timed = stats(gap for gap in gaps if gap >= 0)
    if timed is not None:
        return timed, f"from {timed.num} timed turns"
    return None


def _usable(latency: LatencyStats | None) -> LatencyStats | None:
    """`latency` when it has both percentiles the criterion needs."""
    if latency is None or latency.p50 is None or latency.p95 is None:
        return None
    return latency


def _latency_score(value_ms: float, target_ms: float) -> float:
    if value_ms <= target_ms:
        return 1.0
    fail_at = target_ms * LATENCY_FAIL_FACTOR
    return max(0.0, (fail_at - value_ms) / (fail_at - target_ms))


# Early hang-up


def judge_early_hangup(call: Call, turns: Sequence[Exchange]) -> Judgement:
    """A caller who left (the call abandoned, a caller's hang-up, or their last words left
    unanswered) before the agent could help; a resolved call is never an early hang-up."""
    answers = sum(1 for turn in turns if word_count(turn.agent_response))
    duration = _duration_seconds(call)
    length = f"{answers} agent answers" + (f" in {duration:.0f} s" if duration is not None else "")
    left = _caller_left(call, turns)
    if left is None:
        return Judgement(EARLY_HANGUP, 1.0, f"no sign the caller left early ({length})")
    if call.outcome is CallOutcome.RESOLVED:
        return Judgement(EARLY_HANGUP, 1.0, f"{left}, once resolved ({length})")
    early = answers < EARLY_HANGUP_MIN_ANSWERS or (
        duration is not None and duration < EARLY_HANGUP_SECONDS
    )
    if early:
        return Judgement(EARLY_HANGUP, EARLY_HANGUP_SCORE, f"{left} early ({length})")
    return Judgement(EARLY_HANGUP, LATE_HANGUP_SCORE, f"{left} ({length})")


def _caller_left(call: Call, turns: Sequence[Exchange]) -> str | None:
    """How the call shows that the caller left, if it does."""
    if call.outcome is CallOutcome.ABANDONED:
        return "caller abandoned the call"
    if call.end_reason in CALLER_HANGUP_REASONS:
        return f"caller hung up ({call.end_reason})"
    last = turns[-1] if turns else None
    if last is None:
        return None
    if word_count(last.user_transcript) and not word_count(last.agent_response) and not last.error:
        return "caller's last words went unanswered"
    return None


def _duration_seconds(call: Call) -> float | None:
    if call.duration_seconds is not None:
        return call.duration_seconds
    if call.end_time is not None:
        return max(0.0, (call.end_time - call.start_time).total_seconds())
    return None


# Talk balance


def judge_talk_balance(turns: Sequence[Exchange]) -> Judgement:
    """The agent's share of the words spoken, against the band AGENT_SHARE_MIN-MAX."""
    agent = sum(word_count(turn.agent_response) for turn in turns)
    user = sum(word_count(turn.user_transcript) for turn in turns)
    if agent + user == 0:
        return Judgement(TALK_BALANCE, 0.0, "no words spoken")
    share = agent / (agent + user)
    if share < AGENT_SHARE_MIN:
        score = share / AGENT_SHARE_MIN
    elif share > AGENT_SHARE_MAX:
        score = (1.0 - share) / (1.0 - AGENT_SHARE_MAX)
    else:
        score = 1.0
    evidence = (
        f"agent said {agent} of {agent + user} words ({share:.0%}; "
        f"band {AGENT_SHARE_MIN:.0%}-{AGENT_SHARE_MAX:.0%})"
    )
    return Judgement(TALK_BALANCE, score, evidence)


# The grade


def judge(subject: GradingSubject) -> list[Judgement]:
    """Every criterion of the rubric on `subject`, in the order of WEIGHTS."""
    turns = subject.turns
    return [
        judge_resolution(subject.call),
        judge_error_turns(turns),
        judge_escalation(subject.call, subject.events),
        judge_latency(subject),
        judge_early_hangup(subject.call, turns),
        judge_talk_balance(turns),
    ]


def weigh(judgements: Sequence[Judgement]) -> list[CriterionScore]:
    """The measured criteria with their weights; the weight of a criterion that could not be
    measured is shared among the others in proportion to theirs, so the weights sum to 1."""
    measured = [j for j in judgements if j.score is not None]
    total = math.fsum(WEIGHTS[j.name] for j in measured)
    weights = [round(WEIGHTS[j.name] / total, 4) for j in measured]
    # Rounding may leave the sum a hair off 1: the largest weight takes the difference.
    largest = weights.index(max(weights))
    weights[largest] = round(1.0 - math.fsum(weights) + weights[largest], 4)
    return [
        CriterionScore(
            name=j.name,
            weight=weight,
            score=round(j.score or 0.0, SCORE_DECIMALS),
            evidence=j.evidence,
        )
        for j, weight in zip(measured, weights, strict=True)
    ]


def summarize(judgements: Sequence[Judgement], criteria: Sequence[CriterionScore]) -> str:
    """One line: the score, the criteria that cost points, and those that could not be
    measured."""
    summary = f"Score {weighted_score(criteria):.2f} (rubric {RUBRIC_VERSION})"
    weak = sorted((c for c in criteria if c.score < 1.0), key=lambda c: (c.score, c.name))
    if weak:
        summary += "; lost points on " + "; ".join(
            f"{c.name} {c.score:.2f}: {c.evidence}" for c in weak
        )
    else:
        summary += "; every criterion met"
    unmeasured = [j.name for j in judgements if j.score is None]
    if unmeasured:
        summary += "; not measured: " + ", ".join(unmeasured)
    return summary + "."


class RubricGrader(Grader):
    """The rubric of this module, as a grader."""

    name = "rubric"

    @property
    def rubric_version(self) -> str:
        return RUBRIC_VERSION

    def assess(self, subject: GradingSubject) -> Grade:
        """The rubric's grade of a call that has ended and has a transcript."""
        judgements = judge(subject)
        criteria = weigh(judgements)
        return self.completed(subject.call.id, criteria, summarize(judgements, criteria))
