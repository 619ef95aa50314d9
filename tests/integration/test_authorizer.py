"""The Lambda authorizer (the API key, as X-API-Key or as a bearer token → tenant, key,
scopes) against the accounts table on moto, and what the API handlers answer when no authorizer
vouched for the caller.

In production API Gateway turns the authorizer's verdict into the client's answer:
`isAuthorized: false` becomes 403, for a request without a key too (the authorizer has no
identity source, so it sees every request). That status does not pass through these handlers,
so here the authorizer's verdict itself is asserted; the e2e suite checks the statuses over
HTTP.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from dialtone.accounts import AccountStore
from dialtone.auth import Scope
from local.invoke import api_event, invoke, sample_event


def authorize(headers: dict[str, str]) -> dict[str, Any]:
    """The authorizer's answer to the sample request carrying exactly these headers."""
    event = copy.deepcopy(sample_event("authorizer"))
    kept = {k: v for k, v in event["headers"].items() if k.lower() != "x-api-key"}
    event["headers"] = {**kept, **headers}
    event["identitySource"] = list(headers.values())[:1]
    return invoke("authorizer", event)


@pytest.fixture
def read_key(tenant: Any, account_store: AccountStore) -> Any:
    """A fresh calls:read key of the tenant (plaintext and record)."""
    return account_store.create_key(tenant.tenant_id, [Scope.CALLS_READ], name="reader")


def test_a_valid_key_is_authorized_as_its_tenant(tenant: Any, read_key: Any) -> None:
    # Given: a calls:read key of a tenant
    # When: a request presents it
    answer = authorize({"x-api-key": read_key.plaintext})

    # Then: authorized, with the tenant, the key and its scopes as the handlers' context
    assert answer == {
        "isAuthorized": True,
        "context": {
            "tenant_id": tenant.tenant_id,
            "key_id": read_key.key.key_id,
            "scopes": "calls:read",
        },
    }


def test_a_key_with_several_scopes_carries_them_all(
    tenant: Any, account_store: AccountStore
) -> None:
    # Given: a key that may read and dial
    created = account_store.create_key(tenant.tenant_id, [Scope.CALLS_WRITE, Scope.CALLS_READ])

    # When: a request presents it
    answer = authorize({"x-api-key": created.plaintext})

    # Then: both scopes reach the handlers
    assert answer["isAuthorized"] is True
    assert set(answer["context"]["scopes"].split()) == {"calls:read", "calls:write"}


def test_the_authorizers_context_lets_a_handler_serve_the_tenant(
    make_tenant: Any, account_store: AccountStore
) -> None:
    # Given: two tenants with calls, and a read key of the first
    mine, theirs = make_tenant(seed=1), make_tenant(seed=2)
    my_calls = mine.add_calls(3)
    theirs.add_calls(2)
    key = account_store.create_key(mine.tenant_id, [Scope.CALLS_READ])

    # When: the authorizer's context is handed to list_calls, as API Gateway does
    context = authorize({"x-api-key": key.plaintext})["context"]
    result = invoke(
        "list_calls", api_event("list_calls", "GET /v1/calls", "/v1/calls", authorizer=context)
    )

    # Then: the key's tenant's calls, and only those
    assert result["statusCode"] == 200
    listed = json.loads(result["body"])
    assert sorted(c["id"] for c in listed["calls"]) == sorted(c.id for c in my_calls)


def test_a_key_without_calls_read_is_authorized_but_refused_by_the_handler(
    tenant: Any, account_store: AccountStore
) -> None:
    # Given: a key that may only dial
    key = account_store.create_key(tenant.tenant_id, [Scope.CALLS_WRITE])

    # When: it passes the authorizer and lists calls
    answer = authorize({"x-api-key": key.plaintext})
    result = invoke(
        "list_calls",
        api_event("list_calls", "GET /v1/calls", "/v1/calls", authorizer=answer["context"]),
    )

    # Then: the authorizer lets it in; the handler says which scope is missing
    assert answer["isAuthorized"] is True
    assert result["statusCode"] == 403
    assert json.loads(result["body"]) == {"detail": "Missing scope calls:read"}


@pytest.mark.parametrize(
    "key",
    [
        "dt_0123456789abcdef_unknown",
        "not-even-a-dialtone-key",
        "x" * 300,
    ],
)
def test_an_unknown_key_is_not_authorized(tenant: Any, read_key: Any, key: str) -> None:
    # Given: a tenant with a real key
    # When: a request presents a key that was never issued
    answer = authorize({"x-api-key": key})

    # Then: not authorized (API Gateway answers 403), and no context is given
    assert answer == {"isAuthorized": False}


def test_a_key_that_differs_by_one_character_is_not_authorized(read_key: Any) -> None:
    # Given: a real key with its last character changed
    plaintext = read_key.plaintext
    altered = plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")

    # When / Then: the altered key is refused
    assert authorize({"x-api-key": altered}) == {"isAuthorized": False}


def test_a_revoked_key_is_not_authorized(
    tenant: Any, read_key: Any, account_store: AccountStore
) -> None:
    # Given: a key that worked, then was revoked
    assert authorize({"x-api-key": read_key.plaintext})["isAuthorized"] is True
    account_store.revoke_key(tenant.tenant_id, read_key.key.key_id)

    # When: a request presents it again
    answer = authorize({"x-api-key": read_key.plaintext})

    # Then: not authorized
    assert answer == {"isAuthorized": False}


