"""Phone numbers: parsing any common way of writing a number into E.164 (via `phonenumbers`)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field

_FORMATTING = re.compile(r"[\s().\-]")

# A phone number in the contract: a string of the `e164` format (a `+`, the country code and
# the number; the usual spaces, dashes, dots and brackets are accepted and dropped). JSON
# Schema cannot say which numbers are valid, so the format names the rule, and a client or a
# fuzzer that knows it can generate numbers the API accepts.
E164_FORMAT: dict[str, Any] = {"format": "e164"}


def enter_phonenumbers() -> None:
    """Before `phonenumbers` is first imported (on first use: its metadata is large): enter it
    without its `__init__` (`dialtone.lazy_inits`), which imports the as-you-type formatter,
    the matcher of numbers in text and short numbers' info. Parsing and validating need none of
    them; the names it exports still import them on first use."""
    from dialtone import lazy_inits

    lazy_inits.defer("phonenumbers")


def to_e164(value: str) -> str:
    """The E.164 form of an international number; ValueError with the reason otherwise.

    Accepts `+` followed by the country code, with the usual spaces, dashes, dots and brackets.
    """
    enter_phonenumbers()
    import phonenumbers

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


# A phone number field whose model converts it itself (a validator of its own, or an entry
# the request keeps as failed): only what the contract shows.
PhoneText = Annotated[str, Field(max_length=32, json_schema_extra=E164_FORMAT)]
# A phone number field: refused with a `phone_number` error unless valid, stored in E.164.
PhoneNumber = Annotated[PhoneText, AfterValidator(validate_e164)]
