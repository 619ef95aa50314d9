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
from typing import Any

from dialtone.errors import InvalidCursor

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
