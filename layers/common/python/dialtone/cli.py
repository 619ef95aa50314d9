"""The `dialtone` command line: tenant and API-key administration against any endpoint.

    dialtone admin [--endpoint-url URL] [--region R] [--table NAME] [--json] COMMAND ...

    create-tenant --name N [--tenant-id ID] [--retention-days D] [--opt-out-sensitive-data]
                                                                   prints the tenant id
    get-tenant    --tenant T                                       the tenant and its settings
    set-tenant    --tenant T [--default-from E164 | --no-default-from] [--dial-rate N]
                  [--caller-ids E164,E164,... | --no-caller-ids]
                  [--calling-window HH:MM-HH:MM | --no-calling-window]
                  [--telephony-account ID | --no-telephony-account]
                  [--retention-days D | --no-retention]
                  [--grade-refresh-hours H] [--grade-issue-threshold S]
                  [--opt-out-sensitive-data | --store-sensitive-data]  change settings
    create-key    --tenant T --scope S [--scope S ...] [--name N]  prints the key, once
    list-keys     --tenant T                                       key ids, never keys
    revoke-key    --tenant T --key-id K

Retention (1-3650 days; none keeps calls indefinitely) and the sensitive-data opt-out (redacted
transcripts and history, no recording) are read when a call is created: a change applies to
calls created afterwards, and stored calls keep the expiry and redaction they were given.

The accounts table comes from `--table` or `ACCOUNTS_TABLE`; the endpoint from `--endpoint-url`
or AWS's own resolution (`AWS_ENDPOINT_URL`, profiles). The global options may also follow the
command. Exit codes: 0 done, 1 the operation failed (unknown tenant or key, AWS error),
2 bad usage (unknown scope, no table).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TextIO

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoRegionError
from pydantic import ValidationError

from dialtone import phones
from dialtone.accounts import (
    DEFAULT_GRADE_ISSUE_THRESHOLD,
    DEFAULT_GRADE_REFRESH_HOURS,
    MAX_CALLER_IDS,
    MAX_DIAL_RATE_PER_SECOND,
    MAX_GRADE_REFRESH_HOURS,
    MAX_RETENTION_DAYS,
    AccountStore,
    ApiKey,
    CallingWindow,
    Tenant,
    TenantSettingsUpdate,
)
from dialtone.auth import ALL_SCOPES, TENANT_ID_PATTERN, parse_scopes
from dialtone.dynamo import condition_failed
from dialtone.errors import DialtoneError
from dialtone.model_types import format_timestamp

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

# Tenant ids become part of DynamoDB keys joined with "#", so "#" (and other separators) is out.
_TENANT_ID = re.compile(TENANT_ID_PATTERN)


class UsageError(Exception):
    """Bad command-line input found after parsing (reported like argparse's own, exit 2)."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of exiting, so `main` always returns a code."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.format_usage()}{self.prog}: error: {message}")


def _global_options(suppress: bool) -> _Parser:
    """`admin`'s options, also accepted after the command (SUPPRESS keeps the earlier value)."""
    parent = _Parser(add_help=False)
    default: dict[str, Any] = {"default": argparse.SUPPRESS} if suppress else {}
    parent.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="DynamoDB endpoint (default: AWS's own, or AWS_ENDPOINT_URL)",
        **default,
    )
    parent.add_argument("--region", help="AWS region (default: the AWS configuration)", **default)
    parent.add_argument(
        "--table", metavar="NAME", help="accounts table (default: $ACCOUNTS_TABLE)", **default
    )
    parent.add_argument(
        "--json",
        action="store_true",
        help="print JSON instead of text",
        **(default if suppress else {"default": False}),
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree."""
    parser = _Parser(prog="dialtone", description="Dialtone Calls API tools.")
    groups = parser.add_subparsers(dest="group", metavar="GROUP", parser_class=_Parser)
    groups.required = True

    admin = groups.add_parser(
        "admin",
        parents=[_global_options(suppress=False)],
        help="create tenants and manage their API keys",
        description="Create tenants and manage their API keys in the accounts table.",
    )
    commands = admin.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    after = [_global_options(suppress=True)]

    tenant = commands.add_parser("create-tenant", parents=after, help="create a tenant")
    tenant.add_argument("--name", required=True, help="display name")
    tenant.add_argument(
        "--tenant-id",
        metavar="ID",
        type=_tenant_id,
        help="the id to use: letters, digits, '.', '_', '-' (default: a new UUID)",
    )
    tenant.add_argument(
        "--retention-days",
        metavar="D",
        type=_retention_days,
        help=f"keep calls for D days, 1-{MAX_RETENTION_DAYS} (default: indefinitely)",
    )
    tenant.add_argument(
        "--opt-out-sensitive-data",
        action="store_true",
        dest="opt_out_sensitive_data_storage",
        help="redact transcripts and history and keep no recording of the tenant's calls, "
        "unless a call chooses otherwise when it is created",
    )
    tenant.set_defaults(handler=_create_tenant)

    show = commands.add_parser("get-tenant", parents=after, help="show a tenant and its settings")
    show.add_argument("--tenant", required=True, metavar="T", help="tenant id")
    show.set_defaults(handler=_get_tenant)

    dial = commands.add_parser(
        "set-tenant",
        parents=after,
        help="change a tenant's dial, retention and sensitive-data settings",
        description="Change a tenant's settings; settings not named stay as they are. "
        "Retention and the sensitive-data opt-out apply to calls created afterwards: "
        "calls already stored keep the expiry and redaction they were given.",
    )
    dial.add_argument("--tenant", required=True, metavar="T", help="tenant id")
    source = dial.add_mutually_exclusive_group()
    source.add_argument(
        "--default-from",
        metavar="E164",
        type=_e164,
        dest="default_from_number",
        help="the number calls come from when neither the request nor the agent names one",
    )
    source.add_argument(
        "--no-default-from",
        action="store_true",
        help="remove the default from number",
    )
    caller_ids = dial.add_mutually_exclusive_group()
    caller_ids.add_argument(
        "--caller-ids",
        metavar="E164,E164,...",
        type=_e164_list,
        dest="caller_ids",
        help="the numbers the tenant owns that calls may come from, besides its default and "
        "its agents' numbers (replaces the list)",
    )
    caller_ids.add_argument(
        "--no-caller-ids",
        action="store_true",
        help="allow only the default number and the agents' numbers",
    )
    dial.add_argument(
        "--dial-rate",
        metavar="N",
        type=_dial_rate,
        dest="dial_rate_per_second",
        help=f"calls per second on the tenant's own telephony account, 1-{MAX_DIAL_RATE_PER_SECOND}"
        " (tenants on the deployment's account share its DialRatePerSecond)",
    )
    window = dial.add_mutually_exclusive_group()
    window.add_argument(
        "--calling-window",
        metavar="HH:MM-HH:MM",
        type=_calling_window,
        help="when calls may be placed, in the callee's local time (may wrap midnight)",
    )
    window.add_argument("--no-calling-window", action="store_true", help="allow calls at any time")
    account = dial.add_mutually_exclusive_group()
    account.add_argument(
        "--telephony-account",
        metavar="ID",
        type=_telephony_account,
        dest="telephony_account_id",
        help="a telephony account of the tenant's own, with its own calls per second "
        "(default: the deployment's, shared by every tenant that names none)",
    )
    account.add_argument(
        "--no-telephony-account",
        action="store_true",
        help="dial through the deployment's shared telephony account",
    )
    retention = dial.add_mutually_exclusive_group()
    retention.add_argument(
        "--retention-days",
        metavar="D",
        type=_retention_days,
        help=f"keep calls created from now on for D days, 1-{MAX_RETENTION_DAYS} "
        "(stored calls keep the expiry they were given)",
    )
    retention.add_argument(
        "--no-retention",
        action="store_true",
        help="keep calls created from now on indefinitely "
        "(stored calls keep the expiry they were given)",
    )
    sensitive = dial.add_mutually_exclusive_group()
    sensitive.add_argument(
        "--opt-out-sensitive-data",
        action="store_const",
        const=True,
        dest="opt_out_sensitive_data_storage",
        help="redact transcripts and history and keep no recording of calls created from now "
        "on, unless a call chooses otherwise (stored calls stay as they are)",
    )
    sensitive.add_argument(
        "--store-sensitive-data",
        action="store_const",
        const=False,
        dest="opt_out_sensitive_data_storage",
        help="store transcripts, history and recordings of calls created from now on as they "
        "are, unless a call opts out",
    )
    dial.add_argument(
        "--grade-refresh-hours",
        metavar="H",
        type=_grade_refresh_hours,
        help="how long a grade stands before asking again grades the call again "
        f"(0-{MAX_GRADE_REFRESH_HOURS}; default {DEFAULT_GRADE_REFRESH_HOURS})",
    )
    dial.add_argument(
        "--grade-issue-threshold",
        metavar="S",
        type=_grade_issue_threshold,
        help="a grade below this score (0-1) files an issue report by itself "
        f"(default {DEFAULT_GRADE_ISSUE_THRESHOLD})",
    )
    dial.set_defaults(handler=_set_tenant)

    key = commands.add_parser(
        "create-key",
        parents=after,
        help="issue an API key (shown once)",
        epilog=f"scopes: {', '.join(s.value for s in ALL_SCOPES)}",
    )
    key.add_argument("--tenant", required=True, metavar="T", help="tenant id")
    key.add_argument(
        "--scope",
        required=True,
        action="append",
        metavar="S",
        help="a scope the key carries; repeat (or separate with commas) for several",
    )
    key.add_argument("--name", help="a label for the key")
    key.set_defaults(handler=_create_key)

    keys = commands.add_parser("list-keys", parents=after, help="list a tenant's keys")
    keys.add_argument("--tenant", required=True, metavar="T", help="tenant id")
    keys.set_defaults(handler=_list_keys)

    revoke = commands.add_parser("revoke-key", parents=after, help="revoke an API key")
    revoke.add_argument("--tenant", required=True, metavar="T", help="tenant id")
    revoke.add_argument("--key-id", required=True, metavar="K", help="the key's id")
    revoke.set_defaults(handler=_revoke_key)

    backfill = commands.add_parser(
        "backfill-list-keys",
        parents=after,
        help="give calls stored before the pair and call-id prefix list indexes their keys",
    )
    backfill.add_argument(
        "--calls-table", metavar="NAME", help="calls table (default: $CALLS_TABLE)"
    )
    backfill.add_argument(
        "--tenant", metavar="T", help="only this tenant's calls (default: every tenant's)"
    )
    backfill.set_defaults(handler=_backfill_list_keys)
    return parser


def _tenant_id(text: str) -> str:
    if not _TENANT_ID.match(text):
        raise argparse.ArgumentTypeError(
            f"{text!r}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return text


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _retention_days(text: str) -> int:
    value = _positive_int(text)
    if value > MAX_RETENTION_DAYS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_RETENTION_DAYS} days: {text!r}")
    return value


def _e164(text: str) -> str:
    try:
        return phones.to_e164(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} {error}") from None


def _e164_list(text: str) -> list[str]:
    numbers = [_e164(part.strip()) for part in text.split(",") if part.strip()]
    if not numbers:
        raise argparse.ArgumentTypeError("name at least one number (or use --no-caller-ids)")
    if len(numbers) > MAX_CALLER_IDS:
        raise argparse.ArgumentTypeError(f"at most {MAX_CALLER_IDS} caller IDs")
    return list(dict.fromkeys(numbers))


def _dial_rate(text: str) -> int:
    value = _positive_int(text)
    if value > MAX_DIAL_RATE_PER_SECOND:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_DIAL_RATE_PER_SECOND}: {text!r}")
    return value


def _grade_refresh_hours(text: str) -> int:
    try:
        hours = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= hours <= MAX_GRADE_REFRESH_HOURS:
        raise argparse.ArgumentTypeError(f"hours are 0-{MAX_GRADE_REFRESH_HOURS}, not {text}")
    return hours


def _grade_issue_threshold(text: str) -> float:
    try:
        threshold = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a score: {text}") from None
    if not 0.0 <= threshold <= 1.0:
        raise argparse.ArgumentTypeError(f"a score is 0-1, not {text}")
    return threshold


def _calling_window(text: str) -> CallingWindow:
    try:
        return CallingWindow.parse(text)
    except ValidationError as error:
        reason = "; ".join(e["msg"] for e in error.errors())
        raise argparse.ArgumentTypeError(f"{text!r}: {reason}") from None
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}") from None


def _telephony_account(text: str) -> str:
    value = text.strip()
    if not 1 <= len(value) <= 128:
        raise argparse.ArgumentTypeError("a telephony account id is 1-128 characters")
    return value


# Commands


def _create_tenant(store: AccountStore, args: argparse.Namespace, out: TextIO) -> None:
    try:
        tenant = store.create_tenant(
            args.name,
            tenant_id=args.tenant_id,
            retention_days=args.retention_days,
            opt_out_sensitive_data_storage=args.opt_out_sensitive_data_storage,
        )
    except ClientError as error:
        if condition_failed(error):
            raise DialtoneError(f"Tenant {args.tenant_id} already exists") from None
        raise
    if args.json:
        _print_json(tenant.model_dump(mode="json"), out)
    else:
        print(tenant.tenant_id, file=out)


def _get_tenant(store: AccountStore, args: argparse.Namespace, out: TextIO) -> None:
    _print_tenant(store.get_tenant(args.tenant), args.json, out)


def _set_tenant(store: AccountStore, args: argparse.Namespace, out: TextIO) -> None:
    tenant = store.update_settings(args.tenant, TenantSettingsUpdate(**args.changes))
    _print_tenant(tenant, args.json, out)


def _settings_changes(args: argparse.Namespace) -> dict[str, Any]:
    """The settings set-tenant names: a value to set, or None to clear one."""
    changes: dict[str, Any] = {}
    for name, cleared in (
        ("default_from_number", args.no_default_from),
        ("calling_window", args.no_calling_window),
        ("telephony_account_id", args.no_telephony_account),
        ("retention_days", args.no_retention),
        ("caller_ids", args.no_caller_ids),
    ):
        if cleared:
            changes[name] = None
        elif getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    # Set or left alone, never cleared; False is a value here (--store-sensitive-data).
    for name in (
        "dial_rate_per_second",
        "opt_out_sensitive_data_storage",
        "grade_refresh_hours",
        "grade_issue_threshold",
    ):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    return changes


def _tenant_fields(tenant: Tenant) -> dict[str, Any]:
    return {
        "tenant_id": tenant.tenant_id,
        "name": tenant.name,
        "created_at": format_timestamp(tenant.created_at),
        "retention_days": tenant.retention_days,
        "opt_out_sensitive_data_storage": tenant.opt_out_sensitive_data_storage,
        "default_from_number": tenant.default_from_number,
        "dial_rate_per_second": tenant.dial_rate_per_second,
        "calling_window": (
            tenant.calling_window.model_dump(mode="json") if tenant.calling_window else None
        ),
        "telephony_account_id": tenant.telephony_account_id,
        "caller_ids": tenant.caller_ids,
        "grade_refresh_hours": tenant.grade_refresh_hours,
        "grade_issue_threshold": tenant.grade_issue_threshold,
    }


def _print_tenant(tenant: Tenant, as_json: bool, out: TextIO) -> None:
    fields = _tenant_fields(tenant)
    if as_json:
        _print_json(fields, out)
        return
    shown = {
        **fields,
        "retention_days": tenant.retention_days or "- (calls kept indefinitely)",
        "opt_out_sensitive_data_storage": (
            "yes (transcripts redacted, no recordings)"
            if tenant.opt_out_sensitive_data_storage
            else "no"
        ),
        "calling_window": str(tenant.calling_window) if tenant.calling_window else "any time",
        "telephony_account_id": tenant.telephony_account_id or "- (the deployment's, shared)",
        "caller_ids": ", ".join(tenant.caller_ids)
        or "- (the default number and the agents' numbers only)",
    }
    width = max(len(name) for name in shown)
    for name, value in shown.items():
        print(f"{name + ':':<{width + 1}} {'-' if value is None else value}", file=out)


def _create_key(store: AccountStore, args: argparse.Namespace, out: TextIO) -> None:
    created = store.create_key(args.tenant, args.scopes, name=args.name)
    key = created.key
    if args.json:
        _print_json({"api_key": created.plaintext, **_key_fields(key)}, out)
    else:
        print(f"api_key: {created.plaintext}", file=out)
        print(f"key_id:  {key.key_id}", file=out)
        print(f"scopes:  {' '.join(key.scopes)}", file=out)
    print("Store the key now: it is not shown again.", file=sys.stderr)


def _list_keys(store: AccountStore, args: argparse.Namespace, out: TextIO) -> None:
    store.get_tenant(args.tenant)  # an unknown tenant is an error, not an empty list
    keys = sorted(store.list_keys(args.tenant), key=lambda k: k.created_at)
    rows = [_key_fields(k) for k in keys]
    if args.json:
        _print_json(rows, out)
        return
    header = ("KEY_ID", "NAME", "SCOPES", "CREATED", "REVOKED")
    table = [header] + [
        (
            r["key_id"],
            r["name"] or "-",
            " ".join(r["scopes"]) or "-",
            r["created_at"],
            r["revoked_at"] or "-",
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip(), file=out
        )


def _revoke_key(store: AccountStore, args: argparse.Namespace, out: TextIO) -> None:
    key = store.revoke_key(args.tenant, args.key_id)
    if args.json:
        _print_json(_key_fields(key), out)
    else:
        print(f"revoked {key.key_id} at {_key_fields(key)['revoked_at']}", file=out)


def _backfill_list_keys(store: AccountStore, args: argparse.Namespace, out: TextIO) -> None:
    from dialtone.store import CallStore

    calls = CallStore(args.calls_table, dynamodb=store.dynamodb)
    updated = calls.backfill_list_keys(args.tenant)
    if args.json:
        _print_json({"updated": updated}, out)
    else:
        print(f"{updated} calls given their pair and call-id prefix index keys", file=out)


def _key_fields(key: ApiKey) -> dict[str, Any]:
    """What may be shown of a key: never its hash, and the plaintext only at creation."""
    return {
        "key_id": key.key_id,
        "tenant_id": key.tenant_id,
        "name": key.name,
        "scopes": list(key.scopes),
        "created_at": format_timestamp(key.created_at),
        "revoked_at": format_timestamp(key.revoked_at) if key.revoked_at else None,
    }


def _print_json(value: Any, out: TextIO) -> None:
    print(json.dumps(value, indent=2), file=out)


# Wiring


def _dynamodb_client(endpoint_url: str | None, region: str | None) -> Any:
    """A DynamoDB client of our own; with no endpoint, botocore resolves it (AWS_ENDPOINT_URL)."""
    options: dict[str, Any] = {}
    if endpoint_url:
        options["endpoint_url"] = endpoint_url
    if region:
        options["region_name"] = region
    return boto3.client("dynamodb", **options)


def _validate(args: argparse.Namespace) -> str:
    """The accounts table, after checks that need no network; UsageError otherwise."""
    if args.command == "create-key":
        requested = [s.strip() for value in args.scope for s in value.split(",") if s.strip()]
        try:
            args.scopes = parse_scopes(requested)
        except ValueError as error:
            known = ", ".join(s.value for s in ALL_SCOPES)
            raise UsageError(
                f"dialtone admin create-key: error: {error} (known: {known})"
            ) from None
        if not args.scopes:
            raise UsageError("dialtone admin create-key: error: give at least one --scope")
    if args.command == "set-tenant":
        args.changes = _settings_changes(args)
        if not args.changes:
            raise UsageError(
                "dialtone admin set-tenant: error: name at least one setting to change"
            )
    table = (getattr(args, "table", None) or os.environ.get("ACCOUNTS_TABLE") or "").strip()
    if args.command == "backfill-list-keys":
        # It reads and writes the calls table only.
        args.calls_table = (args.calls_table or os.environ.get("CALLS_TABLE") or "").strip()
        if not args.calls_table:
            raise UsageError(
                "dialtone admin backfill-list-keys: error: no calls table: "
                "pass --calls-table NAME or set CALLS_TABLE"
            )
        return table
    if not table:
        raise UsageError(
            "dialtone admin: error: no accounts table: pass --table NAME or set ACCOUNTS_TABLE"
        )
    return table


def main(argv: list[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]) and return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        table = _validate(args)
    except UsageError as error:
        print(str(error), file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as done:  # --help prints and exits 0
        return done.code if isinstance(done.code, int) else EXIT_OK

    handler: Callable[[AccountStore, argparse.Namespace, TextIO], None] = args.handler
    try:
        client = _dynamodb_client(
            getattr(args, "endpoint_url", None), getattr(args, "region", None)
        )
    except NoRegionError:
        return _fail("no AWS region: pass --region or set AWS_DEFAULT_REGION")
    except (BotoCoreError, ValueError) as error:  # unknown profile, "Invalid endpoint: ..."
        return _fail(str(error))
    try:
        handler(AccountStore(table, dynamodb=client), args, sys.stdout)
    except DialtoneError as error:
        return _fail(error.detail)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        return _fail(f"{code}: {message}" if code and message else str(error))
    except BotoCoreError as error:  # no credentials, endpoint unreachable, ...
        return _fail(str(error))
    return EXIT_OK


def _fail(reason: str) -> int:
    print(f"dialtone: {reason}", file=sys.stderr)
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
