"""`dialtone admin` end to end against a DynamoDB endpoint (moto's server, started here)."""

import json
import re
from typing import Any

import boto3
import pytest

from dialtone.accounts import AccountStore
from dialtone.cli import main
from local.endpoint import EmbeddedAws
from local.provision import Stack

REGION = "us-east-1"


@pytest.fixture
def endpoint(embedded_aws: EmbeddedAws, handler_environment: dict[str, str]) -> str:
    """The embedded AWS endpoint, with the accounts table built from template.yaml."""
    return embedded_aws.url


@pytest.fixture
def table(stack: Stack) -> str:
    return stack.names["AccountsTable"]


@pytest.fixture
def admin(endpoint: str, table: str, capsys: pytest.CaptureFixture[str]) -> Any:
    """Run `dialtone admin <args>` against the module's endpoint: (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(
            ["admin", "--endpoint-url", endpoint, "--region", REGION, "--table", table, *args]
        )
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def store(endpoint: str, table: str) -> AccountStore:
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION)
    return AccountStore(table, dynamodb=client)


def test_key_lifecycle(admin: Any, store: AccountStore) -> None:
    # Given: a tenant created from the command line
    code, out, _ = admin("create-tenant", "--name", "Acme Voice", "--retention-days", "30")
    assert code == 0
    tenant_id = out.strip()
    assert store.get_tenant(tenant_id).retention_days == 30

    # When: a key is created for it
    code, out, err = admin(
        "create-key", "--tenant", tenant_id, "--scope", "calls:read", "--scope", "calls:write",
        "--name", "ci",
    )  # fmt: skip

    # Then: the key is printed once and works, carrying its tenant and scopes
    assert code == 0
    plaintext = re.search(r"^api_key: (\S+)$", out, re.MULTILINE)
    key_id = re.search(r"^key_id:\s+(\S+)$", out, re.MULTILINE)
    assert plaintext is not None
    assert key_id is not None
    assert "not shown again" in err
    principal = store.resolve_key(plaintext.group(1))
    assert principal is not None
    assert principal.tenant_id == tenant_id
    assert principal.key_id == key_id.group(1)
    assert principal.scopes == frozenset({"calls:read", "calls:write"})

    # When: the tenant's keys are listed
    code, out, _ = admin("list-keys", "--tenant", tenant_id)

    # Then: the key shows by id, name and scopes, not revoked, and the key itself never appears
    assert code == 0
    (row,) = [line.split() for line in out.splitlines()[1:]]
    assert row[:4] == [key_id.group(1), "ci", "calls:read", "calls:write"]
    assert row[-1] == "-"
    assert plaintext.group(1) not in out

    # When: the key is revoked
    code, out, _ = admin("revoke-key", "--tenant", tenant_id, "--key-id", key_id.group(1))

    # Then: it no longer resolves, and the listing shows when it was revoked
    assert code == 0
    assert out.startswith(f"revoked {key_id.group(1)} at ")
    assert store.resolve_key(plaintext.group(1)) is None
    code, out, _ = admin("--json", "list-keys", "--tenant", tenant_id)
    (listed,) = json.loads(out)
    assert listed["revoked_at"] is not None
    assert listed["revoked_at"].endswith("Z")


def test_json_output_and_chosen_tenant_id(admin: Any) -> None:
    # Given: a tenant with an id of our choosing
    code, out, _ = admin("--json", "create-tenant", "--name", "Beta", "--tenant-id", "beta-co")
    assert code == 0
    assert json.loads(out)["tenant_id"] == "beta-co"

    # When: a key is created with JSON output
    code, out, _ = admin("--json", "create-key", "--tenant", "beta-co", "--scope", "admin")

    # Then: the JSON carries the key and the same id as the listing
    created = json.loads(out)
    code, out, _ = admin("--json", "list-keys", "--tenant", "beta-co")
    assert [k["key_id"] for k in json.loads(out)] == [created["key_id"]]
    assert "api_key" not in json.loads(out)[0]
    assert created["api_key"].startswith(f"dt_{created['key_id']}_")


def test_creating_an_existing_tenant_fails(admin: Any) -> None:
    # Given: an existing tenant
    assert admin("create-tenant", "--name", "Gamma", "--tenant-id", "gamma-co")[0] == 0

    # When: it is created again
    code, out, err = admin("create-tenant", "--name", "Gamma again", "--tenant-id", "gamma-co")

    # Then: exit 1 saying so
    assert code == 1
    assert out == ""
    assert "Tenant gamma-co already exists" in err


def test_keys_are_scoped_to_their_tenant(admin: Any, store: AccountStore) -> None:
    # Given: two tenants, one with a key
    admin("create-tenant", "--name", "One", "--tenant-id", "one-co")
    admin("create-tenant", "--name", "Two", "--tenant-id", "two-co")
    _, out, _ = admin("--json", "create-key", "--tenant", "one-co", "--scope", "calls:read")
    created = json.loads(out)

    # When: the other tenant tries to revoke it
    code, _, err = admin("revoke-key", "--tenant", "two-co", "--key-id", created["key_id"])

    # Then: it is not found there, and the key still works
    assert code == 1
    assert "API key not found" in err
    assert store.resolve_key(created["api_key"]) is not None
    _, out, _ = admin("--json", "list-keys", "--tenant", "two-co")
    assert json.loads(out) == []


def test_unknown_tenant_fails(admin: Any) -> None:
    # Given / When: a key for a tenant that does not exist
    code, _, err = admin("create-key", "--tenant", "no-such-co", "--scope", "calls:read")

    # Then: exit 1, no traceback
    assert code == 1
    assert err.strip() == "dialtone: Tenant not found"


def test_missing_table_fails_with_aws_reason(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given / When: a table that does not exist at the endpoint
    code = main(["admin", "--endpoint-url", endpoint, "--region", REGION, "--table", "nope",
                 "create-tenant", "--name", "X"])  # fmt: skip

    # Then: exit 1 with AWS's reason on one line
    assert code == 1
    assert "ResourceNotFoundException" in capsys.readouterr().err


# Tenant dial settings


def test_dial_settings_are_set_shown_and_cleared(admin: Any, store: AccountStore) -> None:
    # Given: a new tenant, which dials at any time through the deployment's shared account
    admin("create-tenant", "--name", "Dialer Co", "--tenant-id", "dialer-co")
    code, out, _ = admin("get-tenant", "--tenant", "dialer-co")
    assert code == 0
    shown = dict(line.split(":", 1) for line in out.splitlines())
    assert shown["dial_rate_per_second"].strip() == "1"
    assert shown["default_from_number"].strip() == "-"
    assert shown["calling_window"].strip() == "any time"
    assert shown["telephony_account_id"].strip() == "- (the deployment's, shared)"

    # When: every dial setting is set
    code, out, _ = admin(
        "--json", "set-tenant", "--tenant", "dialer-co", "--default-from", "+1 415 555 0100",
        "--dial-rate", "5", "--calling-window", "21:00-08:00", "--telephony-account", "acct-9",
    )  # fmt: skip

    # Then: the tenant now carries them, as printed and as stored
    assert code == 0
    printed = json.loads(out)
    assert printed["default_from_number"] == "+14155550100"
    assert printed["dial_rate_per_second"] == 5
    assert printed["calling_window"] == {"start": "21:00", "end": "08:00"}
    assert printed["telephony_account_id"] == "acct-9"
    stored = store.get_tenant("dialer-co")
    assert stored.default_from_number == "+14155550100"
    assert stored.dial_rate_per_second == 5
    assert str(stored.calling_window) == "21:00-08:00"
    assert stored.telephony_account == "acct-9"
    assert stored.name == "Dialer Co"

    # When: one setting changes and two are cleared
    code, _, _ = admin(
        "set-tenant", "--tenant", "dialer-co", "--dial-rate", "2", "--no-calling-window",
        "--no-telephony-account",
    )  # fmt: skip

    # Then: only those changed
    assert code == 0
    stored = store.get_tenant("dialer-co")
    assert (stored.dial_rate_per_second, stored.calling_window) == (2, None)
    assert stored.telephony_account == "default"
    assert stored.default_from_number == "+14155550100"
    code, out, _ = admin("--json", "get-tenant", "--tenant", "dialer-co")
    assert json.loads(out)["calling_window"] is None


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--dial-rate", "0"), "must be at least 1"),
        (("--dial-rate", "101"), "must be at most 100"),
        (("--dial-rate", "fast"), "not a whole number"),
        (("--default-from", "4155550100"), "must be an E.164 number"),
        (("--calling-window", "09:00-09:00"), "start and end must differ"),
        (("--calling-window", "9am-5pm"), "must be a 24-hour time HH:MM"),
        (("--calling-window", "08:00-21:00", "--no-calling-window"), "not allowed with"),
        (("--caller-ids", "+14155550100,555"), "must be an E.164 number"),
        (("--caller-ids", " , "), "name at least one number"),
        (("--caller-ids", "+14155550100", "--no-caller-ids"), "not allowed with"),
        ((), "name at least one setting"),
    ],
)
def test_bad_dial_settings_are_usage_errors_and_change_nothing(
    admin: Any, store: AccountStore, args: tuple[str, ...], says: str
) -> None:
    # Given: a tenant
    admin("create-tenant", "--name", "Careful Co", "--tenant-id", "careful-co")
    before = store.get_tenant("careful-co")

    # When: set-tenant is given a bad value
    code, out, err = admin("set-tenant", "--tenant", "careful-co", *args)

    # Then: exit 2 saying why, and the tenant is as it was
    assert code == 2
    assert out == ""
    assert says in err
    assert store.get_tenant("careful-co") == before


def test_caller_ids_are_set_shown_and_cleared(admin: Any, store: AccountStore) -> None:
    # Given: a tenant without allowed caller IDs
    admin("create-tenant", "--name", "Caller Co", "--tenant-id", "caller-co")
    code, out, _ = admin("get-tenant", "--tenant", "caller-co")
    shown = dict(line.split(":", 1) for line in out.splitlines())
    assert shown["caller_ids"].strip() == "- (the default number and the agents' numbers only)"

    # When: two are set, written loosely and once twice
    code, out, _ = admin(
        "--json", "set-tenant", "--tenant", "caller-co",
        "--caller-ids", "+1 415 555 0150,+14155550151, +14155550150",
    )  # fmt: skip

    # Then: they are stored and shown in E.164, each once, in order
    assert code == 0
    assert json.loads(out)["caller_ids"] == ["+14155550150", "+14155550151"]
    assert store.get_tenant("caller-co").caller_ids == ["+14155550150", "+14155550151"]
    code, out, _ = admin("get-tenant", "--tenant", "caller-co")
    shown = dict(line.split(":", 1) for line in out.splitlines())
    assert shown["caller_ids"].strip() == "+14155550150, +14155550151"

    # When: they are cleared
    code, _, _ = admin("set-tenant", "--tenant", "caller-co", "--no-caller-ids")

    # Then: none is left
    assert code == 0
    assert store.get_tenant("caller-co").caller_ids == []


def test_dial_settings_of_an_unknown_tenant_fail(admin: Any, store: AccountStore) -> None:
    code, _, err = admin("set-tenant", "--tenant", "no-such-co", "--dial-rate", "3")
    assert code == 1
    assert err.strip() == "dialtone: Tenant not found"
    code, _, err = admin("get-tenant", "--tenant", "no-such-co")
    assert (code, err.strip()) == (1, "dialtone: Tenant not found")


# Retention and the sensitive-data opt-out


def test_retention_and_opt_out_are_set_shown_and_cleared(admin: Any, store: AccountStore) -> None:
    # Given: a tenant created opted out of sensitive-data storage, with no retention
    code, _, _ = admin(
        "create-tenant", "--name", "Private Co", "--tenant-id", "private-co",
        "--opt-out-sensitive-data",
    )  # fmt: skip
    assert code == 0
    created = store.get_tenant("private-co")
    assert (created.retention_days, created.opt_out_sensitive_data_storage) == (None, True)
    code, out, _ = admin("get-tenant", "--tenant", "private-co")
    assert code == 0
    shown = dict(line.split(":", 1) for line in out.splitlines())
    assert shown["retention_days"].strip() == "- (calls kept indefinitely)"
    assert shown["opt_out_sensitive_data_storage"].strip() == (
        "yes (transcripts redacted, no recordings)"
    )

    # When: retention is set and the tenant stores sensitive data again, alongside a dial setting
    code, out, _ = admin(
        "--json", "set-tenant", "--tenant", "private-co", "--retention-days", "90",
        "--store-sensitive-data", "--dial-rate", "3",
    )  # fmt: skip

    # Then: all three changed, as printed and as stored, and nothing else did
    assert code == 0
    printed = json.loads(out)
    assert (printed["retention_days"], printed["opt_out_sensitive_data_storage"]) == (90, False)
    stored = store.get_tenant("private-co")
    assert (stored.retention_days, stored.opt_out_sensitive_data_storage) == (90, False)
    assert (stored.dial_rate_per_second, stored.name) == (3, "Private Co")
    assert stored.created_at == created.created_at

    # When: retention is cleared and the tenant opts out again
    code, out, _ = admin(
        "set-tenant", "--tenant", "private-co", "--no-retention", "--opt-out-sensitive-data"
    )

    # Then: calls are kept indefinitely and redacted, and the rest is as it was
    assert code == 0
    stored = store.get_tenant("private-co")
    assert (stored.retention_days, stored.opt_out_sensitive_data_storage) == (None, True)
    assert stored.dial_rate_per_second == 3
    code, out, _ = admin("--json", "get-tenant", "--tenant", "private-co")
    printed = json.loads(out)
    assert (printed["retention_days"], printed["opt_out_sensitive_data_storage"]) == (None, True)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--retention-days", "0"), "must be at least 1"),
        (("--retention-days", "3651"), "must be at most 3650 days"),
        (("--retention-days", "7", "--no-retention"), "not allowed with"),
        (("--opt-out-sensitive-data", "--store-sensitive-data"), "not allowed with"),
    ],
)
def test_bad_retention_or_opt_out_changes_nothing(
    admin: Any, store: AccountStore, args: tuple[str, ...], says: str
) -> None:
    # Given: a tenant keeping calls 30 days
    admin(
        "create-tenant", "--name", "Steady Co", "--tenant-id", "steady-co", "--retention-days", "30"
    )
    before = store.get_tenant("steady-co")

    # When: set-tenant is given a bad retention or opt-out
    code, out, err = admin("set-tenant", "--tenant", "steady-co", *args)

    # Then: exit 2 saying why, and the tenant is as it was
    assert (code, out) == (2, "")
    assert says in err
    assert store.get_tenant("steady-co") == before


def test_grade_settings_are_set_and_shown(admin: Any, store: AccountStore) -> None:
    # Given: a tenant with the default grade settings
    admin("create-tenant", "--name", "Graded Co", "--tenant-id", "graded-co")
    created = store.get_tenant("graded-co")
    assert (created.grade_refresh_hours, created.grade_issue_threshold) == (24, 0.6)

    # When: both are set
    code, out, _ = admin(
        "--json", "set-tenant", "--tenant", "graded-co",
        "--grade-refresh-hours", "6", "--grade-issue-threshold", "0.75",
    )  # fmt: skip

    # Then: they are stored and printed, and nothing else changed
    assert code == 0
    printed = json.loads(out)
    assert (printed["grade_refresh_hours"], printed["grade_issue_threshold"]) == (6, 0.75)
    stored = store.get_tenant("graded-co")
    assert (stored.grade_refresh_hours, stored.grade_issue_threshold) == (6, 0.75)
    assert stored.dial_rate_per_second == created.dial_rate_per_second


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--grade-refresh-hours", "-1"), "hours are 0-8760"),
        (("--grade-refresh-hours", "soon"), "not a whole number"),
        (("--grade-issue-threshold", "1.5"), "a score is 0-1"),
        (("--grade-issue-threshold", "high"), "not a score"),
    ],
)
def test_bad_grade_settings_change_nothing(
    admin: Any, store: AccountStore, args: tuple[str, ...], says: str
) -> None:
    admin("create-tenant", "--name", "Graded Co", "--tenant-id", "graded-co")
    before = store.get_tenant("graded-co")
    code, out, err = admin("set-tenant", "--tenant", "graded-co", *args)
    assert (code, out) == (2, "")
    assert says in err
    assert store.get_tenant("graded-co") == before
