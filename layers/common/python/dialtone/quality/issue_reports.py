"""Issue reports: filing one against a call, a call's reports, and the tenant's feed.

The feed reads one partition of the `ByIssueFeed` index (see `dialtone.quality.store`): the
tenant's reports, or those of one severity, category or source, newest first between the
dates asked, so a page reads only the reports it returns (the last page may come back empty:
DynamoDB cannot tell that a page that filled its limit was the last). With several filters
the most selective one's partition is read and the others are checked on each report.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dialtone import settings
from dialtone.auth import Principal, Scope
from dialtone.errors import InvalidCursor, InvalidParameter
from dialtone.model_types import ApiModel, DateOrDateTime
from dialtone.pagination import CursorCodec, cursor_codec, fingerprint
from dialtone.quality.models import (
    IssueCategory,
    IssueReport,
    IssueReportCreate,
    IssueSeverity,
    IssueSource,
)
from dialtone.quality.store import QualityStore, feed_partition
from dialtone.store import sort_timestamp

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# How many feed partitions a page may read beyond the first when filters other than the
# partition's own leave too few reports: bounded, so a page of a rare combination stays cheap.
MAX_QUERIES_PER_PAGE = 10


class IssueReportsSettings(settings.EnvSettings):
    """The issue report routes: the calls table; the feed also signs its cursors."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    cursor_secret_arn: str = Field(alias="CURSOR_SECRET_ARN", default="")


class CallIssueReports(ApiModel):
    """`GET /v1/calls/{call_id}/issue-reports`: newest first."""

    call_id: str
    issue_reports: list[IssueReport]


class IssueReportFeed(ApiModel):
    """`GET /v1/issue-reports`: a page of the tenant's reports, newest first."""

    issue_reports: list[IssueReport]
    limit: int
    next_cursor: str | None = None


class IssueFeedParams(BaseModel):
    """`GET /v1/issue-reports` query parameters; unknown ones are ignored."""

    model_config = ConfigDict(defer_build=True, extra="ignore", frozen=True)

    severity: IssueSeverity | None = None
    category: IssueCategory | None = None
    source: IssueSource | None = None
    start_date: DateOrDateTime | None = None
    end_date: DateOrDateTime | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = None

    def filters(self) -> dict[str, str]:
        """The equality filters given, by report field."""
        values = {"category": self.category, "severity": self.severity, "source": self.source}
        return {name: value.value for name, value in values.items() if value is not None}

    def sort_range(self) -> tuple[str | None, str | None]:
        """The feed's sort-key bounds of the dates asked (a date alone spans its whole day)."""
        low = _moment(self.start_date, time.min)
        high = _moment(self.end_date, time.max)
        if low and high and low > high:
            raise InvalidParameter(
                ("query", "start_date"), "start_date is after end_date", "value_error"
            )
        return (
            sort_timestamp(low) if low else None,
            # Every id sorts before "~": the whole last moment is in range.
            f"{sort_timestamp(high)}#~" if high else None,
        )


def _moment(value: datetime | date | None, at: time) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, at, tzinfo=UTC)


def _matches(report: IssueReport, filters: dict[str, str]) -> bool:
    shown = report.model_dump(mode="json")
    return all(shown.get(name) == value for name, value in filters.items())


def _now() -> datetime:
    return datetime.now(UTC)


class IssueReports:
    """Files and reads issue reports."""

    def __init__(
        self,
        store: QualityStore,
        codec: Callable[[], CursorCodec] | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.store = store
        self._codec = codec
        self.clock = clock

    def file(self, principal: Principal, call_id: str, request: IssueReportCreate) -> IssueReport:
        """File a report against the call (`source: api`); its counters move with it."""
        principal.require(Scope.CALLS_WRITE)
        call = self.store.get_call(principal.tenant_id, call_id)
        report = IssueReport(
            id=str(uuid.uuid4()),
            call_id=call_id,
            source=IssueSource.API,
            created_at=self.clock(),
            **request.model_dump(),
        )
        self.store.add_report(principal.tenant_id, report, call.internal.expires_at)
        return report

    def for_call(self, principal: Principal, call_id: str) -> CallIssueReports:
        """The call's reports, newest first."""
        principal.require(Scope.CALLS_READ)
        self.store.require_call(principal.tenant_id, call_id)
        reports = self.store.list_reports(principal.tenant_id, call_id)
        return CallIssueReports(call_id=call_id, issue_reports=reports)

    def feed(self, principal: Principal, params: IssueFeedParams) -> IssueReportFeed:
        """A page of the tenant's reports, newest first, filtered."""
        principal.require(Scope.CALLS_READ)
        filters = params.filters()
        low, high = params.sort_range()
        query = fingerprint({**filters, "low": low, "high": high, "feed": 1})
        start = self._start(params.cursor, principal.tenant_id, query)
        # The most selective filter names the partition (categories are many, sources two).
        name = next(iter(filters), None)
        partition = feed_partition(
            principal.tenant_id, name, filters[name] if name is not None else None
        )
        rest = {key: value for key, value in filters.items() if key != name}
        reports: list[IssueReport] = []
        for _ in range(MAX_QUERIES_PER_PAGE):
            page, start = self.store.query_feed(
                partition, low, high, params.limit - len(reports), start
            )
            reports.extend(r for r in page if _matches(r, rest))
            if start is None or len(reports) >= params.limit:
                break
        cursor = None
        if start is not None:
            cursor = self._codec_of().encode({"k": start}, principal.tenant_id, query)
        return IssueReportFeed(issue_reports=reports, limit=params.limit, next_cursor=cursor)

    def _start(self, cursor: str | None, tenant_id: str, query: str) -> dict[str, Any] | None:
        if cursor is None:
            return None
        payload = self._codec_of().decode(cursor, tenant_id, query)
        key = payload.get("k")
        if not isinstance(key, dict):
            raise InvalidCursor()
        return key

    def _codec_of(self) -> CursorCodec:
        if self._codec is None:
            raise RuntimeError("the feed needs CURSOR_SECRET_ARN")
        return self._codec()


@settings.per_environment
def service() -> IssueReports:
    """The issue report service of this execution environment."""
    config = settings.load(IssueReportsSettings)

    def codec() -> CursorCodec:
        return cursor_codec(config.cursor_secret_arn)

    return IssueReports(
        QualityStore(config.calls_table), codec if config.cursor_secret_arn else None
    )
