"""What the benchmarks' seed writes straight into moto's tables (`bench.fixture`)."""

from __future__ import annotations

from typing import Any

import pytest
from moto.dynamodb.models.dynamo_type import DynamoType

from bench.fixture import dynamo_type


@pytest.mark.parametrize(
    "value",
    [
        {"S": "T#tenant#C#call"},
        {"N": "12.5"},
        {"BOOL": True},
        {"NULL": True},
        {"SS": ["a", "b"]},
        {"M": {"n": {"N": "1"}, "l": {"L": [{"S": "x"}, {"M": {"y": {"N": "2"}}}]}}},
        {"L": [{"N": "1"}, {"S": "two"}]},
    ],
    ids=["string", "number", "bool", "null", "string-set", "map", "list"],
)
def test_a_value_is_typed_as_moto_types_it(value: dict[str, Any]) -> None:
    # When a wire value is typed for a direct write, and by moto's own constructor
    ours, theirs = dynamo_type(value), DynamoType(value)

    # Then both are moto's typed values, alike attribute for attribute, and read back the same
    assert type(ours) is DynamoType
    assert vars(ours) == vars(theirs)
    assert ours.to_json() == theirs.to_json()
