"""`dialtone admin`: argument handling and error exits, with no AWS behind it.

The happy path against a real (moto) endpoint is in tests/integration/test_cli.py; here the
DynamoDB client is a stub that records what the command asked of it.
"""

import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from dialtone import cli

TENANT_ITEM = {
    "pk": {"S": "TENANT#t1"},
    "sk": {"S": "TENANT"},
    "tenant_id": {"S": "t1"},
    "name": {"S": "Acme"},
    "created_at": {"S": "2026-11-01T10:00:00+00:00"},
}

SET_TENANT = ["admin", "set-tenant", "--tenant", "t1"]


class StubDynamoDB:
    """Answers the few DynamoDB calls AccountStore makes; remembers each request."""

    def __init__(self, tenant_exists: bool = True, keys: list[dict[str, Any]] | None = None):
        self.tenant_exists = tenant_exists
        self.keys = keys or []
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.fail_put_with: str | None = None
        self.client_args: dict[str, str | None] = {}

    def get_item(self, **request: Any) -> dict[str, Any]:
        self.requests.append(("get_item", request))
        is_tenant = request["Key"]["sk"] == {"S": "TENANT"}
        return {"Item": TENANT_ITEM} if self.tenant_exists and is_tenant else {}

    def transact_write_items(self, **request: Any) -> dict[str, Any]:
        for item in request["TransactItems"]:
            if "Put" in item:
                self.requests.append(("put_item", item["Put"]))
        return {}

    def put_item(self, **request: Any) -> dict[str, Any]:
        self.requests.append(("put_item", request))
        if self.fail_put_with:
            raise ClientError(
                {"Error": {"Code": self.fail_put_with, "Message": "refused"}}, "PutItem"
            )
        return {}

    def update_item(self, **request: Any) -> dict[str, Any]:
        self.requests.append(("update_item", request))
        return {"Attributes": TENANT_ITEM}

    def query(self, **request: Any) -> dict[str, Any]:
        self.requests.append(("query", request))
        return {"Items": self.keys}

    def get_paginator(self, operation: str) -> "StubDynamoDB":
        return self

    def paginate(self, **request: Any) -> list[dict[str, Any]]:
        self.requests.append(("query", request))
        return [{"Items": self.keys}]


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> StubDynamoDB:
    """Every command gets this stub instead of a real client; the arguments are recorded."""
    stub = StubDynamoDB()

    def build(endpoint_url: str | None, region: str | None) -> StubDynamoDB:
        stub.client_args = {"endpoint_url": endpoint_url, "region": region}
        return stub

    monkeypatch.setattr(cli, "_dynamodb_client", build)
    monkeypatch.setenv("ACCOUNTS_TABLE", "accounts-from-env")
    return stub


def _puts(stub: StubDynamoDB) -> list[dict[str, Any]]:
    return [r for name, r in stub.requests if name == "put_item"]


def _updates(stub: StubDynamoDB) -> list[dict[str, Any]]:
    return [r for name, r in stub.requests if name == "update_item"]


# Usage errors: exit 2, nothing sent to AWS


