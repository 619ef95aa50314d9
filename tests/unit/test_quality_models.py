"""The shapes of quality: issue reports as a client files them, grades as they are stored, what
a call shows of its grade, and the report a low grade files (dialtone.quality)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from dialtone.quality.models import (
    AGENT_CATEGORIES,
    NOT_GRADED,
    TELEPHONY_CATEGORIES,
    CallGradeFields,
    CriterionScore,
    Grade,
    GradeStatus,
    IssueCategory,
    IssueReport,
    IssueReportCreate,
    IssueSeverity,
    IssueSource,
)
from dialtone.quality.reports import report_for_grade

CALL_ID = "0b7e2c1a-5d4f-4e3b-9a8c-1f2e3d4c5b6a"
AT = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)


# Issue reports as filed


def test_a_report_needs_only_a_title_and_a_severity() -> None:
    report = IssueReportCreate.model_validate(
        {"title": "  Agent talked over me ", "severity": "warning"}
    )
    assert report.title == "Agent talked over me"
    assert (report.severity, report.description, report.category) == (
        IssueSeverity.WARNING,
        None,
        None,
    )


def test_a_title_of_120_characters_is_accepted() -> None:
    assert len(IssueReportCreate(title="x" * 120, severity=IssueSeverity.INFO).title) == 120


@pytest.mark.parametrize(
    ("body", "field", "kind"),
    [
        ({"title": "", "severity": "info"}, "title", "string_too_short"),
        ({"title": "   ", "severity": "info"}, "title", "string_too_short"),
        ({"title": "x" * 121, "severity": "info"}, "title", "string_too_long"),
        ({"severity": "info"}, "title", "missing"),
        ({"title": "Echo", "severity": "urgent"}, "severity", "enum"),
        ({"title": "Echo"}, "severity", "missing"),
        ({"title": "Echo", "severity": "info", "category": "bad_vibes"}, "category", "enum"),
        (
            {"title": "Echo", "severity": "info", "description": "x" * 4001},
            "description",
            "string_too_long",
        ),
        ({"title": "Echo", "severity": "info", "source": "grading"}, "source", "extra_forbidden"),
    ],
)
def test_a_bad_report_is_refused_naming_the_field(
    body: dict[str, Any], field: str, kind: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        IssueReportCreate.model_validate(body)
    (error,) = refused.value.errors()
    assert (error["loc"], error["type"]) == ((field,), kind)


def test_the_categories_are_the_published_list() -> None:
    assert {c.value for c in TELEPHONY_CATEGORIES} == {
        "audio_latency",
        "digits_not_captured",
        "dropped_call",
        "imperfect_audio",
        "incorrect_caller_id",
        "one_way_audio",
        "post_dial_delay",
        "unsolicited_call",
    }
    assert {c.value for c in AGENT_CATEGORIES} == {
        "wrong_answer",
        "hallucination",
        "interrupted_caller",
        "slow_response",
        "failed_action",
        "other",
    }
    assert set(IssueCategory) == TELEPHONY_CATEGORIES | AGENT_CATEGORIES


def test_a_report_serialises_as_the_contract_says() -> None:
    report = IssueReport(
        id="r1",
        call_id=CALL_ID,
        title="Dropped",
        severity=IssueSeverity.CRITICAL,
        category=IssueCategory.DROPPED_CALL,
        source=IssueSource.API,
        created_at=AT,
    )
    assert report.model_dump(mode="json") == {
        "id": "r1",
        "call_id": CALL_ID,
        "title": "Dropped",
        "description": None,
        "severity": "critical",
        "category": "dropped_call",
        "source": "api",
        "created_at": "2026-03-10T13:00:00Z",
    }


# Grades


def criteria(*scores: tuple[str, float, float]) -> list[CriterionScore]:
    return [CriterionScore(name=n, weight=w, score=s, evidence="e") for n, w, s in scores]


def completed(score: float, *scores: tuple[str, float, float]) -> Grade:
    return Grade(
        call_id=CALL_ID,
        status=GradeStatus.COMPLETED,
        score=score,
        criteria=criteria(*scores),
        summary="Score low.",
        grader="rubric",
        rubric_version="1.0",
        graded_at=AT,
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "completed"}, "a completed grade has a score"),
        ({"status": "pending", "score": 0.5}, "a pending grade has no score"),
        ({"status": "failed", "score": 0.0, "error": "x"}, "a failed grade has no score"),
        ({"status": "failed"}, "a failed grade says why in `error`"),
        ({"status": "completed", "score": 1.5}, "less than or equal to 1"),
        ({"status": "done"}, "Input should be 'pending', 'completed' or 'failed'"),
    ],
)
def test_an_inconsistent_grade_cannot_be_built(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Grade.model_validate({"call_id": CALL_ID, "grader": "rubric", **fields})


def test_a_call_never_graded_shows_not_graded_and_no_score() -> None:
    fields = CallGradeFields.of(None)
    assert fields.model_dump() == {
        "grade_score": None,
        "grade_status": NOT_GRADED,
        "grade_updated_at": None,
    }


def test_a_pending_grade_shows_no_score_and_when_it_was_asked_for() -> None:
    pending = Grade(call_id=CALL_ID, status=GradeStatus.PENDING, grader="rubric")
    fields = CallGradeFields.of(pending, at=AT)
    assert (fields.grade_score, fields.grade_status, fields.grade_updated_at) == (
        None,
        "pending",
        AT,
    )


def test_a_completed_grade_shows_its_score() -> None:
    fields = CallGradeFields.of(completed(0.8, ("resolution", 1.0, 0.8)))
    assert (fields.grade_score, fields.grade_status, fields.grade_updated_at) == (
        0.8,
        "completed",
        AT,
    )


# The report a low grade files


def test_a_grade_below_the_threshold_files_a_warning_for_its_costliest_criterion() -> None:
    grade = completed(0.5, ("resolution", 0.5, 0.8), ("error_turns", 0.5, 0.2))
    report = report_for_grade(grade, threshold=0.6)
    assert report is not None
    assert report.title == "Grade 0.50 below the threshold of 0.60"
    assert (report.severity, report.category) == (
        IssueSeverity.WARNING,
        IssueCategory.FAILED_ACTION,
    )
    assert report.description == "Score low."


def test_a_grade_below_half_the_threshold_files_a_critical_report() -> None:
    grade = completed(0.2, ("agent_latency", 1.0, 0.2))
    report = report_for_grade(grade, threshold=0.6)
    assert report is not None
    assert (report.severity, report.category) == (
        IssueSeverity.CRITICAL,
        IssueCategory.SLOW_RESPONSE,
    )


def test_a_criterion_without_a_category_files_under_other() -> None:
    report = report_for_grade(completed(0.3, ("talk_balance", 1.0, 0.3)), threshold=0.5)
    assert report is not None
    assert report.category is IssueCategory.OTHER


@pytest.mark.parametrize(
    "grade",
    [
        completed(0.6, ("resolution", 1.0, 0.6)),
        Grade(call_id=CALL_ID, status=GradeStatus.PENDING, grader="rubric"),
        Grade(call_id=CALL_ID, status=GradeStatus.FAILED, grader="rubric", error="no transcript"),
    ],
)
def test_a_grade_at_the_threshold_or_that_judged_nothing_files_no_report(grade: Grade) -> None:
    assert report_for_grade(grade, threshold=0.6) is None
