"""GET /v1/issue-reports: the tenant's issue reports, newest first, filtered by severity,
category, source and date, cursor-paged."""

from __future__ import annotations

from typing import Annotated, Any

from dialtone import http
from dialtone.auth import Scope
from dialtone.errors import InvalidCursor
from dialtone.http import Query, Response
from dialtone.observability import api_handler
from dialtone.quality import issue_reports
from dialtone.quality.issue_reports import IssueFeedParams, IssueReportFeed

app = http.create_app()


@app.get(
    "/v1/issue-reports",
    **http.operation(
        "List the tenant's issue reports",
        tag=http.Tag.QUALITY,
        scope=Scope.CALLS_READ,
        ok={200: IssueReportFeed},
        errors=(InvalidCursor,),
    ),
)
def list_issue_reports(params: Annotated[IssueFeedParams, Query()]) -> Response[Any]:
    page = issue_reports.service().feed(http.principal(app), params)
    return http.json_response(page)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
