"""Grades and issue reports in the calls table, as children of their call.

Under the call's partition (`T#<tenant>#C#<call>`): `GRADE` holds the call's latest grade;
`IR#<created>#<report>` each issue report (so a Query of the call's `IR#` keys, backwards, is
newest first); `IX#<report>#<filter>` one copy of a report per feed filter it can be found by
(severity, source, category). The report and its copies carry `feed_key` and `feed_sort`, the
keys of the sparse `ByIssueFeed` index: the report `<tenant>#IR`, each copy
`<tenant>#IR#<filter>#<value>`, all sorted by `<created>#<report>`. One Query of that index
therefore reads only the reports of one tenant that match one filter, newest first; and since
every copy lives under the call, erasing or expiring the call removes them with it.

The call's counters and grade fields change in the same transaction as these items, on the
condition that the call still exists and is neither being erased nor past its retention.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from dialtone.dynamo import from_item, string_key, to_item
from dialtone.errors import CallNotFound, WriteContention
from dialtone.model_types import format_timestamp
from dialtone.quality.models import CallGradeFields, Grade, GradeStatus, IssueReport
from dialtone.store import CALL_SK, CallStore, call_pk, sort_timestamp

GRADE_SK = "GRADE"
REPORT_PREFIX = "IR#"
REPORT_COPY_PREFIX = "IX#"
FEED_INDEX = "ByIssueFeed"
# The feed filters that have an index partition of their own, by report field.
FEED_FILTERS = ("severity", "source", "category")

# Attempts of a transaction that lost to another on the same call (concurrent reports).
_ATTEMPTS = 12
# What a cancelled transaction's item says when it lost a race rather than broke a rule.
_RACES = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})
_LIVE_CALL = (
    "attribute_exists(pk) AND attribute_not_exists(erasing)"
    " AND (attribute_not_exists(expires_at) OR expires_at > :epoch)"
)


def feed_partition(tenant_id: str, name: str | None = None, value: str | None = None) -> str:
    """The `ByIssueFeed` partition of a tenant's reports: all, or those with `name` = `value`."""
    return f"{tenant_id}#IR" if name is None else f"{tenant_id}#IR#{name}#{value}"


def feed_sort(report: IssueReport) -> str:
    """A report's sort value in the feed and under its call: creation time, then id."""
    return f"{sort_timestamp(report.created_at)}#{report.id}"


class StoredGrade(NamedTuple):
    """A call's latest grade, with the id of the request that asked for it (the grader works
    on that request only) and when it was asked for."""

    grade: Grade
    grade_id: str
    requested_at: datetime


class CallChange(NamedTuple):
    """What a transaction does to the call item besides checking it is live: counters added,
    grade fields set."""

    issue_count: int = 0
    critical_issue_count: int = 0
    grade: CallGradeFields | None = None


