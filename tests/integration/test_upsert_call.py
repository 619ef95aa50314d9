"""PUT /v1/calls/{call_id} (the voice runtime creates or updates a call record) and
DELETE /v1/calls/{call_id} (erasure), through their handlers, against the template's tables on
moto."""

from __future__ import annotations

import json
import multiprocessing
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests

from dialtone import aws as dialtone_aws
from dialtone import retention, settings
from dialtone.accounts import AccountStore
from dialtone.auth import Scope
from dialtone.errors import TenantNotFound, WriteContention
from dialtone.model_types import CallStatus
from dialtone.recordings import delete_object_versions
from dialtone.store import BATCH_BUCKETS, BatchRecord, CallStore, batch_pk, call_pk
from local.invoke import invoke, sample_event
from tests.call_routes import body, call_event, call_items, call_route
from tests.integration.conftest import SAMPLE_CALL_ID, SAMPLE_TENANT_ID

ROUTE = "PUT /v1/calls/{call_id}"
T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
CUSTOMER = "+14155550123"
LINE = "+14155550100"


def put_event(authorizer: dict[str, str] | None, call_id: str, payload: Any) -> dict[str, Any]:
    """The API Gateway event of PUT /v1/calls/<call_id> with `payload` (a raw string is sent
    as it is)."""
    return call_event("upsert_call", ROUTE, call_id, authorizer, payload)


def put_call(authorizer: dict[str, str] | None, call_id: str, payload: Any) -> dict[str, Any]:
    """The Lambda result of PUT /v1/calls/<call_id>."""
    return invoke("upsert_call", put_event(authorizer, call_id, payload))


def ingest(tenant: Any) -> dict[str, str]:
    return tenant.authorizer(Scope.CALLS_INGEST)


def get_call(tenant: Any, call_id: str) -> dict[str, Any]:
    """The Lambda result of GET /v1/calls/<call_id> for the tenant (calls:read)."""
    authorizer = tenant.authorizer(Scope.CALLS_READ)
    return call_route("get_call", "GET /v1/calls/{call_id}", call_id, authorizer)


def new_call_id(tenant: Any) -> str:
    """A fresh call id, removed with the tenant's calls when the test ends."""
    call_id = str(uuid.uuid4())
    tenant.call_ids.append(call_id)
    return call_id


def create_call(tenant: Any, **fields: Any) -> dict[str, Any]:
    """A call the runtime created with PUT (inbound from CUSTOMER unless told otherwise)."""
    call_id = new_call_id(tenant)
    payload = {"direction": "inbound", "from_number": CUSTOMER, "to_number": LINE, **fields}
    result = put_call(ingest(tenant), call_id, payload)
    assert result["statusCode"] == 201, result["body"]
    created: dict[str, Any] = body(result)
    return created


def messages(result: dict[str, Any]) -> str:
    """Every message of a 422 body, joined, to look for what it names."""
    return " | ".join(f"{d['loc']}: {d['msg']}" for d in body(result)["detail"])


# Creating a call


def test_a_new_call_is_created_with_defaults_and_the_remote_party_derived(tenant: Any) -> None:
    # Given: a call id the tenant never used
    call_id = new_call_id(tenant)
    before = datetime.now(UTC)

    # When: the runtime PUTs an inbound call with only what it knows
    result = put_call(
        ingest(tenant),
        call_id,
        {"direction": "inbound", "from_number": CUSTOMER, "to_number": LINE, "metadata": {"k": 1}},
    )

    # Then: 201 with the call as stored: in progress since now, opt-out from the tenant (off),
    # the caller as the remote party
    assert result["statusCode"] == 201
    got = body(result)
    assert got["id"] == call_id
    assert (got["direction"], got["status"]) == ("inbound", "in_progress")
    assert got["phone_number"] == CUSTOMER
    assert got["metadata"] == {"k": 1}
    assert got["opt_out_sensitive_data_storage"] is False
    start = datetime.fromisoformat(got["start_time"])
    assert before - timedelta(seconds=1) <= start <= datetime.now(UTC) + timedelta(seconds=1)
    assert got["created_at"] == got["updated_at"]
    assert (got["end_time"], got["duration_seconds"], got["batch_id"]) == (None, None, None)
    assert (got["issue_count"], got["critical_issue_count"]) == (0, 0)
    # And: the tenant reads back the same call
    assert body(get_call(tenant, call_id)) == got


@pytest.mark.parametrize(
    ("direction", "remote"), [("inbound", CUSTOMER), ("outbound", "+14155550199")]
)
def test_the_remote_party_follows_the_direction_unless_sent(
    tenant: Any, direction: str, remote: str
) -> None:
    # Given / When: calls created with both numbers, one also naming phone_number itself
    derived = create_call(
        tenant, direction=direction, from_number=CUSTOMER, to_number="+14155550199"
    )
    sent = create_call(
        tenant,
        direction=direction,
        from_number=CUSTOMER,
        to_number="+14155550199",
        phone_number=LINE,
    )

    # Then: the remote party is the caller of an inbound call, the callee of an outbound one,
    # unless the runtime named it
    assert derived["phone_number"] == remote
    assert sent["phone_number"] == LINE


