"""Tenants and API keys, in the accounts table.

Items: a tenant at (`TENANT#<id>`, `TENANT`); each key twice, written together in one
transaction: at (`KEY#<sha256>`, `KEY`), found by its hash on every request, and at
(`TENANT#<id>`, `KEY#<key id>`), listed and revoked per tenant with strongly consistent reads.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from dialtone import aws
from dialtone.auth import Principal, Scope, generate_key, hash_key
from dialtone.dynamo import from_item, string_key, to_item
from dialtone.errors import ApiKeyNotFound, TenantNotFound

# Tenant ids end up inside index keys (`<tenant>#<value>`): no separator may appear in them.
TENANT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class Tenant(BaseModel):
    tenant_id: str
    name: str
    created_at: datetime
    retention_days: int | None = None
    opt_out_sensitive_data_storage: bool = False


class ApiKey(BaseModel):
    key_id: str
    tenant_id: str
    name: str | None = None
    scopes: list[str] = Field(default_factory=list)
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class CreatedKey(BaseModel):
    key: ApiKey
    plaintext: str


def _now() -> datetime:
    return datetime.now(UTC)


class AccountStore:
    """Reads and writes tenants and keys; raises TenantNotFound / ApiKeyNotFound."""

    def __init__(self, table_name: str, dynamodb: Any | None = None) -> None:
        self.table_name = table_name
        self._dynamodb = dynamodb

    @property
    def dynamodb(self) -> Any:
        return self._dynamodb or aws.client("dynamodb")

    def create_tenant(
        self, name: str, tenant_id: str | None = None, retention_days: int | None = None
    ) -> Tenant:
        """Create a tenant (a fresh id unless one is given; an existing id is an error)."""
        if tenant_id is not None and not TENANT_ID_PATTERN.match(tenant_id):
            raise ValueError("a tenant id is 1-64 letters, digits, '.', '_' or '-'")
        tenant = Tenant(
            tenant_id=tenant_id or str(uuid.uuid4()),
            name=name,
            created_at=_now(),
            retention_days=retention_days,
        )
        item = to_item(
            {
                "pk": f"TENANT#{tenant.tenant_id}",
                "sk": "TENANT",
                **tenant.model_dump(mode="json"),
            }
        )
        self.dynamodb.put_item(
            TableName=self.table_name,
            Item=item,
            ConditionExpression="attribute_not_exists(pk)",
        )
        return tenant

    def get_tenant(self, tenant_id: str) -> Tenant:
        response = self.dynamodb.get_item(
            TableName=self.table_name,
            Key=string_key(pk=f"TENANT#{tenant_id}", sk="TENANT"),
        )
        if "Item" not in response:
            raise TenantNotFound()
        return Tenant.model_validate(from_item(response["Item"]))

    def create_key(
        self, tenant_id: str, scopes: Iterable[Scope], name: str | None = None
    ) -> CreatedKey:
        """Issue a key for an existing tenant; the plaintext is returned here and only here."""
        self.get_tenant(tenant_id)
        new = generate_key()
        key = ApiKey(
            key_id=new.key_id,
            tenant_id=tenant_id,
            name=name,
            scopes=[s.value for s in scopes],
            created_at=_now(),
        )
        values = key.model_dump(mode="json")
        self.dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": to_item({"pk": f"KEY#{new.key_hash}", "sk": "KEY", **values}),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": to_item(
                            {
                                "pk": f"TENANT#{tenant_id}",
                                "sk": f"KEY#{key.key_id}",
                                "key_hash": new.key_hash,
                                **values,
                            }
                        ),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
        return CreatedKey(key=key, plaintext=new.plaintext)

    def list_keys(self, tenant_id: str) -> list[ApiKey]:
        """The tenant's keys, oldest first (never the key itself nor its hash)."""
        self.get_tenant(tenant_id)
        keys: list[ApiKey] = []
        paginator = self.dynamodb.get_paginator("query")
        for page in paginator.paginate(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :keys)",
            ExpressionAttributeValues={":pk": {"S": f"TENANT#{tenant_id}"}, ":keys": {"S": "KEY#"}},
            ConsistentRead=True,
        ):
            keys.extend(ApiKey.model_validate(from_item(i)) for i in page["Items"])
        return sorted(keys, key=lambda k: k.created_at)

    def revoke_key(self, tenant_id: str, key_id: str) -> ApiKey:
        """Revoke a key of this tenant; revoking twice keeps the first revocation time."""
        record = self.dynamodb.get_item(
            TableName=self.table_name,
            Key=string_key(pk=f"TENANT#{tenant_id}", sk=f"KEY#{key_id}"),
            ConsistentRead=True,
        ).get("Item")
        if record is None:
            raise ApiKeyNotFound()
        revoked_at = from_item(record).get("revoked_at") or _now().isoformat()
        update = {
            "UpdateExpression": "SET revoked_at = :at",
            "ExpressionAttributeValues": {":at": {"S": revoked_at}},
            "ConditionExpression": "attribute_exists(pk)",
            "TableName": self.table_name,
        }
        self.dynamodb.transact_write_items(
            TransactItems=[
                {"Update": {**update, "Key": {"pk": record["pk"], "sk": record["sk"]}}},
                {
                    "Update": {
                        **update,
                        "Key": string_key(pk=f"KEY#{record['key_hash']['S']}", sk="KEY"),
                    }
                },
            ]
        )
        return ApiKey.model_validate({**from_item(record), "revoked_at": revoked_at})

    def resolve_key(self, plaintext: str) -> Principal | None:
        """The principal of an active key, or None for an unknown or revoked one."""
        response = self.dynamodb.get_item(
            TableName=self.table_name,
            Key=string_key(pk=f"KEY#{hash_key(plaintext)}", sk="KEY"),
            ProjectionExpression="tenant_id, key_id, scopes, revoked_at",
        )
        item = response.get("Item")
        if item is None or "revoked_at" in item:
            return None
        values = from_item(item)
        return Principal(
            tenant_id=values["tenant_id"],
            key_id=values["key_id"],
            scopes=frozenset(values.get("scopes", [])),
        )
