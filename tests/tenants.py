"""A tenant of a test, with what it stored, so that it can be removed afterwards."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from dialtone.auth import ALL_SCOPES, Principal, Scope
from dialtone.models import Call, Exchange
from dialtone.store import CallStore
from local.seed import make_call


@dataclass
class TenantFixture:
    """A tenant of a test, with what it stored, so that it can be removed afterwards."""

    tenant_id: str
    store: CallStore
    rng: random.Random
    call_ids: list[str] = field(default_factory=list)

    def principal(self, *scopes: Scope) -> Principal:
        return Principal(
            tenant_id=self.tenant_id,
            key_id="test-key",
            scopes=frozenset(s.value for s in (scopes or ALL_SCOPES)),
        )

    def authorizer(self, *scopes: Scope) -> dict[str, str]:
        """The authorizer context API Gateway would pass for a key with these scopes."""
        return self.principal(*scopes).to_context()

    def add_call(
        self,
        exchanges: list[Exchange] | None = None,
        recording_key: str | None = None,
        **overrides: Any,
    ) -> Call:
        call = make_call(self.rng, **overrides)
        self.store.put_call(self.tenant_id, call, recording_key)
        if exchanges:
            self.store.put_exchanges(self.tenant_id, call.id, exchanges)
        self.call_ids.append(call.id)
        return call

    def add_calls(self, count: int, **overrides: Any) -> list[Call]:
        calls = [make_call(self.rng, **overrides) for _ in range(count)]
        self.store.put_calls(self.tenant_id, [(c, None) for c in calls])
        self.call_ids.extend(c.id for c in calls)
        return calls


def erase_account_items(accounts: Any, tenant_id: str) -> None:
    """Remove everything the accounts table holds for a tenant: the tenant, its keys (both
    records of each), agents, do-not-call entries."""
    dynamodb = accounts.dynamodb
    keys = []
    for page in dynamodb.get_paginator("query").paginate(
        TableName=accounts.table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"TENANT#{tenant_id}"}},
        ConsistentRead=True,
    ):
        for item in page["Items"]:
            keys.append({"pk": item["pk"], "sk": item["sk"]})
            if "key_hash" in item:
                keys.append({"pk": {"S": f"KEY#{item['key_hash']['S']}"}, "sk": {"S": "KEY"}})
    for start in range(0, len(keys), 25):
        pending: dict[str, Any] = {
            accounts.table_name: [{"DeleteRequest": {"Key": k}} for k in keys[start : start + 25]]
        }
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
