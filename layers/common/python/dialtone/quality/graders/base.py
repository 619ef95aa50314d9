"""The grader interface: a call with its transcript and history in, a `Grade` out.

Every grader shares the rules here: a call that cannot be judged (still going on, or with no
transcript) grades `failed` with the reason, never 0; a completed grade's score is its
criteria's scores weighted, computed here rather than by each grader. The graders import this
module; it imports none of them.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from dialtone.model_types import FINAL_STATUSES
from dialtone.models import Call, Exchange, HistoryEvent
from dialtone.quality.models import SCORE_DECIMALS, CriterionScore, Grade, GradeStatus

NO_TRANSCRIPT = "Call has no transcript"

# How far the weights of a grade's criteria may stray from 1 (float sums of decimals).
WEIGHT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class GradingSubject:
    """What a grader judges: the call, its transcript exchanges in order and its history
    events in order."""

    call: Call
    exchanges: tuple[Exchange, ...]
    events: tuple[HistoryEvent, ...]

    @classmethod
    def of(
        cls, call: Call, exchanges: Iterable[Exchange], events: Iterable[HistoryEvent] = ()
    ) -> GradingSubject:
        """The subject of `call`, its exchanges and events put in order whatever order they
        were read in."""
        return cls(
            call=call,
            exchanges=tuple(sorted(exchanges, key=lambda e: e.sequence_number)),
            events=tuple(sorted(events, key=lambda e: e.timestamp)),
        )

    @property
    def turns(self) -> tuple[Exchange, ...]:
        """The exchanges something happened in: words from either side, or an error."""
        return tuple(e for e in self.exchanges if e.error or has_words(e))


def has_words(exchange: Exchange) -> bool:
    """Whether either side of `exchange` said anything."""
    return bool((exchange.user_transcript or "").strip() or (exchange.agent_response or "").strip())


def word_count(text: str | None) -> int:
    """The number of words in `text` (none for None)."""
    return len(text.split()) if text else 0


def unjudgeable(subject: GradingSubject) -> str | None:
    """Why `subject` cannot be graded, or None when it can."""
    if subject.call.status not in FINAL_STATUSES:
        return f"Call has not ended (status {subject.call.status.value})"
    if not subject.turns:
        return NO_TRANSCRIPT
    return None


def weighted_score(criteria: Sequence[CriterionScore]) -> float:
    """The criteria's scores weighted; the weights must sum to 1."""
    total_weight = math.fsum(c.weight for c in criteria)
    if abs(total_weight - 1.0) > WEIGHT_TOLERANCE:
        raise ValueError(f"criteria weights sum to {total_weight}, not 1")
    return round(math.fsum(c.weight * c.score for c in criteria), SCORE_DECIMALS)


def utc_now() -> datetime:
    """The current time in UTC (graders' default clock)."""
    return datetime.now(UTC)


class Grader(ABC):
    """A way of grading calls. `grade` applies the shared rules and leaves the judging of a
    call that can be judged to `assess`."""

    name: ClassVar[str]

    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self.clock = clock

    @property
    @abstractmethod
    def rubric_version(self) -> str:
        """Which version of the criteria (or of the prompt) a grade was made with."""

    @abstractmethod
    def assess(self, subject: GradingSubject) -> Grade:
        """Judge a call that has ended and has a transcript."""

    def grade(self, subject: GradingSubject) -> Grade:
        """The grade of `subject`: `failed` with the reason when it cannot be judged."""
        reason = unjudgeable(subject)
        if reason is not None:
            return self.failed(subject.call.id, reason)
        return self.assess(subject)

    def pending(self, call_id: str) -> Grade:
        """The grade stored while the work waits in the queue."""
        return Grade(
            call_id=call_id,
            status=GradeStatus.PENDING,
            grader=self.name,
            rubric_version=self.rubric_version,
        )

    def failed(self, call_id: str, reason: str) -> Grade:
        """A grade that could not be given, and why."""
        return Grade(
            call_id=call_id,
            status=GradeStatus.FAILED,
            grader=self.name,
            rubric_version=self.rubric_version,
            graded_at=self.clock(),
            error=reason,
        )

    def completed(
        self, call_id: str, criteria: Sequence[CriterionScore], summary: str | None
    ) -> Grade:
        """A grade whose score is `criteria` weighted."""
        return Grade(
            call_id=call_id,
            status=GradeStatus.COMPLETED,
            score=weighted_score(criteria),
            criteria=list(criteria),
            summary=summary,
            grader=self.name,
            rubric_version=self.rubric_version,
            graded_at=self.clock(),
        )
