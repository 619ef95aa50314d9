"""A tenant's do-not-call list: numbers the dialer must never call.

Items in the accounts table at (`TENANT#<tenant id>`, `DNC#<E.164 number>`): one number, one
item, so adding a number twice keeps the first entry and the dialer checks a number with one
GetItem.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from botocore.exceptions import ClientError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from dialtone import phones, settings
from dialtone.auth import Principal, Scope
from dialtone.dynamo import TableStore, condition_failed, from_item, string_key, to_item
from dialtone.errors import SuppressionNotFound
from dialtone.models import ApiModel, Timestamp

DNC_PREFIX = "DNC#"


def e164_query_value(value: str) -> str:
    """A phone number from a query string in E.164. An unencoded `+` arrives decoded as a
    space (`?phone_number=+1415...`), so a leading space before digits is read as `+`."""
    if value[:1] == " " and value.strip().isdigit():
        value = "+" + value.strip()
    return phones.validate_e164(value)


class Suppression(ApiModel):
    """One number of the do-not-call list."""

    phone_number: str
    reason: str | None = None
    created_at: Timestamp


class SuppressionList(ApiModel):
    suppressions: list[Suppression]


class SuppressionCreate(BaseModel):
    """`POST /v1/suppressions`."""

    model_config = ConfigDict(defer_build=True, extra="forbid", str_strip_whitespace=True)

    phone_number: Annotated[str, Field(max_length=32), AfterValidator(phones.validate_e164)]
    reason: str | None = Field(default=None, max_length=500)


class AddedSuppression(BaseModel):
    model_config = ConfigDict(defer_build=True)
    suppression: Suppression
    created: bool


def _key(tenant_id: str, e164: str) -> dict[str, dict[str, str]]:
    return string_key(pk=f"TENANT#{tenant_id}", sk=f"{DNC_PREFIX}{e164}")


def _suppression(item: dict[str, Any]) -> Suppression:
    return Suppression.model_validate(from_item(item))


class SuppressionStore(TableStore):
    """Reads and writes a tenant's do-not-call list; raises SuppressionNotFound."""

    def is_suppressed(self, tenant_id: str, e164: str) -> bool:
        """Whether the tenant may not call this number (one strongly consistent GetItem, so a
        number added a moment ago is honoured). `e164` must already be in E.164."""
        response = self.dynamodb.get_item(
            TableName=self.table_name,
            Key=_key(tenant_id, e164),
            ConsistentRead=True,
            ProjectionExpression="sk",
        )
        return "Item" in response

    def suppressed_among(self, tenant_id: str, numbers: Sequence[str]) -> set[str]:
        """The numbers (E.164, no duplicates) the tenant may not call: `is_suppressed`'s rule
        (an entry under the number's key, read strongly consistent) for many numbers, 100 per
        BatchGetItem."""
        found: set[str] = set()
        for start in range(0, len(numbers), 100):
            keys = [_key(tenant_id, number) for number in numbers[start : start + 100]]
            pending: dict[str, Any] = {
                self.table_name: {
                    "Keys": keys,
                    "ConsistentRead": True,
                    "ProjectionExpression": "sk",
                }
            }
            while pending:
                response = self.dynamodb.batch_get_item(RequestItems=pending)
                for item in response.get("Responses", {}).get(self.table_name, []):
                    found.add(item["sk"]["S"].removeprefix(DNC_PREFIX))
                pending = response.get("UnprocessedKeys") or {}
        return found

    def list_suppressions(self, tenant_id: str) -> list[Suppression]:
        """The whole list, by phone number."""
        entries: list[Suppression] = []
        for page in self.dynamodb.get_paginator("query").paginate(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :dnc)",
            ExpressionAttributeValues={
                ":pk": {"S": f"TENANT#{tenant_id}"},
                ":dnc": {"S": DNC_PREFIX},
            },
            ConsistentRead=True,
        ):
            entries.extend(_suppression(item) for item in page["Items"])
        return entries

    def add(self, tenant_id: str, request: SuppressionCreate) -> AddedSuppression:
        """Add a number; a number already on the list keeps its entry (`created` False)."""
        entry = Suppression(
            phone_number=request.phone_number, reason=request.reason, created_at=datetime.now(UTC)
        )
        item = {
            **_key(tenant_id, entry.phone_number),
            **to_item({"tenant_id": tenant_id, **entry.model_dump(mode="json")}),
        }
        try:
            self.dynamodb.put_item(
                TableName=self.table_name,
                Item=item,
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if not condition_failed(error):
                raise
            old = error.response.get("Item")  # ReturnValuesOnConditionCheckFailure
            existing = old if isinstance(old, dict) else self._get(tenant_id, entry.phone_number)
            return AddedSuppression(suppression=_suppression(existing), created=False)
        return AddedSuppression(suppression=entry, created=True)

    def remove(self, tenant_id: str, e164: str) -> None:
        """Take a number off the list; a number not on it raises SuppressionNotFound."""
        try:
            self.dynamodb.delete_item(
                TableName=self.table_name,
                Key=_key(tenant_id, e164),
                ConditionExpression="attribute_exists(pk)",
            )
        except ClientError as error:
            if condition_failed(error):
                raise SuppressionNotFound() from None
            raise

    def _get(self, tenant_id: str, e164: str) -> dict[str, Any]:
        response = self.dynamodb.get_item(
            TableName=self.table_name, Key=_key(tenant_id, e164), ConsistentRead=True
        )
        if "Item" not in response:  # removed between the refused put and this read
            raise SuppressionNotFound()
        item: dict[str, Any] = response["Item"]
        return item


class Suppressions:
    """The rules of the do-not-call endpoints: who may do what, over the store."""

    def __init__(self, store: SuppressionStore) -> None:
        self.store = store

    def list(self, principal: Principal) -> SuppressionList:
        principal.require(Scope.CALLS_READ)
        return SuppressionList(suppressions=self.store.list_suppressions(principal.tenant_id))

    def add(self, principal: Principal, request: SuppressionCreate) -> AddedSuppression:
        principal.require(Scope.CALLS_WRITE)
        return self.store.add(principal.tenant_id, request)

    def remove(self, principal: Principal, e164: str) -> None:
        principal.require(Scope.CALLS_WRITE)
        self.store.remove(principal.tenant_id, e164)


@settings.per_environment
def store() -> SuppressionStore:
    """The do-not-call store of this function (the accounts table from the environment); the
    dialer calls `store().is_suppressed(tenant_id, e164)` before placing a call."""
    return SuppressionStore(settings.load(settings.AccountsSettings).accounts_table)


@settings.per_environment
def service() -> Suppressions:
    """The do-not-call service of the suppression handlers."""
    return Suppressions(store())
