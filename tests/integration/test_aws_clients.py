"""The shared DynamoDB client reads the items of an answer from its JSON (`dialtone.aws`), and
answers exactly as botocore's own parser would."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dialtone import aws
from local.endpoint import EmbeddedAws
from tests.tables import create_keyed_table

# An item with every kind of attribute value, binary ones nested too, and attributes named as
# the kinds of values are.
RICH = {
    "pk": {"S": "call"},
    "sk": {"S": "CALL"},
    "n": {"N": "12.50"},
    "audio": {"B": b"\x00\xffRIFF"},
    "chunks": {"BS": [b"\x01", b"\x02"]},
    "names": {"SS": ["a", "b"]},
    "counts": {"NS": ["1", "2.5"]},
    "flag": {"BOOL": True},
    "nothing": {"NULL": True},
    "meta": {
        "M": {
            "nested": {"L": [{"S": "x"}, {"NULL": True}, {"B": b"\x07"}, {"M": {}}]},
            "blob": {"B": b"\x07\x00"},
        }
    },
    "B": {"M": {"BS": {"S": "not binary"}}},
}
PLAIN = {"pk": {"S": "call"}, "sk": {"S": "PLAIN"}, "text": {"S": 'say "B": "x"'}}
# And one with no binary value nor the text of one (read without a walk of its values).
SIMPLE = {"pk": {"S": "call"}, "sk": {"S": "SIMPLE"}, "n": {"N": "1"}, "m": {"M": {}}}


@pytest.fixture
def clients(handler_environment: dict[str, str], embedded_aws: EmbeddedAws) -> Iterator[Any]:
    """The shared client (its handler registered) and a bare one on the same endpoint, and a
    table holding RICH, PLAIN and SIMPLE."""
    aws.reset_clients()
    shared, bare = aws.client("dynamodb"), embedded_aws.session().client("dynamodb")
    name = f"aws-clients-{uuid.uuid4().hex[:8]}"
    create_keyed_table(bare, name)
    for item in (RICH, PLAIN, SIMPLE):
        bare.put_item(TableName=name, Item=item)
    yield shared, bare, name
    bare.delete_table(TableName=name)
    aws.reset_clients()


def _requests(name: str) -> list[tuple[str, dict[str, Any]]]:
    key = {"pk": RICH["pk"], "sk": RICH["sk"]}
    return [
        ("get_item", {"TableName": name, "Key": key}),
        ("get_item", {"TableName": name, "Key": {"pk": {"S": "none"}, "sk": {"S": "x"}}}),
        (
            "query",
            {
                "TableName": name,
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": RICH["pk"]},
                "Limit": 1,
                "ReturnConsumedCapacity": "TOTAL",
            },
        ),
        (
            "query",
            {
                "TableName": name,
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": RICH["pk"]},
                "Select": "COUNT",
            },
        ),
        ("scan", {"TableName": name}),
        (
            "batch_get_item",
            {"RequestItems": {name: {"Keys": [key, {**key, "sk": {"S": "PLAIN"}}]}}},
        ),
        ("put_item", {"TableName": name, "Item": RICH, "ReturnValues": "ALL_OLD"}),
        (
            "update_item",
            {
                "TableName": name,
                "Key": key,
                "UpdateExpression": "SET #f = :f",
                "ExpressionAttributeNames": {"#f": "flag"},
                "ExpressionAttributeValues": {":f": {"BOOL": True}},
                "ReturnValues": "ALL_NEW",
            },
        ),
        (
            "get_item",
            {"TableName": name, "Key": {"pk": PLAIN["pk"], "sk": PLAIN["sk"]}},
        ),
        ("get_item", {"TableName": name, "Key": {"pk": SIMPLE["pk"], "sk": SIMPLE["sk"]}}),
    ]


def _without_metadata(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


def test_answers_holding_items_are_what_botocore_s_parser_makes_of_them(clients: Any) -> None:
    shared, bare, name = clients
    # Given the shared client, which reads items from the answers' JSON
    parsed: list[str] = []

    def seen(operation_model: Any, customized_response_dict: dict[str, Any], **_: Any) -> None:
        if customized_response_dict:
            parsed.append(operation_model.name)

    shared.meta.events.register_last("before-parse.dynamodb", seen)

    # When each request is made with it and with a bare client
    for operation, request in _requests(name):
        ours = _without_metadata(getattr(shared, operation)(**request))
        theirs = _without_metadata(getattr(bare, operation)(**request))

        # Then the answers are the same (binary values as bytes, numbers as text)
        assert ours == theirs, operation

    # And the items were taken from the JSON, not walked by the parser
    assert parsed == [
        "GetItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "PutItem",
        "UpdateItem",
        "GetItem",
        "GetItem",
    ]
    assert shared.get_item(TableName=name, Key={"pk": RICH["pk"], "sk": RICH["sk"]})["Item"] == {
        **RICH,
        "flag": {"BOOL": True},
    }


def test_a_refused_request_is_an_error_as_botocore_makes_it(clients: Any) -> None:
    shared, _, name = clients

    # When a conditional write fails, asking for the item it found
    with pytest.raises(shared.exceptions.ConditionalCheckFailedException) as refused:
        shared.put_item(
            TableName=name,
            Item=RICH,
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )

    # Then the error is botocore's, with the item it parsed
    assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert refused.value.response["Item"]["audio"] == RICH["audio"]
