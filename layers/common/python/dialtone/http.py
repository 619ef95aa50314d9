"""The HTTP edge shared by every API handler: the resolver, the principal, and the one place
where domain errors become HTTP responses."""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from pydantic import BaseModel

from dialtone.auth import Principal
from dialtone.errors import (
    AgentExists,
    AgentNotFound,
    ApiKeyNotFound,
    BatchNotFound,
    BatchNotStored,
    CallNotCancelable,
    CallNotFound,
    ChildConflict,
    DialQueueUnavailable,
    DialtoneError,
    FieldNotWritable,
    IdempotencyKeyReused,
    IdempotentRequestInProgress,
    InvalidCursor,
    InvalidParameter,
    InvalidTwilioSignature,
    MalformedRequestBody,
    MissingScope,
    RecordingNotAvailable,
    RecordingsNotKept,
    SuppressionNotFound,
    TenantNotFound,
    Unauthenticated,
    WriteContention,
)
from dialtone.observability import logger

_STATUS: dict[type[DialtoneError], HTTPStatus] = {
    InvalidTwilioSignature: HTTPStatus.FORBIDDEN,
    MalformedRequestBody: HTTPStatus.BAD_REQUEST,
    CallNotFound: HTTPStatus.NOT_FOUND,
    RecordingNotAvailable: HTTPStatus.NOT_FOUND,
    TenantNotFound: HTTPStatus.NOT_FOUND,
    ApiKeyNotFound: HTTPStatus.NOT_FOUND,
    InvalidCursor: HTTPStatus.BAD_REQUEST,
    MissingScope: HTTPStatus.FORBIDDEN,
    Unauthenticated: HTTPStatus.UNAUTHORIZED,
    InvalidParameter: HTTPStatus.UNPROCESSABLE_ENTITY,
    AgentNotFound: HTTPStatus.NOT_FOUND,
    AgentExists: HTTPStatus.CONFLICT,
    SuppressionNotFound: HTTPStatus.NOT_FOUND,
    BatchNotFound: HTTPStatus.NOT_FOUND,
    CallNotCancelable: HTTPStatus.CONFLICT,
    DialQueueUnavailable: HTTPStatus.SERVICE_UNAVAILABLE,
    BatchNotStored: HTTPStatus.SERVICE_UNAVAILABLE,
    IdempotencyKeyReused: HTTPStatus.UNPROCESSABLE_ENTITY,
    IdempotentRequestInProgress: HTTPStatus.CONFLICT,
    ChildConflict: HTTPStatus.CONFLICT,
    FieldNotWritable: HTTPStatus.CONFLICT,
    RecordingsNotKept: HTTPStatus.CONFLICT,
    WriteContention: HTTPStatus.CONFLICT,
}


# Bad input at the edge: whatever a client sends is answered 4xx, never 5xx.

MAX_BODY_DEPTH = 64
"""How deep a JSON body may nest (a scalar is 0 levels, `{}` is 1). Stored values have their
own, lower limit (`dynamo.MAX_NESTING`, 32) that names the field; this one is the backstop that
keeps parsing and validation far from Python's recursion limit."""

RESERVED_PATH_WORDS = frozenset({"batch", "changes", "export", "search", "stats"})
"""The static words of the API's paths, built or planned, that sit where an id could
(`/v1/calls/export` next to `/v1/calls/{call_id}`): one that reaches an `{id}` route names a
route that does not exist (yet), so it is answered 404 Not Found, not a 422 about a UUID."""

# What powertools' route patterns match inside a path segment; API Gateway HTTP APIs hand the
# path over percent-decoded, so any other character (an emoji, a quote, a '?') is encoded back
# to reach the route and its parameter's validation (422) instead of matching no route (404).
_UNROUTABLE = re.compile(r"[^-._~()'!*:@,;=+&$%<> \[\]{}|^\w/]", re.ASCII)

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def routable_path(path: str) -> str:
    """`path` with every character powertools cannot route percent-encoded (UTF-8)."""
    return _UNROUTABLE.sub(lambda match: quote(match.group(), safe=""), path)


