"""Tables the tests make for themselves on the embedded endpoint."""

from __future__ import annotations

from typing import Any


def create_keyed_table(dynamodb: Any, name: str) -> None:
    """A table keyed by the strings `pk` and `sk`, billed per request (as the template's)."""
    dynamodb.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
