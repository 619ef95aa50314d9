"""DELETE /v1/suppressions?phone_number=...: take a number off the do-not-call list (204)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from pydantic import AfterValidator

from dialtone import http, phones
from dialtone.auth import Scope
from dialtone.dialing import suppressions
from dialtone.dialing.suppressions import e164_query_value
from dialtone.errors import SuppressionNotFound
from dialtone.http import Query, Response
from dialtone.observability import api_handler

app = http.create_app()


@app.delete(
    "/v1/suppressions",
    **http.operation(
        "Remove a number from the do-not-call list",
        tag=http.Tag.SUPPRESSIONS,
        scope=Scope.CALLS_WRITE,
        ok={204: None},
        errors=(SuppressionNotFound,),
    ),
)
def delete_suppression(
    phone_number: Annotated[
        str,
        Query(max_length=32, json_schema_extra=phones.E164_FORMAT),
        AfterValidator(e164_query_value),
    ],
) -> Response[Any]:
    suppressions.service().remove(http.principal(app), phone_number)
    return Response(status_code=HTTPStatus.NO_CONTENT, body="")


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
