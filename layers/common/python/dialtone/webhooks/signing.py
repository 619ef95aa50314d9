"""Signing deliveries the Standard Webhooks way, with the `standardwebhooks` library.

A receiver verifies with the same library and the subscription's secret:
`Webhook(secret).verify(body, headers)`. During the 24 hours after a rotation a delivery is
signed with every unexpired secret (one `v1,...` each, space-separated), so a receiver still
holding the old secret, or already holding the new one, accepts it.
"""

from __future__ import annotations

import base64
import secrets as random_secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from math import floor

from dialtone.webhooks.models import SECRET_PREFIX

# 24 random bytes (192 bits), base64 without padding, as the standard's own examples are.
SECRET_BYTES = 24


def new_secret() -> str:
    """A fresh signing secret: `whsec_` and the base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(random_secrets.token_bytes(SECRET_BYTES)).decode()


def sign(
    secrets: Sequence[str], delivery_id: str, timestamp: datetime, body: str | bytes
) -> dict[str, str]:
    """The three Standard Webhooks headers of a delivery: `webhook-id` (the delivery id, the
    same on every attempt), `webhook-timestamp` (this attempt's, in seconds) and
    `webhook-signature`, one signature per secret (current first). `body` is signed exactly
    as it is sent."""
    from standardwebhooks.webhooks import Webhook

    if not secrets:
        raise ValueError("a delivery needs at least one signing secret")
    if timestamp.tzinfo is None:
        timestamp = timestamp.replace(tzinfo=UTC)
    signatures = [Webhook(secret).sign(delivery_id, timestamp, body) for secret in secrets]
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(floor(timestamp.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
