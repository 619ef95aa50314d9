"""`make fuzz`: schemathesis against the committed `openapi.json`, over HTTP, against the local
stack (embedded AWS, SAM's API Gateway emulator, the authorizer and every function).

Every operation with a request body gets the document's example of it first, then every
operation its coverage cases, positive and negative generated data, and the stateful phase
follows the document's links (create a call, read it, cancel it; ingest a call, append
exchanges, read the transcript, erase it, read it gone). The key used holds every scope, on a
tenant of its own. The checks are the contract's: no 5xx, only declared statuses and content
types, bodies matching their schemas, bad input refused, an erased resource gone and a created
one readable. `make test` runs a bounded run (tests/e2e/test_fuzz.py, without the coverage
phase); `make fuzz` (`python -m tools.fuzz`) a ten-minute one with every phase.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dialtone.auth import ALL_SCOPES, Scope

if TYPE_CHECKING:
    from local.stack import LocalStack

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "openapi.json"
CONFIG = Path(__file__).with_name("fuzz.toml")
LOG_PATH = ROOT / ".dialtone" / "fuzz-stack.log"
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "use_after_free",
    "ensure_resource_availability",
)
PHASES = ("examples", "coverage", "fuzzing", "stateful")


@dataclass(frozen=True)
class Budget:
    """How long a run may take: examples per operation and a time budget for the whole run
    (fuzzing and the stateful phase repeat until it is spent)."""

    max_examples: int
    max_time: int
    seed: int | None = None
    workers: int = 2
    phases: tuple[str, ...] = PHASES


# What `make test` affords on a 2-core machine: generated data and the links, without the
# coverage phase's every boundary of every parameter (minutes on its own), from a fixed seed so
# that a red run is the code's doing and replays; `make fuzz` runs every phase for ten minutes
# from a fresh seed each time, to find what the fixed one does not reach.
BOUNDED = Budget(
    max_examples=5, max_time=75, seed=20261205, phases=("examples", "fuzzing", "stateful")
)
LONG = Budget(max_examples=200, max_time=600)


# The fuzzing tenant's default caller ID, so that `POST /v1/calls` with a valid `to_number`
# alone is accepted (as for the demo tenant) and its links are followed.
CALLER_ID = "+14155550100"
# What schemathesis generates for the contract's `e164` and `date-time` formats.
HOOKS = "tools.fuzz_hooks"


def tenant_key(stack: LocalStack, scopes: tuple[Scope, ...] = ALL_SCOPES) -> str:
    """The key of a fresh tenant holding `scopes`, with a default caller ID: the fuzzer's calls
    stay out of the demo's."""
    from dialtone.accounts import AccountStore, TenantSettingsUpdate

    accounts = AccountStore(
        stack.info["accounts_table"], dynamodb=stack.aws.session().client("dynamodb")
    )
    tenant = accounts.create_tenant(name=f"Fuzz {uuid.uuid4().hex[:6]}")
    accounts.update_settings(tenant.tenant_id, TenantSettingsUpdate(default_from_number=CALLER_ID))
    return accounts.create_key(tenant.tenant_id, scopes).plaintext


def command(api_url: str, key: str, budget: Budget, report_dir: Path) -> list[str]:
    """The schemathesis command line of one run."""
    args = [
        str(SCHEMATHESIS),
        f"--config-file={CONFIG}",
        "run",
        str(DOCUMENT),
        f"--url={api_url}",
        f"--header=X-API-Key: {key}",
        f"--checks={','.join(CHECKS)}",
        f"--phases={','.join(budget.phases)}",
        f"--max-examples={budget.max_examples}",
        f"--max-time={budget.max_time}",
        f"--workers={budget.workers}",
        "--request-timeout=30",
        "--continue-on-failure",
        # Failures are shown as they are; the key is a throwaway tenant's.
        "--output-sanitize=false",
        "--report=junit",
        f"--report-dir={report_dir}",
    ]
    if budget.seed is not None:
        args.append(f"--seed={budget.seed}")
    return args


def run(stack: LocalStack, budget: Budget, report_dir: Path) -> subprocess.CompletedProcess[str]:
    """One schemathesis run against a started local stack, its output captured."""
    key = tenant_key(stack)
    env = {**os.environ, "SCHEMATHESIS_HOOKS": HOOKS, "NO_COLOR": "1"}
    try:
        return subprocess.run(  # noqa: S603 (our own command line, with a key we made)
            command(stack.info["api_url"], key, budget, report_dir),
            capture_output=True,
            text=True,
            env=env,
            check=False,
            cwd=ROOT,
        )
    finally:
        delete_webhooks(stack.info["api_url"], key)


def delete_webhooks(api_url: str, key: str) -> None:
    """Delete the subscriptions the run created: their URLs are public addresses where nothing
    answers, and deliveries to them would go on being retried on the stack after the run (a
    deleted subscription's deliveries are dropped at their next attempt, with no request)."""
    from dialtone_client import Dialtone

    with Dialtone(api_key=key, base_url=api_url) as client:
        for webhook in client.list_webhooks():
            client.delete_webhook(webhook.id)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.fuzz", description=__doc__)
    parser.add_argument("--max-examples", type=int, default=LONG.max_examples)
    parser.add_argument("--max-time", type=int, default=LONG.max_time, help="seconds")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--phases", default=",".join(PHASES), help="comma-separated")
    options = parser.parse_args(argv)
    budget = Budget(
        options.max_examples,
        options.max_time,
        options.seed,
        phases=tuple(options.phases.split(",")),
    )

    from local.stack import LocalStack

    # The stack's log is kept (a failure that does not replay, such as a function timing out on
    # a busy machine, is explained there); the reports are not.
    LOG_PATH.parent.mkdir(parents=True, exist_ok=True)
    print(f"the local stack's log: {LOG_PATH}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as scratch, LOG_PATH.open("w") as log:
        stack = LocalStack(api_port=0, aws_port=0, demo_calls=0, log=log)
        stack.start()
        try:
            result = run(stack, budget, Path(scratch))
        finally:
            stack.stop()
    print(result.stdout, end="")
    print(result.stderr, end="", file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
