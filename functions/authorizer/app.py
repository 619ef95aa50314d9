"""Lambda REQUEST authorizer of the HTTP API: the API key (`X-API-Key`, or `Authorization:
Bearer`) → tenant, key and scopes.

Simple responses: `isAuthorized` false makes API Gateway answer 403. The authorizer has no
identity source (API Gateway would ask for every listed header, and a request sends one of the
two), so a request without a key reaches here too and is refused the same way.
"""

from __future__ import annotations

import functools
from typing import Any

from dialtone.keys import KeyResolver, accounts_table_from_environment, presented_key
from dialtone.observability import authorizer_handler, logger

DENY: dict[str, Any] = {"isAuthorized": False}


@functools.cache
def keys() -> KeyResolver:
    return KeyResolver(accounts_table_from_environment())


@authorizer_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    api_key = presented_key(event.get("headers") or {})
    if api_key is None:
        return DENY
    principal = keys().resolve(api_key)
    if principal is None:
        logger.info("API key refused")
        return DENY
    logger.append_keys(tenant_id=principal.tenant_id, key_id=principal.key_id)
    return {"isAuthorized": True, "context": principal.to_context()}