def test_a_call_created_with_start_and_end_gets_its_duration(tenant: Any) -> None:
    # Given / When: a finished call reported at once
    got = create_call(
        tenant,
        status="completed",
        start_time="2026-03-10T12:00:00Z",
        end_time="2026-03-10T12:02:05.5Z",
    )

    # Then: its duration follows from its times
    assert got["status"] == "completed"
    assert got["duration_seconds"] == 125.5
    assert datetime.fromisoformat(got["end_time"]) == T0 + timedelta(seconds=125.5)
    assert got["start_time"] == "2026-03-10T12:00:00Z"


def test_ending_a_call_with_an_update_gives_it_a_duration(tenant: Any) -> None:
    # Given: a call that started at T0
    call = create_call(tenant, start_time="2026-03-10T12:00:00Z")

    # When: the runtime reports its end time (in another zone)
    result = put_call(
        ingest(tenant), call["id"], {"status": "completed", "end_time": "2026-03-10T13:01:30+01:00"}
    )

    # Then: the end is stored in UTC and the duration follows from the times
    assert result["statusCode"] == 200, result["body"]
    got = body(result)
    assert (got["status"], got["end_time"], got["duration_seconds"]) == (
        "completed",
        "2026-03-10T12:01:30Z",
        90.0,
    )


def test_a_call_cannot_be_created_without_a_direction(tenant: Any) -> None:
    # Given / When: a create without direction
    call_id = new_call_id(tenant)
    result = put_call(ingest(tenant), call_id, {"from_number": CUSTOMER})

    # Then: 422 naming direction, and no call exists
    assert result["statusCode"] == 422
    assert body(result)["detail"][0]["loc"] == ["body", "direction"]
    assert get_call(tenant, call_id)["statusCode"] == 404


def test_the_same_id_of_another_tenant_is_a_call_of_its_own(make_tenant: Any) -> None:
    # Given: a call of one tenant
    owner, other = make_tenant(), make_tenant()
    call = create_call(owner, metadata={"owner": True})

    # When: another tenant PUTs the same call id
    other.call_ids.append(call["id"])
    result = put_call(ingest(other), call["id"], {"direction": "outbound", "agent_name": "x"})

    # Then: that creates the other tenant's own call; the owner's call is untouched
    assert result["statusCode"] == 201
    assert body(result)["metadata"] == {}
    assert body(get_call(owner, call["id"])) == call


# Updating a call


def test_an_update_merges_metadata_and_analysis_and_null_removes_a_key(tenant: Any) -> None:
    # Given: a call with metadata, provider usage and analysis
    call = create_call(
        tenant,
        agent_name="Support bot",
        metadata={"crm_id": "42", "campaign": "support", "tier": "gold"},
        provider_usage={"stt_seconds": 10},
        analysis={"summary": "Asked about an order.", "user_sentiment": "neutral"},
    )

    # When: the runtime sends part of each, a key as null
    result = put_call(
        ingest(tenant),
        call["id"],
        {
            "metadata": {"campaign": "renewals", "tier": None, "ticket": 7},
            "provider_usage": {"llm_tokens": 1200},
            "analysis": {"call_successful": True},
        },
    )

    # Then: 200 with each map merged key by key, the null key gone, the rest untouched
    assert result["statusCode"] == 200
    got = body(result)
    assert got["metadata"] == {"crm_id": "42", "campaign": "renewals", "ticket": 7}
    assert got["provider_usage"] == {"stt_seconds": 10, "llm_tokens": 1200}
    assert got["analysis"]["summary"] == "Asked about an order."
    assert got["analysis"]["user_sentiment"] == "neutral"
    assert got["analysis"]["call_successful"] is True
    assert got["agent_name"] == "Support bot"
    assert got["created_at"] == call["created_at"]
    assert got["updated_at"] > call["updated_at"]
    assert body(get_call(tenant, call["id"])) == got


def test_an_explicit_null_clears_a_field_and_an_absent_one_keeps_it(tenant: Any) -> None:
    # Given: a call with an agent, an end reason and an error reason
    call = create_call(
        tenant, agent_id="support-bot", agent_name="Support bot", error_reason="stt timeout"
    )

    # When: the runtime clears two of them and leaves the third out
    result = put_call(ingest(tenant), call["id"], {"agent_name": None, "error_reason": None})

    # Then: those two are cleared, the other is kept
    got = body(result)
    assert result["statusCode"] == 200
    assert (got["agent_name"], got["error_reason"]) == (None, None)
    assert got["agent_id"] == "support-bot"
    assert body(get_call(tenant, call["id"]))["agent_name"] is None


@pytest.mark.parametrize("field", ["direction", "start_time", "is_test_call"])
def test_direction_start_time_and_test_flag_cannot_be_cleared(tenant: Any, field: str) -> None:
    # Given: a call
    call = create_call(tenant)

    # When: the runtime sends one of them as null
    result = put_call(ingest(tenant), call["id"], {field: None, "agent_name": "changed"})

    # Then: 422 naming the field; nothing of the request was applied
    assert result["statusCode"] == 422
    assert body(result)["detail"][0]["loc"] == ["body", field]
    assert body(get_call(tenant, call["id"])) == call


def test_changing_the_numbers_of_a_call_moves_its_remote_party(tenant: Any) -> None:
    # Given: an inbound call
    call = create_call(tenant)

    # When: the runtime corrects the caller's number
    got = body(put_call(ingest(tenant), call["id"], {"from_number": "+14155550177"}))

    # Then: the remote party follows
    assert (got["from_number"], got["phone_number"]) == ("+14155550177", "+14155550177")


