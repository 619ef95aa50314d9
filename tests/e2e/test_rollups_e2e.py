"""List totals on the local stack: the stream poller delivers the calls table's records to the
stream consumer, and `GET /v1/calls` counts a call as it is created, changes and is erased."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from dialtone.accounts import AccountStore
from dialtone.auth import Scope
from local.pollers import wait_until
from local.stack import LocalStack

pytestmark = pytest.mark.e2e

START = (datetime.now(UTC) - timedelta(minutes=30)).replace(microsecond=0)


def _key(local_stack: LocalStack) -> tuple[str, str]:
    """A new tenant's key with every scope."""
    accounts = AccountStore(
        local_stack.info["accounts_table"], dynamodb=local_stack.aws.session().client("dynamodb")
    )
    tenant = accounts.create_tenant(name=f"Totals {uuid.uuid4().hex[:4]}")
    scopes = (Scope.CALLS_READ, Scope.CALLS_INGEST, Scope.ADMIN)
    return tenant.tenant_id, accounts.create_key(tenant.tenant_id, scopes).plaintext


def test_a_call_is_counted_as_it_is_created_changes_and_is_erased(
    local_stack: LocalStack,
) -> None:
    # Given a tenant of its own, with no call
    _, key = _key(local_stack)
    base = local_stack.info["api_url"]

    def call(method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(
            method, base + path, headers={"X-API-Key": key}, timeout=30, **kwargs
        )

    def totals(**query: str) -> dict[str, Any]:
        answer = call("GET", "/v1/calls", params=query)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def settles(expected: int, **query: str) -> bool:
        return wait_until(lambda: totals(**query)["total"] == expected, timeout=30)

    # When the runtime creates a call, then completes it
    call_id = str(uuid.uuid4())
    fields = {
        "direction": "inbound",
        "from_number": "+14155550163",
        "to_number": "+14155550100",
        "start_time": START.isoformat().replace("+00:00", "Z"),
    }
    created_at = datetime.now(UTC)
    assert call("PUT", f"/v1/calls/{call_id}", json=fields).status_code == 201

    # Then it is counted once the stream consumer has it, and total_as_of says so
    assert settles(1)
    assert settles(1, status="in_progress")
    as_of = datetime.fromisoformat(totals()["total_as_of"].replace("Z", "+00:00"))
    assert as_of >= created_at - timedelta(seconds=5)

    # When it completes
    done = {**fields, "status": "completed", "duration_seconds": 95.0, "outcome": "resolved"}
    assert call("PUT", f"/v1/calls/{call_id}", json=done).status_code == 200

    # Then it moves from in_progress to completed, and is still one call
    assert settles(1, status="completed", outcome="resolved")
    assert settles(0, status="in_progress")
    assert totals(phone_number="+14155550163")["total"] == 1

    # When it is erased, then it is counted no more
    assert call("DELETE", f"/v1/calls/{call_id}").status_code == 204
    assert settles(0)
