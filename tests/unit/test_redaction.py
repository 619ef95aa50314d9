"""Redaction: phone numbers, emails and card numbers leave call text before it is stored, and
nothing else does (times, dates, amounts, order numbers stay readable)."""

import subprocess
import sys

import pytest

from dialtone.redaction import CARD, EMAIL, PHONE, redact_text, redact_value

# libphonenumber takes the fictional 555-01XX range and these real switchboards as valid numbers;
# a number it rejects would never be redacted, so tests only use numbers it accepts.


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Sure, my email is jane.doe+calls@example.co.uk and my cell is (650) 253-0000.",
            f"Sure, my email is {EMAIL} and my cell is {PHONE}.",
        ),
        (
            "You can reach me at 415-555-0132 after 5, or at the office on 212.736.5000.",
            f"You can reach me at {PHONE} after 5, or at the office on {PHONE}.",
        ),
        (
            "The card is 4111 1111 1111 1111, expiry 12/27, and send the receipt to "
            "billing@acme-corp.com please.",
            f"The card is {CARD}, expiry 12/27, and send the receipt to {EMAIL} please.",
        ),
        (
            "Agent: Can I call you back on +1 650 253 0000? Caller: yes, or try "
            "ops.team@mail.support.example.org.",
            f"Agent: Can I call you back on {PHONE}? Caller: yes, or try {EMAIL}.",
        ),
    ],
)
def test_transcript_lines_lose_emails_cards_and_phones_and_keep_the_rest(
    line: str, expected: str
) -> None:
    # Given: a transcript line as a caller would say it
    # When: it is redacted
    # Then: each sensitive item is its placeholder and every other character is untouched
    assert redact_text(line) == expected


@pytest.mark.parametrize(
    "number",
    [
        "+1 650 253 0000",
        "+1-650-253-0000",
        "+16502530000",
        "+44 20 7946 0958",
        "+33 1 42 68 53 00",
        "+49 30 901820",
        "+61 2 9374 4000",
        "+81 3-3224-9999",
        "(650) 253-0000",
        "650-253-0000",
        "650.253.0000",
        "650 253 0000",
        "6502530000",
        "1-800-275-2273",
    ],
)
def test_international_and_national_phone_formats_are_redacted(number: str) -> None:
    # Given: a number written with +country code, or in US national format
    # When: a sentence holding it is redacted
    # Then: the whole number, and only it, is replaced
    assert redact_text(f"Call me on {number} tomorrow.") == f"Call me on {PHONE} tomorrow."


def test_an_email_whose_local_part_is_a_phone_number_is_redacted_whole() -> None:
    # Given: an email-to-text address, which holds a valid phone number
    line = "Texts also reach me at 6502530000@txt.example.com."

    # When / Then: the whole address is one email placeholder, no domain left behind
    assert redact_text(line) == f"Texts also reach me at {EMAIL}."


def test_national_numbers_are_read_in_the_given_region() -> None:
    # Given: a UK number written the British way, without +44
    line = "My office is 020 7946 0958."

    # When / Then: it is a phone number for the GB region, but not a valid US number
    assert redact_text(line, region="GB") == f"My office is {PHONE}."
    assert redact_text(line, region="US") == line


@pytest.mark.parametrize(
    "card",
    [
        "4111 1111 1111 1111",  # Visa, spaces
        "4111-1111-1111-1111",  # Visa, dashes
        "4242424242424242",  # Visa, no separators
        "5555 5555 5555 4444",  # Mastercard
        "5105-1051-0510-5100",  # Mastercard
        "3782 822463 10005",  # Amex, 4-6-5
        "371449635398431",  # Amex, no separators
        "6011 1111 1111 1117",  # Discover
    ],
)
def test_card_numbers_passing_luhn_are_redacted(card: str) -> None:
    # Given: a card number read out in any common grouping
    # When: it is redacted
    # Then: it is one placeholder, not a phone number or digits left behind
    assert redact_text(f"my card number is {card} thanks") == f"my card number is {CARD} thanks"


