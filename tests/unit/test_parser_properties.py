"""Properties of the pure parsers and writers, over generated input: page cursors, E.164
numbers, transcript turns and WebVTT captions, CSV rows, and the redaction matcher. Each one
either answers or refuses with its own error, whatever it is given."""

from __future__ import annotations

import csv
import io
import random
import re
import string
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from dialtone.analytics.changes import ChangeFeedParams
from dialtone.calls import ListCallsParams, to_turns, to_webvtt
from dialtone.errors import InvalidCursor
from dialtone.exports import FORMULA_STARTS, csv_columns, csv_row
from dialtone.models import Call, Exchange
from dialtone.pagination import CursorCodec, KeyCursors
from dialtone.phones import looks_like_phone, to_e164, validate_e164
from dialtone.redaction import CARD, EMAIL, PHONE, redact_text, redact_value
from dialtone.store import sort_timestamp
from local.seed import make_call

CODEC = CursorCodec(b"a cursor secret of the tests")
TENANTS = st.text(alphabet=string.ascii_letters + string.digits + "._-", min_size=1, max_size=20)
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
PAYLOADS = st.dictionaries(
    st.text(max_size=10),
    st.recursive(
        JSON_SCALARS,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=4,
    ),
    max_size=5,
)
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
START = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
# The machine is shared: no deadline per example, and slow generation is not a failure.
PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# Cursors


@PROPERTY
@given(payload=PAYLOADS, tenant=TENANTS, query=st.text(max_size=30))
def test_a_cursor_decodes_to_its_payload_for_its_tenant_and_query(
    payload: dict[str, Any], tenant: str, query: str
) -> None:
    cursor = CODEC.encode(payload, tenant, query)

    assert CODEC.decode(cursor, tenant, query) == payload


@PROPERTY
@given(payload=PAYLOADS, tenant=TENANTS, other=TENANTS, query=st.text(max_size=30))
def test_a_cursor_of_one_tenant_is_refused_to_another(
    payload: dict[str, Any], tenant: str, other: str, query: str
) -> None:
    assume(tenant != other)
    cursor = CODEC.encode(payload, tenant, query)

    with pytest.raises(InvalidCursor):
        CODEC.decode(cursor, other, query)


@PROPERTY
@given(payload=PAYLOADS, tenant=TENANTS, data=st.data())
def test_an_altered_cursor_is_refused_or_still_says_the_same(
    payload: dict[str, Any], tenant: str, data: st.DataObject
) -> None:
    # Given a cursor with one character replaced
    cursor = CODEC.encode(payload, tenant, "q")
    at = data.draw(st.integers(0, len(cursor) - 1))
    char = data.draw(st.characters().filter(lambda c: c != cursor[at]))
    altered = cursor[:at] + char + cursor[at + 1 :]

    # Then it is refused, unless the change fell in base64's padding bits (same bytes)
    try:
        decoded = CODEC.decode(altered, tenant, "q")
    except InvalidCursor:
        return
    assert decoded == payload


@PROPERTY
@given(text=st.text(max_size=200) | st.from_regex(r"\A[A-Za-z0-9_-]{0,60}\.[A-Za-z0-9_-]{0,30}\Z"))
def test_any_text_as_a_cursor_is_a_payload_or_invalid_cursor(text: str) -> None:
    cursors = KeyCursors(lambda: CODEC, "tenant-a", "agents")
    try:
        after = cursors.after(text)
    except InvalidCursor:
        return
    assert isinstance(after, str)


@PROPERTY
@given(after=st.text(max_size=100), tenant=TENANTS)
def test_a_key_cursor_resumes_after_the_key_it_was_made_for(after: str, tenant: str) -> None:
    cursors = KeyCursors(lambda: CODEC, tenant, "suppressions")

    assert cursors.after(cursors.next(after)) == after
    with pytest.raises(InvalidCursor):
        KeyCursors(lambda: CODEC, tenant, "agents").after(cursors.next(after))


# E.164


def _example_numbers() -> list[phonenumbers.PhoneNumber]:
    numbers = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE):
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                numbers.append(number)
    return numbers


EXAMPLE_NUMBERS = _example_numbers()
FORMATS = (
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
)


@PROPERTY
@given(
    number=st.sampled_from(EXAMPLE_NUMBERS),
    how=st.sampled_from(FORMATS),
    padding=st.sampled_from(["", " ", "\t", "  \n"]),
)
def test_a_valid_number_however_written_parses_to_its_e164_form(
    number: phonenumbers.PhoneNumber, how: int, padding: str
) -> None:
    expected = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    written = padding + phonenumbers.format_number(number, how) + padding

    parsed = to_e164(written)

    assert parsed == expected
    assert E164.match(parsed)
    assert to_e164(parsed) == parsed
    assert looks_like_phone(written)


