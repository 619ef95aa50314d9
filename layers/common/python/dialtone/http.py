"""The HTTP edge shared by every API handler: the resolver, the principal, and the one place
where domain errors become HTTP responses."""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Mapping
from enum import StrEnum
from http import HTTPStatus
from types import UnionType
from typing import Any, TypedDict, get_args
from urllib.parse import quote

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, content_types
from aws_lambda_powertools.event_handler import Response as Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType as RequestUnsupportedContentType,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

# What handlers declare their routes with, imported from here: a handler that imported them from
# powertools itself would run its event_handler `__init__` before dialtone defers it
# (dialtone.lazy_inits), and load every other resolver with it.
from aws_lambda_powertools.event_handler.openapi.params import Body as Body
from aws_lambda_powertools.event_handler.openapi.params import Header as Header
from aws_lambda_powertools.event_handler.openapi.params import Path as Path
from aws_lambda_powertools.event_handler.openapi.params import Query as Query
from pydantic import BaseModel

from dialtone.auth import Principal, Scope
from dialtone.errors import (
    AgentExists,
    AgentNotFound,
    ApiKeyNotFound,
    BatchNotFound,
    BatchNotStored,
    CallNotCancelable,
    CallNotFound,
    CallNotGraded,
    CallSidTaken,
    ChangesExpired,
    ChildConflict,
    DeliveryNotFound,
    DialQueueUnavailable,
    DialtoneError,
    FieldNotWritable,
    GradeQueueUnavailable,
    IdempotencyKeyReused,
    IdempotentRequestInProgress,
    InvalidCursor,
    InvalidParameter,
    InvalidTwilioSignature,
    MalformedRequestBody,
    MissingScope,
    ReadThrottled,
    RecordingNotAvailable,
    RecordingsNotKept,
    ResponseTooLarge,
    ServiceBusy,
    SuppressionNotFound,
    TenantNotFound,
    Unauthenticated,
    WebhookChanged,
    WebhookLimitReached,
    WebhookNotFound,
    WebhookQueueUnavailable,
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
    ResponseTooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    MissingScope: HTTPStatus.FORBIDDEN,
    Unauthenticated: HTTPStatus.UNAUTHORIZED,
    InvalidParameter: HTTPStatus.UNPROCESSABLE_ENTITY,
    AgentNotFound: HTTPStatus.NOT_FOUND,
    AgentExists: HTTPStatus.CONFLICT,
    SuppressionNotFound: HTTPStatus.NOT_FOUND,
    BatchNotFound: HTTPStatus.NOT_FOUND,
    CallNotCancelable: HTTPStatus.CONFLICT,
    DialQueueUnavailable: HTTPStatus.SERVICE_UNAVAILABLE,
    GradeQueueUnavailable: HTTPStatus.SERVICE_UNAVAILABLE,
    BatchNotStored: HTTPStatus.SERVICE_UNAVAILABLE,
    IdempotencyKeyReused: HTTPStatus.UNPROCESSABLE_ENTITY,
    IdempotentRequestInProgress: HTTPStatus.CONFLICT,
    ChildConflict: HTTPStatus.CONFLICT,
    FieldNotWritable: HTTPStatus.CONFLICT,
    RecordingsNotKept: HTTPStatus.CONFLICT,
    WriteContention: HTTPStatus.CONFLICT,
    ReadThrottled: HTTPStatus.SERVICE_UNAVAILABLE,
    ServiceBusy: HTTPStatus.SERVICE_UNAVAILABLE,
    CallNotGraded: HTTPStatus.NOT_FOUND,
    ChangesExpired: HTTPStatus.GONE,
    CallSidTaken: HTTPStatus.CONFLICT,
    WebhookNotFound: HTTPStatus.NOT_FOUND,
    WebhookLimitReached: HTTPStatus.CONFLICT,
    WebhookChanged: HTTPStatus.CONFLICT,
    DeliveryNotFound: HTTPStatus.NOT_FOUND,
    WebhookQueueUnavailable: HTTPStatus.SERVICE_UNAVAILABLE,
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


# Answers of this many bytes or more are gzip-compressed for a client that accepts it; smaller
# ones are not worth the client's and the function's time.
COMPRESS_MIN_BYTES = 16 * 1024


def _accepts_gzip(app: APIGatewayHttpResolver) -> bool:
    accepted = app.current_event.headers.get("accept-encoding") or ""
    for coding in accepted.lower().split(","):
        name, _, parameters = coding.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            return parameters.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def sized_response(
    app: APIGatewayHttpResolver, body: str, content_type: str = content_types.APPLICATION_JSON
) -> Response[Any]:
    """An answer that fits Lambda's 6 MB response: gzip-compressed (base64 in the response,
    `Content-Encoding: gzip`) when it is large and the client accepts gzip; ResponseTooLarge
    (413) when it cannot fit either way.

    powertools' `compress=True` gzips every answer of a route at level 9, after the route
    has answered, and cannot tell whether the result fits; so the compression is done here,
    once, when it is worth it, and the body handed over already in base64 (a bytes body would
    go through the response validation, which reads it as text).
    """
    import base64
    import gzip

    from dialtone.pagination import MAX_BODY_BYTES, encoded_size

    # A character takes at most 12 bytes escaped (an astral one, as two \\u escapes).
    size = encoded_size(body) if len(body) * 12 > MAX_BODY_BYTES else len(body)
    headers = {"Vary": "Accept-Encoding"}
    if size >= COMPRESS_MIN_BYTES and _accepts_gzip(app):
        packed = base64.b64encode(gzip.compress(body.encode("utf-8"), compresslevel=6, mtime=0))
        # Kept only when smaller than the plain body (base64 makes 4 bytes of every 3).
        if len(packed) < size:
            if len(packed) > MAX_BODY_BYTES:
                raise ResponseTooLarge()
            headers["Content-Encoding"] = "gzip"
            response = Response(200, content_type, packed.decode("ascii"), headers)
            response.base64_encoded = True
            return response
    if size > MAX_BODY_BYTES:
        raise ResponseTooLarge()
    return Response(200, content_type, body, headers)


def sized_json_response(app: APIGatewayHttpResolver, model: BaseModel) -> Response[Any]:
    """`sized_response` of an API model's JSON."""
    return sized_response(app, model.model_dump_json())


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


# The error codes with which AWS refuses a request for throughput rather than for what it asks
# (DynamoDB, S3, SQS, Secrets Manager): botocore has retried them already (standard mode, 4
# attempts), so the caller is told to retry, in a second, instead of getting a 500.
THROTTLING_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
    }
)
BUSY_RETRY_AFTER_SECONDS = 1


