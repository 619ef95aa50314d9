"""The issue report a grade files by itself when it falls below the tenant's threshold."""

from __future__ import annotations

from dialtone.quality.models import (
    DESCRIPTION_MAX_CHARS,
    Grade,
    GradeStatus,
    IssueCategory,
    IssueReportCreate,
    IssueSeverity,
)

# A tenant that sets no threshold is told about calls that scored below this.
DEFAULT_GRADE_THRESHOLD = 0.6
# Below this fraction of the threshold the call failed outright rather than fell short: the
# report is critical, not a warning.
CRITICAL_FRACTION = 0.5

# The category of the criterion that cost the call the most points, when it names one.
CRITERION_CATEGORY = {
    "error_turns": IssueCategory.FAILED_ACTION,
    "agent_latency": IssueCategory.SLOW_RESPONSE,
    "accuracy": IssueCategory.WRONG_ANSWER,
}


def report_for_grade(
    grade: Grade, threshold: float = DEFAULT_GRADE_THRESHOLD
) -> IssueReportCreate | None:
    """The report to file for `grade` (with `source: grading`), or None when the grade is not
    below `threshold`: a pending or failed grade judged nothing and files none."""
    if grade.status is not GradeStatus.COMPLETED or grade.score is None:
        return None
    if grade.score >= threshold:
        return None
    severity = (
        IssueSeverity.CRITICAL
        if grade.score < threshold * CRITICAL_FRACTION
        else IssueSeverity.WARNING
    )
    return IssueReportCreate(
        title=f"Grade {grade.score:.2f} below the threshold of {threshold:.2f}",
        description=(grade.summary or "")[:DESCRIPTION_MAX_CHARS] or None,
        severity=severity,
        category=_category(grade),
    )


def _category(grade: Grade) -> IssueCategory:
    """The category of the criterion that lost the most weighted points."""
    if not grade.criteria:
        return IssueCategory.OTHER
    costliest = max(grade.criteria, key=lambda c: (c.weight * (1.0 - c.score), c.name))
    return CRITERION_CATEGORY.get(costliest.name, IssueCategory.OTHER)
