"""The contract of queueing outbound calls, through the handlers: POST /v1/calls (with
Idempotency-Key), POST /v1/calls/batch, GET /v1/calls/batch/{id} and cancel."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dialtone import dialing, settings
from dialtone.auth import Scope
from dialtone.dialer import Dialer, DialOutcome
from dialtone.models import CallStatus
from local.endpoint import environment
from local.invoke import api_event, invoke
from tests.integration.dialer.conftest import DialQueues, DialTenant, FakeProvider


@pytest.fixture
def queue_url(dial_queues: DialQueues) -> str:
    return dial_queues.url


@pytest.fixture(autouse=True)
def _handlers_on_this_tests_queue(
    handler_environment: dict[str, str], queue_url: str
) -> Iterator[None]:
    """The dialing handlers send to this test's own dial queue."""

    def forget() -> None:
        settings.reset()
        dialing.dialing.cache_clear()
        dialing._idempotent_create_call.cache_clear()

    with environment({"DIAL_QUEUE_URL": queue_url}):
        forget()
        yield
    forget()


def request(
    function: str,
    route: str,
    path: str,
    authorizer: dict[str, str],
    body: Any = None,
    headers: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
) -> tuple[int, Any]:
    event = api_event(
        function,
        route,
        path,
        authorizer=authorizer,
        body=None if body is None else body if isinstance(body, str) else json.dumps(body),
        headers=headers,
        path_parameters=path_parameters,
    )
    result = invoke(function, event)
    text = result.get("body") or "null"
    return result["statusCode"], json.loads(text)


def create_call(tenant: DialTenant, body: Any, **options: Any) -> tuple[int, Any]:
    authorizer = options.pop("authorizer", None) or tenant.fixture.authorizer()
    return request("create_call", "POST /v1/calls", "/v1/calls", authorizer, body, **options)


def create_batch(tenant: DialTenant, body: Any, **options: Any) -> tuple[int, Any]:
    authorizer = options.pop("authorizer", None) or tenant.fixture.authorizer()
    route = "POST /v1/calls/batch"
    return request("create_call_batch", route, "/v1/calls/batch", authorizer, body, **options)


def get_batch(tenant: DialTenant, batch_id: str) -> tuple[int, Any]:
    return request(
        "get_call_batch",
        "GET /v1/calls/batch/{batch_id}",
        f"/v1/calls/batch/{batch_id}",
        tenant.fixture.authorizer(),
        path_parameters={"batch_id": batch_id},
    )


def cancel(tenant: DialTenant, call_id: str) -> tuple[int, Any]:
    return request(
        "cancel_call",
        "POST /v1/calls/{call_id}/cancel",
        f"/v1/calls/{call_id}/cancel",
        tenant.fixture.authorizer(),
        path_parameters={"call_id": call_id},
    )


def messages(dial_queues: DialQueues) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while batch := dial_queues.receive():
        found += batch
    return [json.loads(m["Body"]) for m in found]


def tenant_calls(tenant: DialTenant) -> list[Any]:
    """Every call the tenant has (the ByTenantTime index), remembered for clean-up."""
    from dialtone.store import stored_call

    response = tenant.calls.dynamodb.query(
        TableName=tenant.calls.table_name,
        IndexName="ByTenantTime",
        KeyConditionExpression="tenant_id = :t",
        ExpressionAttributeValues={":t": {"S": tenant.tenant_id}},
    )
    calls = [stored_call(item).call for item in response["Items"]]
    tenant.fixture.call_ids.extend(c.id for c in calls if c.id not in tenant.fixture.call_ids)
    return calls


# POST /v1/calls


