"""Resolving an API key to its principal: the authorizer's whole job, kept free of pydantic.

The authorizer runs before every request API Gateway has not cached, so its cold start matters
most; it needs one GetItem and none of the models the rest of the API uses.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from dialtone.auth import Principal, hash_key
from dialtone.dynamo import TableStore, from_item, string_key


def accounts_table_from_environment() -> str:
    """ACCOUNTS_TABLE, which must be set and non-empty (no silent default)."""
    name = os.environ.get("ACCOUNTS_TABLE", "").strip()
    if not name:
        raise RuntimeError("ACCOUNTS_TABLE is not set")
    return name


_BEARER = "bearer "


def presented_key(headers: Mapping[str, str]) -> str | None:
    """The API key a request presents: `X-API-Key: <key>`, or else `Authorization: Bearer
    <key>` (the scheme in any case); None when it presents neither, or another scheme
    (`Basic ...`), or `Bearer` with nothing after it: such a request is refused like a bad key.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    api_key = (lowered.get("x-api-key") or "").strip()
    if api_key:
        return api_key
    authorization = (lowered.get("authorization") or "").strip()
    if authorization[: len(_BEARER)].lower() != _BEARER:
        return None
    return authorization[len(_BEARER) :].strip() or None


class KeyResolver(TableStore):
    """Looks keys up by their hash in the accounts table."""

    def resolve(self, plaintext: str) -> Principal | None:
        """The principal of an active key, or None for an unknown or revoked one."""
        response = self.dynamodb.get_item(
            TableName=self.table_name,
            Key=string_key(pk=f"KEY#{hash_key(plaintext)}", sk="KEY"),
            ProjectionExpression="tenant_id, key_id, scopes, revoked_at",
        )
        item = response.get("Item")
        if item is None or "revoked_at" in item:
            return None
        values = from_item(item)
        return Principal(
            tenant_id=values["tenant_id"],
            key_id=values["key_id"],
            scopes=frozenset(values.get("scopes", [])),
        )