def test_status_never_moves_backwards_while_the_other_fields_apply(tenant: Any) -> None:
    # Given: a call the runtime completed
    call = create_call(tenant)
    completed = body(put_call(ingest(tenant), call["id"], {"status": "completed"}))
    assert completed["status"] == "completed"

    # When: a late update says in_progress, with other fields
    result = put_call(
        ingest(tenant),
        call["id"],
        {"status": "in_progress", "outcome": "resolved", "metadata": {"late": True}},
    )

    # Then: 200, still completed, and the other fields of that request applied
    assert result["statusCode"] == 200
    got = body(result)
    assert got["status"] == "completed"
    assert (got["outcome"], got["metadata"]) == ("resolved", {"late": True})
    assert body(get_call(tenant, call["id"]))["status"] == "completed"


def test_status_moves_forward_through_the_lifecycle(tenant: Any) -> None:
    # Given: a call created ringing
    call = create_call(tenant, status="ringing")
    assert call["status"] == "ringing"

    # When / Then: each later status is taken, a final one is final
    assert body(put_call(ingest(tenant), call["id"], {"status": "in_progress"}))["status"] == (
        "in_progress"
    )
    assert body(put_call(ingest(tenant), call["id"], {"status": "no_answer"}))["status"] == (
        "no_answer"
    )
    assert body(put_call(ingest(tenant), call["id"], {"status": "completed"}))["status"] == (
        "no_answer"
    )


def test_a_repeated_identical_update_changes_nothing(tenant: Any) -> None:
    # Given: a call updated once
    call = create_call(tenant)
    update = {
        "status": "completed",
        "end_time": "2030-01-01T01:00:00+01:00",
        "metadata": {"crm_id": "42"},
        "cost": {"total": 0.42, "breakdown": [{"provider": "twilio", "amount": 0.42}]},
        "analysis": {"summary": "Order found.", "call_successful": True},
        "latency": {"e2e": {"p50": 900.0, "num": 3}},
        "from_number": "+14155550177",
    }
    first = body(put_call(ingest(tenant), call["id"], update))

    # When: the runtime retries the very same update
    time.sleep(0.01)
    again = put_call(ingest(tenant), call["id"], update)

    # Then: 200 with the call exactly as it was: not even updated_at moved
    assert again["statusCode"] == 200
    assert body(again) == first
    assert body(get_call(tenant, call["id"])) == first
    assert first["updated_at"] > call["updated_at"]


def test_a_repeated_create_is_an_update_that_changes_nothing(tenant: Any) -> None:
    # Given: a call created by PUT
    call_id = new_call_id(tenant)
    payload = {"direction": "outbound", "to_number": CUSTOMER, "start_time": "2026-03-10T12:00:00Z"}
    created = put_call(ingest(tenant), call_id, payload)

    # When: the runtime retries it
    again = put_call(ingest(tenant), call_id, payload)

    # Then: 201 then 200 with the same call
    assert (created["statusCode"], again["statusCode"]) == (201, 200)
    assert body(again) == body(created)


# Refused updates


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("created_at", "2026-01-01T00:00:00Z"),
        ("updated_at", "2026-01-01T00:00:00Z"),
        ("batch_id", str(uuid.UUID(int=7))),
        ("issue_count", 0),
        ("critical_issue_count", 2),
        ("grade_score", 0.9),
        ("grade_status", "completed"),
        ("recording_url", "https://example.com/a.wav"),
        ("recording_format", "wav"),
        ("recording_size_bytes", 1024),
        ("recording_duration_seconds", 12.5),
        ("recording_error", None),
        ("id", str(uuid.UUID(int=8))),
        ("queued_at", "2026-01-01T00:00:00Z"),
        ("call_sid", "CA123"),
    ],
)
def test_fields_the_api_owns_are_refused_by_name(tenant: Any, field: str, value: Any) -> None:
    # Given: a call
    call = create_call(tenant)

    # When: the runtime tries to write a field the API owns (with something it may write)
    result = put_call(ingest(tenant), call["id"], {field: value, "agent_name": "changed"})

    # Then: 422 saying that field is the API's, and nothing changed
    assert result["statusCode"] == 422
    assert f"{field} is set by the API and cannot be written" in messages(result)
    assert body(get_call(tenant, call["id"])) == call


def test_several_owned_fields_are_all_named(tenant: Any) -> None:
    # Given / When: a create carrying two owned fields
    call_id = new_call_id(tenant)
    result = put_call(
        ingest(tenant), call_id, {"direction": "inbound", "issue_count": 3, "batch_id": "b"}
    )

    # Then: 422 naming both, and no call was created
    assert result["statusCode"] == 422
    assert "batch_id, issue_count are set by the API and cannot be written" in messages(result)
    assert get_call(tenant, call_id)["statusCode"] == 404


def test_an_unknown_field_is_refused(tenant: Any) -> None:
    # Given / When: a create with a field the call object does not have
    call_id = new_call_id(tenant)
    result = put_call(ingest(tenant), call_id, {"direction": "inbound", "colour": "blue"})

    # Then: 422 naming it, and no call
    assert result["statusCode"] == 422
    assert body(result)["detail"][0]["loc"] == ["body", "colour"]
    assert get_call(tenant, call_id)["statusCode"] == 404


def test_queued_is_not_a_status_the_runtime_may_report(tenant: Any) -> None:
    # Given / When: a create as queued
    call_id = new_call_id(tenant)
    result = put_call(ingest(tenant), call_id, {"direction": "outbound", "status": "queued"})

    # Then: 422 naming status
    assert result["statusCode"] == 422
    assert body(result)["detail"][0]["loc"] == ["body", "status"]