def test_a_call_is_accepted_queued_and_enqueued(
    dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    status, body = create_call(dial_tenant, {"to_number": "+1 (415) 555-0123"})
    assert status == 202
    assert set(body) == {"call_id", "call_sid", "status"}
    assert body["status"] == "queued"
    assert body["call_sid"].startswith("queued-")
    assert len(body["call_sid"]) == len("queued-") + 32
    stored = dial_tenant.call(body["call_id"]).call
    dial_tenant.fixture.call_ids.append(stored.id)
    assert (stored.status, stored.direction.value) == (CallStatus.QUEUED, "outbound")
    assert (stored.to_number, stored.from_number) == ("+14155550123", "+14155550100")
    assert stored.queued_at is not None
    assert messages(dial_queues) == [{"tenant_id": dial_tenant.tenant_id, "call_id": stored.id}]


@pytest.mark.parametrize("number", ["4155550123", "+1 555", "+999123456789", "call me"])
def test_a_number_that_is_not_e164_is_refused_with_the_reason(
    dial_tenant: DialTenant, dial_queues: DialQueues, number: str
) -> None:
    status, body = create_call(dial_tenant, {"to_number": number})
    assert status == 422
    [error] = body["detail"]
    assert error["loc"] == ["body", "to_number"]
    assert error["msg"]
    assert messages(dial_queues) == []


def test_the_same_idempotency_key_and_body_return_the_same_call_once(
    dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    key = {"Idempotency-Key": f"retry-{uuid.uuid4()}"}
    first = create_call(dial_tenant, {"to_number": "+14155550123"}, headers=key)
    second = create_call(dial_tenant, {"to_number": "+14155550123"}, headers=key)
    assert first == second
    assert first[0] == 202
    assert len(tenant_calls(dial_tenant)) == 1
    assert len(messages(dial_queues)) == 1


def test_the_same_idempotency_key_with_another_body_is_refused(
    dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    key = {"Idempotency-Key": f"retry-{uuid.uuid4()}"}
    assert create_call(dial_tenant, {"to_number": "+14155550123"}, headers=key)[0] == 202
    status, body = create_call(dial_tenant, {"to_number": "+14155550124"}, headers=key)
    assert (status, body) == (
        422,
        {"detail": "Idempotency-Key was already used with a different request body"},
    )
    assert len(tenant_calls(dial_tenant)) == 1


def test_dialing_needs_calls_write(dial_tenant: DialTenant, dial_queues: DialQueues) -> None:
    status, body = create_call(
        dial_tenant,
        {"to_number": "+14155550123"},
        authorizer=dial_tenant.fixture.authorizer(Scope.CALLS_READ),
    )
    assert (status, body) == (403, {"detail": "Missing scope calls:write"})
    assert messages(dial_queues) == []


def test_a_body_that_is_not_json_is_refused(dial_tenant: DialTenant) -> None:
    status, body = create_call(
        dial_tenant, "to_number=+14155550123", headers={"content-type": "text/plain"}
    )
    assert status == 415
    assert "application/json" in body["detail"]


def test_without_any_from_number_the_call_is_refused(
    make_tenant: Any, account_store: Any, call_store: Any, dial_queues: DialQueues
) -> None:
    # Given a tenant with no default number, and a request naming neither number nor agent
    bare = DialTenant(make_tenant(), account_store, call_store)
    status, body = create_call(bare, {"to_number": "+14155550123"})
    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "from_number"]
    assert tenant_calls(bare) == []


def test_a_queue_that_refuses_the_message_leaves_the_call_failed_not_queued(
    dial_tenant: DialTenant,
) -> None:
    # Given a dial queue that does not exist (SendMessage fails)
    missing = "http://127.0.0.1:9/000000000000/no-such-queue"
    with environment({"DIAL_QUEUE_URL": missing}):
        settings.reset()
        dialing.dialing.cache_clear()
        status, body = create_call(dial_tenant, {"to_number": "+14155550123"})
    # Then the client is told to try again, and the call is failed, never left queued
    assert status == 503
    assert "dial queue" in body["detail"]
    [call] = tenant_calls(dial_tenant)
    assert (call.status, call.error_reason) == (CallStatus.FAILED, "enqueue_failed")


# POST /v1/calls/batch and GET /v1/calls/batch/{id}


def test_a_batch_whose_messages_cannot_be_sent_ends_failed_not_queued(
    dial_tenant: DialTenant,
) -> None:
    # Given a dial queue that does not exist
    missing = "http://127.0.0.1:9/000000000000/no-such-queue"
    with environment({"DIAL_QUEUE_URL": missing}):
        settings.reset()
        dialing.dialing.cache_clear()
        status, body = create_batch(dial_tenant, {"to_numbers": ["+14155550161", "+14155550162"]})
    # Then the batch exists, and its calls are failed (enqueue_failed), none left queued
    assert status == 202
    _, batch = get_batch(dial_tenant, body["batch_id"])
    dial_tenant.fixture.call_ids.extend(c["call_id"] for c in batch["calls"])
    assert (batch["queued"], batch["failed"]) == (0, 2)
    assert {c["error"] for c in batch["calls"]} == {"enqueue_failed"}


def test_a_batch_keeps_invalid_numbers_as_failed_entries(
    dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    numbers = ["+14155550141", "not a number", "+14155550142"]
    status, body = create_batch(dial_tenant, {"to_numbers": numbers})
    assert status == 202
    assert (body["total"], body["status"]) == (3, "queued")
    status, batch = get_batch(dial_tenant, body["batch_id"])
    dial_tenant.fixture.call_ids.extend(c["call_id"] for c in batch["calls"])
    assert status == 200
    assert (batch["total"], batch["queued"], batch["failed"]) == (3, 2, 1)
    assert batch["queued"] + batch["initiated"] + batch["completed"] + batch["failed"] == 3
    invalid = [c for c in batch["calls"] if c["status"] == "failed"]
    assert [(c["to_number"], c["error"]) for c in invalid] == [("not a number", "Invalid number")]
    assert len(messages(dial_queues)) == 2


@pytest.mark.parametrize("count", [0, 1001])
def test_a_batch_holds_1_to_1000_numbers(
    dial_tenant: DialTenant, dial_queues: DialQueues, count: int
) -> None:
    numbers = [f"+1415555{n % 10000:04d}" for n in range(count)]
    status, body = create_batch(dial_tenant, {"to_numbers": numbers})
    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "to_numbers"]
    assert messages(dial_queues) == []


def test_another_tenants_batch_and_an_unknown_batch_are_not_found(
    dial_tenant: DialTenant, make_tenant: Any, account_store: Any, call_store: Any
) -> None:
    _, body = create_batch(dial_tenant, {"to_numbers": ["+14155550151"]})
    tenant_calls(dial_tenant)
    other = DialTenant(make_tenant(), account_store, call_store)
    assert get_batch(other, body["batch_id"]) == (404, {"detail": "Batch not found"})
    assert get_batch(dial_tenant, str(uuid.uuid4())) == (404, {"detail": "Batch not found"})


# Cancel


def test_a_canceled_queued_call_is_never_dialed(
    dial_tenant: DialTenant,
    dial_queues: DialQueues,
    make_dialer: Callable[..., Dialer],
    provider: FakeProvider,
) -> None:
    _, accepted = create_call(dial_tenant, {"to_number": "+14155550123"})
    dial_tenant.fixture.call_ids.append(accepted["call_id"])
    status, body = cancel(dial_tenant, accepted["call_id"])
    assert (status, body["status"], body["end_reason"]) == (200, "canceled", "canceled")
    # When the dialer takes the call's message, nothing is dialed
    [message] = dial_queues.receive()
    assert make_dialer().handle(message["Body"]) is DialOutcome.NOT_QUEUED
    assert provider.attempts == []


def test_a_call_no_longer_queued_cannot_be_canceled(
    dial_tenant: DialTenant, make_dialer: Callable[..., Dialer]
) -> None:
    dialed = dial_tenant.queued_call()
    make_dialer().handle(dial_tenant.message(dialed.id))
    status, body = cancel(dial_tenant, dialed.id)
    assert status == 409
    assert body["detail"] == "Call is initiated, only a queued call can be canceled"


def test_a_call_claimed_by_a_dialer_cannot_be_canceled(dial_tenant: DialTenant) -> None:
    call = dial_tenant.queued_call()
    dial_tenant.calls.change_call(
        dial_tenant.tenant_id, call.id, CallStatus.QUEUED, {"claim_token": "t"}
    )
    status, _ = cancel(dial_tenant, call.id)
    assert status == 409
    assert dial_tenant.call(call.id).call.status is CallStatus.QUEUED


def test_an_unknown_call_cannot_be_canceled(dial_tenant: DialTenant) -> None:
    assert cancel(dial_tenant, str(uuid.uuid4())) == (404, {"detail": "Call not found"})
