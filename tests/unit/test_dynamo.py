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


def _as_boto3_reads(value: dict[str, Any]) -> Any:
    """What `from_item` made of a typed value before it read items in one pass: boto3's
    deserializer, then every Decimal as an int when whole, else a float."""
    from boto3.dynamodb.types import TypeDeserializer

    from dialtone.dynamo import _from_stored

    return _from_stored(TypeDeserializer().deserialize(value))


_NUMBERS = st.one_of(
    st.integers(-(10**37), 10**37),
    st.floats(allow_nan=False, allow_infinity=False).filter(
        lambda f: f == 0 or 1e-130 <= abs(f) <= 9e125
    ),
    st.decimals(min_value=-(10**30), max_value=10**30, places=5, allow_nan=False),
)
_PLAIN = st.recursive(
    st.one_of(st.none(), st.booleans(), st.text(max_size=20), _NUMBERS),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), _PLAIN, max_size=6))
def test_an_item_reads_back_as_boto3_would_read_it(values: dict[str, Any]) -> None:
    item = to_item(values)
    read = from_item(item)
    expected = {k: _as_boto3_reads(v) for k, v in item.items()}
    # The same values, of the same types (an int stays an int, a fraction a float)
    assert read == expected
    assert repr(read) == repr(expected)


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
    ],
)
def test_numbers_read_as_ints_when_whole_and_floats_otherwise(number: str, plain: Any) -> None:
    [value] = from_item({"n": {"N": number}}).values()
    assert value == plain
    assert type(value) is type(plain)


def test_sets_and_binaries_read_as_boto3_reads_them() -> None:
    item = {"ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]}, "b": {"B": b"\x00\x01"}}
    assert from_item(item) == {k: _as_boto3_reads(v) for k, v in item.items()}
