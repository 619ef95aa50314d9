"""Lambda REQUEST authorizer of the HTTP API: X-API-Key → tenant, key and scopes.

Simple responses: `isAuthorized` false makes API Gateway answer 403; a missing header never
reaches here (API Gateway answers 401 for a missing identity source).
"""

from __future__ import annotations

import functools
from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from dialtone.keys import KeyResolver, accounts_table_from_environment
from dialtone.observability import logger

DENY: dict[str, Any] = {"isAuthorized": False}


@functools.cache
def keys() -> KeyResolver:
    return KeyResolver(accounts_table_from_environment())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    api_key = (headers.get("x-api-key") or "").strip()
    if not api_key:
        return DENY
    principal = keys().resolve(api_key)
    if principal is None:
        logger.info("API key refused")
        return DENY
    logger.append_keys(tenant_id=principal.tenant_id, key_id=principal.key_id)
    return {"isAuthorized": True, "context": principal.to_context()}
