"""Typed exceptions: every failed request raises a subclass of `DialtoneError`."""

from __future__ import annotations

from typing import Any

import httpx


class DialtoneError(Exception):
    """Base of every error the SDK raises.

    `status_code` is the HTTP status (None when no answer came back); `detail` is the API's own
    `detail` (a string, or for 422 the list of `{"loc", "msg", "type"}` issues).
    """

    def __init__(self, message: str, *, status_code: int | None = None, detail: Any = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.detail = detail if detail is not None else message


class APIStatusError(DialtoneError):
    """The API answered with a 4xx/5xx status."""

    status_code: int

    def __init__(
        self, message: str, *, status_code: int, detail: Any, response: httpx.Response
    ) -> None:
        super().__init__(message, status_code=status_code, detail=detail)
        self.response = response


class BadRequestError(APIStatusError):
    """400: a malformed parameter (e.g. a bad cursor)."""


class AuthenticationError(APIStatusError):
    """401 (no key) or 403 (unknown or revoked key, or a missing scope)."""


class NotFoundError(APIStatusError):
    """404: no such call, batch, webhook… for this tenant."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's state (e.g. an Idempotency-Key reused)."""


class GoneError(APIStatusError):
    """410: e.g. a change-feed cursor older than the retention."""


class ValidationError(APIStatusError):
    """422: the request did not validate; `detail` lists the issues."""


class RateLimitError(APIStatusError):
    """429, after the retries."""


class ServerError(APIStatusError):
    """5xx, after the retries."""


class APIConnectionError(DialtoneError):
    """No answer: the connection failed or was cut (after the retries)."""


class APITimeoutError(APIConnectionError):
    """No answer within the client's timeout (after the retries)."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFoundError,
    409: ConflictError,
    410: GoneError,
    422: ValidationError,
    429: RateLimitError,
}


def _detail(response: httpx.Response) -> Any:
    try:
        body = response.json()
    except ValueError:
        return response.text or response.reason_phrase
    if isinstance(body, dict):
        # The API says `detail`; API Gateway's own answers (401/403 of the authorizer) say
        # `message`.
        return body.get("detail", body.get("message", body))
    return body


def error_for(response: httpx.Response) -> APIStatusError:
    """The typed exception for a failed response (its body must already be read)."""
    status = response.status_code
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else APIStatusError)
    detail = _detail(response)
    text = (
        detail
        if isinstance(detail, str)
        else "; ".join(_issue(i) for i in detail)
        if isinstance(detail, list)
        else str(detail)
    )
    method, url = response.request.method, response.request.url
    return cls(
        f"{status} on {method} {url.path}: {text}",
        status_code=status,
        detail=detail,
        response=response,
    )


def _issue(issue: Any) -> str:
    if isinstance(issue, dict):
        loc = ".".join(str(part) for part in issue.get("loc", ()))
        return f"{loc}: {issue.get('msg', issue)}" if loc else str(issue.get("msg", issue))
    return str(issue)
