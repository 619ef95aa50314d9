"""Deliveries are signed the Standard Webhooks way: a receiver verifies them with the
`standardwebhooks` library and its secret, and nothing else verifies."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from dialtone.webhooks.signing import new_secret, sign

BODY = json.dumps(
    {"type": "call.completed", "timestamp": "2026-03-01T12:00:00Z", "data": {"id": "c1"}},
    separators=(",", ":"),
)
DELIVERY_ID = "msg_0193f1a2b3c4d5e6f7a8b9c0"


def test_a_secret_is_whsec_and_the_base64_of_24_random_bytes() -> None:
    secret = new_secret()

    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 24
    assert new_secret() != secret


def test_the_receiver_verifies_a_signed_delivery() -> None:
    secret, now = new_secret(), datetime.now(UTC)

    headers = sign([secret], DELIVERY_ID, now, BODY)

    assert headers["webhook-id"] == DELIVERY_ID
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(secret).verify(BODY, headers) == json.loads(BODY)
    assert Webhook(secret).verify(BODY.encode(), headers) == json.loads(BODY)


def test_a_tampered_body_fails() -> None:
    secret = new_secret()
    headers = sign([secret], DELIVERY_ID, datetime.now(UTC), BODY)

    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(secret).verify(BODY.replace("c1", "c2"), headers)


def test_a_tampered_timestamp_or_id_fails() -> None:
    secret, now = new_secret(), datetime.now(UTC)
    headers = sign([secret], DELIVERY_ID, now, BODY)

    moved = {**headers, "webhook-timestamp": str(int(now.timestamp()) + 1)}
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(secret).verify(BODY, moved)
    renamed = {**headers, "webhook-id": "msg_other"}
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(secret).verify(BODY, renamed)


def test_an_old_delivery_cannot_be_replayed() -> None:
    secret = new_secret()
    headers = sign([secret], DELIVERY_ID, datetime.now(UTC) - timedelta(minutes=10), BODY)

    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(BODY, headers)


def test_another_secret_fails() -> None:
    headers = sign([new_secret()], DELIVERY_ID, datetime.now(UTC), BODY)

    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, headers)


def test_during_a_rotation_both_secrets_verify_and_after_it_only_the_new_one() -> None:
    old, new, now = new_secret(), new_secret(), datetime.now(UTC)

    # During the overlap the delivery carries one signature per secret, the new one first
    during = sign([new, old], DELIVERY_ID, now, BODY)
    assert len(during["webhook-signature"].split(" ")) == 2
    assert Webhook(new).verify(BODY, during) == json.loads(BODY)
    assert Webhook(old).verify(BODY, during) == json.loads(BODY)

    # After it, signed with the new secret only, the old one no longer verifies
    after = sign([new], DELIVERY_ID, now, BODY)
    assert Webhook(new).verify(BODY, after) == json.loads(BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(BODY, after)


def test_a_naive_timestamp_is_taken_as_utc() -> None:
    secret, now = new_secret(), datetime.now(UTC)

    naive = sign([secret], DELIVERY_ID, now.replace(tzinfo=None), BODY)

    assert naive == sign([secret], DELIVERY_ID, now, BODY)


def test_signing_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="at least one signing secret"):
        sign([], DELIVERY_ID, datetime.now(UTC), BODY)
