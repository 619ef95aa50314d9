"""Retention of call records: a tenant's `retention_days` becomes `expires_at` (the calls table's
TTL attribute) on the call item and every exchange and history event item, counted from the
call's start (from its creation when the start is still to come); a call past it reads as not
found even before DynamoDB's TTL removes it, and can still be erased. An erasure that has begun
leaves the call unreadable and unwritable until it is finished."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone.accounts import AccountStore, TenantSettingsUpdate
from dialtone.auth import Scope
from dialtone.store import CALL_SK, CallStore, call_pk
from local.endpoint import EmbeddedAws
from local.invoke import api_event, invoke
from tests.call_routes import body, call_items, call_route
from tests.streams import drain_calls_stream
from tests.tenants import TenantFixture


def call_request(
    function: str,
    route: str,
    tenant: TenantFixture,
    call_id: str,
    scope: Scope,
    payload: Any = None,
) -> dict[str, Any]:
    """The Lambda result of `route` (e.g. "POST /v1/calls/{call_id}/events") for the call."""
    return call_route(function, route, call_id, tenant.authorizer(scope), payload)


def record_call(tenant: TenantFixture, start_time: datetime) -> str:
    """A call the runtime created, filled with three exchanges and two history events (the
    second ends it), all through the API; its id."""
    call_id = str(uuid.uuid4())
    tenant.call_ids.append(call_id)
    ingest = Scope.CALLS_INGEST
    created = call_request(
        "upsert_call",
        "PUT /v1/calls/{call_id}",
        tenant,
        call_id,
        ingest,
        {
            "direction": "outbound",
            "to_number": "+14155550123",
            "start_time": start_time.isoformat(),
        },
    )
    assert created["statusCode"] == 201, created["body"]
    exchanges = call_request(
        "append_call_exchanges",
        "POST /v1/calls/{call_id}/exchanges",
        tenant,
        call_id,
        ingest,
        {"exchanges": [{"sequence_number": n, "user_transcript": f"turn {n}"} for n in range(3)]},
    )
    assert body(exchanges)["stored"] == 3, exchanges["body"]
    events = call_request(
        "append_call_events",
        "POST /v1/calls/{call_id}/events",
        tenant,
        call_id,
        ingest,
        {
            "events": [
                {"type": "started", "timestamp": start_time.isoformat()},
                {"type": "ended", "timestamp": (start_time + timedelta(minutes=2)).isoformat()},
            ]
        },
    )
    assert body(events)["stored"] == 2, events["body"]
    return call_id


def get_call(tenant: TenantFixture, call_id: str) -> dict[str, Any]:
    return call_request("get_call", "GET /v1/calls/{call_id}", tenant, call_id, Scope.CALLS_READ)


@pytest.fixture
def dynamodb(embedded_aws: EmbeddedAws) -> Any:
    return embedded_aws.session().client("dynamodb")


@pytest.fixture
def calls_table(handler_environment: dict[str, str]) -> str:
    return handler_environment["CALLS_TABLE"]


@pytest.mark.parametrize("retention_days", [1, 30, 400])
def test_every_item_of_a_call_expires_its_tenants_retention_after_the_start(
    tenant: TenantFixture,
    account_store: AccountStore,
    dynamodb: Any,
    calls_table: str,
    retention_days: int,
) -> None:
    # Given: a tenant that keeps calls `retention_days`, and a call of it that started an
    # hour ago, with exchanges and history written through the API
    account_store.update_settings(
        tenant.tenant_id, TenantSettingsUpdate(retention_days=retention_days)
    )
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    call_id = record_call(tenant, start)

    # When: the table is read directly
    items = call_items(dynamodb, calls_table, tenant.tenant_id, call_id)

    # Then: the call item, its 3 exchanges and 2 events each expire `retention_days` after
    # the call's start (epoch seconds)
    expected = int((start + timedelta(days=retention_days)).timestamp())
    kinds = sorted(item["sk"]["S"].split("#")[0] for item in items)
    assert kinds == ["CALL", "EV", "EV", "EX", "EX", "EX"]
    assert {item["sk"]["S"]: item.get("expires_at") for item in items} == {
        item["sk"]["S"]: {"N": str(expected)} for item in items
    }
    # And the call, still within its retention, reads as usual
    assert get_call(tenant, call_id)["statusCode"] == 200


def test_a_later_update_keeps_the_calls_expiry(
    tenant: TenantFixture, account_store: AccountStore, dynamodb: Any, calls_table: str
) -> None:
    # Given: a recorded call of a tenant keeping calls 30 days
    account_store.update_settings(tenant.tenant_id, TenantSettingsUpdate(retention_days=30))
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    call_id = record_call(tenant, start)

    # When: the tenant's retention changes and the runtime updates the call afterwards
    account_store.update_settings(tenant.tenant_id, TenantSettingsUpdate(retention_days=7))
    updated = call_request(
        "upsert_call",
        "PUT /v1/calls/{call_id}",
        tenant,
        call_id,
        Scope.CALLS_INGEST,
        {"metadata": {"crm_id": "A-1"}},
    )

    # Then: the call keeps the expiry it was given when it was created
    assert updated["statusCode"] == 200, updated["body"]
    [call_item] = [
        item
        for item in call_items(dynamodb, calls_table, tenant.tenant_id, call_id)
        if item["sk"]["S"] == CALL_SK
    ]
    assert call_item["expires_at"] == {"N": str(int((start + timedelta(days=30)).timestamp()))}


def test_a_tenant_without_retention_keeps_its_calls(
    tenant: TenantFixture, dynamodb: Any, calls_table: str
) -> None:
    # Given / When: a call of a tenant that set no retention, with exchanges and history
    call_id = record_call(tenant, datetime.now(UTC) - timedelta(days=4000))

    # Then: no item of it carries an expiry, whatever its age
    items = call_items(dynamodb, calls_table, tenant.tenant_id, call_id)
    assert len(items) == 6
    assert [item["sk"]["S"] for item in items if "expires_at" in item] == []
    assert get_call(tenant, call_id)["statusCode"] == 200


def expire(dynamodb: Any, table: str, tenant_id: str, call_id: str, at: float) -> None:
    """Give every item of the call an expiry, as retention would have."""
    for item in call_items(dynamodb, table, tenant_id, call_id):
        dynamodb.update_item(
            TableName=table,
            Key={"pk": item["pk"], "sk": item["sk"]},
            UpdateExpression="SET expires_at = :at",
            ExpressionAttributeValues={":at": {"N": str(int(at))}},
        )


@pytest.mark.parametrize(
    ("function", "route", "scope"),
    [
        ("get_call", "GET /v1/calls/{call_id}", Scope.CALLS_READ),
        ("get_call_transcript", "GET /v1/calls/{call_id}/transcript", Scope.CALLS_READ),
        ("get_call_history", "GET /v1/calls/{call_id}/history", Scope.CALLS_READ),
        ("get_call_recording", "GET /v1/calls/{call_id}/recording", Scope.CALLS_READ),
        ("get_call_grade", "GET /v1/calls/{call_id}/grade", Scope.CALLS_READ),
        (
            "list_call_issue_reports",
            "GET /v1/calls/{call_id}/issue-reports",
            Scope.CALLS_READ,
        ),
    ],
)
def test_a_call_past_its_expiry_is_not_found(
    tenant: TenantFixture,
    dynamodb: Any,
    calls_table: str,
    function: str,
    route: str,
    scope: Scope,
) -> None:
    # Given: a call whose expiry passed a minute ago, which DynamoDB's TTL has not removed yet
    call_id = record_call(tenant, datetime.now(UTC) - timedelta(days=31))
    expire(dynamodb, calls_table, tenant.tenant_id, call_id, time.time() - 60)
    assert call_items(dynamodb, calls_table, tenant.tenant_id, call_id)

    # When: the tenant reads it
    result = call_request(function, route, tenant, call_id, scope)

    # Then: 404, as if it were gone
    assert result["statusCode"] == 404
    assert body(result) == {"detail": "Call not found"}


def test_a_call_whose_expiry_is_still_ahead_is_found(
    tenant: TenantFixture, dynamodb: Any, calls_table: str
) -> None:
    # Given: the same kind of call, expiring in a minute
    call_id = record_call(tenant, datetime.now(UTC) - timedelta(days=31))
    expire(dynamodb, calls_table, tenant.tenant_id, call_id, time.time() + 60)

    # When / Then: it is read as usual
    result = get_call(tenant, call_id)
    assert result["statusCode"] == 200
    assert body(result)["id"] == call_id


def test_the_runtime_cannot_append_to_a_call_past_its_expiry(
    tenant: TenantFixture, dynamodb: Any, calls_table: str
) -> None:
    # Given: an expired call
    call_id = record_call(tenant, datetime.now(UTC) - timedelta(days=31))
    expire(dynamodb, calls_table, tenant.tenant_id, call_id, time.time() - 60)

    # When: the runtime appends an exchange to it
    result = call_request(
        "append_call_exchanges",
        "POST /v1/calls/{call_id}/exchanges",
        tenant,
        call_id,
        Scope.CALLS_INGEST,
        {"sequence_number": 9, "user_transcript": "late"},
    )

    # Then: 404, and nothing is stored under it
    assert result["statusCode"] == 404
    items = call_items(dynamodb, calls_table, tenant.tenant_id, call_id)
    assert len([item for item in items if item["sk"]["S"].startswith("EX#")]) == 3


def test_putting_a_call_past_its_expiry_starts_a_fresh_one(
    tenant: TenantFixture, dynamodb: Any, calls_table: str
) -> None:
    # Given: an expired call with exchanges and history, not yet removed by DynamoDB's TTL
    call_id = record_call(tenant, datetime.now(UTC) - timedelta(days=31))
    expire(dynamodb, calls_table, tenant.tenant_id, call_id, time.time() - 60)

    # When: the runtime PUTs a call with the same id
    result = call_request(
        "upsert_call",
        "PUT /v1/calls/{call_id}",
        tenant,
        call_id,
        Scope.CALLS_INGEST,
        {"direction": "web"},
    )

    # Then: a new call is created, and nothing of the expired one shows through it
    assert result["statusCode"] == 201, result["body"]
    assert body(result)["direction"] == "web"
    assert body(result)["status"] == "in_progress"
    assert [
        item["sk"]["S"] for item in call_items(dynamodb, calls_table, tenant.tenant_id, call_id)
    ] == [CALL_SK]


def test_a_call_that_started_before_the_retention_is_refused(
    tenant: TenantFixture, account_store: AccountStore, dynamodb: Any, calls_table: str
) -> None:
    # Given: a tenant that keeps calls 30 days
    account_store.update_settings(tenant.tenant_id, TenantSettingsUpdate(retention_days=30))
    call_id = str(uuid.uuid4())
    tenant.call_ids.append(call_id)

    # When: the runtime backfills a call that started 31 days ago
    start = datetime.now(UTC) - timedelta(days=31)
    result = call_request(
        "upsert_call",
        "PUT /v1/calls/{call_id}",
        tenant,
        call_id,
        Scope.CALLS_INGEST,
        {"direction": "inbound", "start_time": start.isoformat()},
    )

    # Then: 422 on start_time saying why, rather than a call that would read as not found
    assert result["statusCode"] == 422, result["body"]
    [error] = body(result)["detail"]
    assert error["loc"] == ["body", "start_time"]
    assert "retention of 30 days" in error["msg"]
    assert call_items(dynamodb, calls_table, tenant.tenant_id, call_id) == []


def test_a_call_starting_later_expires_its_retention_after_its_creation(
    tenant: TenantFixture, account_store: AccountStore, dynamodb: Any, calls_table: str
) -> None:
    # Given: a tenant that keeps calls 7 days
    account_store.update_settings(tenant.tenant_id, TenantSettingsUpdate(retention_days=7))
    call_id = str(uuid.uuid4())
    tenant.call_ids.append(call_id)

    # When: the runtime creates a call whose start is a year ahead
    before = time.time()
    result = call_request(
        "upsert_call",
        "PUT /v1/calls/{call_id}",
        tenant,
        call_id,
        Scope.CALLS_INGEST,
        {"direction": "web", "start_time": (datetime.now(UTC) + timedelta(days=365)).isoformat()},
    )

    # Then: it expires 7 days from now, not 7 days after that start
    assert result["statusCode"] == 201, result["body"]
    [item] = call_items(dynamodb, calls_table, tenant.tenant_id, call_id)
    assert before + 7 * 86400 - 1 <= int(item["expires_at"]["N"]) <= time.time() + 7 * 86400


def delete_call(tenant: TenantFixture, call_id: str) -> dict[str, Any]:
    return call_request("delete_call", "DELETE /v1/calls/{call_id}", tenant, call_id, Scope.ADMIN)


def test_a_call_past_its_expiry_can_still_be_erased(
    tenant: TenantFixture, dynamodb: Any, calls_table: str
) -> None:
    # Given: an expired call whose items DynamoDB's TTL has not removed yet
    call_id = record_call(tenant, datetime.now(UTC) - timedelta(days=31))
    expire(dynamodb, calls_table, tenant.tenant_id, call_id, time.time() - 60)

    # When: an admin erases it
    result = delete_call(tenant, call_id)

    # Then: 204 and nothing of it is left; a second erasure finds nothing
    assert result["statusCode"] == 204, result.get("body")
    assert call_items(dynamodb, calls_table, tenant.tenant_id, call_id) == []
    assert delete_call(tenant, call_id)["statusCode"] == 404


def test_a_call_being_erased_is_neither_readable_nor_writable_until_erased(
    tenant: TenantFixture, dynamodb: Any, calls_table: str, call_store: CallStore
) -> None:
    # Given: a call whose erasure began and was interrupted before its items were removed
    call_id = record_call(tenant, datetime.now(UTC) - timedelta(minutes=10))
    call_store.begin_erasure(tenant.tenant_id, call_id)
    ingest = Scope.CALLS_INGEST

    # When / Then: it reads as not found through every endpoint
    for function, route in [
        ("get_call", "GET /v1/calls/{call_id}"),
        ("get_call_transcript", "GET /v1/calls/{call_id}/transcript"),
        ("get_call_history", "GET /v1/calls/{call_id}/history"),
        ("get_call_recording", "GET /v1/calls/{call_id}/recording"),
        ("get_call_grade", "GET /v1/calls/{call_id}/grade"),
        ("list_call_issue_reports", "GET /v1/calls/{call_id}/issue-reports"),
    ]:
        got = call_request(function, route, tenant, call_id, Scope.CALLS_READ)
        assert got["statusCode"] == 404, function
    # And nothing more can be written under it
    appended = call_request(
        "append_call_exchanges",
        "POST /v1/calls/{call_id}/exchanges",
        tenant,
        call_id,
        ingest,
        {"sequence_number": 7, "user_transcript": "too late"},
    )
    assert appended["statusCode"] == 404
    events = call_request(
        "append_call_events",
        "POST /v1/calls/{call_id}/events",
        tenant,
        call_id,
        ingest,
        {"type": "escalated", "timestamp": datetime.now(UTC).isoformat()},
    )
    assert events["statusCode"] == 404
    put = call_request(
        "upsert_call", "PUT /v1/calls/{call_id}", tenant, call_id, ingest, {"direction": "web"}
    )
    assert put["statusCode"] == 409
    assert "erasure of this call is in progress" in body(put)["detail"]
    assert len(call_items(dynamodb, calls_table, tenant.tenant_id, call_id)) == 6

    # When: the erasure is run again
    result = delete_call(tenant, call_id)

    # Then: it finishes: nothing is left, and the id may be used for a new call
    assert result["statusCode"] == 204
    assert call_items(dynamodb, calls_table, tenant.tenant_id, call_id) == []
    assert delete_call(tenant, call_id)["statusCode"] == 404


def test_purging_an_expired_call_spares_a_new_call_under_the_same_id(
    tenant: TenantFixture, dynamodb: Any, calls_table: str, call_store: CallStore
) -> None:
    # Given: a live call (with a 30-day expiry ahead) created under an id whose earlier call
    # expired, by a request racing ours; a leftover exchange of the expired call remains
    call_id = record_call(tenant, datetime.now(UTC) - timedelta(minutes=10))
    expire(dynamodb, calls_table, tenant.tenant_id, call_id, time.time() + 30 * 86400)
    live = call_items(dynamodb, calls_table, tenant.tenant_id, call_id)
    dynamodb.put_item(
        TableName=calls_table,
        Item={
            "pk": {"S": call_pk(tenant.tenant_id, call_id)},
            "sk": {"S": "EX#0000009999"},
            "sequence_number": {"N": "9999"},
            "expires_at": {"N": str(int(time.time()) - 60)},
        },
    )

    # When: our request purges what it took for the expired call's leftovers
    call_store.purge_expired_call(tenant.tenant_id, call_id)

    # Then: the leftover is gone, and the live call's items are all still there
    assert call_items(dynamodb, calls_table, tenant.tenant_id, call_id) == live


def list_calls(tenant: TenantFixture) -> tuple[list[str], int]:
    """The ids of the tenant's calls as listed, and the total the listing counts (once every
    change so far is rolled up)."""
    drain_calls_stream(tenant.tenant_id)
    event = api_event(
        "list_calls",
        "GET /v1/calls",
        "/v1/calls",
        query={"limit": "100"},
        authorizer=tenant.authorizer(Scope.CALLS_READ),
    )
    result = invoke("list_calls", event)
    assert result["statusCode"] == 200, result["body"]
    page = body(result)
    return [call["id"] for call in page["calls"]], page["total"]


def test_calls_past_their_expiry_or_being_erased_are_not_listed(
    tenant: TenantFixture, dynamodb: Any, calls_table: str, call_store: CallStore
) -> None:
    # Given: three calls of a tenant: one live, one past its expiry, one being erased
    start = datetime.now(UTC) - timedelta(minutes=10)
    live, expired, erasing = (record_call(tenant, start) for _ in range(3))
    expire(dynamodb, calls_table, tenant.tenant_id, expired, time.time() - 60)
    call_store.begin_erasure(tenant.tenant_id, erasing)

    # When: the tenant lists its calls
    listed, total = list_calls(tenant)

    # Then: only the live call is listed, and counted
    assert (listed, total) == ([live], 1)
