"""API keys are kept only as their SHA-256: a key created by `dialtone admin` appears nowhere in
the accounts table, which is read item by item here, and still authorizes requests."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from dialtone.accounts import AccountStore
from dialtone.cli import main
from local.endpoint import EmbeddedAws
from local.invoke import invoke, sample_event
from local.provision import Stack
from tests.tenants import erase_account_items

REGION = "us-east-1"


@pytest.fixture
def accounts(embedded_aws: EmbeddedAws, stack: Stack, handler_environment: dict[str, str]) -> Any:
    return boto3.client("dynamodb", endpoint_url=embedded_aws.url, region_name=REGION)


@pytest.fixture
def admin(
    embedded_aws: EmbeddedAws, stack: Stack, capsys: pytest.CaptureFixture[str], accounts: Any
) -> Iterator[Any]:
    """`dialtone admin <args>` against the embedded endpoint: its stdout; tenants it creates
    are erased afterwards."""
    table = stack.names["AccountsTable"]
    created: list[str] = []

    def run(*args: str) -> str:
        capsys.readouterr()
        common = ["--endpoint-url", embedded_aws.url, "--region", REGION, "--table", table]
        assert main(["admin", *common, *args]) == 0
        out = capsys.readouterr().out
        if args[0] == "create-tenant":
            created.append(out.strip())
        return out

    yield run
    for tenant_id in created:
        erase_account_items(AccountStore(table, dynamodb=accounts), tenant_id)


def table_items(accounts: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in accounts.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        items.extend(page["Items"])
    return items


def test_the_accounts_table_holds_a_keys_hash_never_the_key(
    admin: Any, accounts: Any, stack: Stack
) -> None:
    # Given a tenant and a key created the way an operator does
    tenant_id = admin("create-tenant", "--name", "Hashes Only").strip()
    out = admin("create-key", "--tenant", tenant_id, "--scope", "calls:read", "--name", "ci")
    match = re.search(r"^api_key: (\S+)$", out, re.MULTILINE)
    assert match is not None
    plaintext = match.group(1)
    # dt_<key id, hex>_<secret, URL-safe base64, which may hold "_" itself>
    secret = plaintext.split("_", 2)[2]
    assert len(secret) == 43
    admin("list-keys", "--tenant", tenant_id)

    # When every item of the accounts table is read
    items = table_items(accounts, stack.names["AccountsTable"])
    dumped = json.dumps(items)

    # Then neither the key nor its secret part is stored anywhere, only its SHA-256
    assert plaintext not in dumped
    assert secret not in dumped
    digest = hashlib.sha256(plaintext.encode()).hexdigest()
    assert {"S": f"KEY#{digest}"} in [item["pk"] for item in items]
    # And the key still authorizes requests as its tenant
    event = copy.deepcopy(sample_event("authorizer"))
    event["headers"] = {"x-api-key": plaintext}
    event["identitySource"] = [plaintext]
    answer = invoke("authorizer", event)
    assert answer["isAuthorized"] is True
    assert answer["context"]["tenant_id"] == tenant_id
