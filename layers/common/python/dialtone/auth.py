"""API keys and scopes: generation, hashing, and the principal a request acts as.

A key is `dt_<key id>_<secret>`. Only its SHA-256 is stored; the plaintext is shown once.
"""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum
from typing import Any, NamedTuple

from dialtone.errors import MissingScope, Unauthenticated

KEY_PREFIX = "dt_"

# A tenant id, the one definition: every key, URL parameter, message and S3 prefix of a tenant
# is built from it. `TENANT_ID_CHARS` is the id alone (to embed in a longer pattern).
TENANT_ID_CHARS = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
TENANT_ID_PATTERN = rf"^{TENANT_ID_CHARS}$"


class Scope(StrEnum):
    CALLS_READ = "calls:read"
    CALLS_WRITE = "calls:write"
    CALLS_INGEST = "calls:ingest"
    WEBHOOKS_MANAGE = "webhooks:manage"
    ADMIN = "admin"


ALL_SCOPES = tuple(Scope)


class NewKey(NamedTuple):
    key_id: str
    plaintext: str
    key_hash: str


def hash_key(plaintext: str) -> str:
    """The stored form of an API key."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def generate_key() -> NewKey:
    """A fresh random key (256 bits of secret) with its id and hash."""
    key_id = secrets.token_hex(8)
    plaintext = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    return NewKey(key_id=key_id, plaintext=plaintext, key_hash=hash_key(plaintext))


def parse_scopes(values: list[str] | tuple[str, ...]) -> tuple[Scope, ...]:
    """Validate scope names; unknown names raise ValueError naming them."""
    unknown = [v for v in values if v not in Scope._value2member_map_]
    if unknown:
        raise ValueError(f"Unknown scope(s): {', '.join(unknown)}")
    return tuple(dict.fromkeys(Scope(v) for v in values))


class Principal(NamedTuple):
    """Who is calling: the tenant, the key, and what the key may do."""

    tenant_id: str
    key_id: str
    scopes: frozenset[str]

    def require(self, scope: Scope) -> None:
        """Raise MissingScope unless this key carries `scope`."""
        if scope.value not in self.scopes:
            raise MissingScope(scope.value)

    def to_context(self) -> dict[str, str]:
        """The authorizer context API Gateway hands to every handler."""
        return {
            "tenant_id": self.tenant_id,
            "key_id": self.key_id,
            "scopes": " ".join(sorted(self.scopes)),
        }

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> Principal:
        """Read the principal from an HTTP API (payload 2.0) event's authorizer context."""
        authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
        context = authorizer.get("lambda") or {}
        tenant_id = context.get("tenant_id")
        if not tenant_id:
            raise Unauthenticated()
        return cls(
            tenant_id=str(tenant_id),
            key_id=str(context.get("key_id", "")),
            scopes=frozenset(str(context.get("scopes", "")).split()),
        )