@PROPERTY
@given(text=st.text(max_size=40) | st.from_regex(r"\A\+?[0-9 ().-]{0,25}\Z"))
def test_any_text_is_an_e164_number_or_a_reason(text: str) -> None:
    try:
        parsed = to_e164(text)
    except ValueError:
        with pytest.raises(PydanticCustomError) as refused:
            validate_e164(text)
        assert refused.value.type == "phone_number"
        assert text in str(refused.value)
        return
    assert E164.match(parsed)
    assert validate_e164(text) == parsed
    assert phonenumbers.is_valid_number(phonenumbers.parse(parsed))


@PROPERTY
@given(text=st.text(alphabet=string.digits + " -()", max_size=20))
def test_a_number_without_plus_and_country_code_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"must be an E\.164 number"):
        to_e164(text)


# Transcript formats


def _call() -> Call:
    return Call(
        id="3f2a9c1e-0b7d-4c55-9a0e-2f4f1b7c9d10",
        direction="inbound",
        status="completed",
        start_time=START,
        created_at=START,
        updated_at=START,
    )


SPOKEN = st.none() | st.text(max_size=60)
OFFSETS = st.none() | st.integers(0, 3 * 3_600_000)


@st.composite
def exchanges(draw: st.DrawFn) -> list[Exchange]:
    count = draw(st.integers(0, 6))
    return [
        Exchange(
            sequence_number=number,
            user_transcript=draw(SPOKEN),
            agent_response=draw(SPOKEN),
            exchange_timestamp=draw(
                st.none()
                | st.builds(lambda s: START + timedelta(seconds=s), st.integers(-60, 7_200))
            ),
            user_start_ms=draw(OFFSETS),
            user_end_ms=draw(OFFSETS),
            agent_start_ms=draw(OFFSETS),
            agent_end_ms=draw(OFFSETS),
        )
        for number in range(count)
    ]


VTT_TIMING = re.compile(r"^\d{2,}:[0-5]\d:[0-5]\d\.\d{3} --> \d{2,}:[0-5]\d:[0-5]\d\.\d{3}$")


@PROPERTY
@given(said=exchanges())
def test_every_spoken_text_becomes_one_turn_in_exchange_order(said: list[Exchange]) -> None:
    turns = to_turns(_call(), said)

    expected = [
        (role, text)
        for exchange in said
        for role, text in (
            ("user", exchange.user_transcript),
            ("assistant", exchange.agent_response),
        )
        if text
    ]
    assert [(turn.role, turn.content) for turn in turns] == expected
    assert all(turn.start_ms is not None and turn.start_ms >= 0 for turn in turns)


@PROPERTY
@given(said=exchanges())
def test_webvtt_has_one_well_formed_cue_per_turn(said: list[Exchange]) -> None:
    turns = to_turns(_call(), said)

    vtt = to_webvtt(turns)

    header, *cues = vtt.rstrip("\n").split("\n\n")
    assert header == "WEBVTT"
    assert len(cues) == len(turns)
    for number, (cue, turn) in enumerate(zip(cues, turns, strict=True), start=1):
        identifier, timing, *text = cue.split("\n")
        assert identifier == str(number)
        assert VTT_TIMING.match(timing), timing
        voice = "<v User>" if turn.role == "user" else "<v Agent>"
        assert text[0].startswith(voice)
        spoken = "\n".join(text).removeprefix(voice)
        # What was said can neither end the cue nor add markup: the voice span is the only tag.
        assert "-->" not in spoken
        assert "<" not in spoken


# CSV export


CELL_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)


@st.composite
def calls(draw: st.DrawFn) -> Call:
    rng = random.Random(draw(st.integers(0, 2**32)))
    return make_call(
        rng,
        start_time=START,
        agent_name=draw(st.none() | CELL_TEXT),
        metadata=draw(st.dictionaries(CELL_TEXT, CELL_TEXT | st.integers(), max_size=3)),
        error_reason=draw(st.none() | CELL_TEXT),
    )


@PROPERTY
@given(call=calls())
def test_a_csv_row_reads_back_cell_for_cell_and_never_starts_a_formula(call: Call) -> None:
    # Given the row of a call whose texts are anything a client can send
    row = csv_row(call)
    assert len(row) == len(csv_columns())

    # When it is written and read back as CSV
    buffer = io.StringIO()
    csv.writer(buffer).writerows([csv_columns(), row])
    header, read = list(csv.reader(io.StringIO(buffer.getvalue())))

    # Then the same cells come back, and no text cell starts a formula
    assert tuple(header) == csv_columns()
    assert read == row
    values = call.model_dump(mode="json")
    for column, cell in zip(csv_columns(), row, strict=True):
        if isinstance(values.get(column), int | float) and not isinstance(values.get(column), bool):
            continue
        assert not cell.startswith(FORMULA_STARTS), (column, cell)


