"""Conversions between plain Python values and DynamoDB's typed attribute values."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from dialtone import aws


@functools.cache
def _boto3_types() -> tuple[Any, Any]:
    """boto3's serializer and deserializer, for the rare values typed here as boto3 types
    them (sets, binaries): imported on first use, not on every function's cold start."""
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


# What a DynamoDB number can be: 38 digits, a magnitude from 1E-130 to
# 9.9999999999999999999999999999999999999E+125 (or zero); and how deep documents nest.
MAX_NUMBER_DIGITS = 38
SMALLEST_NUMBER = Decimal("1E-130")
LARGEST_NUMBER = Decimal("9.9999999999999999999999999999999999999E+125")
MAX_NESTING = 32


def _check_number(number: Decimal, shown: object) -> None:
    if not number.is_finite():
        raise ValueError(f"{shown} is not a finite number")
    if not number:
        return
    # Every digit of the coefficient counts: boto3 refuses to round even a trailing zero away.
    if len(number.as_tuple().digits) > MAX_NUMBER_DIGITS:
        raise ValueError(f"{shown} has more than {MAX_NUMBER_DIGITS} digits")
    if not SMALLEST_NUMBER <= abs(number) <= LARGEST_NUMBER:
        raise ValueError(
            f"{shown} is out of range: a number must be 0 or of magnitude 1e-130 to "
            "9.9999999999999999999999999999999999999e125"
        )


def check_storable(value: Any) -> None:
    """ValueError, saying why, unless DynamoDB can store `value` (JSON-like: dict, list, str,
    int, float, bool, None, Decimal) as it is: finite numbers of at most 38 digits (a float
    counts the digits of its shortest repr) whose magnitude is 0 or within 1e-130..9.99e125,
    maps and lists nested at most 32 deep.

    Check client input with it before storing, so that a bad value is the client's 4xx and
    never DynamoDB's ValidationException (a 5xx), nor a value silently changed or dropped.
    """
    _check(value, 0)


def _check(value: Any, depth: int) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int | float | Decimal):
        # As `to_item` converts it: a float by its shortest repr.
        _check_number(Decimal(repr(value)) if isinstance(value, float) else Decimal(value), value)
        return
    if isinstance(value, Mapping | list | tuple):
        if depth >= MAX_NESTING:
            raise ValueError(f"values are nested more than {MAX_NESTING} levels deep")
        children = value.values() if isinstance(value, Mapping) else value
        for child in children:
            _check(child, depth + 1)
        return
    raise ValueError(f"{type(value).__name__} values cannot be stored")


def _to_storable(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _to_storable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_to_storable(v) for v in value]
    return value


def _plain_number(number: Decimal) -> int | float:
    """A stored number as a plain one: an int when it is whole and has at most 38 digits, else
    a float. A whole number written with an exponent (a float such as -3.402823466e+38, stored
    as -3.402823466E+38) would be an int of 39 digits or more, which boto3 cannot write back
    (it refuses to round even trailing zeros): the float reads back and writes back as it was
    sent."""
    whole = number == number.to_integral_value()
    return int(number) if whole and number.adjusted() < MAX_NUMBER_DIGITS else float(number)


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """A typed DynamoDB item from plain values; None values are left out."""
    return {k: _typed(v) for k, v in values.items() if v is not None}


# An int with at most 38 digits: boto3 writes it as its digits.
_WHOLE_LIMIT = 10**MAX_NUMBER_DIGITS


def _typed(value: Any) -> dict[str, Any]:
    """One plain value as a typed one, in a single pass: what boto3's TypeSerializer makes of
    `_to_storable(value)` (a float by its shortest repr, None left out of maps, kept in
    lists), with the same errors for what it refuses. Strings, booleans, ints of at most 38
    digits, dicts and lists are typed here; anything else as boto3 types it. Every write of
    an item goes through here."""
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is bool:
        return {"BOOL": value}
    if kind is int and -_WHOLE_LIMIT < value < _WHOLE_LIMIT:
        return {"N": str(value)}
    if kind is dict:
        return {"M": {k: _typed(v) for k, v in value.items() if v is not None}}
    if kind is list:
        return {"L": [_typed(v) for v in value]}
    typed: dict[str, Any] = dict(_boto3_types()[0].serialize(_to_storable(value)))
    return typed


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """Plain values (ints, floats, str, bool, dict, list) from a typed DynamoDB item."""
    return {k: _plain(v) for k, v in item.items()}


def _plain(value: Any) -> Any:
    """One typed value as a plain one, in a single pass (a number as `_plain_number` reads
    it, without boto3's Decimal in between). Every read of an item goes through here."""
    [(tag, inner)] = value.items()
    if tag == "S" or tag == "BOOL":
        return inner
    if tag == "N":
        return _number(inner)
    if tag == "M":
        return {k: _plain(v) for k, v in inner.items()}
    if tag == "L":
        return [_plain(v) for v in inner]
    if tag == "NULL":
        return None
    # Sets and binaries, rare here: as boto3 reads them.
    return _boto3_types()[1].deserialize(value)


def _number(text: str) -> int | float:
    """A DynamoDB number as `_plain_number` makes it: the digits of a whole number are read
    as an int at once, anything else (a fraction, an exponent) through Decimal."""
    if text.isdigit() or (text[:1] == "-" and text[1:].isdigit()):
        return int(text)
    # DynamoDB's numbers have at most 38 digits: Decimal holds them exactly, as boto3's
    # context does.
    return _plain_number(Decimal(text))


def string_key(**values: str) -> dict[str, dict[str, str]]:
    """A typed key of string attributes."""
    return {k: {"S": v} for k, v in values.items()}


class TableStore:
    """A store on one DynamoDB table: the shared client of the execution environment, unless
    a client is given (the admin CLI, tests against another endpoint)."""

    def __init__(self, table_name: str, dynamodb: Any | None = None) -> None:
        self.table_name = table_name
        self._dynamodb = dynamodb

    @property
    def dynamodb(self) -> Any:
        return self._dynamodb or aws.client("dynamodb")

    def query_prefix_page(
        self, pk: str, prefix: str, limit: int, after: str | None = None, descending: bool = False
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Up to `limit` items of the partition `pk` whose sort key starts with `prefix`, in
        sort-key order (reversed when `descending`), after the sort key `after` (strongly
        consistent); and the sort key of the last one when more follow (None on the last page).
        Reads one item more than it returns, to tell the last page from one that only ends at
        the limit."""
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":prefix": {"S": prefix}},
            "ConsistentRead": True,
            "ScanIndexForward": not descending,
        }
        if after is not None:
            request["ExclusiveStartKey"] = string_key(pk=pk, sk=after)
        items: list[dict[str, Any]] = []
        while len(items) <= limit:
            response = self.dynamodb.query(**request, Limit=limit + 1 - len(items))
            items.extend(response["Items"])
            request["ExclusiveStartKey"] = response.get("LastEvaluatedKey")
            if not request["ExclusiveStartKey"]:
                break
        if len(items) > limit:
            return items[:limit], str(items[limit - 1]["sk"]["S"])
        return items, None


def condition_failed(error: Exception) -> bool:
    """Whether a write was refused by its condition expression."""
    response = getattr(error, "response", None) or {}
    return bool(response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")
