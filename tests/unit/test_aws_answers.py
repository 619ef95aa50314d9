"""What the shared DynamoDB client's reading of items (`dialtone.aws.items_as_sent`) leaves to
botocore: answers that are not a success, not JSON, or hold no item."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from dialtone.aws import items_as_sent


def _read(operation: str, status: int, body: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    response = {"status_code": status, "body": body, "headers": {}}
    customized: dict[str, Any] = {}
    items_as_sent(SimpleNamespace(name=operation), response, customized)
    return response, customized


@pytest.mark.parametrize(
    ("operation", "status", "body"),
    [
        ("GetItem", 200, b"<html>not JSON</html>"),
        ("GetItem", 200, b"[1, 2]"),
        ("GetItem", 400, b'{"__type": "x#ValidationException", "Item": {"a": {"S": "b"}}}'),
        ("GetItem", 200, b"{}"),
        ("Query", 200, b'{"Count": 3, "ScannedCount": 3}'),
        ("TransactWriteItems", 200, b'{"ItemCollectionMetrics": {}}'),
    ],
)
def test_an_answer_with_no_item_to_read_is_left_to_botocore(
    operation: str, status: int, body: bytes
) -> None:
    response, customized = _read(operation, status, body)

    assert response["body"] == body
    assert customized == {}


def test_the_items_are_taken_out_of_the_body_botocore_parses() -> None:
    body = b'{"Items": [{"a": {"B": "AAE="}}], "Count": 1, "LastEvaluatedKey": {"pk": {"S": "x"}}}'

    response, customized = _read("Query", 200, body)

    assert customized == {
        "Items": [{"a": {"B": b"\x00\x01"}}],
        "LastEvaluatedKey": {"pk": {"S": "x"}},
    }
    assert response["body"] == b'{"Count": 1}'
