"""API keys, scopes and the principal a request acts as."""

import hashlib
import re

import pytest

from dialtone.auth import Principal, Scope, generate_key, hash_key, parse_scopes
from dialtone.errors import MissingScope, Unauthenticated

KEY_FORMAT = re.compile(r"^dt_(?P<key_id>[0-9a-f]{16})_(?P<secret>[A-Za-z0-9_-]{43})$")


def test_generated_key_embeds_its_id_and_is_stored_only_as_its_sha256() -> None:
    # Given / When: a fresh key
    new = generate_key()

    # Then: the plaintext is dt_<16 hex id>_<43 url-safe chars (256 bits)>
    match = KEY_FORMAT.match(new.plaintext)
    assert match is not None, new.plaintext
    assert match["key_id"] == new.key_id
    # And: the stored form is the SHA-256 of the plaintext, never the plaintext itself
    assert new.key_hash == hashlib.sha256(new.plaintext.encode()).hexdigest()
    assert new.plaintext not in new.key_hash


def test_generated_keys_are_unique() -> None:
    # Given / When: many keys
    keys = [generate_key() for _ in range(50)]

    # Then: no id, key or hash repeats
    assert len({k.key_id for k in keys}) == 50
    assert len({k.plaintext for k in keys}) == 50
    assert len({k.key_hash for k in keys}) == 50


def test_hash_key_is_hex_sha256() -> None:
    # Given: a known input
    # When: it is hashed
    digest = hash_key("abc")

    # Then: it is the standard SHA-256 test vector
    assert digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_parse_scopes_returns_scopes_in_order_without_duplicates() -> None:
    # Given: scope names with a repeat
    names = ["calls:write", "calls:read", "calls:write"]

    # When: they are parsed
    scopes = parse_scopes(names)

    # Then: each appears once, in the order first given
    assert scopes == (Scope.CALLS_WRITE, Scope.CALLS_READ)


def test_parse_scopes_rejects_unknown_names_naming_them() -> None:
    # Given: one known and two unknown scope names
    names = ["calls:read", "calls:delete", "root"]

    # When / Then: parsing fails and says which names are unknown
    with pytest.raises(ValueError, match=r"Unknown scope\(s\): calls:delete, root"):
        parse_scopes(names)


def test_require_passes_for_a_scope_the_key_carries() -> None:
    # Given: a key with calls:read
    principal = Principal(tenant_id="t1", key_id="k1", scopes=frozenset({"calls:read"}))

    # When / Then: requiring calls:read does not raise
    principal.require(Scope.CALLS_READ)


def test_require_raises_missing_scope_with_the_api_detail() -> None:
    # Given: a read-only key
    principal = Principal(tenant_id="t1", key_id="k1", scopes=frozenset({"calls:read"}))

    # When: a write is attempted
    with pytest.raises(MissingScope) as raised:
        principal.require(Scope.CALLS_WRITE)

    # Then: the error carries the body the API returns with its 403
    assert raised.value.detail == "Missing scope calls:write"
    assert raised.value.scope == "calls:write"


def test_admin_scope_does_not_imply_other_scopes() -> None:
    # Given: a key with only the admin scope
    principal = Principal(tenant_id="t1", key_id="k1", scopes=frozenset({"admin"}))

    # When / Then: reading calls still needs calls:read
    with pytest.raises(MissingScope):
        principal.require(Scope.CALLS_READ)


def test_from_event_reads_the_lambda_authorizer_context() -> None:
    # Given: an HTTP API v2 event as API Gateway passes it after the authorizer
    event = {
        "requestContext": {
            "authorizer": {
                "lambda": {
                    "tenant_id": "tenant-a",
                    "key_id": "0123456789abcdef",
                    "scopes": "calls:read calls:write",
                }
            }
        }
    }

    # When: the principal is read
    principal = Principal.from_event(event)

    # Then: tenant, key and scopes come from the context
    assert principal == Principal(
        tenant_id="tenant-a",
        key_id="0123456789abcdef",
        scopes=frozenset({"calls:read", "calls:write"}),
    )


def test_from_event_round_trips_to_context() -> None:
    # Given: a principal turned into an authorizer context
    original = Principal(tenant_id="t9", key_id="k9", scopes=frozenset({"admin", "calls:ingest"}))
    event = {"requestContext": {"authorizer": {"lambda": original.to_context()}}}

    # When: a handler reads it back
    restored = Principal.from_event(event)

    # Then: it is the same principal
    assert restored == original


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"requestContext": None},
        {"requestContext": {}},
        {"requestContext": {"authorizer": None}},
        {"requestContext": {"authorizer": {"lambda": None}}},
        {"requestContext": {"authorizer": {"lambda": {"key_id": "k", "scopes": "calls:read"}}}},
        {"requestContext": {"authorizer": {"lambda": {"tenant_id": "", "key_id": "k"}}}},
        # A context in the wrong place (REST API style) does not count.
        {"requestContext": {"authorizer": {"tenant_id": "t1"}}},
    ],
)
def test_from_event_without_a_tenant_is_unauthenticated(event: dict[str, object]) -> None:
    # Given: an event with no tenant in the Lambda authorizer context
    # When / Then: reading the principal fails as unauthenticated
    with pytest.raises(Unauthenticated):
        Principal.from_event(event)