def test_revoking_one_key_leaves_the_tenants_other_keys_working(
    tenant: Any, read_key: Any, account_store: AccountStore
) -> None:
    # Given: two keys of a tenant, one revoked
    other = account_store.create_key(tenant.tenant_id, [Scope.CALLS_READ])
    account_store.revoke_key(tenant.tenant_id, read_key.key.key_id)

    # When / Then: the other key still works
    assert authorize({"x-api-key": other.plaintext})["isAuthorized"] is True


@pytest.mark.parametrize("headers", [{}, {"x-api-key": ""}, {"x-api-key": "   "}])
def test_a_request_without_a_key_is_not_authorized(read_key: Any, headers: dict[str, str]) -> None:
    # Given: a tenant with a real key that the request does not carry
    # When: the request has no key, or an empty one
    answer = authorize(headers)

    # Then: not authorized (API Gateway answers 403)
    assert answer == {"isAuthorized": False}


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_a_key_as_a_bearer_token_is_authorized_as_its_tenant(
    tenant: Any, read_key: Any, scheme: str
) -> None:
    # Given / When: the key sent as `Authorization: Bearer <key>`, the scheme in any case
    answer = authorize({"Authorization": f"{scheme} {read_key.plaintext}"})

    # Then: authorized as the key's tenant, with its scopes
    assert answer == {
        "isAuthorized": True,
        "context": {
            "tenant_id": tenant.tenant_id,
            "key_id": read_key.key.key_id,
            "scopes": "calls:read",
        },
    }


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic ZHQ6c2VjcmV0",
        "Bearer",
        "Bearer   ",
        "Token {key}",
        "{key}",
        "Bearer dt_0000000000000000_not-a-key",
    ],
    ids=["basic", "bearer alone", "bearer blank", "other scheme", "no scheme", "unknown key"],
)
def test_a_wrong_scheme_or_an_empty_bearer_is_refused_like_a_bad_key(
    read_key: Any, authorization: str
) -> None:
    # Given / When: the Authorization header holds another scheme, nothing, or no real key
    answer = authorize({"authorization": authorization.format(key=read_key.plaintext)})

    # Then: not authorized
    assert answer == {"isAuthorized": False}


def test_x_api_key_is_read_first_when_both_come(tenant: Any, read_key: Any) -> None:
    # Given / When: a valid X-API-Key and a bearer token that is not a key
    answer = authorize(
        {"x-api-key": read_key.plaintext, "authorization": "Bearer some-other-token"}
    )

    # Then: authorized by the X-API-Key
    assert answer["isAuthorized"] is True
    assert answer["context"]["tenant_id"] == tenant.tenant_id


@pytest.mark.parametrize("name", ["X-API-Key", "X-Api-Key", "x-api-key", "X-API-KEY"])
def test_the_header_name_is_case_insensitive(tenant: Any, read_key: Any, name: str) -> None:
    # Given / When: the key under any spelling of the header name
    answer = authorize({name: read_key.plaintext})

    # Then: authorized as the tenant
    assert answer["isAuthorized"] is True
    assert answer["context"]["tenant_id"] == tenant.tenant_id


def test_the_sample_event_with_its_example_key_is_not_authorized(read_key: Any) -> None:
    # Given: events/authorizer.json carries an example key that was never issued
    # When: it is handled as it is
    answer = invoke("authorizer", sample_event("authorizer"))

    # Then: not authorized
    assert answer == {"isAuthorized": False}


# Handlers invoked without an authorizer context


@pytest.mark.parametrize(
    ("function", "route", "suffix"),
    [
        ("list_calls", "GET /v1/calls", None),
        ("get_call", "GET /v1/calls/{call_id}", ""),
        ("get_call_transcript", "GET /v1/calls/{call_id}/transcript", "/transcript"),
        ("get_call_recording", "GET /v1/calls/{call_id}/recording", "/recording"),
    ],
)
def test_a_handler_without_an_authorizer_context_answers_401(
    tenant: Any, function: str, route: str, suffix: str | None
) -> None:
    # Given: a call, and a request that no authorizer vouched for
    call = tenant.add_call()
    if suffix is None:
        event = api_event(function, route, "/v1/calls", authorizer=None)
    else:
        event = api_event(
            function,
            route,
            f"/v1/calls/{call.id}{suffix}",
            path_parameters={"call_id": call.id},
            authorizer=None,
        )

    # When: the handler runs
    result = invoke(function, event)

    # Then: 401 with a reason, and nothing of the call
    assert result["statusCode"] == 401
    detail = json.loads(result["body"])["detail"]
    assert isinstance(detail, str)
    assert detail
    assert call.id not in result["body"]


def test_an_authorizer_context_without_a_tenant_answers_401(tenant: Any) -> None:
    # Given: an authorizer context that names no tenant
    call = tenant.add_call()
    event = api_event(
        "get_call",
        "GET /v1/calls/{call_id}",
        f"/v1/calls/{call.id}",
        path_parameters={"call_id": call.id},
        authorizer={"key_id": "k", "scopes": "calls:read"},
    )

    # When / Then: the handler refuses it as unauthenticated
    assert invoke("get_call", event)["statusCode"] == 401
