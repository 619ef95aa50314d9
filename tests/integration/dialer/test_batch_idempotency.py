"""POST /v1/calls/batch honours Idempotency-Key as POST /v1/calls does: a retry with the same
key and body gets the first answer and queues nothing again; the key is the tenant's own."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dialtone import settings
from dialtone.dialing import accept
from local.endpoint import environment
from local.invoke import api_event, invoke
from tests.integration.dialer.conftest import FROM_NUMBER, DialQueues, DialTenant
from tests.integration.dialer.test_dialing_api import (
    create_call,
    messages,
    stored_batches,
    tenant_calls,
)


@pytest.fixture(autouse=True)
def _handlers_on_this_tests_queue(dial_queues: DialQueues) -> Iterator[None]:
    with environment({"DIAL_QUEUE_URL": dial_queues.url}):
        settings.reset()
        yield
    settings.reset()


def batch_answer(
    tenant: DialTenant, body: Any, key: str | None, query: dict[str, str] | None = None
) -> dict[str, Any]:
    """The handler's whole answer to POST /v1/calls/batch: status, headers and body."""
    event = api_event(
        "create_call_batch",
        "POST /v1/calls/batch",
        "/v1/calls/batch",
        authorizer=tenant.fixture.authorizer(),
        body=json.dumps(body),
        headers={"Idempotency-Key": key} if key else None,
        query=query,
    )
    answer = invoke("create_call_batch", event)
    answer["json"] = json.loads(answer["body"])
    return answer


NUMBERS = ["+14155550161", "+14155550162", "+14155550163"]