def _nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether `value` holds lists or objects more than `limit` levels deep, level by level
    without recursion."""
    level = [value] if isinstance(value, dict | list) else []
    for _ in range(limit):
        level = [
            child
            for container in level
            for child in (container.values() if isinstance(container, dict) else container)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return bool(level)


def decode_json_body(text: str) -> Any:
    """A request's JSON body; InvalidParameter (422) when it nests deeper than
    MAX_BODY_DEPTH, however deep that is (the decoder's own RecursionError included)."""
    too_deep = InvalidParameter(
        ("body",), f"The body nests more than {MAX_BODY_DEPTH} levels deep", "json_too_deep"
    )
    try:
        value = json.loads(text)
    except RecursionError:
        raise too_deep from None
    # Counting brackets is cheap and, for almost every body, proves it shallow enough.
    maybe_deep = text.count("[") + text.count("{") > MAX_BODY_DEPTH
    if maybe_deep and _nested_deeper_than(value, MAX_BODY_DEPTH):
        raise too_deep
    return value


def _names_reserved_path_word(errors: Any) -> bool:
    return any(
        tuple(error.get("loc", ()))[:1] == ("path",) and error.get("input") in RESERVED_PATH_WORDS
        for error in errors
    )


class _Resolver(APIGatewayHttpResolver):
    """powertools' HTTP API resolver, routing any path segment to its route."""

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        raw_path = event.get("rawPath")
        if isinstance(raw_path, str) and routable_path(raw_path) != raw_path:
            event = {**event, "rawPath": routable_path(raw_path)}
        return super().resolve(event, context)


class _RequestValidation(OpenAPIRequestValidationMiddleware):
    """powertools' request validation, which parses the body itself before any middleware of
    `app.use` runs, and raises a bare ValueError (a 500) on a multipart body without a
    boundary. No route of this API reads multipart: it is refused (415) before parsing."""

    def handler(self, app: Any, next_middleware: NextMiddleware) -> Response[Any]:
        event = app.current_event
        content_type = event.headers.get("content-type", "").strip().lower()
        if event.http_method in _BODY_METHODS and content_type.startswith("multipart/"):
            raise RequestUnsupportedContentType("multipart body", errors=[])
        response: Response[Any] = super().handler(app, next_middleware)
        return response


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
        if error.get("type") == "json_invalid":
            reason = (error.get("ctx") or {}).get("error")
            message = f"The body is not valid JSON: {reason}" if reason else message
        detail.append({"loc": location, "msg": message, "type": error.get("type")})
    return detail


def _json_object_body(
    app: APIGatewayHttpResolver, next_middleware: NextMiddleware
) -> Response[Any]:
    """Every JSON body of the API is an object: powertools would validate only the first
    element of an array against a body model and silently drop the rest."""
    event = app.current_event
    if event.body and event.http_method in ("POST", "PUT", "PATCH"):
        try:
            parsed = event.json_body
        except ValueError:
            return next_middleware(app)  # not JSON: validation says so
        if isinstance(parsed, list):
            return error_response(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                [{"loc": ["body"], "msg": "The body must be a JSON object", "type": "dict_type"}],
            )
    return next_middleware(app)


def create_app() -> APIGatewayHttpResolver:
    """A resolver that validates input and maps every domain error to its response."""
    app = _Resolver(enable_validation=True, json_body_deserializer=decode_json_body)
    # Installed where powertools looks for its own, so that it runs first, as its own would.
    app._request_validation_middleware = _RequestValidation()  # type: ignore[no-untyped-call]
    app.use([_json_object_body])

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
        if _names_reserved_path_word(error.errors()):
            return error_response(HTTPStatus.NOT_FOUND, "Not Found")
        return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, _validation_detail(error.errors()))

    @app.exception_handler(RequestUnsupportedContentType)  # type: ignore[untyped-decorator]
    def unsupported_content_type(_: RequestUnsupportedContentType) -> Response[Any]:
        sent = app.current_event.headers.get("content-type", "")
        return error_response(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            f"Unsupported Content-Type {sent!r}: send application/json",
        )

    # A base64 body that is not base64, or bytes that are not UTF-8, fail while powertools
    # reads the body for validation: that is a bad body (422), not a server error.
    @app.exception_handler([UnicodeDecodeError, binascii.Error])  # type: ignore[untyped-decorator]
    def undecodable_body(error: ValueError) -> Response[Any]:
        try:
            app.current_event.decoded_body  # noqa: B018 (decoding is the check)
        except ValueError:
            return error_response(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                [
                    {
                        "loc": ["body"],
                        "msg": "The body is not valid JSON: it is not UTF-8 text",
                        "type": "json_invalid",
                    }
                ],
            )
        logger.exception("Unhandled error")
        return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal server error")

    @app.not_found
    def route_not_found(_: NotFoundError) -> Response[Any]:
        return error_response(HTTPStatus.NOT_FOUND, "Not Found")

    @app.exception_handler(Exception)  # type: ignore[untyped-decorator]
    def unexpected(error: Exception) -> Response[Any]:
        logger.exception("Unhandled error")
        return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal server error")

    return app


def principal(app: APIGatewayHttpResolver) -> Principal:
    """The caller, as the authorizer described it."""
    return Principal.from_event(app.current_event.raw_event)
