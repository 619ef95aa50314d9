"""GET /v1/calls/export: the most recent 1,000 completed calls as a CSV or JSON attachment, or
a 303 to a presigned link when the export is larger than a response can carry."""

from __future__ import annotations

from typing import Annotated, Any

from dialtone import exports, http
from dialtone.auth import Scope
from dialtone.call_responses import CallExport
from dialtone.exports import ExportCallsParams
from dialtone.http import Query, Response
from dialtone.observability import api_handler

app = http.create_app()

_DISPOSITION = {
    "description": 'attachment; filename="calls-export-YYYY-MM-DD.csv" (or .json), today in UTC',
    "schema": {"type": "string"},
}
EXPORTED = {
    "description": "The export as an attachment: CSV (metadata, UTF-8 with a byte-order mark,"
    " every field quoted, formula-like text prefixed with ') or JSON (each call with its"
    " transcript)",
    "headers": {"Content-Disposition": _DISPOSITION},
    "content": {
        exports.CSV_CONTENT_TYPE: {"schema": {"type": "string"}},
        exports.JSON_CONTENT_TYPE: {"schema": http.response_schema(CallExport)},
    },
}
STORED = http.redirect(
    "See Other: the export is larger than a response can carry; it was stored"
    " for a day and `Location` is a presigned link (15 minutes) that downloads it",
    "The presigned S3 URL of the export",
)


@app.get(
    "/v1/calls/export",
    **http.operation(
        "Export calls",
        tag=http.Tag.CALLS,
        scope=Scope.CALLS_READ,
        ok={200: EXPORTED, 303: STORED},
        description="The most recent 1,000 completed calls that match the list's filters,"
        " newest first.",
    ),
)
def export_calls(params: Annotated[ExportCallsParams, Query()]) -> Response[Any]:
    export = exports.exporter().export(http.principal(app), params)
    if export.url is not None:
        return Response(status_code=303, headers={"Location": export.url}, body="")
    return Response(
        status_code=200,
        content_type=export.content_type,
        headers={"Content-Disposition": export.content_disposition},
        body=export.body,
    )


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