# Redaction

LUHN_CARDS = ["4111111111111111", "5555555555554444", "378282246310005", "6011111111111117"]
WORDS = st.text(alphabet=string.ascii_letters + " ,.!?", max_size=30)
EMAILS = st.from_regex(r"\A[a-z0-9._%+-]{1,12}@[a-z0-9-]{1,10}\.[a-z]{2,6}\Z")


@PROPERTY
@given(before=WORDS, after=WORDS, email=EMAILS)
def test_an_email_in_any_sentence_is_redacted(before: str, after: str, email: str) -> None:
    text = f"{before} {email} {after}"

    redacted = redact_text(text)

    assert email not in redacted
    assert EMAIL in redacted


@PROPERTY
@given(
    before=WORDS,
    after=WORDS,
    card=st.sampled_from(LUHN_CARDS),
    separator=st.sampled_from(["", " ", "-"]),
)
def test_a_card_number_in_any_sentence_is_redacted(
    before: str, after: str, card: str, separator: str
) -> None:
    grouped = separator.join(card[i : i + 4] for i in range(0, len(card), 4))
    text = f"{before} {grouped} {after}"

    redacted = redact_text(text)

    assert grouped not in redacted
    assert CARD in redacted


@PROPERTY
@given(
    before=WORDS,
    after=WORDS,
    number=st.sampled_from([n for n in EXAMPLE_NUMBERS if n.country_code in (1, 44, 49)]),
)
def test_a_phone_number_written_internationally_is_redacted(
    before: str, after: str, number: phonenumbers.PhoneNumber
) -> None:
    written = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    text = f"{before} {written} {after}"

    redacted = redact_text(text)

    assert written not in redacted
    assert PHONE in redacted


@PROPERTY
@given(text=WORDS)
def test_text_without_digits_or_at_signs_is_kept_as_it_is(text: str) -> None:
    assert redact_text(text) == text


@PROPERTY
@given(text=st.text(max_size=80))
def test_redacting_twice_changes_nothing_more(text: str) -> None:
    once = redact_text(text)

    assert redact_text(once) == once


@PROPERTY
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(alphabet=string.ascii_letters),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=10,
    )
)
def test_redacting_a_value_keeps_its_shape_and_everything_but_sensitive_text(value: Any) -> None:
    assert redact_value(value) == value


# Date-times a client sends


@PROPERTY
@given(
    number=st.integers(-(10**12), 10**12).map(str)
    | st.floats(allow_nan=False, allow_infinity=False).map(str)
)
def test_a_number_is_not_taken_for_a_date_time_in_the_query(number: str) -> None:
    # pydantic alone reads `0.5` as half a second after 1970-01-01: the contract says ISO-8601
    with pytest.raises(ValidationError, match="ISO-8601 date-time"):
        ChangeFeedParams.model_validate({"since": number})
    with pytest.raises(ValidationError, match="ISO-8601 date-time"):
        ListCallsParams.model_validate({"start_date": number})


@PROPERTY
@given(moment=st.datetimes(timezones=st.just(UTC)))
def test_an_iso_date_time_is_taken_in_the_query(moment: datetime) -> None:
    text = moment.isoformat().replace("+00:00", "Z")

    assert ChangeFeedParams.model_validate({"since": text}).since == moment
    assert ListCallsParams.model_validate({"end_date": text}).end_date == moment


OFFSET_ZONES = st.builds(
    lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-23 * 60, 23 * 60)
)


@PROPERTY
@given(moment=st.datetimes(timezones=OFFSET_ZONES))
def test_any_date_time_with_an_offset_is_taken_or_refused_as_out_of_range(
    moment: datetime,
) -> None:
    text = moment.isoformat()
    try:
        moment.astimezone(UTC)
    except OverflowError:
        with pytest.raises(ValidationError, match="years 1 to 9999"):
            ChangeFeedParams.model_validate({"since": text})
        return
    assert ChangeFeedParams.model_validate({"since": text}).since == moment
    assert ListCallsParams.model_validate({"start_date": text}).start_date == moment


@PROPERTY
@given(
    first=st.datetimes(timezones=st.just(UTC)),
    second=st.datetimes(timezones=st.just(UTC)),
)
def test_stored_time_keys_have_one_width_and_sort_as_time_does(
    first: datetime, second: datetime
) -> None:
    # (years before 1000 included: `669-...` would sort after `2026-...`)
    keys = sort_timestamp(first), sort_timestamp(second)

    assert len(keys[0]) == len(keys[1]) == len("2026-03-02T15:04:05.000000Z")
    assert (keys[0] < keys[1]) == (first < second)
