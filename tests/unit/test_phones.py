"""Phone numbers: any common way of writing an international number becomes E.164."""

import pytest

from dialtone.phones import looks_like_phone, to_e164


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("+14155552671", "+14155552671"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("+1.415.555.2671", "+14155552671"),
        ("  +1 415 555 2671  ", "+14155552671"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+33 1 42 68 53 00", "+33142685300"),
    ],
)
def test_formatted_numbers_become_e164(written: str, e164: str) -> None:
    # Given: a number with spaces, dots, dashes or brackets
    # When: it is normalised
    # Then: it is the bare E.164 form
    assert to_e164(written) == e164


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("4155552671", "starting with \\+"),
        ("(415) 555-2671", "starting with \\+"),
        ("", "starting with \\+"),
        ("+1 555", "not a valid phone number"),
        ("+1 (415) 555-267", "not a valid phone number"),
        ("+", "not a phone number"),
        ("+999 123", "not a phone number"),
        ("+abc", "not a phone number"),
    ],
)
def test_invalid_numbers_raise_value_error_with_a_reason(written: str, reason: str) -> None:
    # Given: something that is not a valid international number
    # When / Then: normalising it fails with a reason
    with pytest.raises(ValueError, match=reason):
        to_e164(written)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+14155552671", True),
        ("+1 (415) 555-2671", True),
        ("+44 20 7946 0958", True),
        ("3f2a9c", False),
        ("4155552671", False),
        ("+", False),
        ("+1-abc", False),
        ("", False),
    ],
)
def test_looks_like_phone(text: str, expected: bool) -> None:
    # Given: a search string
    # When: it is classified
    # Then: only a + followed by digits (and formatting) counts as a phone number
    assert looks_like_phone(text) is expected
