"""Checking that a webhook delivery comes from Dialtone (Standard Webhooks signatures)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import DialtoneError


class WebhookVerificationError(DialtoneError):
    """The delivery's signature does not match its body and secret, or its timestamp is too old."""


def verify_webhook(headers: Mapping[str, str], body: bytes | str, secret: str) -> Any:
    """The delivery's JSON payload when its `webhook-id`, `webhook-timestamp` and
    `webhook-signature` headers match `body` under `secret` (the `whsec_...` shown at creation);
    raises `WebhookVerificationError` otherwise. Pass the raw body, before any JSON parsing."""
    from standardwebhooks.webhooks import Webhook
    from standardwebhooks.webhooks import WebhookVerificationError as Invalid

    lowered = {name.lower(): value for name, value in headers.items()}
    try:
        return Webhook(secret).verify(body, lowered)
    except Invalid as error:
        raise WebhookVerificationError(f"Invalid webhook: {error}") from error
