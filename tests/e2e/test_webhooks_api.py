"""Webhook subscriptions over real HTTP on the local stack, which lets a receiver on 127.0.0.1
be subscribed (and nothing else that is not public)."""

from __future__ import annotations

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
    """`http(method, path, **kwargs)` for a fresh tenant whose key manages webhooks only."""
    session = local_stack.aws.session()
    accounts = AccountStore(local_stack.info["accounts_table"], dynamodb=session.client("dynamodb"))
    tenant = accounts.create_tenant(name=f"Webhooks {uuid.uuid4().hex[:4]}")
    key = accounts.create_key(tenant.tenant_id, (Scope.WEBHOOKS_MANAGE,)).plaintext

    def request(method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"X-API-Key": key, **kwargs.pop("headers", {})}
        url = local_stack.info["api_url"] + path
        return requests.request(method, url, headers=headers, timeout=30, **kwargs)

    return request


def test_a_loopback_receiver_is_subscribed_on_the_local_stack(http: Any) -> None:
    # Given a receiver on this machine, subscribed over plain http
    created = http(
        "POST",
        "/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "events": ["call.started", "call.completed"]},
    )
    assert created.status_code == 201, created.text
    webhook = created.json()
    assert webhook["secret"].startswith("whsec_")

    # Then it is listed, can be tested and rotated, and is gone once deleted
    listed = http("GET", "/v1/webhooks").json()
    assert [w["id"] for w in listed["webhooks"]] == [webhook["id"]]
    tested = http("POST", f"/v1/webhooks/{webhook['id']}/test")
    assert tested.status_code == 202, tested.text
    assert tested.json()["delivery_id"].startswith("msg_")
    rotated = http("POST", f"/v1/webhooks/{webhook['id']}/rotate-secret")
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != webhook["secret"]
    assert http("DELETE", f"/v1/webhooks/{webhook['id']}").status_code == 204
    gone = http("GET", f"/v1/webhooks/{webhook['id']}")
    assert (gone.status_code, gone.json()) == (404, {"detail": "Webhook not found"})


def test_other_non_public_urls_stay_refused_on_the_local_stack(http: Any) -> None:
    for url, reason in [
        ("http://10.0.0.1/hook", "The host 10.0.0.1 is a private address"),
        ("http://169.254.169.254/", "The host 169.254.169.254 is the cloud metadata address"),
        ("https://2130706433/", "is an IPv4 address in a non-standard form"),
    ]:
        refused = http("POST", "/v1/webhooks", json={"url": url, "events": ["call.completed"]})
        assert refused.status_code == 422, url
        (issue,) = refused.json()["detail"]
        assert issue["loc"] == ["body", "url"]
        assert reason in issue["msg"]
    assert http("GET", "/v1/webhooks").json() == {"webhooks": [], "next_cursor": None}


def test_a_key_without_the_scope_is_refused(local_stack: LocalStack) -> None:
    # Given a key of the demo tenant that may read calls only
    session = local_stack.aws.session()
    accounts = AccountStore(local_stack.info["accounts_table"], dynamodb=session.client("dynamodb"))
    key = accounts.create_key(local_stack.info["tenant_id"], (Scope.CALLS_READ,)).plaintext

    # When it asks for the webhooks
    answer = requests.get(
        local_stack.info["api_url"] + "/v1/webhooks", headers={"X-API-Key": key}, timeout=30
    )

    # Then the function refuses it
    assert (answer.status_code, answer.json()) == (403, {"detail": "Missing scope webhooks:manage"})