def _throttled(error: Exception) -> bool:
    """Whether `error` is botocore's ClientError for a throttled request (read by its shape, so
    that this module does not import botocore)."""
    response = getattr(error, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code in THROTTLING_CODES


def unexpected_error_response(error: Exception) -> Response[Any]:
    """The answer to an error no handler expected: 503 with `Retry-After` when AWS throttled a
    request (the caller retries, as for any busy service), else a 500 that says nothing of the
    cause (the log has the traceback)."""
    if _throttled(error):
        logger.warning("AWS refused a request for throughput after every retry: 503")
        busy = error_response(HTTPStatus.SERVICE_UNAVAILABLE, ServiceBusy.detail)
        busy.headers["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
        return busy
    logger.exception("Unhandled error")
    return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal server error")


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
        return unexpected_error_response(error)

    return app


def principal(app: APIGatewayHttpResolver) -> Principal:
    """The caller, as the authorizer described it."""
    return Principal.from_event(app.current_event.raw_event)


# The contract: what each route answers, derived from `_STATUS` above, so the OpenAPI document
# cannot claim a status a handler never returns, nor miss one a declared error maps to.

# Errors that powertools raises before a route body runs, mapped by `create_app` above.
_FRAMEWORK_STATUS: dict[type[Exception], HTTPStatus] = {
    RequestUnsupportedContentType: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
}


class Tag(StrEnum):
    """The domains of the API, one OpenAPI tag each."""

    CALLS = "Calls"
    CALL_DATA = "Call data"
    DIALING = "Dialing"
    AGENTS = "Agents"
    SUPPRESSIONS = "Suppressions"
    TELEPHONY = "Telephony"
    QUALITY = "Quality"
    WEBHOOKS = "Webhooks"
    DOCS = "Documentation"


# The bodies of errors, for the document: typed dicts, since the handlers write these bodies
# themselves and a pydantic model would only cost its build at every cold start.
class ErrorBody(TypedDict):
    """Every error the API answers itself: `{"detail": "..."}`."""

    detail: str


class ValidationIssue(TypedDict):
    """One reason a request was refused: where (`["query", "limit"]`), what, and its kind."""

    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorBody(TypedDict):
    """A request that breaks the contract (422): one issue per parameter or body field."""

    detail: list[ValidationIssue]


class GatewayErrorBody(TypedDict):
    """API Gateway's own answers, before a handler runs (no key or a refused key: 403)."""

    message: str


type Success = type[BaseModel] | Any | None
"""A success answer: a response model (or a union of them), None for no body, or a ready
OpenAPI response object (a dict) for a redirect or a non-JSON body."""


# The response models the routes declare, by schema name; `tools/openapi.py` writes their
# schemas. A route's answer holds only a $ref to its model: powertools would otherwise build a
# validator of every declared model on the first request, a cost at each cold start.
RESPONSE_MODELS: dict[str, type] = {}


def response_schema(model: Any) -> dict[str, Any]:
    """The JSON schema of a response model, or of a union of them (`Call | CallWithTranscript`),
    as references to the document's component schemas."""
    members = get_args(model) if isinstance(model, UnionType) else (model,)
    references = []
    for member in members:
        known = RESPONSE_MODELS.setdefault(member.__name__, member)
        if known is not member:
            raise ValueError(f"two response models are named {member.__name__}")
        references.append({"$ref": f"#/components/schemas/{member.__name__}"})
    return references[0] if len(references) == 1 else {"anyOf": references}


def _content(model: Any, examples: dict[str, Any] | None = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": response_schema(model)}
    if examples:
        media["examples"] = examples
    return {content_types.APPLICATION_JSON: media}


def redirect(description: str, location: str) -> dict[str, Any]:
    """A redirect answer for `ok=`: no body, a `Location` header holding a presigned URL."""
    return {
        "description": description,
        "headers": {
            "Location": {"description": location, "schema": {"type": "string", "format": "uri"}}
        },
        "content": {},
    }


def with_headers(status: int, model: Any, headers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A success answer for `ok=` whose body is `model` and which carries `headers` (by name,
    each `response_header(...)`)."""
    return {**_success(status, model), "headers": headers}


def response_header(description: str, *values: str) -> dict[str, Any]:
    """An OpenAPI header object: a string, one of `values` when given."""
    schema: dict[str, Any] = {"type": "string"}
    if values:
        schema["enum"] = list(values)
    return {"description": description, "schema": schema}


def _success(status: int, answer: Success) -> dict[str, Any]:
    if isinstance(answer, dict):
        return answer
    description = HTTPStatus(status).phrase
    if answer is None:
        return {"description": description, "content": {}}
    return {"description": description, "content": _content(answer)}


def _error_example(error: type[Exception], scope: Scope | None) -> dict[str, Any]:
    if error is MissingScope:
        return {"detail": f"Missing scope {scope.value if scope else '<scope>'}"}
    return {"detail": getattr(error, "detail", HTTPStatus(status_of(error)).phrase)}


def status_of(error: type[Exception]) -> HTTPStatus:
    """The status a domain (or validation framework) error is answered with; a LookupError for
    an error the map does not name, so no route can declare an error the API cannot answer."""
    for kind, status in (*_STATUS.items(), *_FRAMEWORK_STATUS.items()):
        if issubclass(error, kind):
            return status
    raise LookupError(f"{error.__name__} has no HTTP status in dialtone.http")


def _error_responses(
    errors: tuple[type[Exception], ...], scope: Scope | None
) -> dict[int, dict[str, Any]]:
    by_status: dict[int, list[type[Exception]]] = {}
    for error in errors:
        by_status.setdefault(status_of(error), []).append(error)
    answers: dict[int, dict[str, Any]] = {}
    for status, kinds in sorted(by_status.items()):
        examples = {kind.__name__: {"value": _error_example(kind, scope)} for kind in kinds}
        phrases = "; ".join(example["value"]["detail"] for example in examples.values())
        answers[status] = {"description": phrases, "content": _content(ErrorBody, examples)}
    return answers


def _gateway_responses(answers: dict[int, dict[str, Any]]) -> None:
    """403 as API Gateway gives it for a missing or refused key, joined by the route's own 403
    (a missing scope); 401 as a handler gives it when no authorizer vouched for the caller."""
    answers[HTTPStatus.UNAUTHORIZED] = {
        "description": "No caller identity reached the handler (behind API Gateway a request "
        "without a key is refused by the authorizer first: 403)",
        "content": _content(ErrorBody, {"NoCaller": {"value": {"detail": "Not authenticated"}}}),
    }
    refused = {"RefusedKey": {"value": {"message": "Forbidden"}}}
    own = answers.get(HTTPStatus.FORBIDDEN)
    if own is None:
        answers[HTTPStatus.FORBIDDEN] = {
            "description": "No API key, an unknown or revoked one, or an Authorization scheme "
            "other than Bearer: API Gateway refuses the request",
            "content": _content(GatewayErrorBody, refused),
        }
        return
    media = own["content"][content_types.APPLICATION_JSON]
    answers[HTTPStatus.FORBIDDEN] = {
        "description": f"{own['description']}; or no API key, an unknown or revoked one, or an "
        "Authorization scheme other than Bearer (API Gateway)",
        "content": _content(ErrorBody | GatewayErrorBody, {**media["examples"], **refused}),
    }


def _validation_response(answers: dict[int, dict[str, Any]]) -> None:
    """422 is always possible (validation); a domain error answered 422 with a plain detail
    (a reused Idempotency-Key) joins it."""
    own = answers.get(HTTPStatus.UNPROCESSABLE_ENTITY)
    model: Any = ValidationErrorBody if own is None else ValidationErrorBody | ErrorBody
    examples = {} if own is None else own["content"][content_types.APPLICATION_JSON]["examples"]
    examples["ValidationError"] = {
        "value": {
            "detail": [
                {
                    "loc": ["query", "limit"],
                    "msg": "Input should be less than or equal to 100",
                    "type": "less_than_equal",
                }
            ]
        }
    }
    answers[HTTPStatus.UNPROCESSABLE_ENTITY] = {
        "description": "The request breaks the contract: a parameter or a body field, each named",
        "content": _content(model, examples),
    }


def edge_responses(method: str, path: str) -> dict[int, dict[str, Any]]:
    """What the edge (`create_app`) answers on a route before its body runs, whatever the
    route declares: 404 for a reserved path word in an id segment (`RESERVED_PATH_WORDS`), and
    on every method that carries a body, 415 for a multipart body and 422 for one nested
    deeper than MAX_BODY_DEPTH. The OpenAPI generator joins these to each route's own."""
    answers: dict[int, dict[str, Any]] = {}
    if "{" in path:
        answers[HTTPStatus.NOT_FOUND] = {
            "description": "Not Found (a path word of a route not built yet, such as stats)",
            "content": _content(ErrorBody, {"NoSuchRoute": {"value": {"detail": "Not Found"}}}),
        }
    if method.upper() in _BODY_METHODS:
        answers.update(_error_responses((RequestUnsupportedContentType,), None))
        _validation_response(answers)
    return answers


def operation(
    summary: str,
    *,
    tag: Tag,
    ok: dict[int, Success],
    errors: tuple[type[Exception], ...] = (),
    scope: Scope | None = None,
    description: str | None = None,
    request_body: dict[str, Any] | None = None,
    calls_aws: bool = True,
) -> dict[str, Any]:
    """A route's OpenAPI declaration, the keyword arguments of its `@app.get(...)` (or post,
    put...): its summary and tag, its success answers, and an error answer for each status
    its declared `errors` map to in `_STATUS`, with a 422 for validation. `scope` is the API
    key scope the route requires (with API Gateway's 401/403 and the missing-scope 403);
    None marks a public route, which needs no key. `request_body` describes a body the route
    reads itself (one that no body model of its signature describes). A route that
    `calls_aws` may be answered 503 when AWS throttles it (`ServiceBusy`)."""
    answers = {status: _success(status, answer) for status, answer in ok.items()}
    own = (*errors, MissingScope) if scope is not None else errors
    if calls_aws:
        own = (*own, ServiceBusy)
    answers.update(_error_responses(own, scope))
    _validation_response(answers)
    if scope is not None:
        _gateway_responses(answers)
    declaration: dict[str, Any] = {
        "summary": summary,
        "tags": [tag.value],
        "responses": dict(sorted(answers.items())),
        # A route's required scope is its security requirement's role (OpenAPI 3.1 allows
        # roles on API key schemes); a public route overrides the document's requirement.
        "openapi_extensions": {
            # Either scheme: the key as X-API-Key or as a bearer token.
            "security": [{"ApiKey": [scope.value]}, {"Bearer": [scope.value]}] if scope else []
        },
    }
    if request_body:
        declaration["openapi_extensions"]["requestBody"] = request_body
    if description:
        declaration["description"] = description
    return declaration
