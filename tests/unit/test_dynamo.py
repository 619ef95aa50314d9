"""What DynamoDB can store as it is: `check_storable` says why a value cannot be, before the
table does (as a server error) or the serializer changes it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialtone.dynamo import check_storable, from_item, to_item


def nested(levels: int) -> Any:
    value: Any = "leaf"
    for _ in range(levels):
        value = {"next": value}
    return value


@pytest.mark.parametrize(
    "value",
    [
        {"text": "x", "flag": True, "nothing": None, "list": [1, "two", [3.5]]},
        {"tiny": 1e-130, "huge": -9.99e125, "zero": 0, "minus_zero": -0.0},
        {"digits": 12345678901234567890123456789012345678, "exact": Decimal("1.5E+125")},
        {"float": 0.1 + 0.2},  # 17 digits by its shortest repr
        nested(32),
        [nested(31)],
    ],
)
def test_values_dynamodb_stores_as_they_are_pass(value: Any) -> None:
    check_storable(value)
    to_item({"v": value})  # and the serializer takes them unchanged


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"x": float("inf")}, "not a finite number"),
        ({"x": [float("-inf")]}, "not a finite number"),
        ({"x": float("nan")}, "not a finite number"),
        ({"x": Decimal("NaN")}, "not a finite number"),
        ({"x": 1e-200}, "out of range"),
        ({"x": -1e-131}, "out of range"),
        ({"x": 1e126}, "out of range"),
        ({"x": 10**130}, "more than 38 digits"),
        ({"x": 123456789012345678901234567890123456789}, "more than 38 digits"),
        ({"x": 10**38}, "more than 38 digits"),  # 39 digits: boto3 will not round zeros away
        (nested(33), "nested more than 32 levels deep"),
        ([[[nested(30)]]], "nested more than 32 levels deep"),
        ({"x": {1, 2}}, "set values cannot be stored"),
    ],
)
def test_values_dynamodb_cannot_store_are_refused_with_the_reason(value: Any, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check_storable(value)


# --- reading items ----------------------------------------------------------------------------


def _boto3_reads(value: dict[str, Any]) -> Any:
    """What boto3's deserializer makes of a typed value: Decimals for numbers."""
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer().deserialize(value)


def _same_numbers(read: Any, decimal: Any) -> bool:
    """Whether `read` (plain) holds the numbers of `decimal` (boto3's): a whole number of at
    most 38 digits as that int, any other as the nearest float."""
    if isinstance(decimal, Decimal):
        whole = decimal == decimal.to_integral_value() and decimal.adjusted() < 38
        expected = int(decimal) if whole else float(decimal)
        return type(read) is type(expected) and read == expected
    if isinstance(decimal, dict):
        return read.keys() == decimal.keys() and all(
            _same_numbers(read[k], v) for k, v in decimal.items()
        )
    if isinstance(decimal, list):
        return len(read) == len(decimal) and all(map(_same_numbers, read, decimal))
    return bool(type(read) is type(decimal) and read == decimal)


# What a client's JSON holds (ints and floats DynamoDB can store), and Decimals of more digits
# than a float has, which only the store itself writes.
_JSON_NUMBERS = st.one_of(
    st.integers(-(10**37), 10**37),
    st.floats(allow_nan=False, allow_infinity=False).filter(
        lambda f: f == 0 or 1e-130 <= abs(f) <= 9e125
    ),
)
_DECIMALS = st.decimals(min_value=-(10**30), max_value=10**30, places=5, allow_nan=False)


def _items(numbers: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    plain = st.recursive(
        st.one_of(st.none(), st.booleans(), st.text(max_size=20), numbers),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=8), children, max_size=4),
        ),
        max_leaves=20,
    )
    return st.dictionaries(st.text(min_size=1, max_size=8), plain, max_size=6)


@settings(max_examples=300, deadline=None)
@given(_items(_JSON_NUMBERS | _DECIMALS))
def test_an_item_reads_back_the_numbers_stored(values: dict[str, Any]) -> None:
    item = to_item(values)
    read = from_item(item)
    # The values boto3 reads, whole numbers as ints and others as floats
    assert all(_same_numbers(read[k], _boto3_reads(v)) for k, v in item.items())


@settings(max_examples=300, deadline=None)
@given(_items(_JSON_NUMBERS))
def test_what_is_read_writes_back_and_reads_the_same(values: dict[str, Any]) -> None:
    read = from_item(to_item(values))
    # (a float of 39 digits and more, such as -3.402823466e+38, was read as an int that boto3
    # could not write again: an event holding one was a 500)
    assert from_item(to_item(read)) == read


@pytest.mark.parametrize(
    ("number", "plain"),
    [
        ("0", 0),
        ("-0", 0),
        ("42", 42),
        ("-7", -7),
        ("1.0", 1),
        ("1E+3", 1000),
        ("2.5", 2.5),
        ("-0.125", -0.125),
        ("1E-130", 1e-130),
        ("12345678901234567890123456789012345678", 12345678901234567890123456789012345678),
        ("-3.402823466E+38", -3.402823466e38),
        ("9.9999999999999999999999999999999999999E+125", 1e126),
    ],
)
def test_numbers_read_as_ints_when_whole_and_at_most_38_digits(number: str, plain: Any) -> None:
    [value] = from_item({"n": {"N": number}}).values()
    assert value == plain
    assert type(value) is type(plain)
    # And each writes back
    assert from_item(to_item({"n": value})) == {"n": value}


def test_sets_and_binaries_read_as_boto3_reads_them() -> None:
    item = {"ss": {"SS": ["a", "b"]}, "b": {"B": b"\x00\x01"}}
    assert from_item(item) == {k: _boto3_reads(v) for k, v in item.items()}


# --- writing items ----------------------------------------------------------------------------


def _boto3_writes(values: dict[str, Any]) -> dict[str, Any]:
    """The item boto3's serializer makes of the values, as `to_item` prepares them."""
    from boto3.dynamodb.types import TypeSerializer

    from dialtone.dynamo import _to_storable

    serializer = TypeSerializer()
    return {k: serializer.serialize(_to_storable(v)) for k, v in values.items() if v is not None}


# Beyond what a client sends: ints past 38 digits (boto3 refuses them), tuples, bytes, sets and
# mappings that are not dicts, which `to_item` hands to boto3 as they are.
_ANY_NUMBERS = _JSON_NUMBERS | _DECIMALS | st.integers() | st.floats()
_WRITTEN = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.text(max_size=20), _ANY_NUMBERS, st.binary(max_size=4),
        st.frozensets(st.text(min_size=1, max_size=3), min_size=1, max_size=3),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=8), children, max_size=4),
    ),
    max_leaves=20,
)  # fmt: skip


def _outcome(write: Any, values: dict[str, Any]) -> Any:
    """The item written, or the type of error raised."""
    try:
        return write(values)
    except Exception as error:
        return type(error)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), _WRITTEN, max_size=6))
def test_an_item_is_written_as_boto3_writes_it(values: dict[str, Any]) -> None:
    assert _outcome(to_item, values) == _outcome(_boto3_writes, values)


@pytest.mark.parametrize("whole", [10**38 - 1, -(10**38) + 1, 10**38, -(10**38), 2**200])
def test_whole_numbers_at_the_38_digit_limit_are_written_or_refused_as_boto3_does(
    whole: int,
) -> None:
    assert _outcome(to_item, {"n": whole}) == _outcome(_boto3_writes, {"n": whole})