@pytest.mark.parametrize("call_id", ["not-a-uuid", "12345", "0b7e2c1a-5d4f-4e3b-9a8c-1f2e3d4c5b6"])
def test_a_call_id_that_is_not_a_uuid_is_rejected(tenant: Any, call_id: str) -> None:
    # Given / When: a PUT to an id that cannot be a call id
    result = put_call(ingest(tenant), call_id, {"direction": "inbound"})

    # Then: 422 naming the path parameter
    assert result["statusCode"] == 422
    assert body(result)["detail"][0]["loc"] == ["path", "call_id"]


@pytest.mark.parametrize("field", ["from_number", "to_number", "phone_number"])
@pytest.mark.parametrize("number", ["4155550123", "call me", "+99912345678", "+1415555012"])
def test_a_number_that_is_not_e164_is_rejected(tenant: Any, field: str, number: str) -> None:
    # Given / When: a create with a malformed phone number
    call_id = new_call_id(tenant)
    result = put_call(ingest(tenant), call_id, {"direction": "inbound", field: number})

    # Then: 422 naming the field, and no call
    assert result["statusCode"] == 422
    assert body(result)["detail"][0]["loc"] == ["body", field]
    assert get_call(tenant, call_id)["statusCode"] == 404


@pytest.mark.parametrize(
    "value",
    [
        "NaN",
        "Infinity",
        "-Infinity",
        "1e400",
        "1e-200",
        "123456789012345678901234567890123456789",
        "1e126",
        "[" * 40 + "1" + "]" * 40,
    ],
)
@pytest.mark.parametrize("field", ["metadata", "provider_usage"])
def test_numbers_dynamodb_cannot_store_are_rejected_not_a_server_error(
    tenant: Any, field: str, value: str
) -> None:
    # Given: a call
    call = create_call(tenant)

    # When: the runtime sends a number no DynamoDB attribute can hold (as JSON text)
    result = put_call(ingest(tenant), call["id"], f'{{"{field}": {{"x": {value}}}}}')

    # Then: 422, and the call is unchanged
    assert result["statusCode"] == 422, result["body"]
    assert body(get_call(tenant, call["id"])) == call


def test_numbers_at_the_limits_of_dynamodb_are_stored_exactly(tenant: Any) -> None:
    # Given / When: metadata with the largest, smallest and most precise numbers DynamoDB holds
    call = create_call(
        tenant,
        metadata={"big": 9.99e125, "tiny": 1e-130, "int": 12345678901234567890123456789012345678},
    )

    # Then: they read back as the same numbers
    got = json.loads(get_call(tenant, call["id"])["body"], parse_float=Decimal, parse_int=Decimal)
    assert got["metadata"] == {
        "big": Decimal("9.99e125"),
        "tiny": Decimal("1e-130"),
        "int": Decimal("12345678901234567890123456789012345678"),
    }


def test_numbers_written_with_spaces_are_stored_in_e164(tenant: Any) -> None:
    # Given / When: a create with numbers as people write them
    got = create_call(tenant, from_number="+1 (415) 555-0123", to_number="+44 20 7946 0958")

    # Then: they are stored in E.164, and the remote party too
    assert (got["from_number"], got["to_number"]) == ("+14155550123", "+442079460958")
    assert got["phone_number"] == "+14155550123"


def test_metadata_over_16_kb_is_rejected(tenant: Any) -> None:
    # Given / When: a create with 17 KB of metadata
    call_id = new_call_id(tenant)
    result = put_call(
        ingest(tenant), call_id, {"direction": "inbound", "metadata": {"blob": "x" * 17_000}}
    )

    # Then: 422
    assert result["statusCode"] == 422
    assert get_call(tenant, call_id)["statusCode"] == 404


def test_opt_out_is_chosen_at_creation_and_cannot_change(tenant: Any) -> None:
    # Given: a call created without opting out
    call = create_call(tenant)

    # When: the runtime tries to turn opt-out on afterwards, and then repeats the value it has
    changed = put_call(
        ingest(tenant),
        call["id"],
        {"opt_out_sensitive_data_storage": True, "agent_name": "changed"},
    )
    same = put_call(ingest(tenant), call["id"], {"opt_out_sensitive_data_storage": False})

    # Then: the change is a 409 that changes nothing; the same value is accepted
    assert changed["statusCode"] == 409
    assert "opt_out_sensitive_data_storage" in body(changed)["detail"]
    assert same["statusCode"] == 200
    assert body(get_call(tenant, call["id"])) == call


def test_a_key_without_calls_ingest_is_refused(tenant: Any) -> None:
    # Given / When: a key that may read and place calls, but not ingest
    call_id = new_call_id(tenant)
    result = put_call(
        tenant.authorizer(Scope.CALLS_READ, Scope.CALLS_WRITE), call_id, {"direction": "inbound"}
    )

    # Then: 403 naming the scope, and no call
    assert result["statusCode"] == 403
    assert body(result) == {"detail": "Missing scope calls:ingest"}
    assert get_call(tenant, call_id)["statusCode"] == 404


def test_a_request_without_a_principal_is_unauthenticated(tenant: Any) -> None:
    # Given / When: a request the authorizer said nothing about
    result = put_call(None, str(uuid.uuid4()), {"direction": "inbound"})

    # Then: 401
    assert result["statusCode"] == 401


# Batches


