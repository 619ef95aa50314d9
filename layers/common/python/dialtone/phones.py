"""Phone numbers: parsing any common way of writing a number into E.164 (via `phonenumbers`)."""

from __future__ import annotations

import re

_FORMATTING = re.compile(r"[\s().\-]")


def to_e164(value: str) -> str:
    """The E.164 form of an international number; ValueError with the reason otherwise.

    Accepts `+` followed by the country code, with the usual spaces, dashes, dots and brackets.
    """
    import phonenumbers  # imported on first use: its metadata is large

    text = value.strip()
    if not text.startswith("+"):
        raise ValueError("must be an E.164 number starting with + and the country code")
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as error:
        raise ValueError(f"is not a phone number ({error._msg})") from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError("is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_like_phone(text: str) -> bool:
    """Whether a search string is meant as a phone number rather than a call-id fragment."""
    stripped = _FORMATTING.sub("", text.strip())
    return stripped.startswith("+") and stripped[1:].isdigit()


def validate_e164(value: str) -> str:
    """`to_e164` for pydantic validators: the error names the value and the reason, under the
    type `phone_number` (pydantic would prefix a plain ValueError with "Value error, ")."""
    from pydantic_core import PydanticCustomError

    try:
        return to_e164(value)
    except ValueError as error:
        raise PydanticCustomError(
            "phone_number", "{value} {reason}", {"value": value, "reason": str(error)}
        ) from None
