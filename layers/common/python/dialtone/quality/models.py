"""The public shapes of quality: a call's grade, and the issue reports filed against a call.

Field names are the contract of DESIGN.md ("Quality"); the handlers answer with these models.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dialtone.model_types import NOT_BLANK, TRIMMED, ApiModel, Timestamp

# A call's `grade_status` before its first grade: never shown as a pass.
NOT_GRADED = "not_graded"

# Scores are shown with three decimals: finer differences are noise, and rounding keeps the
# same call's grade byte-for-byte the same.
SCORE_DECIMALS = 3

Score = Annotated[float, Field(ge=0.0, le=1.0)]


class GradeStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"


class CriterionScore(ApiModel):
    """One criterion of a grade: its share of the score, how the call did on it (0-1) and the
    evidence that score rests on, in a few words with the numbers."""

    name: str
    weight: Score
    score: Score
    evidence: str


class Grade(ApiModel):
    """A call's grade. `pending` until the grader has run; `completed` with a score from 0.0 to
    1.0 (the criteria's scores weighted); `failed` with the reason in `error`, never a score of
    0 for a call that could not be judged."""

    call_id: str
    status: GradeStatus
    score: Score | None = None
    criteria: list[CriterionScore] = Field(default_factory=list)
    summary: str | None = None
    grader: str
    rubric_version: str | None = None
    graded_at: Timestamp | None = None
    error: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Grade:
        if self.status is GradeStatus.COMPLETED and self.score is None:
            raise ValueError("a completed grade has a score")
        if self.status is not GradeStatus.COMPLETED and self.score is not None:
            raise ValueError(f"a {self.status.value} grade has no score")
        if self.status is GradeStatus.FAILED and not self.error:
            raise ValueError("a failed grade says why in `error`")
        return self


class CallGradeFields(ApiModel):
    """What a call shows of its latest grade: `grade_score` only once a grade has completed."""

    grade_score: Score | None
    grade_status: str
    grade_updated_at: Timestamp | None

    @classmethod
    def of(cls, grade: Grade | None, at: datetime | None = None) -> CallGradeFields:
        """The call's grade fields for its latest grade (None: never graded); `at` dates a
        grade that has no `graded_at` yet (a pending one: when it was asked for)."""
        if grade is None:
            return cls(grade_score=None, grade_status=NOT_GRADED, grade_updated_at=None)
        return cls(
            grade_score=grade.score,
            grade_status=grade.status.value,
            grade_updated_at=grade.graded_at or at,
        )


class IssueSeverity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class IssueCategory(StrEnum):
    # Telephony problems: the issues Twilio's call feedback names.
    AUDIO_LATENCY = "audio_latency"
    DIGITS_NOT_CAPTURED = "digits_not_captured"
    DROPPED_CALL = "dropped_call"
    IMPERFECT_AUDIO = "imperfect_audio"
    INCORRECT_CALLER_ID = "incorrect_caller_id"
    ONE_WAY_AUDIO = "one_way_audio"
    POST_DIAL_DELAY = "post_dial_delay"
    UNSOLICITED_CALL = "unsolicited_call"
    # Agent problems.
    WRONG_ANSWER = "wrong_answer"
    HALLUCINATION = "hallucination"
    INTERRUPTED_CALLER = "interrupted_caller"
    SLOW_RESPONSE = "slow_response"
    FAILED_ACTION = "failed_action"
    OTHER = "other"


TELEPHONY_CATEGORIES = frozenset(
    {
        IssueCategory.AUDIO_LATENCY,
        IssueCategory.DIGITS_NOT_CAPTURED,
        IssueCategory.DROPPED_CALL,
        IssueCategory.IMPERFECT_AUDIO,
        IssueCategory.INCORRECT_CALLER_ID,
        IssueCategory.ONE_WAY_AUDIO,
        IssueCategory.POST_DIAL_DELAY,
        IssueCategory.UNSOLICITED_CALL,
    }
)
AGENT_CATEGORIES = frozenset(IssueCategory) - TELEPHONY_CATEGORIES


class IssueSource(StrEnum):
    API = "api"  # filed by a client through the API
    GRADING = "grading"  # filed by Dialtone for a grade below the tenant's threshold


TITLE_MAX_CHARS = 120
# A few paragraphs: enough to describe what went wrong and how to reproduce it, small enough
# that a call's reports stay far below DynamoDB's 400 KB item limit.
DESCRIPTION_MAX_CHARS = 4000


class IssueReportCreate(BaseModel):
    """`POST /v1/calls/{call_id}/issue-reports`."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=TITLE_MAX_CHARS), TRIMMED, NOT_BLANK]
    description: Annotated[str, Field(max_length=DESCRIPTION_MAX_CHARS), TRIMMED] | None = None
    severity: IssueSeverity
    category: IssueCategory | None = None


class IssueReport(ApiModel):
    """An issue report as the API shows it."""

    id: str
    call_id: str
    title: str
    description: str | None = None
    severity: IssueSeverity
    category: IssueCategory | None = None
    source: IssueSource
    created_at: Timestamp