@pytest.fixture
def batch(tenant: Any, call_store: CallStore) -> Iterator[BatchRecord]:
    """A batch of the tenant with one call in progress."""
    counts = dict.fromkeys(BATCH_BUCKETS, 0)
    record = BatchRecord(str(uuid.uuid4()), 1, T0, {**counts, "initiated": 1})
    call_store.put_batch(tenant.tenant_id, record)
    yield record
    call_store.dynamodb.delete_item(
        TableName=call_store.table_name,
        Key={"pk": {"S": batch_pk(tenant.tenant_id, record.batch_id)}, "sk": {"S": "BATCH"}},
    )


def test_finishing_a_batch_call_moves_its_batch_counters_once(
    tenant: Any, call_store: CallStore, batch: BatchRecord
) -> None:
    # Given: a call of a batch, in progress (placed by the dialer)
    call = tenant.add_call(batch_id=batch.batch_id, status=CallStatus.IN_PROGRESS)

    # When: the runtime reports it completed, twice
    first = put_call(ingest(tenant), call.id, {"status": "completed", "outcome": "resolved"})
    again = put_call(ingest(tenant), call.id, {"status": "completed", "outcome": "resolved"})

    # Then: the batch counts it completed, once
    assert (first["statusCode"], again["statusCode"]) == (200, 200)
    assert body(first)["batch_id"] == batch.batch_id
    counts = call_store.get_batch(tenant.tenant_id, batch.batch_id).counts
    assert (counts["initiated"], counts["completed"]) == (0, 1)


def test_calls_outside_a_batch_leave_batch_counters_alone(
    tenant: Any, call_store: CallStore, batch: BatchRecord
) -> None:
    # Given: a batch, and a call the runtime created (no batch)
    call = create_call(tenant)

    # When: the runtime takes the call through to completed
    put_call(ingest(tenant), call["id"], {"status": "in_progress", "metadata": {"a": 1}})
    done = put_call(ingest(tenant), call["id"], {"status": "completed"})

    # Then: the call has no batch and the batch's counters did not move
    assert body(done)["batch_id"] is None
    assert call_store.get_batch(tenant.tenant_id, batch.batch_id).counts == batch.counts


# Concurrent writers


