"""GET /v1/calls/changes: the tenant's calls in the order they last changed, for incremental
sync (created, updated, and erased or expired ones as tombstones), resumable by cursor."""

from __future__ import annotations

from typing import Annotated, Any

from dialtone import http
from dialtone.analytics import changes
from dialtone.analytics.changes import CallChanges, ChangeFeedParams
from dialtone.auth import Scope
from dialtone.errors import ChangesExpired, InvalidCursor
from dialtone.http import Query, Response
from dialtone.observability import api_handler

app = http.create_app()


@app.get(
    "/v1/calls/changes",
    **http.operation(
        "List call changes",
        tag=http.Tag.CALLS,
        scope=Scope.CALLS_READ,
        ok={200: CallChanges},
        errors=(InvalidCursor, ChangesExpired),
        description=(
            "Every call of the tenant at its latest change (created, updated, or deleted: a "
            "tombstone), in change order. Start without cursor to replay the whole feed, or "
            "with `since`; then pass each page's `next_cursor` (always present, also on an "
            "empty page) to read on. A change is readable about 5 seconds after it happened. "
            "A cursor older than the feed keeps deletions (max(7 days, the retention)) is "
            "answered 410: start over without cursor."
        ),
    ),
)
def list_call_changes(params: Annotated[ChangeFeedParams, Query()]) -> Response[Any]:
    page = changes.change_reader().changes(http.principal(app), params)
    return http.json_response(page)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
