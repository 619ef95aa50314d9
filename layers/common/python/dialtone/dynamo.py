"""Conversions between plain Python values and DynamoDB's typed attribute values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _to_storable(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _to_storable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_to_storable(v) for v in value]
    return value


def _from_stored(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_stored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_stored(v) for v in value]
    return value


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """A typed DynamoDB item from plain values; None values are left out."""
    return {k: _serializer.serialize(_to_storable(v)) for k, v in values.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """Plain values (ints, floats, str, bool, dict, list) from a typed DynamoDB item."""
    return {k: _from_stored(_deserializer.deserialize(v)) for k, v in item.items()}


def string_key(**values: str) -> dict[str, dict[str, str]]:
    """A typed key of string attributes."""
    return {k: {"S": v} for k, v in values.items()}
