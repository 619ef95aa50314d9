"""Agents and the do-not-call list over real HTTP, through SAM's API Gateway emulator and the
authorizer, for a tenant of this test."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
import requests

from dialtone.accounts import AccountStore
from dialtone.auth import Scope
from local.stack import LocalStack

pytestmark = pytest.mark.e2e


@pytest.fixture
def http(local_stack: LocalStack) -> Any:
    """`http(method, path, **kwargs)` for a fresh tenant whose key carries every scope."""
    session = local_stack.aws.session()
    accounts = AccountStore(local_stack.info["accounts_table"], dynamodb=session.client("dynamodb"))
    tenant = accounts.create_tenant(name=f"Agents {uuid.uuid4().hex[:4]}")
    key = accounts.create_key(tenant.tenant_id, tuple(Scope)).plaintext

    def request(method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"X-API-Key": key, **kwargs.pop("headers", {})}
        url = local_stack.info["api_url"] + path
        return requests.request(method, url, headers=headers, timeout=30, **kwargs)

    return request


def test_an_agent_round_trip_over_http(http: Any, caplog: pytest.LogCaptureFixture) -> None:
    agent = {
        "agent_id": "front-desk",
        "name": "Front desk",
        "phone_numbers": ["+14155550100"],
        "connection": {"type": "twiml_url", "url": "https://voice.example.com/twiml"},
    }
    created = http("POST", "/v1/agents", json=agent)
    assert created.status_code == 201, created.text
    assert http("POST", "/v1/agents", json=agent).status_code == 409

    changed = http("PATCH", "/v1/agents/front-desk", json={"name": "Reception"})
    assert (changed.status_code, changed.json()["name"]) == (200, "Reception")
    assert [a["agent_id"] for a in http("GET", "/v1/agents").json()["agents"]] == ["front-desk"]

    wrong_type = http("POST", "/v1/agents", data="name=x", headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    assert "application/json" in wrong_type.json()["detail"]

    with caplog.at_level(logging.WARNING):
        assert http("DELETE", "/v1/agents/front-desk").status_code == 204
    # (an answer without a body is what a 204 is: the stack's terminal is not warned of it)
    assert not [r for r in caplog.records if "empty body" in r.getMessage()]
    gone = http("GET", "/v1/agents/front-desk")
    assert (gone.status_code, gone.json()) == (404, {"detail": "Agent not found"})


def test_a_suppression_round_trip_over_http(http: Any) -> None:
    added = http("POST", "/v1/suppressions", json={"phone_number": "+14155550123"})
    assert added.status_code == 201, added.text
    assert (
        http("POST", "/v1/suppressions", json={"phone_number": "+14155550123"}).status_code == 200
    )
    listed = http("GET", "/v1/suppressions").json()["suppressions"]
    assert [s["phone_number"] for s in listed] == ["+14155550123"]

    # A `+` left unencoded in the query string still names the number.
    removed = http("DELETE", "/v1/suppressions?phone_number=+14155550123")
    assert removed.status_code == 204, removed.text
    again = http("DELETE", "/v1/suppressions", params={"phone_number": "+14155550123"})
    assert (again.status_code, again.json()) == (404, {"detail": "Suppression not found"})
