"""Grading calls: asking for a grade (`POST /v1/calls/{call_id}/grade`) and the grader's work on
each request taken from the grade queue (reading a grade is `dialtone.quality.grades`).

A request stores a `pending` grade with a new grade id, then queues that id. The grader grades
the call and stores the outcome only if that grade is still the pending one it was asked for,
so a redelivered message, or one for a grade replaced since (`force=true`), changes nothing. A
completed grade below the tenant's threshold files its issue report in the same transaction,
hence once.
"""

from __future__ import annotations

import contextlib
import functools
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from dialtone import aws, settings
from dialtone.accounts import (
    DEFAULT_GRADE_ISSUE_THRESHOLD,
    DEFAULT_GRADE_REFRESH_HOURS,
    AccountStore,
)
from dialtone.auth import Principal, Scope
from dialtone.errors import CallNotFound, GradeQueueUnavailable, TenantNotFound
from dialtone.observability import logger
from dialtone.quality.config import GraderSettings
from dialtone.quality.models import Grade, GradeStatus, IssueReport, IssueReportCreate, IssueSource
from dialtone.quality.reports import report_for_grade
from dialtone.quality.store import QualityStore, StoredGrade
from dialtone.settings import EnvSettings, ResourceName

if TYPE_CHECKING:
    from dialtone.quality.graders.base import Grader


class GradingSettings(EnvSettings):
    """`POST /v1/calls/{call_id}/grade`: calls, tenants (how long a grade stands), the grade
    queue, and which grader a pending grade names."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)
    grade_queue_url: str = Field(alias="GRADE_QUEUE_URL", min_length=1)


class GraderFunctionSettings(GraderSettings):
    """The grader: calls (read, and graded), tenants (their threshold), the grader to use."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)


class GradeRequest(BaseModel):
    """The grade queue's message: which pending grade of which call to give."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    tenant_id: str = ResourceName
    call_id: str = ResourceName
    grade_id: str = ResourceName


class GradeOutcome(StrEnum):
    """What the grader did with one request."""

    GRADED = "graded"
    STALE = "stale"  # already given, or replaced by a newer request
    CALL_GONE = "call_gone"  # erased or expired meanwhile


class TenantQuality(BaseModel):
    """A tenant's quality settings (defaults for a tenant the accounts table does not hold)."""

    model_config = ConfigDict(defer_build=True)

    grade_refresh_hours: int = DEFAULT_GRADE_REFRESH_HOURS
    grade_issue_threshold: float = DEFAULT_GRADE_ISSUE_THRESHOLD


def tenant_quality(accounts: AccountStore, tenant_id: str) -> TenantQuality:
    """The quality settings of a tenant."""
    try:
        tenant = accounts.get_tenant(tenant_id)
    except TenantNotFound:
        return TenantQuality()
    return TenantQuality(
        grade_refresh_hours=tenant.grade_refresh_hours,
        grade_issue_threshold=tenant.grade_issue_threshold,
    )


