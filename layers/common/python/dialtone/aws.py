"""AWS clients, created on first use and cached for the life of the execution environment.

Creating them lazily lets tests start their endpoint first; `AWS_ENDPOINT_URL` (honoured by
botocore itself) points the same code at AWS or at the local stack. They are botocore's
clients, made from one botocore session: boto3 would only wrap the same session and clients,
and importing it (its resource layer; for S3, its transfer methods) is about 20 ms of every
function's cold start. The few paths that use boto3's S3 transfers import it there.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
from typing import Any


@functools.cache
def session() -> Any:
    """The botocore session every client is made from (region and credentials resolved as
    boto3 would: environment, then the shared files, then the execution role). Hooks on its
    events see every client's requests."""
    import botocore.session

    return botocore.session.get_session()


@functools.cache
def client(service: str) -> Any:
    """The shared client for `service` (dynamodb, s3, secretsmanager, sqs, ...)."""
    from botocore.config import Config

    options: dict[str, Any] = {"retries": {"mode": "standard", "max_attempts": 4}}
    if service == "s3":
        options["signature_version"] = "s3v4"
        if os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL_S3"):
            # A local endpoint has no per-bucket DNS names.
            options["s3"] = {"addressing_style": "path"}
    made = session().create_client(service, config=Config(**options))
    if service == "dynamodb":
        made.meta.events.register("before-parse.dynamodb", items_as_sent)
    return made


def reset_clients() -> None:
    """Forget cached clients and the session with the credentials it resolved (tests that move
    the endpoint call this, and so does a copy restored from a SnapStart snapshot)."""
    client.cache_clear()
    session.cache_clear()


# The operations whose answers hold items; their other members are left to botocore.
ITEM_OPERATIONS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "PutItem", "UpdateItem"})
# A binary attribute value, or a set of them, in an answer's JSON.
_BINARY = re.compile(rb'"BS?"\s*:\s*["\[]')


def items_as_sent(
    operation_model: Any,
    response_dict: dict[str, Any],
    customized_response_dict: dict[str, Any],
    **_: Any,
) -> None:
    """The items of a successful DynamoDB answer taken from its JSON as they are, binary values
    decoded, instead of walked by botocore's parser through the attribute-value shape at each
    value (a fifth of a page of calls' time in its handler). botocore parses the rest of the
    answer, then adds these members back (its `before-parse` event's customized response)."""
    if operation_model.name not in ITEM_OPERATIONS or response_dict["status_code"] != 200:
        return
    raw = response_dict["body"]
    try:
        body = json.loads(raw)
    except ValueError:  # not JSON after all: botocore's parser says what it is
        return
    if not isinstance(body, dict):
        return
    members = _DECODERS.keys() & body.keys()
    if not members:
        return
    binary = _BINARY.search(raw) is not None  # (rarely a text that looks like one: walked too)
    for member in members:
        value = body.pop(member)
        customized_response_dict[member] = _DECODERS[member](value) if binary else value
    response_dict["body"] = json.dumps(body).encode()


def _item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _value(value) for name, value in item.items()}


def _items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_item(item) for item in items]


def _tables(tables: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    return {table: _items(items) for table, items in tables.items()}


def _value(value: dict[str, Any]) -> dict[str, Any]:
    """An attribute value as botocore's parser gives it: binary ones as bytes."""
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(v) for v in inner]}
    if kind == "M":
        return {"M": _item(inner)}
    if kind == "L":
        return {"L": [_value(v) for v in inner]}
    return value


# The members of answers that hold items, and how each holds them (binary values decoded).
_DECODERS: dict[str, Any] = {
    "Item": _item,
    "LastEvaluatedKey": _item,
    "Attributes": _item,
    "Items": _items,
    "Responses": _tables,
}
