"""Redaction of phone numbers, email addresses and payment card numbers in stored text.

Calls and tenants marked `opt_out_sensitive_data_storage` have transcripts and history redacted
with these functions before anything is written. Only written-out digits are recognised: a
number spoken as words ("four one five, five five five…") is out of scope and stays as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

PHONE = "[PHONE]"
EMAIL = "[EMAIL]"
CARD = "[CARD]"

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}")
# Groups of digits joined by single spaces or hyphens, not inside a longer word or digit run.
_DIGIT_RUN = re.compile(r"(?<!\w)\d+(?:[ -]\d+)*(?!\w)")
_DIGITS = re.compile(r"\d+")


def redact_text(text: str, region: str = "US") -> str:
    """The text with every email, payment card number and phone number replaced by
    `EMAIL`, `CARD` or `PHONE`.

    Emails go first, so an address like 6502530000@txt.example.com goes whole rather than
    leaving its domain behind a phone placeholder; then cards, so their digits are never taken
    for a phone number; then phones. `region` (ISO 3166 alpha-2) is where numbers written
    without `+` and the country code are assumed to be.
    """
    text = _EMAIL.sub(EMAIL, text)
    text = _replace(text, _card_spans(text), CARD)
    return _replace(text, _phone_spans(text, region), PHONE)


def redact_value(value: Any, region: str = "US") -> Any:
    """`value` with `redact_text` applied to every string inside it, however deeply nested in
    dicts and lists; dict keys and values of other types are kept as they are."""
    if isinstance(value, str):
        return redact_text(value, region)
    if isinstance(value, dict):
        return {key: redact_value(item, region) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_value(item, region) for item in value]
    return value


def _replace(text: str, spans: Iterable[tuple[int, int]], placeholder: str) -> str:
    # Right to left, so the offsets of the spans still to replace stay valid.
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + placeholder + text[end:]
    return text


def _card_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of digit runs whose leading groups hold 13 to 19 digits passing the Luhn check.

    The run may go on after the card ("4111 1111 1111 1111 12/27" ends with the expiry month,
    or the CVV follows), so the longest passing prefix of groups is taken rather than requiring
    the whole run to be the card. Only prefixes: windows anywhere in a long run of groups (a
    grouped tracking number) would pass Luhn by chance far too often.
    """
    for run in _DIGIT_RUN.finditer(text):
        groups = list(_DIGITS.finditer(run[0]))
        for last in range(len(groups) - 1, -1, -1):
            digits = "".join(group[0] for group in groups[: last + 1])
            if 13 <= len(digits) <= 19 and _passes_luhn(digits):
                yield run.start(), run.start() + groups[last].end()
                break


def _passes_luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _phone_spans(text: str, region: str) -> list[tuple[int, int]]:
    import phonenumbers  # imported on first use: its metadata is large

    # VALID: the number must exist in the numbering plan, which keeps times, dates, amounts and
    # most order numbers out; a digit string that happens to be a valid number is still taken.
    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    return [(match.start, match.end) for match in matcher]
