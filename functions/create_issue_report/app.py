"""POST /v1/calls/{call_id}/issue-reports: file an issue report against a call (201); the
call's `issue_count` and `critical_issue_count` move with it, atomically."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any
from uuid import UUID

from dialtone import http
from dialtone.auth import Scope
from dialtone.errors import CallNotFound, WriteContention
from dialtone.http import Body, Path, RequestUnsupportedContentType, Response
from dialtone.observability import api_handler
from dialtone.quality import issue_reports
from dialtone.quality.models import IssueReport, IssueReportCreate

app = http.create_app()


@app.post(
    "/v1/calls/<call_id>/issue-reports",
    **http.operation(
        "Report an issue with a call",
        tag=http.Tag.QUALITY,
        scope=Scope.CALLS_WRITE,
        ok={201: IssueReport},
        errors=(CallNotFound, WriteContention, RequestUnsupportedContentType),
    ),
)
def create_issue_report(
    call_id: Annotated[UUID, Path()], request: Annotated[IssueReportCreate, Body()]
) -> Response[Any]:
    report = issue_reports.service().file(http.principal(app), str(call_id), request)
    return http.json_response(report, HTTPStatus.CREATED)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
