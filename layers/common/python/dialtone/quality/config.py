"""Which grader a deployment uses, from its environment."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from dialtone.settings import EnvSettings


class GraderSettings(EnvSettings):
    """`rubric` (the default: no model, no cost, the same grade every time) or `bedrock`,
    which needs the model to ask (BEDROCK_MODEL_ID, a model or inference profile id)."""

    grader: Literal["rubric", "bedrock"] = Field(alias="DIALTONE_GRADER", default="rubric")
    bedrock_model_id: str = Field(alias="BEDROCK_MODEL_ID", default="")

    @field_validator("grader", mode="before")
    @classmethod
    def _blank_is_rubric(cls, value: object) -> object:
        # The template leaves DIALTONE_GRADER blank when no BedrockModelId is given.
        return value or "rubric"

    @model_validator(mode="after")
    def _model_named(self) -> GraderSettings:
        if self.grader == "bedrock" and not self.bedrock_model_id.strip():
            raise ValueError("DIALTONE_GRADER=bedrock needs BEDROCK_MODEL_ID")
        return self