class GradeQueue:
    """The grade queue: written here only."""

    def __init__(self, queue_url: str) -> None:
        self.queue_url = queue_url

    def send(self, request: GradeRequest) -> None:
        """Queue one grade request; GradeQueueUnavailable when SQS does not take it."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            aws.client("sqs").send_message(
                QueueUrl=self.queue_url, MessageBody=request.model_dump_json()
            )
        except (BotoCoreError, ClientError) as error:
            logger.warning("Could not queue a grade", extra={"error": str(error)})
            raise GradeQueueUnavailable() from error


# The grade queue redelivers a message for up to its receive count times visibility timeout (about
# half an hour); a grade still pending well past that will not be given by that message.
PENDING_GIVEN_UP_AFTER = timedelta(hours=1)


def _now() -> datetime:
    return datetime.now(UTC)


class GradingService:
    """Asks for grades."""

    def __init__(
        self,
        store: QualityStore,
        accounts: AccountStore,
        queue: GradeQueue,
        grader: Callable[[], Grader],
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.store = store
        self.accounts = accounts
        self.queue = queue
        self._make_grader = grader
        self.clock = clock

    @functools.cached_property
    def grader(self) -> Grader:
        """The deployment's grader (whose name a pending grade carries), made when a grade is
        first started: reading one needs none."""
        return self._make_grader()

    def request_grade(self, principal: Principal, call_id: str, force: bool = False) -> Grade:
        """Start grading the call (a `pending` grade, queued), unless it has a pending grade
        already or a completed one younger than the tenant's `grade_refresh_hours`: that grade
        is answered as it is. `force` starts a new grade in every case."""
        principal.require(Scope.CALLS_WRITE)
        tenant_id = principal.tenant_id
        call = self.store.get_call(tenant_id, call_id, consistent=True)
        current = self.store.get_grade(tenant_id, call_id)
        if current is not None and not force and self._stands(tenant_id, current):
            return current.grade
        stored = StoredGrade(
            grade=self.grader.pending(call_id),
            grade_id=str(uuid.uuid4()),
            requested_at=self.clock(),
        )
        replacing = current.grade_id if current else None
        if not self.store.start_grade(tenant_id, stored, replacing, call.internal.expires_at):
            # Another request started a grade first: that one is queued already.
            latest = self.store.get_grade(tenant_id, call_id)
            if latest is None:  # erased in between
                raise CallNotFound()
            return latest.grade
        self._queue(tenant_id, stored, call.internal.expires_at)
        logger.info("Grade requested", extra={"call_id": call_id, "grade_id": stored.grade_id})
        return stored.grade

    def _queue(self, tenant_id: str, stored: StoredGrade, expires_at: int | None) -> None:
        """Queue the pending grade just stored. If the queue does not take it, the grade ends
        failed, so that asking again grades again (best effort: a grade left pending is given
        up after PENDING_GIVEN_UP_AFTER), and GradeQueueUnavailable (503) is raised."""
        from botocore.exceptions import BotoCoreError, ClientError

        call_id = stored.grade.call_id
        try:
            self.queue.send(
                GradeRequest(tenant_id=tenant_id, call_id=call_id, grade_id=stored.grade_id)
            )
        except GradeQueueUnavailable:
            failed = self.grader.failed(call_id, "The grade queue was unavailable; ask again")
            with contextlib.suppress(CallNotFound, BotoCoreError, ClientError):
                self.store.finish_grade(tenant_id, stored._replace(grade=failed), None, expires_at)
            raise

    def _stands(self, tenant_id: str, current: StoredGrade) -> bool:
        """Whether `current` is answered instead of grading again: pending (queued already,
        unless older than PENDING_GIVEN_UP_AFTER: its message is then lost or dead-lettered),
        or completed within the tenant's refresh period. A failed grade judged nothing, so
        asking again grades again."""
        grade = current.grade
        if grade.status is GradeStatus.PENDING:
            return self.clock() - current.requested_at < PENDING_GIVEN_UP_AFTER
        if grade.status is not GradeStatus.COMPLETED or grade.graded_at is None:
            return False
        hours = tenant_quality(self.accounts, tenant_id).grade_refresh_hours
        return self.clock() - grade.graded_at < timedelta(hours=hours)


class GraderWork:
    """The grader's side: gives the pending grade a queued request names."""

    def __init__(self, store: QualityStore, accounts: AccountStore, grader: Grader) -> None:
        self.store = store
        self.accounts = accounts
        self.grader = grader

    def handle(self, request: GradeRequest) -> GradeOutcome:
        """Grade the call of `request` and store the outcome (and the issue report a low grade
        files). GradingUnavailable when the grader cannot run now: the message is redelivered."""
        current = self.store.get_grade(request.tenant_id, request.call_id)
        if current is None or current.grade_id != request.grade_id:
            return GradeOutcome.STALE
        if current.grade.status is not GradeStatus.PENDING:
            return GradeOutcome.STALE
        try:
            call = self.store.get_call(request.tenant_id, request.call_id, consistent=True)
        except CallNotFound:
            return GradeOutcome.CALL_GONE
        from dialtone.quality.graders.base import GradingSubject

        subject = GradingSubject.of(
            call.call,
            self.store.list_exchanges(request.tenant_id, request.call_id),
            self.store.list_events(request.tenant_id, request.call_id),
        )
        grade = self.grader.grade(subject)
        report = self._report(request, grade)
        done = StoredGrade(
            grade=grade, grade_id=request.grade_id, requested_at=current.requested_at
        )
        try:
            stored = self.store.finish_grade(
                request.tenant_id, done, report, call.internal.expires_at
            )
        except CallNotFound:
            return GradeOutcome.CALL_GONE
        return GradeOutcome.GRADED if stored else GradeOutcome.STALE

    def _report(self, request: GradeRequest, grade: Grade) -> IssueReport | None:
        """The report `grade` files, with an id of its own grade's (one report per grade)."""
        threshold = tenant_quality(self.accounts, request.tenant_id).grade_issue_threshold
        filed: IssueReportCreate | None = report_for_grade(grade, threshold)
        if filed is None or grade.graded_at is None:
            return None
        return IssueReport(
            id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"dialtone:grade:{request.grade_id}")),
            call_id=request.call_id,
            source=IssueSource.GRADING,
            created_at=grade.graded_at,
            **filed.model_dump(),
        )


def parse_request(body: str | dict[str, Any]) -> GradeRequest:
    """A grade queue message's request (ValidationError for anything else)."""
    return GradeRequest.model_validate(json.loads(body) if isinstance(body, str) else body)


@settings.per_environment
def service() -> GradingService:
    """The grading service of this execution environment (`POST /v1/calls/{call_id}/grade`)."""
    config = settings.load(GradingSettings)
    grader_config = settings.load(GraderSettings)
    return GradingService(
        QualityStore(config.calls_table),
        AccountStore(config.accounts_table),
        GradeQueue(config.grade_queue_url),
        functools.partial(_grader, grader_config),
    )


def _grader(config: GraderSettings) -> Grader:
    """The grader `config` names, its module loaded only now (the grade routes' cold start
    reads a grade, or finds it standing, without one)."""
    from dialtone.quality.graders import grader_for

    return grader_for(config)


@settings.per_environment
def grader_work() -> GraderWork:
    """The grader of this execution environment (the grader function)."""
    config = settings.load(GraderFunctionSettings)
    return GraderWork(
        QualityStore(config.calls_table), AccountStore(config.accounts_table), _grader(config)
    )
