"""POST /v1/suppressions: put a number on the do-not-call list (201), or find it already
there (200, the existing entry)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from dialtone import http
from dialtone.auth import Scope
from dialtone.dialing import suppressions
from dialtone.dialing.suppressions import Suppression, SuppressionCreate
from dialtone.errors import SuppressionNotFound
from dialtone.http import Body, RequestUnsupportedContentType, Response
from dialtone.observability import api_handler

app = http.create_app()


@app.post(
    "/v1/suppressions",
    **http.operation(
        "Add a number to the do-not-call list",
        tag=http.Tag.SUPPRESSIONS,
        scope=Scope.CALLS_WRITE,
        ok={200: Suppression, 201: Suppression},
        errors=(SuppressionNotFound, RequestUnsupportedContentType),
    ),
)
def create_suppression(request: Annotated[SuppressionCreate, Body()]) -> Response[Any]:
    added = suppressions.service().add(http.principal(app), request)
    status = HTTPStatus.CREATED if added.created else HTTPStatus.OK
    return http.json_response(added.suppression, status)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