def test_unknown_scope_is_a_usage_error_naming_it(
    dynamodb: StubDynamoDB, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: a create-key with one unknown scope
    argv = ["admin", "create-key", "--tenant", "t1", "--scope", "calls:read", "--scope", "calls:*"]

    # When: it runs
    code = cli.main(argv)

    # Then: exit 2, the unknown scope and the known ones on stderr, no key created
    err = capsys.readouterr()
    assert code == 2
    assert "Unknown scope(s): calls:*" in err.err
    assert "calls:write" in err.err
    assert err.out == ""
    assert dynamodb.requests == []


def test_missing_table_is_a_usage_error(
    dynamodb: StubDynamoDB, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: no --table and no ACCOUNTS_TABLE
    monkeypatch.delenv("ACCOUNTS_TABLE")

    # When: a command runs
    code = cli.main(["admin", "list-keys", "--tenant", "t1"])

    # Then: exit 2 with a message saying how to name the table
    assert code == 2
    assert "--table" in capsys.readouterr().err
    assert dynamodb.requests == []


def test_unknown_profile_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: an AWS profile that is not configured
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile-for-dialtone-tests")

    # When: a command runs
    code = cli.main(["admin", "--table", "t", "list-keys", "--tenant", "t1"])

    # Then: exit 1 naming the profile, not a traceback
    assert code == 1
    assert "no-such-profile-for-dialtone-tests" in capsys.readouterr().err


def test_blank_table_variable_counts_as_missing(
    dynamodb: StubDynamoDB, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: ACCOUNTS_TABLE set but empty
    monkeypatch.setenv("ACCOUNTS_TABLE", "  ")

    # When / Then: it is the same usage error
    assert cli.main(["admin", "list-keys", "--tenant", "t1"]) == 2
    assert "ACCOUNTS_TABLE" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "required"),
        (["admin"], "required"),
        (["admin", "drop-table"], "invalid choice"),
        (["admin", "create-key", "--tenant", "t1"], "--scope"),
        (["admin", "create-key", "--scope", "calls:read"], "--tenant"),
        (["admin", "create-tenant"], "--name"),
        (["admin", "create-tenant", "--name", "A", "--retention-days", "0"], "at least 1"),
        (["admin", "create-tenant", "--name", "A", "--retention-days", "ten"], "whole number"),
        (["admin", "create-tenant", "--name", "A", "--retention-days", "3651"], "at most 3650"),
        ([*SET_TENANT, "--retention-days", "0"], "at least 1"),
        ([*SET_TENANT, "--retention-days", "3651"], "at most 3650"),
        ([*SET_TENANT, "--retention-days", "1y"], "whole number"),
        (
            [*SET_TENANT, "--retention-days", "30", "--no-retention"],
            "argument --no-retention: not allowed with argument --retention-days",
        ),
        (
            [*SET_TENANT, "--opt-out-sensitive-data", "--store-sensitive-data"],
            "argument --store-sensitive-data: not allowed with argument --opt-out-sensitive-data",
        ),
        (SET_TENANT, "name at least one setting to change"),
        ([*SET_TENANT, "--json"], "name at least one setting to change"),
        (["admin", "revoke-key", "--tenant", "t1"], "--key-id"),
        (["admin", "create-tenant", "--name", "A", "--tenant-id", "acme#agent"], "use 1-64"),
        (["admin", "create-tenant", "--name", "A", "--tenant-id", ""], "use 1-64"),
        (["admin", "create-key", "--tenant", "t1", "--scope", " , "], "at least one --scope"),
    ],
)
def test_bad_arguments_exit_2_with_usage(
    dynamodb: StubDynamoDB, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    # Given: a command line argparse (or the scope check) refuses
    # When: it runs
    code = cli.main(argv)

    # Then: exit 2, the reason on stderr, no traceback, nothing sent
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert dynamodb.requests == []


@pytest.mark.parametrize(
    ("args", "expression", "values"),
    [
        (["--retention-days", "3650"], "SET updated_at = :now, #retention_days = :retention_days",
         {":retention_days": {"N": "3650"}}),
        (["--no-retention"], "SET updated_at = :now REMOVE #retention_days", {}),
        (["--opt-out-sensitive-data"],
         "SET updated_at = :now, #opt_out_sensitive_data_storage = :opt_out_sensitive_data_storage",
         {":opt_out_sensitive_data_storage": {"BOOL": True}}),
        (["--store-sensitive-data"],
         "SET updated_at = :now, #opt_out_sensitive_data_storage = :opt_out_sensitive_data_storage",
         {":opt_out_sensitive_data_storage": {"BOOL": False}}),
    ],
)  # fmt: skip
def test_each_new_setting_alone_is_one_update(
    dynamodb: StubDynamoDB,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    expression: str,
    values: dict[str, Any],
) -> None:
    # Given: set-tenant naming only a retention or sensitive-data option
    # When: it runs
    code = cli.main([*SET_TENANT, *args])

    # Then: it counts as a setting, and exactly that is changed, in one conditional UpdateItem
    assert code == 0, capsys.readouterr().err
    (update,) = _updates(dynamodb)
    assert update["UpdateExpression"] == expression
    assert update["ConditionExpression"] == "attribute_exists(pk)"
    assert {k: v for k, v in update["ExpressionAttributeValues"].items() if k != ":now"} == values


def test_create_tenant_opts_out_of_sensitive_data(
    dynamodb: StubDynamoDB, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given / When: a tenant created opted out, with the longest retention
    code = cli.main([
        "admin", "--json", "create-tenant", "--name", "Acme", "--retention-days", "3650",
        "--opt-out-sensitive-data",
    ])  # fmt: skip

    # Then: both are stored and printed
    assert code == 0
    (put,) = _puts(dynamodb)
    assert put["Item"]["opt_out_sensitive_data_storage"] == {"BOOL": True}
    assert put["Item"]["retention_days"] == {"N": "3650"}
    printed = json.loads(capsys.readouterr().out)
    assert (printed["retention_days"], printed["opt_out_sensitive_data_storage"]) == (3650, True)


def test_a_new_tenant_stores_sensitive_data_by_default(
    dynamodb: StubDynamoDB, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given / When: a tenant created with neither option
    assert cli.main(["admin", "create-tenant", "--name", "Acme"]) == 0

    # Then: it stores sensitive data and keeps calls indefinitely
    (put,) = _puts(dynamodb)
    assert put["Item"]["opt_out_sensitive_data_storage"] == {"BOOL": False}
    assert "retention_days" not in put["Item"]


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    # Given / When: help for create-key
    code = cli.main(["admin", "create-key", "--help"])

    # Then: it exits 0 and lists the known scopes
    assert code == 0
    assert "webhooks:manage" in capsys.readouterr().out


# Wiring: table, endpoint and region reach the client and the store


def test_global_options_reach_the_client_and_store(
    dynamodb: StubDynamoDB, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: endpoint, region and table before the command
    argv = [
        "admin", "--endpoint-url", "http://127.0.0.1:5000", "--region", "eu-west-1",
        "--table", "accounts-x", "create-tenant", "--name", "Acme",
    ]  # fmt: skip

    # When: it runs
    code = cli.main(argv)

    # Then: the client is built for that endpoint and region, and the tenant written to that table
    assert code == 0
    assert dynamodb.client_args == {"endpoint_url": "http://127.0.0.1:5000", "region": "eu-west-1"}
    assert [p["TableName"] for p in _puts(dynamodb)] == ["accounts-x"]


def test_global_options_may_follow_the_command(
    dynamodb: StubDynamoDB, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: the same options written after the command
    argv = [
        "admin", "create-tenant", "--name", "Acme", "--table", "accounts-y",
        "--region", "us-west-2", "--json",
    ]  # fmt: skip

    # When: it runs
    code = cli.main(argv)

    # Then: they are honoured exactly as before the command
    assert code == 0
    assert dynamodb.client_args == {"endpoint_url": None, "region": "us-west-2"}
    assert [p["TableName"] for p in _puts(dynamodb)] == ["accounts-y"]
    assert json.loads(capsys.readouterr().out)["name"] == "Acme"


def test_table_defaults_to_the_environment(
    dynamodb: StubDynamoDB, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: no --table, ACCOUNTS_TABLE set (by the fixture)
    # When: a tenant is created with a chosen id
    code = cli.main(["admin", "create-tenant", "--name", "Acme", "--tenant-id", "acme"])

    # Then: the environment's table is used and only the id is printed
    assert code == 0
    assert [p["TableName"] for p in _puts(dynamodb)] == ["accounts-from-env"]
    assert capsys.readouterr().out == "acme\n"


def test_real_client_uses_the_given_endpoint_and_region(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given: credentials in the environment (so botocore does not ask instance metadata)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")

    # When: the CLI's own client factory builds a client (which opens no connection)
    client = cli._dynamodb_client("http://127.0.0.1:4566", "ap-southeast-2")

    # Then: it points at that endpoint in that region
    assert client.meta.endpoint_url == "http://127.0.0.1:4566"
    assert client.meta.region_name == "ap-southeast-2"


# Operation errors: exit 1, one line on stderr, never a traceback


def test_key_for_unknown_tenant_exits_1(
    dynamodb: StubDynamoDB, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: no such tenant
    dynamodb.tenant_exists = False

    # When: a key is requested for it
    code = cli.main(["admin", "create-key", "--tenant", "nope", "--scope", "calls:read"])

    # Then: exit 1, "Tenant not found", and no key written
    out = capsys.readouterr()
    assert code == 1
    assert out.err.strip() == "dialtone: Tenant not found"
    assert out.out == ""
    assert _puts(dynamodb) == []


def test_listing_keys_of_unknown_tenant_exits_1(
    dynamodb: StubDynamoDB, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: no such tenant
    dynamodb.tenant_exists = False

    # When / Then: listing its keys is an error, not an empty list
    assert cli.main(["admin", "list-keys", "--tenant", "nope"]) == 1
    assert "Tenant not found" in capsys.readouterr().err


def test_revoking_unknown_key_exits_1(
    dynamodb: StubDynamoDB, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: the tenant has no key with that id
    # When: it is revoked
    code = cli.main(["admin", "revoke-key", "--tenant", "t1", "--key-id", "0000"])

    # Then: exit 1 with "API key not found"
    assert code == 1
    assert capsys.readouterr().err.strip() == "dialtone: API key not found"


def test_existing_tenant_id_exits_1(
    dynamodb: StubDynamoDB, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: the conditional write finds the tenant already there
    dynamodb.fail_put_with = "ConditionalCheckFailedException"

    # When: the tenant is created again
    code = cli.main(["admin", "create-tenant", "--name", "Acme", "--tenant-id", "acme"])

    # Then: exit 1 saying it exists
    err = capsys.readouterr().err
    assert code == 1
    assert "Tenant acme already exists" in err
    assert "Traceback" not in err


def test_aws_error_exits_1_with_its_code(
    dynamodb: StubDynamoDB, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: AWS refusing the write (e.g. no such table)
    dynamodb.fail_put_with = "ResourceNotFoundException"

    # When: a tenant is created
    code = cli.main(["admin", "create-tenant", "--name", "Acme"])

    # Then: exit 1 with AWS's code and message on one line
    assert code == 1
    assert capsys.readouterr().err.strip() == "dialtone: ResourceNotFoundException: refused"


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_unreachable_endpoint_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: a real client, with credentials, whose endpoint cannot be reached (sockets are off
    # in unit tests, so the connection fails at once)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    argv = ["admin", "--table", "t", "--region", "us-east-1", "--endpoint-url",
            "http://127.0.0.1:9", "list-keys", "--tenant", "t1"]  # fmt: skip

    # When: a command runs
    code = cli.main(argv)

    # Then: exit 1 with a message, not a traceback
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("dialtone: ")
    assert "Traceback" not in err


def test_invalid_endpoint_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    # Given / When: an endpoint that is not a URL
    code = cli.main(["admin", "--table", "t", "--region", "us-east-1", "--endpoint-url", "nope",
                     "list-keys", "--tenant", "t1"])  # fmt: skip

    # Then: exit 1 naming it
    assert code == 1
    assert "Invalid endpoint: nope" in capsys.readouterr().err


# Output


def test_create_key_prints_the_key_once_with_its_id(
    dynamodb: StubDynamoDB, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: an existing tenant
    # When: a key with two scopes (one repeated, one comma-separated) is created
    code = cli.main([
        "admin", "create-key", "--tenant", "t1", "--scope", "calls:read",
        "--scope", "calls:write,calls:read", "--name", "ci",
    ])  # fmt: skip

    # Then: stdout shows the key exactly once, and the id it embeds
    out = capsys.readouterr()
    assert code == 0
    plaintext = re.search(r"dt_([0-9a-f]{16})_\S+", out.out)
    assert plaintext is not None
    assert out.out.count(plaintext.group(0)) == 1
    assert f"key_id:  {plaintext.group(1)}" in out.out
    assert "not shown again" in out.err
    # And: only the hash reached the table, with the scopes deduplicated
    puts = _puts(dynamodb)
    assert [p["Item"]["pk"]["S"][:4] for p in puts] == ["KEY#", "TENA"]
    for put in puts:
        assert plaintext.group(0) not in json.dumps(put)
        assert put["Item"]["scopes"] == {"L": [{"S": "calls:read"}, {"S": "calls:write"}]}
        assert put["Item"]["name"] == {"S": "ci"}


def test_create_key_json(dynamodb: StubDynamoDB, capsys: pytest.CaptureFixture[str]) -> None:
    # Given / When: a key created with --json
    code = cli.main(["admin", "--json", "create-key", "--tenant", "t1", "--scope", "admin"])

    # Then: one JSON object with the key, its id, tenant and scopes
    body = json.loads(capsys.readouterr().out)
    assert code == 0
    assert body["api_key"].startswith(f"dt_{body['key_id']}_")
    assert (body["tenant_id"], body["scopes"], body["revoked_at"]) == ("t1", ["admin"], None)
    assert body["created_at"].endswith("Z")


def test_list_keys_shows_ids_never_keys(
    dynamodb: StubDynamoDB, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: a tenant with an active key and a revoked one (stored by hash)
    dynamodb.keys = [
        {
            "pk": {"S": "KEY#" + "b" * 64},
            "sk": {"S": "KEY"},
            "key_id": {"S": "bbbbbbbbbbbbbbbb"},
            "tenant_id": {"S": "t1"},
            "scopes": {"L": [{"S": "calls:read"}]},
            "created_at": {"S": "2026-11-02T09:00:00+00:00"},
            "revoked_at": {"S": "2026-11-03T09:00:00+00:00"},
        },
        {
            "pk": {"S": "KEY#" + "a" * 64},
            "sk": {"S": "KEY"},
            "key_id": {"S": "aaaaaaaaaaaaaaaa"},
            "tenant_id": {"S": "t1"},
            "name": {"S": "ci"},
            "scopes": {"L": [{"S": "calls:read"}, {"S": "calls:write"}]},
            "created_at": {"S": "2026-11-01T09:00:00+00:00"},
        },
    ]

    # When: the keys are listed
    code = cli.main(["admin", "list-keys", "--tenant", "t1"])

    # Then: a header and one row per key, oldest first, without any hash
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["KEY_ID", "NAME", "SCOPES", "CREATED", "REVOKED"]
    assert lines[1].split() == [
        "aaaaaaaaaaaaaaaa", "ci", "calls:read", "calls:write", "2026-11-01T09:00:00Z", "-",
    ]  # fmt: skip
    assert lines[2].split() == [
        "bbbbbbbbbbbbbbbb", "-", "calls:read", "2026-11-02T09:00:00Z", "2026-11-03T09:00:00Z",
    ]  # fmt: skip
    assert "a" * 64 not in out
    assert "b" * 64 not in out
