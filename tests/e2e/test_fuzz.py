"""The API against its own contract, over HTTP, on the local stack: schemathesis drives every
operation of the committed `openapi.json` with a key holding every scope (a bounded run of
`make fuzz`, tools/fuzz.py), and each operation refuses a request without a key, with a key it
does not know, and with a key lacking the operation's scope."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests

from dialtone.auth import ALL_SCOPES, Scope
from local.stack import LocalStack
from tools import fuzz, fuzz_hooks
from tools.openapi import REQUEST_EXAMPLES

pytestmark = pytest.mark.e2e

DOCUMENT = json.loads(Path(fuzz.DOCUMENT).read_text())


def _secured() -> list[tuple[str, str, Scope]]:
    """(method, path, the scope it requires) of every operation that requires a key."""
    return [
        (method.upper(), path, Scope(operation["security"][0]["ApiKey"][0]))
        for path, operations in DOCUMENT["paths"].items()
        for method, operation in operations.items()
        if operation.get("security")
    ]


SECURED = _secured()
# Links the bounded run's stateful phase follows at least: 12 with its seed on a busy 2-core
# machine (its share of the time budget varies), none before the contract named the `e164`
# format and the fuzzing tenant had a caller ID.
MIN_LINKS_COVERED = 5
SECURED_IDS = [f"{method} {path}" for method, path, _ in SECURED]


def test_the_api_keeps_its_contract_under_fuzzing(local_stack: LocalStack, tmp_path: Path) -> None:
    # Given the local stack and a fresh tenant's key with every scope
    # When schemathesis runs every phase and the contract's checks, bounded
    result = fuzz.run(local_stack, fuzz.BOUNDED, tmp_path)

    # Then no check fails and no request errs
    assert result.returncode == 0, result.stdout[-20_000:] + result.stderr[-5_000:]
    assert "44 selected / 44 total" in result.stdout
    # And the examples phase sends the document's example of every request body
    examples = re.search(r"Examples \(in [0-9.]+s\)\s+✅ (\d+) passed", result.stdout)
    assert examples is not None, result.stdout[-5_000:]
    assert int(examples.group(1)) >= len(REQUEST_EXAMPLES), result.stdout[-5_000:]
    # And the stateful phase follows the document's links from created calls (it can only
    # with phone numbers and times the API accepts: tools/fuzz_hooks.py)
    covered = re.search(r"API Links:\s+(\d+) covered", result.stdout)
    assert covered is not None, result.stdout[-5_000:]
    assert int(covered.group(1)) >= MIN_LINKS_COVERED, result.stdout[-5_000:]


@pytest.fixture(scope="module")
def keys(local_stack: LocalStack) -> dict[str, str]:
    """A key of a fresh tenant lacking each scope (holding all the others), by scope."""
    return {
        scope.value: fuzz.tenant_key(local_stack, tuple(s for s in ALL_SCOPES if s is not scope))
        for scope in Scope
    }


# One valid request per operation: a refusal must not depend on the input being wrong.
PATH_VALUES = {
    "call_id": str(uuid.uuid4()),
    "batch_id": str(uuid.uuid4()),
    "agent_id": "fuzz-agent",
    "webhook_id": "wh_0123456789abcdef",
    "delivery_id": "msg_0123456789ab0123456789abcdef",
}
NUMBER = "+14155550123"
QUERIES = {
    ("GET", "/v1/calls/export"): {"export_format": "csv"},
    ("DELETE", "/v1/suppressions"): {"phone_number": NUMBER},
}
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/v1/agents"): {
        "name": "Front desk",
        "connection": {"type": "twiml_url", "url": "https://example.com/twiml"},
    },
    ("PATCH", "/v1/agents/{agent_id}"): {"name": "Front desk"},
    ("POST", "/v1/calls"): {"to_number": NUMBER},
    ("POST", "/v1/calls/batch"): {"to_numbers": [NUMBER]},
    ("POST", "/v1/calls/search"): {"call_ids": [PATH_VALUES["call_id"]]},
    ("PUT", "/v1/calls/{call_id}"): {"direction": "inbound"},
    ("POST", "/v1/calls/{call_id}/events"): {
        "events": [{"type": "started", "timestamp": "2026-12-05T10:00:00Z"}]
    },
    ("POST", "/v1/calls/{call_id}/exchanges"): {
        "exchanges": [{"sequence_number": 0, "user_transcript": "Hello"}]
    },
    ("POST", "/v1/calls/{call_id}/issue-reports"): {"title": "Echo", "severity": "info"},
    ("POST", "/v1/calls/{call_id}/recording/upload"): {"format": "wav"},
    ("POST", "/v1/suppressions"): {"phone_number": NUMBER},
    ("POST", "/v1/webhooks"): {"url": "https://example.com/hook", "events": ["call.completed"]},
    ("PATCH", "/v1/webhooks/{webhook_id}"): {"events": ["call.completed"]},
}


def _send(stack: LocalStack, method: str, path: str, key: str | None) -> requests.Response:
    headers = {"X-API-Key": key} if key is not None else {}
    body = BODIES.get((method, path))
    return requests.request(
        method,
        stack.info["api_url"] + path.format(**PATH_VALUES),
        params=QUERIES.get((method, path)),
        json=body,
        headers=headers,
        timeout=60,
    )


def test_the_subscriptions_a_run_created_are_deleted_after_it(local_stack: LocalStack) -> None:
    # Given a fuzzing tenant's subscriptions, on public addresses where nothing answers
    key = fuzz.tenant_key(local_stack)
    api_url = local_stack.info["api_url"]
    with httpx.Client(base_url=api_url, headers={"X-API-Key": key}, timeout=30) as client:
        for host in fuzz_hooks.PUBLIC_HOSTS[:3]:
            body = {"url": f"https://{host}/hook", "events": ["call.completed"]}
            assert client.post("/v1/webhooks", json=body).status_code == 201

        # When the run's clean-up deletes them
        fuzz.delete_webhooks(api_url, key)

        # Then the tenant has none left
        assert client.get("/v1/webhooks").json()["webhooks"] == []


@pytest.mark.parametrize(("method", "path", "scope"), SECURED, ids=SECURED_IDS)
def test_an_operation_refuses_a_request_without_a_key_or_with_an_unknown_one(
    local_stack: LocalStack, method: str, path: str, scope: Scope
) -> None:
    # Without a key, and with a key nobody issued: API Gateway's 403, from the authorizer (no
    # identity source, so no 401: see README), before any function runs
    for key in (None, f"dt_{uuid.uuid4().hex[:16]}_not-a-key"):
        response = _send(local_stack, method, path, key)

        assert response.status_code == 403, response.text
        assert set(response.json()) == {"message"}, response.text


@pytest.mark.parametrize(("method", "path", "scope"), SECURED, ids=SECURED_IDS)
def test_an_operation_refuses_a_key_without_its_scope(
    local_stack: LocalStack, keys: dict[str, str], method: str, path: str, scope: Scope
) -> None:
    # Given a key holding every scope but the operation's, and a request it would otherwise take
    response = _send(local_stack, method, path, keys[scope.value])

    # Then 403 naming the scope
    assert response.status_code == 403, response.text
    assert response.json() == {"detail": f"Missing scope {scope.value}"}
