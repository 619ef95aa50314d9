"""Quality: grading calls and the issue reports filed against them.

`models` holds the shapes the API shows; `graders` the grader interface (`base`) and its two
implementations, the default `rubric` and `bedrock`; `reports` the report a low grade files.
Importing this package loads no AWS SDK: the Bedrock grader creates its client on first use.
"""

from __future__ import annotations

from dialtone.quality.config import GraderSettings
from dialtone.quality.exceptions import GradingUnavailable
from dialtone.quality.graders import grader_for
from dialtone.quality.graders.base import NO_TRANSCRIPT, Grader, GradingSubject
from dialtone.quality.graders.bedrock import BEDROCK_CRITERIA, PROMPT_VERSION, BedrockGrader
from dialtone.quality.graders.rubric import RUBRIC_VERSION, WEIGHTS, RubricGrader
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
from dialtone.quality.reports import DEFAULT_GRADE_THRESHOLD, report_for_grade

__all__ = [
    "AGENT_CATEGORIES",
    "BEDROCK_CRITERIA",
    "DEFAULT_GRADE_THRESHOLD",
    "NOT_GRADED",
    "NO_TRANSCRIPT",
    "PROMPT_VERSION",
    "RUBRIC_VERSION",
    "TELEPHONY_CATEGORIES",
    "WEIGHTS",
    "BedrockGrader",
    "CallGradeFields",
    "CriterionScore",
    "Grade",
    "GradeStatus",
    "Grader",
    "GraderSettings",
    "GradingSubject",
    "GradingUnavailable",
    "IssueCategory",
    "IssueReport",
    "IssueReportCreate",
    "IssueSeverity",
    "IssueSource",
    "RubricGrader",
    "grader_for",
    "report_for_grade",
]
