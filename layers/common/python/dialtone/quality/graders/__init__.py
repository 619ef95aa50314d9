"""The graders: the interface (`base`), the default rubric and Amazon Bedrock."""

from __future__ import annotations

from dialtone.quality.config import GraderSettings
from dialtone.quality.graders.base import Grader, GradingSubject
from dialtone.quality.graders.bedrock import BedrockGrader
from dialtone.quality.graders.rubric import RubricGrader


def grader_for(settings: GraderSettings) -> Grader:
    """The grader the deployment's settings name."""
    if settings.grader == "bedrock":
        return BedrockGrader(settings.bedrock_model_id.strip())
    return RubricGrader()


__all__ = ["BedrockGrader", "Grader", "GradingSubject", "RubricGrader", "grader_for"]
