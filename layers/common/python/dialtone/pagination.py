"""Opaque, tamper-proof page cursors bound to a tenant and to the query that produced them.

A cursor is `base64url(json payload) + "." + base64url(HMAC-SHA256)`, where the MAC covers the
payload, the tenant id and a fingerprint of the filters. A cursor that was edited, or that is
replayed by another tenant or with other filters, fails verification and is rejected (400).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dialtone.errors import InvalidCursor
from dialtone.settings import EnvSettings


class CursorSettings(EnvSettings):
    """The secret that signs page cursors, for a service whose other routes need none."""

    cursor_secret_arn: str = Field(alias="CURSOR_SECRET_ARN", default="")


_MAC_BYTES = 16


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fingerprint(values: dict[str, Any]) -> str:
    """A stable digest of the query a cursor belongs to."""
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class CursorCodec:
    """Signs and verifies cursors with one secret key."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("cursor secret must be at least 16 bytes")
        self._secret = secret

    def _mac(self, body: bytes, tenant_id: str, query: str) -> bytes:
        message = b"\x00".join([tenant_id.encode(), query.encode(), body])
        return hmac.new(self._secret, message, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, payload: dict[str, Any], tenant_id: str, query: str) -> str:
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8")
        return f"{_b64encode(body)}.{_b64encode(self._mac(body, tenant_id, query))}"

    def decode(self, cursor: str, tenant_id: str, query: str) -> dict[str, Any]:
        """The payload of a cursor issued for this tenant and query; InvalidCursor otherwise."""
        try:
            body_text, mac_text = cursor.split(".", 1)
            body, mac = _b64decode(body_text), _b64decode(mac_text)
        except (ValueError, binascii.Error) as error:
            raise InvalidCursor() from error
        if not hmac.compare_digest(mac, self._mac(body, tenant_id, query)):
            raise InvalidCursor()
        try:
            payload = json.loads(body)
        except ValueError as error:  # pragma: no cover - a signed body is always our JSON
            raise InvalidCursor() from error
        if not isinstance(payload, dict):
            raise InvalidCursor()
        return payload


# What one answer may carry. Lambda refuses a synchronous response over 6 MB (6,291,456 bytes)
# and API Gateway then answers 500; the body travels JSON-escaped inside Lambda's response (a
# quote or a non-ASCII character takes several bytes there), so pages are measured that way and
# capped at 5,000,000 bytes, which leaves room for the envelope and the headers.
MAX_BODY_BYTES = 5_000_000


def encoded_size(text: str) -> int:
    """How many bytes `text` takes as a JSON string inside Lambda's response (quotes excluded)."""
    return len(json.dumps(text)) - 2


def codec_factory() -> Callable[[], CursorCodec] | None:
    """What builds this function's cursor codec (reading the secret on first use), or None
    when the function has no CURSOR_SECRET_ARN."""
    from dialtone import settings

    secret_arn = settings.load(CursorSettings).cursor_secret_arn
    if not secret_arn:
        return None
    return lambda: cursor_codec(secret_arn)


def cursor_codec(secret_arn: str) -> CursorCodec:
    """The codec of the deployment's cursor secret (the secret is read once per execution
    environment)."""
    from dialtone import settings

    return CursorCodec(settings.secret_string(secret_arn).encode("utf-8"))


class ListPage(BaseModel):
    """`limit` (1-100, default 20) and `cursor` of a cursor-paged list (agents, the do-not-call
    list); unknown parameters are ignored."""

    model_config = ConfigDict(defer_build=True, extra="ignore", frozen=True)

    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=8192)


class KeyCursors:
    """Cursors of one list of a tenant that resume after a sort key, signed with a codec
    built on first use (a list that fits one page never reads the cursor secret)."""

    def __init__(self, codec: Callable[[], CursorCodec], tenant_id: str, list_name: str) -> None:
        self._codec = codec
        self._tenant_id = tenant_id
        self._query = fingerprint({"list": list_name})

    def after(self, cursor: str | None) -> str | None:
        """The sort key a cursor resumes after (None for the first page); InvalidCursor (400)
        for a cursor altered, or issued for another tenant or list."""
        if cursor is None:
            return None
        after = self._codec().decode(cursor, self._tenant_id, self._query).get("after")
        if not isinstance(after, str):
            raise InvalidCursor()
        return after

    def next(self, after: str | None) -> str | None:
        """The cursor of the page after the sort key `after`; None on the last page."""
        if after is None:
            return None
        return self._codec().encode({"after": after}, self._tenant_id, self._query)
