"""POST /v1/calls/search through the search_calls handler, against the template's tables on moto."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dialtone import aws, store
from dialtone.auth import Scope
from dialtone.store import CallStore
from local.invoke import api_event, invoke
from local.seed import make_call

ROUTE = "POST /v1/calls/search"


def search(authorizer: dict[str, str] | None, payload: Any) -> dict[str, Any]:
    """The Lambda result of POST /v1/calls/search with this JSON body."""
    event = api_event(
        "search_calls", ROUTE, "/v1/calls/search", authorizer=authorizer, body=json.dumps(payload)
    )
    return invoke("search_calls", event)


def found(tenant: Any, call_ids: list[str]) -> dict[str, Any]:
    result = search(tenant.authorizer(Scope.CALLS_READ), {"call_ids": call_ids})
    assert result["statusCode"] == 200, result["body"]
    answer: dict[str, Any] = json.loads(result["body"])
    return answer


def get_call(tenant: Any, call_id: str) -> dict[str, Any]:
    event = api_event(
        "get_call",
        "GET /v1/calls/{call_id}",
        f"/v1/calls/{call_id}",
        path_parameters={"call_id": call_id},
        authorizer=tenant.authorizer(Scope.CALLS_READ),
    )
    result = invoke("get_call", event)
    assert result["statusCode"] == 200, result["body"]
    answer: dict[str, Any] = json.loads(result["body"])
    return answer


def test_calls_come_back_in_the_order_asked_as_the_detail_shows_them(tenant: Any) -> None:
    # Given: five calls of the tenant
    calls = tenant.add_calls(5)
    asked = [calls[3].id, calls[0].id, calls[4].id]

    # When: three of them are asked for, out of their stored order
    answer = found(tenant, asked)

    # Then: those three, in the order asked, each the very object GET /v1/calls/{id} returns
    assert [call["id"] for call in answer["calls"]] == asked
    assert answer["not_found"] == []
    assert answer["calls"] == [get_call(tenant, call_id) for call_id in asked]


def test_unknown_and_other_tenants_ids_are_not_found(tenant: Any, make_tenant: Any) -> None:
    # Given: a call of the tenant, a call of another tenant, and an id nobody has
    mine = tenant.add_call().id
    theirs = make_tenant(seed=8).add_call().id
    nobody = str(uuid.uuid4())

    # When: all three are asked for
    answer = found(tenant, [theirs, mine, nobody])

    # Then: only the tenant's own call is found; the others are listed in the order asked
    assert [call["id"] for call in answer["calls"]] == [mine]
    assert answer["not_found"] == [theirs, nobody]


def test_an_id_asked_twice_is_answered_once(tenant: Any) -> None:
    # Given: two calls
    first, second = (call.id for call in tenant.add_calls(2))

    # When: one id comes twice, in upper case the second time
    answer = found(tenant, [second, first, second.upper()])

    # Then: each call once, where its id first came
    assert [call["id"] for call in answer["calls"]] == [second, first]


def test_calls_being_erased_or_past_retention_are_not_found(
    tenant: Any, call_store: CallStore
) -> None:
    # Given: a live call, a call being erased, and a call past its retention
    live, erasing = (call.id for call in tenant.add_calls(2))
    call_store.begin_erasure(tenant.tenant_id, erasing)
    expired = make_call(tenant.rng)
    call_store.create_call(tenant.tenant_id, expired, {"expires_at": int(time.time()) - 60})
    tenant.call_ids.append(expired.id)

    # When: all three are asked for
    answer = found(tenant, [live, erasing, expired.id])

    # Then: only the live call is found
    assert [call["id"] for call in answer["calls"]] == [live]
    assert answer["not_found"] == [erasing, expired.id]


def test_a_hundred_ids_are_read_in_one_batch(tenant: Any) -> None:
    # Given: 100 calls
    calls = tenant.add_calls(100)

    # When: all of them are asked for
    answer = found(tenant, [call.id for call in reversed(calls)])

    # Then: all 100, in the order asked
    assert [call["id"] for call in answer["calls"]] == [call.id for call in reversed(calls)]


@pytest.mark.parametrize(
    ("payload", "location"),
    [
        ({"call_ids": []}, ["body", "call_ids"]),
        ({"call_ids": [str(uuid.uuid4()) for _ in range(101)]}, ["body", "call_ids"]),
        ({"call_ids": ["not-a-uuid"]}, ["body", "call_ids", 0]),
        ({}, ["body", "call_ids"]),
    ],
    ids=["no ids", "101 ids", "not a UUID", "no call_ids"],
)
def test_bad_id_lists_are_refused_with_422(
    tenant: Any, payload: dict[str, Any], location: list[Any]
) -> None:
    # When: the ids are none, too many, or not UUIDs
    result = search(tenant.authorizer(Scope.CALLS_READ), payload)

    # Then: 422 naming the field
    assert result["statusCode"] == 422, result["body"]
    assert location in [error["loc"] for error in json.loads(result["body"])["detail"]]


def test_a_key_without_calls_read_is_refused(tenant: Any) -> None:
    # Given: a call and a key that may only ingest
    call_id = tenant.add_call().id

    # When: it searches
    result = search(tenant.authorizer(Scope.CALLS_INGEST), {"call_ids": [call_id]})

    # Then: 403, naming the missing scope
    assert result["statusCode"] == 403
    assert json.loads(result["body"]) == {"detail": "Missing scope calls:read"}


@pytest.fixture
def unprocessed_rounds() -> Iterator[list[int]]:
    """Make DynamoDB leave keys unprocessed: the first two BatchGetItem answers of the shared
    client keep only one call each and hand the others back as UnprocessedKeys. Yields the
    number of keys asked for in each round."""
    client = aws.client("dynamodb")
    rounds: list[int] = []

    def count_keys(params: dict[str, Any], **_: Any) -> None:
        rounds.append(sum(len(r["Keys"]) for r in params["RequestItems"].values()))

    def hold_back(parsed: dict[str, Any], **_: Any) -> None:
        for table, items in parsed.get("Responses", {}).items():
            if len(rounds) <= 2 and len(items) > 1:
                parsed["Responses"][table] = items[:1]
                held = [{"pk": i["pk"], "sk": i["sk"]} for i in items[1:]]
                parsed["UnprocessedKeys"] = {table: {"Keys": held}}

    client.meta.events.register("provide-client-params.dynamodb.BatchGetItem", count_keys)
    client.meta.events.register("after-call.dynamodb.BatchGetItem", hold_back)
    yield rounds
    client.meta.events.unregister("provide-client-params.dynamodb.BatchGetItem", count_keys)
    client.meta.events.unregister("after-call.dynamodb.BatchGetItem", hold_back)


def test_unprocessed_keys_are_read_again(tenant: Any, unprocessed_rounds: list[int]) -> None:
    # Given: four calls, and DynamoDB leaving keys unprocessed twice
    calls = tenant.add_calls(4)

    # When: they are asked for
    answer = found(tenant, [call.id for call in calls])

    # Then: every call is found, in order, after two more rounds for the keys left over
    assert [call["id"] for call in answer["calls"]] == [call.id for call in calls]
    assert unprocessed_rounds == [4, 3, 2]


def test_keys_left_unprocessed_every_time_answer_503(
    tenant: Any, unprocessed_rounds: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given: three calls, and DynamoDB leaving keys unprocessed more often than the store retries
    calls = tenant.add_calls(3)
    monkeypatch.setattr(store, "BATCH_GET_ATTEMPTS", 2)

    # When: they are asked for
    result = search(tenant.authorizer(Scope.CALLS_READ), {"call_ids": [c.id for c in calls]})

    # Then: 503 with a reason to retry, never a 5xx from boto
    assert result["statusCode"] == 503
    assert "retry" in json.loads(result["body"])["detail"]
    assert unprocessed_rounds == [3, 2]