def in_parallel(events: list[dict[str, Any]], tries: int = 3) -> list[dict[str, Any]]:
    """Handle each PUT event in a process of its own, all released at the same moment; the
    results in order. A 409 that asks to retry (the call kept changing under it) is retried,
    as the runtime is told to, up to `tries` times in all.

    Lambda gives concurrent requests an execution environment each. Threads of one process
    cannot stand in for that: powertools keeps the event being resolved on a class attribute
    (`BaseRouter.current_event`), so two threads would read each other's requests.
    """
    context = multiprocessing.get_context("fork")
    ready = context.Barrier(len(events))
    results = context.Queue()

    def handle(n: int, event: dict[str, Any]) -> None:
        try:
            # A client (and its connections) of this process only, before the start.
            dialtone_aws.reset_clients()
            settings.reset()
            dialtone_aws.client("dynamodb")
            ready.wait(timeout=60)
            for _ in range(tries):
                result = invoke("upsert_call", event)
                if body(result) != {"detail": WriteContention.detail}:
                    break
            results.put((n, result))
        except BaseException as error:
            results.put((n, {"statusCode": 0, "body": repr(error)}))

    workers = [context.Process(target=handle, args=(n, e)) for n, e in enumerate(events)]
    for worker in workers:
        worker.start()
    answers = dict(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    return [answers[n] for n in range(len(events))]


def test_concurrent_updates_of_different_fields_all_survive(tenant: Any) -> None:
    # Given: a call
    call = create_call(tenant, metadata={"seed": 0})
    writers = 10

    # When: two groups of ten writers update it at the same moment, each its own metadata key
    # or provider-usage key, and one of each group also a top-level field
    updates: list[dict[str, Any]] = []
    for n in range(writers):
        updates.append({"metadata": {f"m{n}": n}})
        updates.append({"provider_usage": {f"p{n}": n}})
    updates[0]["agent_name"] = "Concierge"
    updates[1]["end_reason"] = "caller_hangup"
    results = in_parallel([put_event(ingest(tenant), call["id"], u) for u in updates])

    # Then: every write was accepted (after a retry when told to) and none lost another's field
    assert [r["statusCode"] for r in results] == [200] * len(updates), [
        r["body"] for r in results if r["statusCode"] != 200
    ]
    got = body(get_call(tenant, call["id"]))
    assert got["metadata"] == {"seed": 0, **{f"m{n}": n for n in range(writers)}}
    assert got["provider_usage"] == {f"p{n}": n for n in range(writers)}
    assert (got["agent_name"], got["end_reason"]) == ("Concierge", "caller_hangup")


def test_concurrent_forward_and_backward_statuses_end_at_the_final_one(tenant: Any) -> None:
    # Given: a ringing call
    call = create_call(tenant, status="ringing")

    # When: in_progress, completed and a late ringing race, each with a metadata key
    statuses = ["in_progress", "completed", "ringing", "in_progress", "ringing", "completed"]
    results = in_parallel(
        [
            put_event(ingest(tenant), call["id"], {"status": s, "metadata": {f"k{n}": s}})
            for n, s in enumerate(statuses)
        ]
    )

    # Then: the call is completed, whatever order they landed in, with every key
    assert {r["statusCode"] for r in results} == {200}
    got = body(get_call(tenant, call["id"]))
    assert got["status"] == "completed"
    assert got["metadata"] == {f"k{n}": s for n, s in enumerate(statuses)}


@pytest.mark.parametrize("round_", range(3))
def test_a_racing_create_of_the_same_call_makes_one_call_with_both_writes(
    tenant: Any, call_store: CallStore, round_: int
) -> None:
    # Given: a new call id two runtime workers both report at once
    call_id = new_call_id(tenant)
    first = {"direction": "inbound", "from_number": CUSTOMER, "metadata": {"a": round_}}
    second = {"direction": "inbound", "agent_name": "Support bot", "metadata": {"b": round_}}

    # When: both PUT it at the same moment
    results = in_parallel(
        [put_event(ingest(tenant), call_id, first), put_event(ingest(tenant), call_id, second)]
    )

    # Then: one created it (201), the other merged into it (200): one call with both writes
    assert sorted(r["statusCode"] for r in results) == [200, 201]
    got = body(get_call(tenant, call_id))
    assert got["metadata"] == {"a": round_, "b": round_}
    assert (got["from_number"], got["agent_name"]) == (CUSTOMER, "Support bot")
    items = call_store.dynamodb.query(
        TableName=call_store.table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": call_pk(tenant.tenant_id, call_id)}},
        ConsistentRead=True,
    )["Items"]
    assert [item["sk"]["S"] for item in items] == ["CALL"]


# Erasure: DELETE /v1/calls/{call_id}


def delete_call(authorizer: dict[str, str] | None, call_id: str) -> dict[str, Any]:
    return call_route("delete_call", "DELETE /v1/calls/{call_id}", call_id, authorizer)


def read(tenant: Any, function_dir: str, suffix: str, call_id: str, **query: str) -> int:
    """The status of a GET of the call (or of one of its parts) by the tenant."""
    route = f"GET /v1/calls/{{call_id}}{suffix}"
    authorizer = tenant.authorizer(Scope.CALLS_READ)
    result = call_route(function_dir, route, call_id, authorizer, query=query or None)
    status: int = result["statusCode"]
    return status


def post(tenant: Any, function_dir: str, suffix: str, call_id: str, payload: Any) -> Any:
    route = f"POST /v1/calls/{{call_id}}{suffix}"
    result = call_route(function_dir, route, call_id, ingest(tenant), payload)
    assert result["statusCode"] == 200, result["body"]
    return body(result)


def indexer_event(bucket: str, key: str) -> dict[str, Any]:
    """The sample SQS event of the recording indexer, announcing `key` of `bucket`."""
    event = sample_event("recording_indexer")
    notification = json.loads(event["Records"][0]["body"])
    s3_part = notification["Records"][0]["s3"]
    s3_part["bucket"]["name"] = bucket
    s3_part["bucket"]["arn"] = f"arn:aws:s3:::{bucket}"
    s3_part["object"]["key"] = key
    s3_part["object"].pop("versionId")  # the current version, whichever it is
    event["Records"][0]["body"] = json.dumps(notification)
    return event


def upload_recording(tenant: Any, call_id: str, audio: bytes, bucket: str) -> None:
    """Upload a WAV recording the way the runtime does, then let the indexer read it."""
    upload = post(
        tenant, "create_recording_upload", "/recording/upload", call_id, {"format": "wav"}
    )
    sent = requests.put(upload["upload_url"], data=audio, headers=upload["headers"], timeout=10)
    assert sent.status_code == 200
    key = f"tenants/{tenant.tenant_id}/calls/{call_id}/recording.wav"
    result = invoke("recording_indexer", indexer_event(bucket, key))
    assert result == {"batchItemFailures": []}


def stored_keys(call_store: CallStore, tenant_id: str, call_id: str) -> list[str]:
    items = call_items(call_store.dynamodb, call_store.table_name, tenant_id, call_id)
    return [item["sk"]["S"] for item in items]


def object_versions(s3: Any, bucket: str, tenant_id: str, call_id: str) -> list[str]:
    listing = s3.list_object_versions(Bucket=bucket, Prefix=f"tenants/{tenant_id}/calls/{call_id}/")
    return [v["Key"] for v in [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]]


@pytest.fixture
def full_call(
    tenant: Any, s3: Any, handler_environment: dict[str, str], wav_bytes: bytes
) -> Iterator[dict[str, Any]]:
    """A call with exchanges, history and an indexed recording, all written through the API;
    whatever is left of its recording is removed when the test ends."""
    call = create_call(tenant)
    post(
        tenant,
        "append_call_exchanges",
        "/exchanges",
        call["id"],
        {"exchanges": [{"sequence_number": n, "user_transcript": f"q{n}"} for n in range(3)]},
    )
    post(
        tenant,
        "append_call_events",
        "/events",
        call["id"],
        {"events": [{"type": "started", "timestamp": call["start_time"]}]},
    )
    bucket = handler_environment["RECORDINGS_BUCKET"]
    upload_recording(tenant, call["id"], wav_bytes, bucket)
    # A second upload leaves an older version of the object behind.
    upload_recording(tenant, call["id"], wav_bytes, bucket)
    assert read(tenant, "get_call_recording", "/recording", call["id"]) == 200
    assert len(object_versions(s3, bucket, tenant.tenant_id, call["id"])) == 2
    yield call
    delete_object_versions(bucket, retention.call_prefix(tenant.tenant_id, call["id"]))


def test_delete_erases_the_call_its_transcript_history_and_recording(
    tenant: Any,
    full_call: dict[str, Any],
    call_store: CallStore,
    s3: Any,
    handler_environment: dict[str, str],
) -> None:
    # Given: a call with exchanges, history and a recording (two versions)
    call_id = full_call["id"]
    assert len(stored_keys(call_store, tenant.tenant_id, call_id)) == 5

    # When: an admin deletes it, and then again
    first = delete_call(tenant.authorizer(Scope.ADMIN), call_id)
    second = delete_call(tenant.authorizer(Scope.ADMIN), call_id)

    # Then: 204 with no body, then 404
    assert first["statusCode"] == 204
    assert not first.get("body")
    assert second["statusCode"] == 404
    assert body(second) == {"detail": "Call not found"}
    # And: the call and each of its parts are gone for readers
    assert read(tenant, "get_call", "", call_id) == 404
    assert read(tenant, "get_call", "", call_id, include="transcript") == 404
    for fmt in ("exchanges", "turns", "vtt"):
        assert read(tenant, "get_call_transcript", "/transcript", call_id, format=fmt) == 404
    assert read(tenant, "get_call_history", "/history", call_id) == 404
    assert read(tenant, "get_call_recording", "/recording", call_id) == 404
    # And: nothing of it is left in the table or the bucket
    assert stored_keys(call_store, tenant.tenant_id, call_id) == []
    bucket = handler_environment["RECORDINGS_BUCKET"]
    assert object_versions(s3, bucket, tenant.tenant_id, call_id) == []


@pytest.mark.parametrize(
    "scopes",
    [(Scope.CALLS_INGEST,), (Scope.CALLS_READ, Scope.CALLS_WRITE, Scope.CALLS_INGEST)],
)
def test_delete_needs_the_admin_scope(
    tenant: Any, full_call: dict[str, Any], call_store: CallStore, scopes: tuple[Scope, ...]
) -> None:
    # Given: a call with everything
    call_id = full_call["id"]

    # When: a key without admin deletes it
    result = delete_call(tenant.authorizer(*scopes), call_id)

    # Then: 403 naming admin, and everything is still there
    assert result["statusCode"] == 403
    assert body(result) == {"detail": "Missing scope admin"}
    assert len(stored_keys(call_store, tenant.tenant_id, call_id)) == 5
    assert read(tenant, "get_call_recording", "/recording", call_id) == 200


def test_another_tenants_call_is_not_found_and_stays(
    make_tenant: Any, call_store: CallStore
) -> None:
    # Given: a call with a transcript of one tenant
    owner, other = make_tenant(), make_tenant()
    call = create_call(owner)
    post(owner, "append_call_exchanges", "/exchanges", call["id"], {"sequence_number": 0})

    # When: an admin of another tenant deletes that call id
    result = delete_call(other.authorizer(Scope.ADMIN), call["id"])

    # Then: 404, and the owner's call and exchange are untouched
    assert result["statusCode"] == 404
    assert stored_keys(call_store, owner.tenant_id, call["id"]) == ["CALL", "EX#0000000000"]
    assert body(get_call(owner, call["id"])) == call


def test_an_unknown_call_is_not_found(tenant: Any) -> None:
    result = delete_call(tenant.authorizer(Scope.ADMIN), str(uuid.uuid4()))
    assert result["statusCode"] == 404


# The sample events


@pytest.fixture
def sample_account(account_store: AccountStore, sample_tenant: Any) -> Any:
    """The tenant of the sample events, as an account (the integration conftest's
    make_tenant erases its account items when the test ends)."""
    try:
        account_store.get_tenant(SAMPLE_TENANT_ID)
    except TenantNotFound:
        account_store.create_tenant(name="Sample tenant", tenant_id=SAMPLE_TENANT_ID)
    sample_tenant.call_ids.append(SAMPLE_CALL_ID)
    return sample_tenant


def test_the_sample_events_create_fill_record_read_and_erase_the_sample_call(
    make_tenant: Any,
    sample_account: Any,
    s3: Any,
    wav_bytes: bytes,
    handler_environment: dict[str, str],
) -> None:
    # Given / When: each sample event of events/ is handled as it is, in the runtime's order
    created = invoke("upsert_call", sample_event("upsert_call"))
    exchanges = invoke("append_call_exchanges", sample_event("append_call_exchanges"))
    events = invoke("append_call_events", sample_event("append_call_events"))
    history = invoke("get_call_history", sample_event("get_call_history"))
    upload = invoke("create_recording_upload", sample_event("create_recording_upload"))

    # Then: the call was created, its exchanges and events stored, the call ended by them
    assert created["statusCode"] == 201, created["body"]
    assert body(created)["id"] == SAMPLE_CALL_ID
    assert body(created)["phone_number"] == "+14155550123"
    assert body(exchanges) == {
        "call_id": SAMPLE_CALL_ID,
        "received": 2,
        "stored": 2,
        "unchanged": 0,
    }
    assert body(events) == {
        "call_id": SAMPLE_CALL_ID,
        "received": 8,
        "stored": 8,
        "unchanged": 0,
        "status": "completed",
        "outcome": "resolved",
    }
    assert history["statusCode"] == 200
    assert [e["event_id"] for e in body(history)["events"]] == [f"evt-000{n}" for n in range(1, 9)]
    assert upload["statusCode"] == 200
    link = body(upload)
    assert (link["method"], link["recording_format"]) == ("PUT", "wav")

    # When: the recording is uploaded there and the indexer sample announces it
    sent = requests.put(link["upload_url"], data=wav_bytes, headers=link["headers"], timeout=10)
    assert sent.status_code == 200
    event = sample_event("recording_indexer")
    notification = json.loads(event["Records"][0]["body"])
    key = notification["Records"][0]["s3"]["object"]["key"]
    indexed = invoke(
        "recording_indexer", indexer_event(handler_environment["RECORDINGS_BUCKET"], key)
    )

    # Then: the call describes its recording
    assert indexed == {"batchItemFailures": []}
    call = body(get_call(sample_account, SAMPLE_CALL_ID))
    assert (call["recording_format"], call["recording_size_bytes"]) == ("wav", len(wav_bytes))
    assert call["latency"]["e2e"]["p50"] == 910.0

    # When: the sample DELETE erases it
    erased = invoke("delete_call", sample_event("delete_call"))

    # Then: nothing of it remains
    assert erased["statusCode"] == 204
    assert get_call(sample_account, SAMPLE_CALL_ID)["statusCode"] == 404
    bucket = handler_environment["RECORDINGS_BUCKET"]
    assert object_versions(s3, bucket, SAMPLE_TENANT_ID, SAMPLE_CALL_ID) == []


def test_the_indexer_sample_for_another_bucket_is_ignored() -> None:
    # Given / When: the indexer sample as it is (its bucket is not this deployment's)
    result = invoke("recording_indexer", sample_event("recording_indexer"))

    # Then: nothing fails and nothing is redelivered
    assert result == {"batchItemFailures": []}


# End reasons and the provider's codes


def test_an_end_reason_outside_the_vocabulary_is_refused_with_the_vocabulary(
    tenant: Any,
) -> None:
    # Given a call
    call = create_call(tenant)

    # When the runtime reports an end reason the vocabulary does not have
    result = put_call(ingest(tenant), call["id"], {"end_reason": "the line went quiet"})

    # Then it is refused, naming the field and every reason it may be
    assert result["statusCode"] == 422, result["body"]
    [error] = body(result)["detail"]
    assert error["loc"] == ["body", "end_reason"]
    assert "caller_hangup" in error["msg"]
    assert "suppressed" in error["msg"]
    # And the call keeps no end reason
    assert body(get_call(tenant, call["id"]))["end_reason"] is None


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("caller_hangup", "caller_hangup"),
        ("user_hangup", "caller_hangup"),
        ("customer-ended-call", "caller_hangup"),
        ("Agent Hangup", "agent_hangup"),
        ("voicemail_reached", "voicemail"),
        ("exceeded-max-duration", "timeout"),
    ],
)
def test_an_end_reason_or_another_platforms_name_for_it_is_stored_as_the_vocabulary_says(
    tenant: Any, sent: str, stored: str
) -> None:
    call = create_call(tenant, status="completed", end_reason=sent)
    assert call["end_reason"] == stored
    assert body(get_call(tenant, call["id"]))["end_reason"] == stored


