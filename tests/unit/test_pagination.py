"""Opaque cursors: they round-trip, and anything edited or replayed elsewhere is refused."""

import base64
import json

import pytest

from dialtone.errors import InvalidCursor
from dialtone.pagination import CursorCodec, fingerprint

SECRET = b"0123456789abcdef0123456789abcdef"
TENANT = "tenant-a"
QUERY = fingerprint({"filters": {"status": "completed"}, "order": "desc"})
PAYLOAD = {"v": 1, "n": 20, "p": [{"pk": "tenant-a", "sk": "2026-11-01T10:00:00.000000Z#c1"}]}


@pytest.fixture
def codec() -> CursorCodec:
    return CursorCodec(SECRET)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_cursor_round_trips(codec: CursorCodec) -> None:
    # Given: a cursor issued for a tenant and query
    cursor = codec.encode(PAYLOAD, TENANT, QUERY)

    # When: the same tenant sends it back with the same query
    decoded = codec.decode(cursor, TENANT, QUERY)

    # Then: the payload comes back intact, and the cursor is URL-safe
    assert decoded == PAYLOAD
    assert all(c.isalnum() or c in "-_." for c in cursor)


def test_cursor_does_not_show_the_secret(codec: CursorCodec) -> None:
    # Given / When: a cursor
    cursor = codec.encode(PAYLOAD, TENANT, QUERY)

    # Then: neither the secret nor the tenant id can be read from it
    body = base64.urlsafe_b64decode(cursor.split(".")[0] + "==")
    assert SECRET not in body
    assert TENANT.encode() not in cursor.encode()


def test_edited_payload_is_refused(codec: CursorCodec) -> None:
    # Given: a cursor whose payload is replaced (skipping ahead) but whose MAC is kept
    cursor = codec.encode(PAYLOAD, TENANT, QUERY)
    _, mac = cursor.split(".")
    forged_body = json.dumps({**PAYLOAD, "n": 9999}, separators=(",", ":"), sort_keys=True)
    forged = f"{_b64(forged_body.encode())}.{mac}"

    # When / Then: it is rejected
    with pytest.raises(InvalidCursor):
        codec.decode(forged, TENANT, QUERY)


def test_edited_mac_is_refused(codec: CursorCodec) -> None:
    # Given: a cursor with one character of its MAC changed
    cursor = codec.encode(PAYLOAD, TENANT, QUERY)
    body, mac = cursor.split(".")
    flipped = ("A" if mac[0] != "A" else "B") + mac[1:]

    # When / Then: it is rejected
    with pytest.raises(InvalidCursor):
        codec.decode(f"{body}.{flipped}", TENANT, QUERY)


def test_cursor_of_another_tenant_is_refused(codec: CursorCodec) -> None:
    # Given: a cursor issued to tenant A
    cursor = codec.encode(PAYLOAD, TENANT, QUERY)

    # When / Then: tenant B replaying it is rejected
    with pytest.raises(InvalidCursor):
        codec.decode(cursor, "tenant-b", QUERY)


def test_cursor_replayed_with_other_filters_is_refused(codec: CursorCodec) -> None:
    # Given: a cursor issued for one set of filters
    cursor = codec.encode(PAYLOAD, TENANT, QUERY)
    other_query = fingerprint({"filters": {"status": "failed"}, "order": "desc"})

    # When / Then: using it with other filters is rejected
    with pytest.raises(InvalidCursor):
        codec.decode(cursor, TENANT, other_query)


def test_cursor_signed_with_another_secret_is_refused(codec: CursorCodec) -> None:
    # Given: a cursor made by a codec with a different secret
    cursor = CursorCodec(b"another-secret-of-32-bytes-long!").encode(PAYLOAD, TENANT, QUERY)

    # When / Then: this codec rejects it
    with pytest.raises(InvalidCursor):
        codec.decode(cursor, TENANT, QUERY)


@pytest.mark.parametrize(
    "garbage",
    ["", ".", "no-separator", "!!!.???", "a.b.c", "é.é", "e30", "e30.", "%%%%.%%%%", "x" * 500],
)
def test_garbage_cursor_is_refused(codec: CursorCodec, garbage: str) -> None:
    # Given: a string that was never a cursor
    # When / Then: it is rejected as an invalid cursor, not a crash
    with pytest.raises(InvalidCursor):
        codec.decode(garbage, TENANT, QUERY)


def test_short_secret_is_refused() -> None:
    # Given: a secret of fewer than 16 bytes
    # When / Then: the codec refuses to be built with it
    with pytest.raises(ValueError, match="at least 16 bytes"):
        CursorCodec(b"short")


def test_fingerprint_ignores_key_order_but_not_values() -> None:
    # Given: the same filters written in two orders, and different filters
    a = fingerprint({"status": "completed", "direction": "inbound"})
    b = fingerprint({"direction": "inbound", "status": "completed"})
    c = fingerprint({"direction": "outbound", "status": "completed"})

    # When / Then: order does not matter, values do
    assert a == b
    assert a != c
