"""An in-memory stand-in for the few DynamoDB requests the rollup store makes, with their
conditions, so property tests can apply thousands of stream batches in seconds. Integration
tests run the same code against moto."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

Item = dict[str, dict[str, Any]]


class _ClientError(Exception):
    def __init__(self, response: dict[str, Any]) -> None:
        super().__init__(response)
        self.response = response


class _Exceptions:
    class TransactionCanceledException(_ClientError):
        pass

    class ConditionalCheckFailedException(_ClientError):
        pass


def _key(key: Item) -> tuple[str, str]:
    return key["pk"]["S"], key["sk"]["S"]


class FakeDynamoDB:
    """Items by (pk, sk), one table (names are not checked)."""

    exceptions = _Exceptions

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Item] = {}
        self.writes = 0

    def get_item(self, TableName: str, Key: Item, **_: Any) -> dict[str, Any]:
        item = self.items.get(_key(Key))
        return {"Item": dict(item)} if item else {}

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        responses = {
            table: [dict(self.items[_key(k)]) for k in request["Keys"] if _key(k) in self.items]
            for table, request in RequestItems.items()
        }
        return {"Responses": responses, "UnprocessedKeys": {}}

    def transact_write_items(self, TransactItems: list[dict[str, Any]]) -> None:
        reasons = [{"Code": "None"}] * len(TransactItems)
        failed = False
        for i, action in enumerate(TransactItems):
            ((kind, request),) = action.items()
            key = _key(request["Item"] if kind == "Put" else request["Key"])
            if not self._holds(key, request):
                reasons[i] = {"Code": "ConditionalCheckFailed"}
                failed = True
        if failed:
            raise _Exceptions.TransactionCanceledException({"CancellationReasons": reasons})
        for action in TransactItems:
            ((kind, request),) = action.items()
            if kind == "Put":
                self.items[_key(request["Item"])] = dict(request["Item"])
            elif kind == "Delete":
                del self.items[_key(request["Key"])]
            else:
                self._update(request)
            self.writes += 1

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        for requests in RequestItems.values():
            for request in requests:
                item = request["PutRequest"]["Item"]
                self.items[_key(item)] = dict(item)
                self.writes += 1
        return {"UnprocessedItems": {}}

    def query(self, **request: Any) -> dict[str, Any]:
        """The change feed index only (`ByChange`): the tenant's items by change key."""
        assert request["IndexName"] == "ByChange", request
        tenant = request["ExpressionAttributeValues"][":tenant"]
        found = [item for item in self.items.values() if item.get("change_tenant") == tenant]
        found.sort(
            key=lambda item: item["change_key"]["S"], reverse=not request["ScanIndexForward"]
        )
        return {"Items": [dict(item) for item in found[: request.get("Limit")]]}

    def update_item(self, **request: Any) -> None:
        if not self._holds(_key(request["Key"]), request):
            raise _Exceptions.ConditionalCheckFailedException({})
        self._update(request)
        self.writes += 1

    def _holds(self, key: tuple[str, str], request: dict[str, Any]) -> bool:
        condition = request.get("ConditionExpression")
        item = self.items.get(key)
        values = request.get("ExpressionAttributeValues", {})
        if condition is None:
            return True
        if condition == "attribute_not_exists(pk)":
            return item is None
        if condition == "seq = :seq":
            return item is not None and item["seq"] == values[":seq"]
        if condition == "attribute_not_exists(as_of) OR as_of < :t":
            return (
                item is None
                or "as_of" not in item
                or (Decimal(item["as_of"]["N"]) < Decimal(values[":t"]["N"]))
            )
        raise NotImplementedError(condition)

    def _update(self, request: dict[str, Any]) -> None:
        key = request["Key"]
        item = self.items.setdefault(_key(key), dict(key))
        names = request.get("ExpressionAttributeNames", {})
        values = request["ExpressionAttributeValues"]
        expression = request["UpdateExpression"]
        # DynamoDB refuses an expression over 4 KB (ValidationException).
        if len(expression.encode()) > 4096:
            raise ValueError(f"update expression of {len(expression.encode())} bytes > 4 KB")
        adds = re.search(r"ADD (.*?)(?: SET |$)", expression)
        for clause in adds.group(1).split(", ") if adds else []:
            name, value = clause.split(" ")
            attribute = names.get(name, name)
            current = Decimal(item.get(attribute, {"N": "0"})["N"])
            item[attribute] = {"N": str(current + Decimal(values[value]["N"]))}
        sets = re.search(r"SET (.*)$", expression)
        for clause in sets.group(1).split(", ") if sets else []:
            name, value = (part.strip() for part in clause.split("="))
            item[names.get(name, name)] = values[value]