def test_the_runtime_may_report_the_telephony_codes_beside_the_reason(tenant: Any) -> None:
    # Given a call the runtime dialed over its own SIP trunk
    call = create_call(tenant, direction="outbound", to_number=CUSTOMER, from_number=LINE)

    # When it reports how the call ended, with the network's codes
    update = {
        "status": "busy",
        "end_reason": "busy",
        "sip_response_code": 486,
        "q850_cause": 17,
        "answered_by": "unknown",
    }
    assert put_call(ingest(tenant), call["id"], update)["statusCode"] == 200

    # Then the call shows them as sent
    got = body(get_call(tenant, call["id"]))
    assert {k: got[k] for k in update} == update


@pytest.mark.parametrize(
    ("field", "value"), [("sip_response_code", 99), ("sip_response_code", 700), ("q850_cause", 128)]
)
def test_codes_outside_their_range_are_refused(tenant: Any, field: str, value: int) -> None:
    call = create_call(tenant)
    result = put_call(ingest(tenant), call["id"], {field: value})
    assert result["statusCode"] == 422
    assert body(result)["detail"][0]["loc"] == ["body", field]


@pytest.mark.parametrize("field", ["dial_slot_at", "queue_time_ms"])
def test_the_dial_figures_are_the_apis_own(tenant: Any, field: str) -> None:
    call = create_call(tenant)
    value = 5 if field == "queue_time_ms" else "2026-01-01T00:00:00Z"
    result = put_call(ingest(tenant), call["id"], {field: value})
    assert result["statusCode"] == 422
    assert field in messages(result)


def test_a_sid_another_call_holds_is_refused(tenant: Any) -> None:
    # Given a call that holds a provider SID
    sid = "CA" + uuid.uuid4().hex
    create_call(tenant, twilio_call_sid=sid)

    # When another call, created or updated, names the same SID
    created = put_call(
        ingest(tenant),
        new_call_id(tenant),
        {"direction": "inbound", "from_number": CUSTOMER, "twilio_call_sid": sid},
    )
    other = create_call(tenant)
    updated = put_call(ingest(tenant), other["id"], {"twilio_call_sid": sid})

    # Then both are refused (409) and the other call keeps no SID
    for result in (created, updated):
        assert result["statusCode"] == 409, result["body"]
        assert body(result)["detail"] == "twilio_call_sid already belongs to another call"
    assert body(get_call(tenant, other["id"]))["twilio_call_sid"] is None
