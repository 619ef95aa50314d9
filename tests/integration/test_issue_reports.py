"""Issue reports through the handlers: filing one (the call's counters move in the same
transaction, exactly, under concurrent reports), a call's reports newest first, the tenant's
feed with its filters and cursor paging (reading only the reports it returns), scopes, other
tenants, and erasure taking grades and reports with the call."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone.auth import Scope
from dialtone.model_types import CallOutcome, CallStatus
from dialtone.quality import issue_reports
from dialtone.quality.store import FEED_INDEX, QualityStore
from dialtone.store import CallStore, call_pk
from local.invoke import api_event, invoke
from tests.call_routes import body, call_route
from tests.tenants import TenantFixture

FILE = "POST /v1/calls/{call_id}/issue-reports"
LIST = "GET /v1/calls/{call_id}/issue-reports"
FEED = "GET /v1/issue-reports"


def file_report(
    tenant: TenantFixture, call_id: str, scope: Scope = Scope.CALLS_WRITE, **fields: Any
) -> dict[str, Any]:
    payload = {"title": "Caller heard silence", "severity": "warning", **fields}
    return call_route("create_issue_report", FILE, call_id, tenant.authorizer(scope), payload)


def call_reports(tenant: TenantFixture, call_id: str) -> dict[str, Any]:
    return call_route("list_call_issue_reports", LIST, call_id, tenant.authorizer(Scope.CALLS_READ))


def feed(tenant: TenantFixture, scope: Scope = Scope.CALLS_READ, **query: str) -> dict[str, Any]:
    event = api_event(
        "list_issue_reports",
        FEED,
        "/v1/issue-reports",
        query=query or None,
        authorizer=tenant.authorizer(scope),
    )
    return invoke("list_issue_reports", event)


def counters(tenant: TenantFixture, call_id: str) -> tuple[int, int]:
    call = tenant.store.get_call(tenant.tenant_id, call_id).call
    return call.issue_count, call.critical_issue_count


def a_call(tenant: TenantFixture) -> str:
    return tenant.add_call(status=CallStatus.COMPLETED, outcome=CallOutcome.RESOLVED).id


# Filing a report


def test_a_report_is_filed_and_counted(tenant: TenantFixture) -> None:
    # Given a call with no reports
    call_id = a_call(tenant)
    assert counters(tenant, call_id) == (0, 0)
    # When a critical report is filed
    result = file_report(
        tenant,
        call_id,
        title="  One-way audio  ",
        description="The caller could not hear the agent.",
        severity="critical",
        category="one_way_audio",
    )
    # Then it is answered 201 with its id, the call's id, source api and a creation time
    assert result["statusCode"] == 201
    report = body(result)
    assert report["id"]
    assert report["created_at"].endswith("Z")
    assert {k: v for k, v in report.items() if k not in ("id", "created_at")} == {
        "call_id": call_id,
        "title": "One-way audio",
        "description": "The caller could not hear the agent.",
        "severity": "critical",
        "category": "one_way_audio",
        "source": "api",
    }
    # And the call counts it
    assert counters(tenant, call_id) == (1, 1)
    file_report(tenant, call_id, severity="info")
    assert counters(tenant, call_id) == (2, 1)


@pytest.mark.parametrize(
    "payload",
    [
        {"title": "", "severity": "info"},
        {"title": "x" * 121, "severity": "info"},
        {"title": "Silence", "severity": "urgent"},
        {"title": "Silence", "severity": "info", "category": "bad_vibes"},
        {"title": "Silence", "severity": "info", "source": "grading"},
        {"severity": "info"},
    ],
)
def test_a_bad_report_is_422_and_not_counted(tenant: TenantFixture, payload: Any) -> None:
    call_id = a_call(tenant)
    result = call_route(
        "create_issue_report", FILE, call_id, tenant.authorizer(Scope.CALLS_WRITE), payload
    )
    assert result["statusCode"] == 422
    assert counters(tenant, call_id) == (0, 0)


def test_a_call_lists_its_reports_newest_first(tenant: TenantFixture) -> None:
    call_id = a_call(tenant)
    filed = [body(file_report(tenant, call_id, title=f"Report {n}"))["id"] for n in range(3)]
    result = call_reports(tenant, call_id)
    assert result["statusCode"] == 200
    listed = body(result)
    assert listed["call_id"] == call_id
    assert [r["id"] for r in listed["issue_reports"]] == filed[::-1]
    assert body(call_reports(tenant, a_call(tenant)))["issue_reports"] == []


def test_concurrent_reports_are_all_counted(tenant: TenantFixture) -> None:
    # Given a call and eight reports ready to be filed at once (three critical), each by the
    # function the create_issue_report handler calls (powertools' resolver keeps the request
    # it handles in shared state, so one process's handlers take one request at a time, as a
    # Lambda instance does; threads here stand for instances)
    call_id = a_call(tenant)
    count, critical = 8, 3
    requests = [
        issue_reports.IssueReportCreate(
            title=f"Report {n}", severity="critical" if n < critical else "warning"
        )
        for n in range(count)
    ]
    start = threading.Barrier(count)
    filed: list[str] = []

    def post(n: int) -> None:
        start.wait()
        report = issue_reports.service().file(
            tenant.principal(Scope.CALLS_WRITE), call_id, requests[n]
        )
        filed.append(report.id)

    # When they are all filed at once
    threads = [threading.Thread(target=post, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then every report is stored and counted, exactly
    assert len(filed) == count
    stored = body(call_reports(tenant, call_id))["issue_reports"]
    assert sorted((r["title"], r["severity"]) for r in stored) == sorted(
        (f"Report {n}", "critical" if n < critical else "warning") for n in range(count)
    )
    assert counters(tenant, call_id) == (count, critical)


# Scopes and tenants


def test_missing_scopes_are_403(tenant: TenantFixture) -> None:
    call_id = a_call(tenant)
    post = file_report(tenant, call_id, scope=Scope.CALLS_READ)
    listed = call_route(
        "list_call_issue_reports", LIST, call_id, tenant.authorizer(Scope.CALLS_INGEST)
    )
    fed = feed(tenant, scope=Scope.CALLS_WRITE)
    assert (post["statusCode"], body(post)) == (403, {"detail": "Missing scope calls:write"})
    for result in (listed, fed):
        assert (result["statusCode"], body(result)) == (403, {"detail": "Missing scope calls:read"})
    assert counters(tenant, call_id) == (0, 0)


def test_another_tenants_call_and_reports_are_not_found(make_tenant: Any) -> None:
    owner, other = make_tenant(1), make_tenant(2)
    call_id = a_call(owner)
    file_report(owner, call_id)
    for result in (file_report(other, call_id), call_reports(other, call_id)):
        assert (result["statusCode"], body(result)) == (404, {"detail": "Call not found"})
    assert body(feed(other))["issue_reports"] == []
    assert len(body(feed(owner))["issue_reports"]) == 1
    assert counters(owner, call_id) == (1, 0)
    unknown = "0b7e2c1a-5d4f-4e3b-9a8c-000000000000"
    assert file_report(owner, unknown)["statusCode"] == 404


# Erasure


def test_erasing_a_call_erases_its_grade_and_reports(
    tenant: TenantFixture, call_store: CallStore
) -> None:
    # Given a call with a grade asked for and two reports
    call_id = a_call(tenant)
    graded = call_route(
        "grade_call", "POST /v1/calls/{call_id}/grade", call_id, tenant.authorizer()
    )
    assert graded["statusCode"] == 200
    file_report(tenant, call_id, severity="critical", category="dropped_call")
    file_report(tenant, call_id)
    assert len(body(feed(tenant))["issue_reports"]) == 2
    # When the call is erased
    erased = call_route("delete_call", "DELETE /v1/calls/{call_id}", call_id, tenant.authorizer())
    assert erased["statusCode"] == 204
    # Then nothing of it is left: not the grade, not the reports, not their feed entries
    items = call_store.dynamodb.query(
        TableName=call_store.table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": call_pk(tenant.tenant_id, call_id)}},
        ConsistentRead=True,
    )["Items"]
    assert items == []
    for query in ({}, {"severity": "critical"}, {"category": "dropped_call"}, {"source": "api"}):
        assert body(feed(tenant, **query))["issue_reports"] == []
    assert file_report(tenant, call_id)["statusCode"] == 404


# The feed


@pytest.fixture
def reports_of_a_week(tenant: TenantFixture) -> dict[str, Any]:
    """Reports of two calls, one a day for a week (day 0 is six days ago), of varied
    severities and categories, filed with their creation times."""
    store = QualityStore(tenant.store.table_name)
    calls = [a_call(tenant), a_call(tenant)]
    severities = ["info", "warning", "critical"]
    categories = ["dropped_call", "slow_response", None]
    now = datetime.now(UTC).replace(microsecond=0)
    filed = []
    for day in range(7):
        service = issue_reports.IssueReports(
            store, clock=lambda day=day: now - timedelta(days=6 - day)
        )
        request = issue_reports.IssueReportCreate(
            title=f"Day {day}",
            severity=severities[day % 3],
            category=categories[day % 3],
        )
        filed.append(service.file(tenant.principal(), calls[day % 2], request))
    return {"calls": calls, "filed": filed, "now": now}


def ids(result: dict[str, Any]) -> list[str]:
    assert result["statusCode"] == 200, result["body"]
    return [r["id"] for r in body(result)["issue_reports"]]


def test_the_feed_filters_by_severity_category_source_and_date(
    tenant: TenantFixture, reports_of_a_week: dict[str, Any]
) -> None:
    filed = reports_of_a_week["filed"]
    newest_first = [r.id for r in reversed(filed)]
    assert ids(feed(tenant)) == newest_first
    assert ids(feed(tenant, severity="critical")) == [filed[5].id, filed[2].id]
    assert ids(feed(tenant, category="dropped_call")) == [filed[6].id, filed[3].id, filed[0].id]
    assert ids(feed(tenant, source="api")) == newest_first
    assert ids(feed(tenant, source="grading")) == []
    assert ids(feed(tenant, severity="warning", category="slow_response")) == [
        filed[4].id,
        filed[1].id,
    ]
    assert ids(feed(tenant, severity="info", category="slow_response")) == []
    day_2 = filed[2].created_at.date().isoformat()
    day_4 = filed[4].created_at.date().isoformat()
    assert ids(feed(tenant, start_date=day_2, end_date=day_4)) == [
        filed[4].id,
        filed[3].id,
        filed[2].id,
    ]
    assert ids(feed(tenant, start_date=day_4)) == newest_first[:3]
    assert feed(tenant, start_date=day_4, end_date=day_2)["statusCode"] == 422
    assert feed(tenant, severity="urgent")["statusCode"] == 422


def test_the_feed_pages_with_its_cursor(
    tenant: TenantFixture, reports_of_a_week: dict[str, Any]
) -> None:
    filed = reports_of_a_week["filed"]
    seen: list[str] = []
    query: dict[str, str] = {"limit": "3"}
    for _ in range(5):
        page = feed(tenant, **query)
        seen.extend(ids(page))
        cursor = body(page)["next_cursor"]
        if cursor is None:
            break
        query = {"limit": "3", "cursor": cursor}
    assert seen == [r.id for r in reversed(filed)]
    # A cursor is bound to its filters and its tenant
    first = body(feed(tenant, limit="2"))["next_cursor"]
    assert first
    for result in (
        feed(tenant, limit="2", cursor=first, severity="info"),
        feed(tenant, limit="2", cursor=first + "x"),
    ):
        assert (result["statusCode"], body(result)) == (400, {"detail": "Invalid cursor"})
    assert feed(tenant, limit="0")["statusCode"] == 422
    assert feed(tenant, limit="101")["statusCode"] == 422


class CountingClient:
    """A DynamoDB client that counts the items its Queries of the feed index read."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.read = 0

    def query(self, **request: Any) -> Any:
        response = self.client.query(**request)
        if request.get("IndexName") == FEED_INDEX:
            self.read += response["ScannedCount"]
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


@pytest.mark.parametrize(
    "query",
    [{}, {"severity": "critical"}, {"category": "dropped_call"}, {"source": "api"}],
)
def test_a_feed_page_reads_only_the_reports_it_returns(
    tenant: TenantFixture,
    reports_of_a_week: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    query: dict[str, str],
) -> None:
    store = issue_reports.service().store
    counting = CountingClient(store.dynamodb)
    monkeypatch.setattr(store, "_dynamodb", counting)
    returned = ids(feed(tenant, limit="100", **query))
    assert returned
    assert counting.read / len(returned) <= 1.1
