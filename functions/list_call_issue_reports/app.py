"""GET /v1/calls/{call_id}/issue-reports: the call's issue reports, newest first."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from dialtone import http
from dialtone.auth import Scope
from dialtone.errors import CallNotFound
from dialtone.http import Path, Response
from dialtone.observability import api_handler
from dialtone.quality import issue_reports
from dialtone.quality.issue_reports import CallIssueReports

app = http.create_app()


@app.get(
    "/v1/calls/<call_id>/issue-reports",
    **http.operation(
        "List a call's issue reports",
        tag=http.Tag.QUALITY,
        scope=Scope.CALLS_READ,
        ok={200: CallIssueReports},
        errors=(CallNotFound,),
    ),
)
def list_call_issue_reports(call_id: Annotated[UUID, Path()]) -> Response[Any]:
    reports = issue_reports.service().for_call(http.principal(app), str(call_id))
    return http.json_response(reports)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