class QualityStore(CallStore):
    """Reads and writes grades and issue reports; raises CallNotFound, returns domain models."""

    # Grades

    def get_grade(self, tenant_id: str, call_id: str) -> StoredGrade | None:
        """The call's latest grade (strongly consistent), or None when it was never graded."""
        response = self.dynamodb.get_item(
            TableName=self.table_name,
            Key=string_key(pk=call_pk(tenant_id, call_id), sk=GRADE_SK),
            ConsistentRead=True,
        )
        if "Item" not in response:
            return None
        values = from_item(response["Item"])
        return StoredGrade(
            grade=Grade.model_validate(values),
            grade_id=values["grade_id"],
            requested_at=datetime.fromisoformat(values["requested_at"]),
        )

    def start_grade(
        self,
        tenant_id: str,
        stored: StoredGrade,
        replacing: str | None,
        expires_at: int | None,
    ) -> bool:
        """Store a pending grade in place of the grade whose id is `replacing` (None: in place
        of no grade), with the call's grade fields; False, writing nothing, when another
        request replaced that grade first."""
        condition, values = "attribute_not_exists(sk)", {}
        if replacing is not None:
            condition, values = "grade_id = :seen", {":seen": {"S": replacing}}
        put = {
            "Put": {
                "TableName": self.table_name,
                "Item": self._grade_item(tenant_id, stored, expires_at),
                "ConditionExpression": condition,
                **({"ExpressionAttributeValues": values} if values else {}),
            }
        }
        change = CallChange(grade=CallGradeFields.of(stored.grade, stored.requested_at))
        return self._transact(tenant_id, stored.grade.call_id, change, [put])

    def finish_grade(
        self,
        tenant_id: str,
        stored: StoredGrade,
        report: IssueReport | None,
        expires_at: int | None,
    ) -> bool:
        """Store the outcome of the pending grade `stored.grade_id`, the call's grade fields and
        the report the grade files (if any) together; False, writing nothing, when that grade is
        no longer pending (done already, or replaced by a newer request)."""
        put = {
            "Put": {
                "TableName": self.table_name,
                "Item": self._grade_item(tenant_id, stored, expires_at),
                "ConditionExpression": "grade_id = :id AND #status = :pending",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {
                    ":id": {"S": stored.grade_id},
                    ":pending": {"S": GradeStatus.PENDING.value},
                },
            }
        }
        actions = [put, *(self._report_puts(tenant_id, report, expires_at) if report else [])]
        change = _report_change(report, CallGradeFields.of(stored.grade))
        return self._transact(tenant_id, stored.grade.call_id, change, actions)

    def _grade_item(
        self, tenant_id: str, stored: StoredGrade, expires_at: int | None
    ) -> dict[str, Any]:
        return to_item(
            {
                **stored.grade.model_dump(mode="json"),
                "pk": call_pk(tenant_id, stored.grade.call_id),
                "sk": GRADE_SK,
                "grade_id": stored.grade_id,
                "requested_at": format_timestamp(stored.requested_at),
                "expires_at": expires_at,
            }
        )

    # Issue reports

    def add_report(self, tenant_id: str, report: IssueReport, expires_at: int | None) -> None:
        """Store a report and its feed copies, and count it on its call, in one transaction."""
        actions = self._report_puts(tenant_id, report, expires_at)
        self._transact(tenant_id, report.call_id, _report_change(report), actions)

    def list_reports(self, tenant_id: str, call_id: str) -> list[IssueReport]:
        """The call's reports, newest first."""
        reports: list[IssueReport] = []
        for page in self.dynamodb.get_paginator("query").paginate(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={
                ":pk": {"S": call_pk(tenant_id, call_id)},
                ":prefix": {"S": REPORT_PREFIX},
            },
            ScanIndexForward=False,
        ):
            reports.extend(report_of(item) for item in page["Items"])
        return reports

    def query_feed(
        self,
        partition: str,
        low: str | None,
        high: str | None,
        limit: int,
        start: dict[str, Any] | None,
    ) -> tuple[list[IssueReport], dict[str, Any] | None]:
        """One page of a feed partition, newest first, between the sort values `low` and
        `high` (inclusive, either may be None); the reports and where the next page starts."""
        condition = "feed_key = :partition"
        values: dict[str, Any] = {":partition": {"S": partition}}
        if low is not None:
            values[":low"] = {"S": low}
        if high is not None:
            values[":high"] = {"S": high}
        if low is not None and high is not None:
            condition += " AND feed_sort BETWEEN :low AND :high"
        elif low is not None:
            condition += " AND feed_sort >= :low"
        elif high is not None:
            condition += " AND feed_sort <= :high"
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": FEED_INDEX,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start:
            request["ExclusiveStartKey"] = start
        response = self.dynamodb.query(**request)
        reports = [report_of(item) for item in response["Items"]]
        return reports, response.get("LastEvaluatedKey")

    def _report_puts(
        self, tenant_id: str, report: IssueReport, expires_at: int | None
    ) -> list[dict[str, Any]]:
        """The report item and its feed copies; each written once (a redelivered grade's
        report, with the same id, is refused by the condition and the whole write with it)."""
        pk = call_pk(tenant_id, report.call_id)
        values = {
            **report.model_dump(mode="json"),
            "pk": pk,
            "feed_sort": feed_sort(report),
            "expires_at": expires_at,
        }
        items = [
            {
                **values,
                "sk": REPORT_PREFIX + feed_sort(report),
                "feed_key": feed_partition(tenant_id),
            }
        ]
        for name in FEED_FILTERS:
            value = values.get(name)
            if value is not None:
                copy_key = feed_partition(tenant_id, name, value)
                items.append(
                    {
                        **values,
                        "sk": f"{REPORT_COPY_PREFIX}{report.id}#{name}",
                        "feed_key": copy_key,
                    }
                )
        return [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": to_item(item),
                    "ConditionExpression": "attribute_not_exists(sk)",
                }
            }
            for item in items
        ]

    # The transaction

    def _transact(
        self, tenant_id: str, call_id: str, change: CallChange, actions: Sequence[dict[str, Any]]
    ) -> bool:
        """Apply `actions` with `change` to the live call, retrying races; False when one of
        `actions` was refused by its own condition; CallNotFound (or why the call is not
        live) when the call's was."""
        client = self.dynamodb
        for attempt in range(_ATTEMPTS):
            if attempt:
                # Full jitter: concurrent writers of one call spread out instead of colliding.
                time.sleep(random.uniform(0, min(0.5, 0.01 * 2**attempt)))  # noqa: S311
            items = [self._call_update(tenant_id, call_id, change), *actions]
            try:
                client.transact_write_items(TransactItems=items)
            except client.exceptions.TransactionCanceledException as error:
                codes = [r.get("Code") for r in error.response.get("CancellationReasons") or []]
                if codes and codes[0] == "ConditionalCheckFailed":
                    self.get_call(tenant_id, call_id, consistent=True)  # raises why it is gone
                    raise CallNotFound() from None
                if "ConditionalCheckFailed" in codes[1:]:
                    return False
                if not set(codes) & _RACES:
                    raise
                continue
            return True
        raise WriteContention()

    def _call_update(self, tenant_id: str, call_id: str, change: CallChange) -> dict[str, Any]:
        now = datetime.now(UTC)
        values: dict[str, Any] = {
            ":epoch": {"N": str(int(now.timestamp()))},
            ":one": {"N": "1"},
            ":now": {"S": format_timestamp(now)},
        }
        sets = ["updated_at = :now"]
        adds = ["row_version :one"]
        removes: list[str] = []
        if change.issue_count:
            adds.append("issue_count :issues")
            values[":issues"] = {"N": str(change.issue_count)}
        if change.critical_issue_count:
            adds.append("critical_issue_count :critical")
            values[":critical"] = {"N": str(change.critical_issue_count)}
        if change.grade is not None:
            for name, value in change.grade.model_dump(mode="json").items():
                if value is None:
                    removes.append(name)
                else:
                    sets.append(f"{name} = :{name}")
                    values[f":{name}"] = to_item({"v": value})["v"]
        expression = "SET " + ", ".join(sets) + " ADD " + ", ".join(adds)
        if removes:
            expression += " REMOVE " + ", ".join(removes)
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": string_key(pk=call_pk(tenant_id, call_id), sk=CALL_SK),
                "UpdateExpression": expression,
                "ConditionExpression": _LIVE_CALL,
                "ExpressionAttributeValues": values,
            }
        }


def _report_change(report: IssueReport | None, grade: CallGradeFields | None = None) -> CallChange:
    """The call's change for filing `report` (None: no report)."""
    if report is None:
        return CallChange(grade=grade)
    critical = 1 if report.severity.value == "critical" else 0
    return CallChange(issue_count=1, critical_issue_count=critical, grade=grade)


def report_of(item: dict[str, Any]) -> IssueReport:
    """The API form of a report item (or one of its feed copies)."""
    return IssueReport.model_validate(from_item(item))
