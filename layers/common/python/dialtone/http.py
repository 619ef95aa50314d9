"""The HTTP edge shared by every API handler: the resolver, the principal, and the one place
where domain errors become HTTP responses."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import BaseModel

from dialtone.auth import Principal
from dialtone.errors import (
    ApiKeyNotFound,
    CallNotFound,
    DialtoneError,
    InvalidCursor,
    InvalidParameter,
    MissingScope,
    RecordingNotAvailable,
    TenantNotFound,
    Unauthenticated,
)
from dialtone.observability import logger

_STATUS: dict[type[DialtoneError], HTTPStatus] = {
    CallNotFound: HTTPStatus.NOT_FOUND,
    RecordingNotAvailable: HTTPStatus.NOT_FOUND,
    TenantNotFound: HTTPStatus.NOT_FOUND,
    ApiKeyNotFound: HTTPStatus.NOT_FOUND,
    InvalidCursor: HTTPStatus.BAD_REQUEST,
    MissingScope: HTTPStatus.FORBIDDEN,
    Unauthenticated: HTTPStatus.UNAUTHORIZED,
    InvalidParameter: HTTPStatus.UNPROCESSABLE_ENTITY,
}


def json_response(model: BaseModel, status: int = HTTPStatus.OK) -> Response[Any]:
    """A JSON response of an API model, serialised by pydantic in one pass."""
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=model.model_dump_json(),
    )


def error_response(status: int, detail: Any) -> Response[Any]:
    import json

    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"detail": detail}),
    )


def _validation_detail(errors: Any) -> list[dict[str, Any]]:
    """pydantic's errors as `{"loc", "msg", "type"}`, one per parameter: a query, path or header
    parameter is named as `[source, name]` (without the union member that failed)."""
    detail: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    for error in errors:
        location = [part for part in error.get("loc", ()) if part != "params"]
        if location and location[0] in ("query", "path", "header"):
            location = location[:2]
        if tuple(location) in seen:
            continue
        seen.add(tuple(location))
        message = str(error.get("msg", "Invalid value"))
        detail.append({"loc": location, "msg": message, "type": error.get("type")})
    return detail


def create_app() -> APIGatewayHttpResolver:
    """A resolver that validates input and maps every domain error to its response."""
    app = APIGatewayHttpResolver(enable_validation=True)

    @app.exception_handler(InvalidParameter)  # type: ignore[untyped-decorator]
    def invalid_parameter(error: InvalidParameter) -> Response[Any]:
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            [{"loc": list(error.location), "msg": error.detail, "type": error.kind}],
        )

    @app.exception_handler(DialtoneError)  # type: ignore[untyped-decorator]
    def domain_error(error: DialtoneError) -> Response[Any]:
        status = next(
            (code for kind, code in _STATUS.items() if isinstance(error, kind)),
            HTTPStatus.BAD_REQUEST,
        )
        return error_response(status, error.detail)

    @app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
    def request_invalid(error: RequestValidationError) -> Response[Any]:
        return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, _validation_detail(error.errors()))

    @app.not_found
    def route_not_found(_: NotFoundError) -> Response[Any]:
        return error_response(HTTPStatus.NOT_FOUND, "Not found")

    @app.exception_handler(Exception)  # type: ignore[untyped-decorator]
    def unexpected(error: Exception) -> Response[Any]:
        logger.exception("Unhandled error")
        return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal server error")

    return app


def principal(app: APIGatewayHttpResolver) -> Principal:
    """The caller, as the authorizer described it."""
    return Principal.from_event(app.current_event.raw_event)