def test_card_followed_by_its_cvv_is_still_redacted() -> None:
    # Given: the CVV read straight after the card number, as one run of digit groups
    line = "it's 4111 1111 1111 1111 123"

    # When / Then: the card is redacted even though the whole run is not a card number
    assert redact_text(line) == f"it's {CARD} 123"


@pytest.mark.parametrize(
    "digits",
    [
        "4111 1111 1111 1112",  # 16 digits failing Luhn
        "4111-1111-1111-1112",
        "4111111111111112",
        "41111111111111110000",  # a valid card inside a longer digit run
        "ID4111111111111111",  # a valid card glued to a word
    ],
)
def test_digit_runs_that_are_not_card_numbers_stay(digits: str) -> None:
    # Given: a card-like run of digits that is not a card number on its own
    line = f"reference {digits} on file"

    # When / Then: it is left as it is
    assert redact_text(line) == line


@pytest.mark.parametrize(
    "line",
    [
        "I can do 3:30 pm, or 10:45, or at 14:00 on Friday.",
        "The appointment is on 2026-11-21, that's 11/21/2026.",
        "It shipped on March 3rd, 2026.",
        "I'm calling about order 10442, and also order #A-55321.",
        "My ticket 884213 was closed.",
        "The confirmation code is XK4-9921.",
        "I was charged $1,299.99 instead of 1,500 dollars.",
        "The billing zip code is 94107, or 94107-1234 in full.",
        "I've been a customer since 1998 and rates went up 4.5% this year.",
        "That's a 15% discount on 2 items.",
        # NANP area codes never start with 0 or 1, so libphonenumber cannot take this one.
        "The tracking number is 1048823310.",
        "Tracking 1234567890 says it's out for delivery.",
    ],
)
def test_times_dates_amounts_and_order_numbers_stay(line: str) -> None:
    # Given: a transcript line with numbers that are not contact or payment details
    # When / Then: redaction leaves it exactly as it was
    assert redact_text(line) == line


def test_a_reference_that_is_also_a_valid_phone_number_is_redacted() -> None:
    # Given: a 10-digit order number that is also a valid US phone number (212 is New York)
    line = "My order number is 2125551234."

    # When / Then: it cannot be told apart from a phone number, so it is redacted (the safe side)
    assert redact_text(line) == f"My order number is {PHONE}."


@pytest.mark.parametrize("text", ["", "Thanks, that's all I needed. Bye!"])
def test_text_with_nothing_to_redact_is_returned_unchanged(text: str) -> None:
    # Given: empty text or text without contact or payment details
    # When / Then: it comes back as it was
    assert redact_text(text) == text


def test_redact_value_redacts_every_nested_string_and_keeps_keys_and_other_values() -> None:
    # Given: a history-event payload with strings at several depths and non-string values
    payload = {
        "phone": "+1 650 253 0000",
        "contact": {"email": "jane@example.com", "attempts": 3, "verified": True, "note": None},
        "cards": ["4111 1111 1111 1111", {"last4": "1111", "amount": 12.5}],
        "jane@example.com": False,
    }

    # When: it is redacted
    redacted = redact_value(payload)

    # Then: strings are redacted, keys and numbers, booleans and None are untouched
    assert redacted == {
        "phone": PHONE,
        "contact": {"email": EMAIL, "attempts": 3, "verified": True, "note": None},
        "cards": [CARD, {"last4": "1111", "amount": 12.5}],
        "jane@example.com": False,
    }


@pytest.mark.parametrize("value", [None, 42, 4111111111111111, True, 1.5])
def test_redact_value_returns_non_strings_as_they_are(value: object) -> None:
    # Given: a value that is not text, even one that looks like a card number
    # When / Then: it is returned as it is
    assert redact_value(value) == value


def test_importing_redaction_does_not_load_phone_metadata() -> None:
    # Given: a fresh interpreter (phonenumbers may already be loaded in this one)
    code = "import sys, dialtone.redaction; print('phonenumbers' in sys.modules)"

    # When: only the module is imported
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": ":".join(sys.path)},
    )

    # Then: phonenumbers is not loaded until something is redacted
    assert result.stdout.strip() == "False"
