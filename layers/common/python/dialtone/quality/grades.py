"""Reading a call's latest grade (`GET /v1/calls/{call_id}/grade`).

Apart from `dialtone.quality.grading`, which asks for grades: that needs the tenant's quality
settings (`dialtone.accounts`) and the grade queue, reading needs the calls table only.
"""

from __future__ import annotations

from pydantic import Field

from dialtone import settings
from dialtone.auth import Principal, Scope
from dialtone.errors import CallNotGraded
from dialtone.quality.models import Grade
from dialtone.quality.store import QualityStore
from dialtone.settings import EnvSettings


class GradeReadSettings(EnvSettings):
    """`GET /v1/calls/{call_id}/grade`: the calls table."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)


@settings.per_environment
def store() -> QualityStore:
    """The grades' store of this execution environment."""
    return QualityStore(settings.load(GradeReadSettings).calls_table)


def latest_grade(principal: Principal, call_id: str) -> Grade:
    """The call's latest grade; CallNotFound (or the call being erased or past its retention),
    or CallNotGraded when it was never graded."""
    principal.require(Scope.CALLS_READ)
    grades = store()
    grades.require_call(principal.tenant_id, call_id)
    stored = grades.get_grade(principal.tenant_id, call_id)
    if stored is None:
        raise CallNotGraded()
    return stored.grade
