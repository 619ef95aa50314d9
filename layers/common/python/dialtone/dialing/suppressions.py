"""A tenant's do-not-call list: numbers the dialer must never call.

Items in the accounts table at (`TENANT#<tenant id>`, `DNC#<E.164 number>`): one number, one
item, so adding a number twice keeps the first entry and the dialer checks a number with one
GetItem.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field

from dialtone import phones, settings
from dialtone.auth import Principal, Scope
from dialtone.dynamo import TableStore, condition_failed, from_item, string_key, to_item
from dialtone.errors import SuppressionNotFound
from dialtone.model_types import TRIMMED, ApiModel, Timestamp
from dialtone.pagination import CursorCodec, KeyCursors, ListPage, codec_factory

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
    """A page of the do-not-call list, by phone number."""

    suppressions: list[Suppression]
    # Where the next page starts (`?cursor=`), or null on the last page.
    next_cursor: str | None = None


class SuppressionCreate(BaseModel):
    """`POST /v1/suppressions`."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    phone_number: phones.PhoneNumber
    reason: Annotated[str, Field(max_length=500), TRIMMED] | None = None


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

    def list_suppressions(
        self, tenant_id: str, limit: int, after: str | None = None
    ) -> tuple[list[Suppression], str | None]:
        """A page of the list, by phone number, after the sort key `after`; and the sort key
        the next page starts after (None on the last page)."""
        items, last = self.query_prefix_page(f"TENANT#{tenant_id}", DNC_PREFIX, limit, after)
        return [_suppression(item) for item in items], last

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

    def __init__(
        self, store: SuppressionStore, codec: Callable[[], CursorCodec] | None = None
    ) -> None:
        self.store = store
        self._codec = codec

    def list(self, principal: Principal, page: ListPage | None = None) -> SuppressionList:
        """A page of the tenant's do-not-call list, by phone number."""
        principal.require(Scope.CALLS_READ)
        page = page or ListPage()
        cursors = KeyCursors(self._codec_of, principal.tenant_id, "suppressions")
        entries, last = self.store.list_suppressions(
            principal.tenant_id, page.limit, cursors.after(page.cursor)
        )
        return SuppressionList(suppressions=entries, next_cursor=cursors.next(last))

    def _codec_of(self) -> CursorCodec:
        if self._codec is None:  # pragma: no cover - wiring error
            raise RuntimeError("the list needs CURSOR_SECRET_ARN")
        return self._codec()

    def add(self, principal: Principal, request: SuppressionCreate) -> AddedSuppression:
        principal.require(Scope.CALLS_WRITE)
        return self.store.add(principal.tenant_id, request)

    def remove(self, principal: Principal, e164: str) -> None:
        principal.require(Scope.CALLS_WRITE)
        self.store.remove(principal.tenant_id, e164)


class SuppressionsSettings(settings.EnvSettings):
    """The do-not-call list's handlers and the dialer: the accounts table, where it lives."""

    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)


@settings.per_environment
def store() -> SuppressionStore:
    """The do-not-call store of this function (the accounts table from the environment); the
    dialer calls `store().is_suppressed(tenant_id, e164)` before placing a call."""
    return SuppressionStore(settings.load(SuppressionsSettings).accounts_table)


@settings.per_environment
def service() -> Suppressions:
    """The do-not-call service of the suppression handlers (the list also signs cursors)."""
    return Suppressions(store(), codec_factory())