def test_a_replayed_batch_gets_the_first_answer_and_queues_nothing_again(
    dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    # Given a batch requested with an Idempotency-Key
    key = f"batch-{uuid.uuid4()}"
    first = batch_answer(dial_tenant, {"to_numbers": NUMBERS}, key)

    # When the same request is sent again with the same key
    second = batch_answer(dial_tenant, {"to_numbers": NUMBERS}, key)

    # Then both answer the same batch; the second says it is a replay, the first that it is not
    assert (first["statusCode"], second["statusCode"]) == (202, 202)
    assert second["json"] == first["json"]
    assert first["headers"]["Idempotent-Replayed"] == "false"
    assert second["headers"]["Idempotent-Replayed"] == "true"
    # And one batch of three calls was stored, and each call queued once
    assert stored_batches(dial_tenant) == [first["json"]["batch_id"]]
    assert len(tenant_calls(dial_tenant)) == 3
    assert len(messages(dial_queues)) == 3


def test_a_batch_without_an_idempotency_key_has_no_replay_header(
    dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    answer = batch_answer(dial_tenant, {"to_numbers": NUMBERS[:1]}, None)
    assert answer["statusCode"] == 202
    assert "Idempotent-Replayed" not in answer.get("headers", {})
    tenant_calls(dial_tenant)


def test_the_stored_answer_of_a_1000_number_batch_is_replayed_whole(
    dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    # Given a batch of 1,000 numbers, 998 of them repeats, which its answer lists one by one
    numbers = ["+14155550171", "+14155550172"] * 500
    key = f"big-{uuid.uuid4()}"
    first = batch_answer(dial_tenant, {"to_numbers": numbers}, key)
    assert first["statusCode"] == 202
    assert len(first["json"]["duplicates"]) == 998

    # When it is sent again with the same key
    second = batch_answer(dial_tenant, {"to_numbers": numbers}, key)

    # Then the whole first answer comes back, and nothing more was queued
    assert (second["statusCode"], second["headers"]["Idempotent-Replayed"]) == (202, "true")
    assert second["json"] == first["json"]
    assert len(tenant_calls(dial_tenant)) == 2
    assert len(messages(dial_queues)) == 2


def test_the_same_key_with_another_batch_is_refused(
    dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    key = f"batch-{uuid.uuid4()}"
    assert batch_answer(dial_tenant, {"to_numbers": NUMBERS}, key)["statusCode"] == 202

    answer = batch_answer(dial_tenant, {"to_numbers": NUMBERS[:2]}, key)

    assert (answer["statusCode"], answer["json"]) == (
        422,
        {"detail": "Idempotency-Key was already used with a different request body"},
    )
    assert len(stored_batches(dial_tenant)) == 1
    assert len(tenant_calls(dial_tenant)) == 3
    assert len(messages(dial_queues)) == 3


def test_a_key_is_the_tenants_own(
    dial_tenant: DialTenant,
    dial_queues: DialQueues,
    make_tenant: Any,
    account_store: Any,
    call_store: Any,
) -> None:
    # Given a tenant that sent a batch with a key
    key = f"shared-{uuid.uuid4()}"
    mine = batch_answer(dial_tenant, {"to_numbers": NUMBERS}, key)
    other = DialTenant(make_tenant(), account_store, call_store)
    other.settings(default_from_number=FROM_NUMBER, telephony_account_id=f"acct-{other.tenant_id}")

    # When another tenant sends a batch, the same one or another, with the same key
    same = batch_answer(other, {"to_numbers": NUMBERS}, key)
    different = batch_answer(other, {"to_numbers": NUMBERS[:1]}, f"{key}-2")
    reused = batch_answer(other, {"to_numbers": NUMBERS[:1]}, key)

    # Then its batch is its own, new, not the first tenant's answer
    assert (mine["statusCode"], same["statusCode"], different["statusCode"]) == (202, 202, 202)
    assert same["headers"]["Idempotent-Replayed"] == "false"
    assert same["json"]["batch_id"] != mine["json"]["batch_id"]
    assert set(stored_batches(other)) == {same["json"]["batch_id"], different["json"]["batch_id"]}
    # And within that tenant the key now belongs to its first batch
    assert reused["statusCode"] == 422
    tenant_calls(dial_tenant)
    tenant_calls(other)


def test_a_key_used_by_a_single_call_is_free_for_a_batch(
    dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    key = f"both-{uuid.uuid4()}"
    status, _ = create_call(
        dial_tenant, {"to_number": NUMBERS[0]}, headers={"Idempotency-Key": key}
    )

    answer = batch_answer(dial_tenant, {"to_numbers": NUMBERS}, key)

    assert (status, answer["statusCode"]) == (202, 202)
    assert answer["headers"]["Idempotent-Replayed"] == "false"
    assert len(tenant_calls(dial_tenant)) == 4


def test_a_dry_run_neither_uses_nor_checks_the_key(
    dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    # Given a dry run sent with a key
    key = f"plan-{uuid.uuid4()}"
    plan = batch_answer(dial_tenant, {"to_numbers": NUMBERS[:1]}, key, {"dry_run": "true"})

    # When the real batch, with other numbers, is sent with that key
    real = batch_answer(dial_tenant, {"to_numbers": NUMBERS}, key)

    # Then the dry run answered its plan and the batch is created, not refused or replayed
    assert plan["statusCode"] == 200
    assert "Idempotent-Replayed" not in plan.get("headers", {})
    assert (real["statusCode"], real["headers"]["Idempotent-Replayed"]) == (202, "false")
    # And a dry run after it is still a plan, not the stored batch
    again = batch_answer(dial_tenant, {"to_numbers": NUMBERS}, key, {"dry_run": "true"})
    assert (again["statusCode"], again["json"]["will_dial"]) == (200, 3)
    assert len(messages(dial_queues)) == 3
    tenant_calls(dial_tenant)


def test_a_retry_while_the_first_batch_is_still_running_is_told_to_wait(
    dial_tenant: DialTenant, dial_queues: DialQueues, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a batch whose storing is under way when the client retries it with the same key
    key = f"slow-{uuid.uuid4()}"
    real = accept.dialing()
    retries: list[dict[str, Any]] = []

    class RetriedMidway:
        def create_batch(self, principal: Any, request: Any) -> Any:
            retries.append(batch_answer(dial_tenant, {"to_numbers": NUMBERS}, key))
            return real.create_batch(principal, request)

    monkeypatch.setattr(accept, "dialing", RetriedMidway)

    # When the first request completes
    first = batch_answer(dial_tenant, {"to_numbers": NUMBERS}, key)

    # Then the retry was told the first is in progress, and the batch was queued once
    [retry] = retries
    assert (retry["statusCode"], retry["json"]) == (
        409,
        {"detail": "A request with this Idempotency-Key is still in progress; retry shortly"},
    )
    assert first["statusCode"] == 202
    assert len(messages(dial_queues)) == 3
    tenant_calls(dial_tenant)
