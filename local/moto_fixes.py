"""Fixes to moto for the embedded endpoint (the local stack, the tests and the benchmarks),
written against the pinned moto (requirements-dev.txt) and applied by `EmbeddedAws.start`.

DynamoDB applies a conditional write atomically; moto's server answers requests in threads and
checks a condition, then writes, so two racing conditional writes could both pass their check
and the second silently overwrite the first. One lock around moto's item operations gives the
guarantee back (the dialer's claim and the versioned merges of call updates rely on it).

moto's TransactWriteItems backs up a whole table (every item, and its stream's records) with
`copy.deepcopy` once for each item of the transaction, so it can put the table back when the
transaction fails. On the local stack's calls table, which holds every exchange and history
event, that makes each append of a call's history cost seconds, and it raises "dictionary
changed size during iteration" (HTTP 500) when another request writes the table meanwhile.

The replacement keeps moto's behaviour and answers (the same cancellation reasons, the same
validation errors) but does what DynamoDB does: it checks every condition first and writes
only when all of them hold, one transaction at a time, and backs up only the items it touches
in case a write fails its own validation.

And a Query of a table's own key reads the one partition it names, where moto sorted every item
of the table first (which made each transcript or history read slower as the table grew);
and answers that hold items are sent as the JSON they already are, without moto's walk of the
operation's output shape, which cost more than the operation itself.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
from typing import Any

# Held by every item read and write, and by whole transactions, so each is atomic.
_ITEMS = threading.RLock()
_applied = False

_ATOMIC_OPERATIONS = (
    "get_item",
    "put_item",
    "update_item",
    "delete_item",
    "batch_write_item",
    "transact_write_items",
)


def apply() -> None:
    """Install the fixes (once per process)."""
    global _applied
    if _applied:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler

    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
    for name in _ATOMIC_OPERATIONS:
        setattr(DynamoDBBackend, name, _atomic(getattr(DynamoDBBackend, name)))
    Table.query = _partition_query(Table.query)  # type: ignore[method-assign]
    DynamoHandler.serialized = _item_responses(DynamoHandler.serialized)  # type: ignore[method-assign]
    _applied = True


def _atomic(operation: Any) -> Any:
    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _ITEMS:
            return operation(self, *args, **kwargs)

    return locked


# Answers that hold items, which moto builds already in DynamoDB's JSON form.
_ITEM_ACTIONS = frozenset(
    {
        "BatchGetItem",
        "BatchWriteItem",
        "DeleteItem",
        "GetItem",
        "PutItem",
        "Query",
        "Scan",
        "TransactGetItems",
        "TransactWriteItems",
        "UpdateItem",
    }
)


def _wire(value: Any) -> Any:
    """A result as DynamoDB's JSON protocol sends it: no nulls, binary as base64."""
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _item_responses(serialized: Any) -> Any:
    """moto serializes every answer by walking the operation's output shape, which costs more
    than the operation itself for an item with many attributes; answers holding items are
    written as the JSON they already are."""

    def item_response(self: Any, action_result: Any) -> Any:
        result = action_result.result
        if isinstance(result, dict) and self._get_action() in _ITEM_ACTIONS:
            headers = {"Content-Type": "application/x-amz-json-1.0", **self.response_headers}
            return 200, headers, json.dumps(_wire(result))
        return serialized(self, action_result)

    return item_response


def _partition_query(query: Any) -> Any:
    """moto's Query of a table's own key sorts every item of the table and keeps those of the
    partition asked for; it is given only that partition to look at."""

    def partition_query(
        self: Any,
        hash_key: Any,
        range_comparison: Any,
        range_objs: Any,
        limit: Any,
        exclusive_start_key: Any,
        scan_index_forward: Any,
        projection_expressions: Any,
        index_name: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        view = self
        if index_name is None and hash_key is not None and self.range_key_attr:
            view = copy.copy(self)
            view.items = {hash_key: dict(self.items.get(hash_key, {}))}
        return query(
            view,
            hash_key,
            range_comparison,
            range_objs,
            limit,
            exclusive_start_key,
            scan_index_forward,
            projection_expressions,
            index_name,
            *args,
            **kwargs,
        )

    return partition_query


def _key_of(table: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        key: dict[str, Any] = op["Key"]
        return key
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    with _ITEMS:
        targets: set[tuple[str, str]] = set()
        errors: list[tuple[Any, Any, Any]] = []
        writes: list[tuple[int, str, dict[str, Any], dict[str, Any]]] = []
        for index, item in enumerate(transact_items):
            if len(item) > 1:
                raise TransactWriteSingleOpException
            original_item = None
            try:
                op_type, op = next(iter(item.items()))
                if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                    raise ValueError("Unsupported transaction operation")
                table_name = op["TableName"]
                key = _key_of(self.get_table(table_name), op_type, op)
                target = (str(table_name), str(dict(sorted(key.items()))))
                if target in targets:
                    raise MultipleTransactionsException()
                targets.add(target)
                current = self.get_item(table_name, key)
                condition = op.get("ConditionExpression")
                if condition is not None:
                    check = get_filter_expression(
                        condition,
                        op.get("ExpressionAttributeNames"),
                        op.get("ExpressionAttributeValues"),
                    )
                    if not check.expr(current):
                        if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                            original_item = current.to_json()["Attributes"]
                        raise ConditionalCheckFailed(item=original_item)
                if op_type != "ConditionCheck":
                    writes.append((index, op_type, op, key))
                errors.append((None, None, None))
            except (MultipleTransactionsException, MockValidationException):
                raise
            except ConditionalCheckFailed as error:
                errors.append(("ConditionalCheckFailed", str(error.message), original_item))
            except Exception as error:
                errors.append((type(error).__name__, str(error), original_item))
        if any(code is not None for code, _, _ in errors):
            raise TransactionCanceledException(errors)

        saved = [
            (op["TableName"], key, copy.deepcopy(self.get_item(op["TableName"], key)))
            for _, _, op, key in writes
        ]
        try:
            for index, op_type, op, key in writes:
                try:
                    _write(self, op_type, op, key)
                except (MultipleTransactionsException, MockValidationException):
                    raise
                except Exception as error:
                    errors[index] = (type(error).__name__, str(error), None)
                    raise TransactionCanceledException(errors) from error
        except Exception:
            for table_name, key, before in saved:
                table = self.get_table(table_name)
                hash_value, range_value = self.get_keys_value(table, key)
                if before is None:
                    table.delete_item(hash_value, range_value)
                else:
                    self.put_item(table_name, before.to_json()["Attributes"])
            raise


def _write(self: Any, op_type: str, op: dict[str, Any], key: dict[str, Any]) -> None:
    """One write of a transaction, as moto's own transaction makes it, less the condition
    (checked already, with every other, before anything was written)."""
    names = op.get("ExpressionAttributeNames")
    values = op.get("ExpressionAttributeValues")
    if op_type == "Put":
        self.put_item(op["TableName"], op["Item"])
    elif op_type == "Delete":
        self.delete_item(op["TableName"], key)
    else:
        self.update_item(
            op["TableName"],
            key,
            update_expression=op["UpdateExpression"],
            expression_attribute_names=names,
            expression_attribute_values=values,
        )
