"""Twilio's request signature: `X-Twilio-Signature`, computed and checked in one place.

Twilio signs every status callback with the account's auth token; the simulator signs its own
callbacks here the same way, and the status callback receiver checks both with
`signature_is_valid`. Both use the SDK's `twilio.request_validator.RequestValidator`, imported
on first use: that module needs only the standard library, so a function that checks a
signature never loads the SDK's REST client (its cold start).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

SIGNATURE_HEADER = "x-twilio-signature"

# A parsed form: every field with all its values, as `urllib.parse.parse_qs` gives it.
Form = Mapping[str, Sequence[str]]


class _Form(dict[str, list[str]]):
    """A parsed form as RequestValidator reads repeated fields (`getall`)."""

    def __init__(self, form: Form) -> None:
        super().__init__({name: list(values) for name, values in form.items()})

    def getall(self, name: str) -> list[str]:
        return self[name]


def twilio_signature(auth_token: str, url: str, form: Form) -> str:
    """Twilio's `X-Twilio-Signature` of a form POST to `url` (base64 HMAC-SHA1 keyed by the auth
    token over the URL and the sorted form fields), as the SDK computes it."""
    from twilio.request_validator import RequestValidator

    signature: str = RequestValidator(auth_token).compute_signature(url, _Form(form))
    return signature


def signature_is_valid(auth_token: str, url: str, form: Form, signature: str) -> bool:
    """Whether `signature` signs this URL and form, checked by the SDK's RequestValidator (which
    also accepts the URL with or without its default port, as Twilio signs either)."""
    if not auth_token or not signature:
        return False
    from twilio.request_validator import RequestValidator

    valid: bool = RequestValidator(auth_token).validate(url, _Form(form), signature)
    return valid
