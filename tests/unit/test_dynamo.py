"""What DynamoDB can store as it is: `check_storable` says why a value cannot be, before the
table does (as a server error) or the serializer changes it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dialtone.dynamo import check_storable, to_item


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
