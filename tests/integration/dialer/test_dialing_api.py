"""The contract of queueing outbound calls, through the handlers: POST /v1/calls (with
Idempotency-Key), POST /v1/calls/batch, GET /v1/calls/batch/{id} and cancel."""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dialtone import settings
from dialtone.auth import Scope
from dialtone.dialing import accept
from dialtone.dialing.counters import read_counts
from dialtone.dialing.dialer import Dialer, DialOutcome
from dialtone.model_types import CallStatus
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


def create_call_answer(tenant: DialTenant, body: Any, headers: dict[str, str]) -> dict[str, Any]:
    """The handler's whole answer to POST /v1/calls: status, headers and body."""
    event = api_event(
        "create_call",
        "POST /v1/calls",
        "/v1/calls",
        authorizer=tenant.fixture.authorizer(),
        body=json.dumps(body),
        headers=headers,
    )
    return invoke("create_call", event)


def test_a_replayed_idempotency_key_says_so_and_a_new_call_says_it_is_not(
    dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    # Given a call requested with an Idempotency-Key
    key = {"Idempotency-Key": f"replay-{uuid.uuid4()}"}
    first = create_call_answer(dial_tenant, {"to_number": "+14155550123"}, key)

    # When the same request is sent again with the same key
    second = create_call_answer(dial_tenant, {"to_number": "+14155550123"}, key)

    # Then the first created the call and says it is no replay; the second answers the stored
    # call, saying it is a replay
    assert (first["statusCode"], second["statusCode"]) == (202, 202)
    assert first["headers"]["Idempotent-Replayed"] == "false"
    assert second["headers"]["Idempotent-Replayed"] == "true"
    assert json.loads(second["body"]) == json.loads(first["body"])
    # And one call was stored and queued
    assert len(tenant_calls(dial_tenant)) == 1
    assert len(messages(dial_queues)) == 1


def test_a_call_requested_without_an_idempotency_key_has_no_replay_header(
    dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    answer = create_call_answer(dial_tenant, {"to_number": "+14155550123"}, {})
    assert answer["statusCode"] == 202
    assert "Idempotent-Replayed" not in answer.get("headers", {})
    dial_tenant.fixture.call_ids.append(json.loads(answer["body"])["call_id"])


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


def nested(levels: int) -> dict[str, Any]:
    """Metadata that is `levels` maps deep, itself included."""
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(levels - 1):
        value = {"next": value}
    return value


@pytest.mark.parametrize(
    ("metadata", "reason"),
    [
        ('{"x": 1e-200}', "out of range"),
        ('{"x": -1e-131}', "out of range"),
        ('{"x": 1e126}', "out of range"),
        ('{"x": 1e400}', "not a finite number"),
        ('{"x": -1e400}', "not a finite number"),
        ('{"x": NaN}', "not a finite number"),
        ('{"x": [1, {"y": 123456789012345678901234567890123456789}]}', "more than 38 digits"),
        ('{"x": 100000000000000000000000000000000000000}', "more than 38 digits"),
        (json.dumps(nested(33)), "nested more than 32 levels"),
        (json.dumps({"notes": "x" * 4100}), "4 KB"),
    ],
)
def test_metadata_the_calls_table_cannot_store_is_refused_with_the_reason(
    dial_tenant: DialTenant, dial_queues: DialQueues, metadata: str, reason: str
) -> None:
    # Given a call whose metadata holds a value DynamoDB cannot store as it is
    body = f'{{"to_number": "+14155550123", "metadata": {metadata}}}'

    # When it is requested, alone or in a batch
    single = create_call(dial_tenant, body)
    batch_body = body.replace('"to_number": "+14155550123"', '"to_numbers": ["+14155550123"]')
    batch = create_batch(dial_tenant, batch_body)

    # Then both are refused (422) naming the metadata and why, and nothing is stored or queued
    for status, answer in (single, batch):
        assert status == 422, answer
        [error] = answer["detail"]
        assert error["loc"] == ["body", "metadata"]
        assert reason in error["msg"]
    assert tenant_calls(dial_tenant) == []
    assert messages(dial_queues) == []


def test_metadata_at_the_limits_the_calls_table_can_store_is_kept(
    dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    # Given metadata at every limit: 32 levels deep, the smallest and largest magnitudes, 38 digits
    metadata = {
        "deep": nested(31),
        "tiny": 1e-130,
        "huge": -9.99e125,
        "digits": 12345678901234567890123456789012345678,
        "zero": 0.0,
    }

    # When the call is requested
    status, body = create_call(dial_tenant, {"to_number": "+14155550123", "metadata": metadata})

    # Then it is accepted, and the call carries the metadata
    assert status == 202, body
    dial_tenant.fixture.call_ids.append(body["call_id"])
    stored = dial_tenant.call(body["call_id"]).call.metadata
    assert math.isclose(stored.pop("huge"), metadata.pop("huge"))
    assert stored == metadata


def test_an_unknown_agent_is_a_bad_field_of_the_body(
    dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    # Given a tenant without an agent "ghost"
    # When a call and a batch name it
    single = create_call(dial_tenant, {"to_number": "+14155550123", "agent_id": "ghost"})
    batch = create_batch(dial_tenant, {"to_numbers": ["+14155550123"], "agent_id": "ghost"})

    # Then both are refused as invalid input on agent_id (422, not a 404 of the URL)
    for status, body in (single, batch):
        assert status == 422, body
        assert [(e["loc"], e["msg"]) for e in body["detail"]] == [
            (["body", "agent_id"], "Agent ghost not found")
        ]
    # And nothing is stored or queued
    assert tenant_calls(dial_tenant) == []
    assert messages(dial_queues) == []


def test_without_any_from_number_the_call_is_refused(
    make_tenant: Any, account_store: Any, call_store: Any, dial_queues: DialQueues
) -> None:
    # Given a tenant with no default number, and a request naming neither number nor agent
    bare = DialTenant(make_tenant(), account_store, call_store)
    status, body = create_call(bare, {"to_number": "+14155550123"})
    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "from_number"]
    assert tenant_calls(bare) == []


def test_a_from_number_the_tenant_does_not_own_is_refused_saying_so(
    dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    # Given a tenant whose default is +14155550100, with no agent and no other caller ID
    # When a call and a batch ask to come from another number
    body = {"to_number": "+14155550123", "from_number": "+14155550199"}
    single = create_call(dial_tenant, body)
    batch = create_batch(
        dial_tenant, {"to_numbers": ["+14155550123"], "from_number": "+14155550199"}
    )

    # Then both are refused on from_number, saying which numbers it may be
    for status, answer in (single, batch):
        assert status == 422, answer
        [error] = answer["detail"]
        assert error["loc"] == ["body", "from_number"]
        assert error["type"] == "caller_id"
        assert error["msg"].startswith("from_number +14155550199 is not a caller ID of this tenant")
        assert "--caller-ids" in error["msg"]
    # And nothing is stored or queued
    assert tenant_calls(dial_tenant) == []
    assert messages(dial_queues) == []


def test_a_from_number_may_be_an_allowed_caller_id_or_any_agents_number(
    dial_tenant: DialTenant, dial_queues: DialQueues, handler_environment: dict[str, str]
) -> None:
    # Given a tenant with an allowed caller ID, and an agent with a number of its own
    from dialtone.agents import AgentCreate, AgentStore

    dial_tenant.settings(caller_ids=["+14155550150"])
    AgentStore(handler_environment["ACCOUNTS_TABLE"]).create_agent(
        dial_tenant.tenant_id,
        AgentCreate.model_validate(
            {
                "agent_id": "sales",
                "name": "Sales",
                "phone_numbers": ["+14155550160"],
                "connection": {"type": "media_stream", "url": "wss://agents.example.com/sales"},
            }
        ),
    )

    # When calls come from the caller ID, from the agent's number without naming the agent,
    # and from the default
    numbers = ["+14155550150", "+14155550160", "+14155550100"]
    answers = [
        create_call(dial_tenant, {"to_number": "+14155550123", "from_number": number})
        for number in numbers
    ]

    # Then each is accepted, and comes from the number asked for
    assert [status for status, _ in answers] == [202, 202, 202], answers
    assert sorted(call.from_number for call in tenant_calls(dial_tenant)) == sorted(numbers)


def test_a_queue_that_refuses_the_message_leaves_the_call_failed_not_queued(
    dial_tenant: DialTenant,
) -> None:
    # Given a dial queue that does not exist (SendMessage fails)
    missing = "http://127.0.0.1:9/000000000000/no-such-queue"
    with environment({"DIAL_QUEUE_URL": missing}):
        settings.reset()
        status, body = create_call(dial_tenant, {"to_number": "+14155550123"})
    # Then the client is told to try again, and the call is failed, never left queued
    assert status == 503
    assert "dial queue" in body["detail"]
    [call] = tenant_calls(dial_tenant)
    assert (call.status, call.error_reason) == (CallStatus.FAILED, "enqueue_failed")


# POST /v1/calls/batch and GET /v1/calls/batch/{id}


class FailingDynamoDB:
    """The embedded endpoint's DynamoDB client, except that the requests `fails(operation,
    request, count)` picks fail as AWS fails them (a ClientError); `count` numbers the requests
    of that operation from 1."""

    def __init__(self, client: Any, fails: Callable[[str, dict[str, Any], int], bool]) -> None:
        self._client = client
        self._fails = fails
        self._counts: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute) or name.startswith("get_paginator"):
            return attribute

        def request(**kwargs: Any) -> Any:
            from botocore.exceptions import ClientError

            self._counts[name] = self._counts.get(name, 0) + 1
            if self._fails(name, kwargs, self._counts[name]):
                error = {"Code": "InternalServerError", "Message": "injected"}
                raise ClientError({"Error": error}, name)
            return attribute(**kwargs)

        return request


def second_write_of_calls(operation: str, request: dict[str, Any], count: int) -> bool:
    # Calls are stored 99 to a transaction: the second one holds calls 100 to 150.
    return operation == "transact_write_items" and count == 2


def write_of_the_batch(operation: str, request: dict[str, Any], count: int) -> bool:
    return operation == "put_item" and request["Item"]["sk"] == {"S": "BATCH"}


def stored_batches(tenant: DialTenant) -> list[str]:
    """The batch items the tenant has, by id."""
    response = tenant.calls.dynamodb.scan(
        TableName=tenant.calls.table_name,
        FilterExpression="begins_with(pk, :batches)",
        ExpressionAttributeValues={":batches": {"S": f"T#{tenant.tenant_id}#B#"}},
    )
    return [item["batch_id"]["S"] for item in response["Items"]]


@pytest.mark.parametrize("fails", [second_write_of_calls, write_of_the_batch])
def test_a_batch_that_cannot_be_stored_is_refused_whole(
    dial_tenant: DialTenant,
    dial_queues: DialQueues,
    handler_environment: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    fails: Callable[[str, dict[str, Any], int], bool],
) -> None:
    # Given a calls table that fails partway through storing a batch of 150 calls
    from dialtone.store import CallStore

    store = CallStore(
        handler_environment["CALLS_TABLE"], FailingDynamoDB(dial_tenant.calls.dynamodb, fails)
    )
    failing = accept.Dialing(
        store,
        dial_queues.url,
        resolve_from=accept._from_number_resolver(handler_environment["ACCOUNTS_TABLE"]),
    )
    monkeypatch.setattr(accept, "dialing", lambda: failing)
    numbers = [f"+1415555{n:04d}" for n in range(200, 350)]

    # When the batch is requested
    status, body = create_batch(dial_tenant, {"to_numbers": numbers})

    # Then the client is told to try again (503, a failure of ours, not of its request)
    assert (status, body) == (
        503,
        {"detail": "The batch could not be stored; no call was queued, try again"},
    )
    # And no half of the batch is left: no call, no batch counting calls, no message
    assert tenant_calls(dial_tenant) == []
    assert stored_batches(dial_tenant) == []
    assert messages(dial_queues) == []
    # And the dial queue counts none of them
    counts = read_counts(
        dial_tenant.calls.dynamodb, dial_tenant.calls.table_name, dial_tenant.tenant_id
    )
    assert (counts.queued, counts.in_flight, counts.dequeued) == (0, 0, 150)


def test_a_batch_counts_exactly_the_calls_it_stored(
    dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    # Given a batch of 30 numbers, one of them invalid
    numbers = [f"+1415555{n:04d}" for n in range(300, 329)] + ["not a number"]

    # When it is accepted
    status, body = create_batch(dial_tenant, {"to_numbers": numbers})

    # Then its counters and its calls agree
    assert status == 202
    _, batch = get_batch(dial_tenant, body["batch_id"])
    dial_tenant.fixture.call_ids.extend(c["call_id"] for c in batch["calls"])
    assert (batch["total"], batch["queued"], batch["failed"]) == (30, 29, 1)
    assert len(batch["calls"]) == 30
    assert batch["created_at"].endswith("Z")
    assert len(messages(dial_queues)) == 29


def test_a_batch_whose_messages_cannot_be_sent_ends_failed_not_queued(
    dial_tenant: DialTenant,
) -> None:
    # Given a dial queue that does not exist
    missing = "http://127.0.0.1:9/000000000000/no-such-queue"
    with environment({"DIAL_QUEUE_URL": missing}):
        settings.reset()
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
    assert (status, body) == (
        409,
        {"detail": "Call is initiated; only a queued call can be canceled"},
    )


def test_a_call_claimed_by_a_dialer_cannot_be_canceled_because_it_is_being_dialed(
    dial_tenant: DialTenant,
) -> None:
    # Given a queued call that a dialer has claimed
    call = dial_tenant.queued_call()
    dial_tenant.calls.change_call(
        dial_tenant.tenant_id, call.id, CallStatus.QUEUED, {"claim_token": "t"}
    )

    # When the client cancels it
    status, body = cancel(dial_tenant, call.id)

    # Then it is told the call is being dialed (not that it is "queued", which would be
    # cancelable), and the call is left to the dialer
    assert (status, body) == (409, {"detail": "Call is already being dialed"})
    assert dial_tenant.call(call.id).call.status is CallStatus.QUEUED


def test_an_unknown_call_cannot_be_canceled(dial_tenant: DialTenant) -> None:
    assert cancel(dial_tenant, str(uuid.uuid4())) == (404, {"detail": "Call not found"})


# Retention and privacy of outbound calls


def test_outbound_calls_expire_and_redact_as_their_tenant_says(
    dial_tenant: DialTenant, dial_queues: DialQueues
) -> None:
    # Given: a tenant that keeps calls 30 days and stores no sensitive data
    dial_tenant.settings(retention_days=30, opt_out_sensitive_data_storage=True)

    # When: it places a call and a batch of two
    before = time.time()
    status, single = create_call(dial_tenant, {"to_number": "+14155550123"})
    assert status == 202, single
    status, batch = create_batch(dial_tenant, {"to_numbers": ["+14155550124", "+14155550125"]})
    assert status == 202, batch
    after = time.time()

    # Then: every call expires 30 days after it was accepted, and opted out at creation
    calls = {call.id: call for call in tenant_calls(dial_tenant)}
    assert len(calls) == 3
    for call_id in calls:
        stored = dial_tenant.call(call_id)
        assert stored.call.opt_out_sensitive_data_storage is True
        expires = stored.internal.expires_at
        assert before + 30 * 86400 - 1 <= expires <= after + 30 * 86400
    # And what the runtime later appends to one of them is redacted before it is stored
    call_id = single["call_id"]
    event = api_event(
        "append_call_exchanges",
        "POST /v1/calls/{call_id}/exchanges",
        f"/v1/calls/{call_id}/exchanges",
        path_parameters={"call_id": call_id},
        authorizer=dial_tenant.fixture.authorizer(Scope.CALLS_INGEST),
        body=json.dumps({"sequence_number": 0, "user_transcript": "call me on 415 555 2671"}),
    )
    assert invoke("append_call_exchanges", event)["statusCode"] == 200
    [exchange] = dial_tenant.calls.list_exchanges(dial_tenant.tenant_id, call_id)
    assert exchange.user_transcript == "call me on [PHONE]"
