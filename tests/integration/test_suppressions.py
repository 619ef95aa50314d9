"""The do-not-call list, /v1/suppressions, through its three handlers against the accounts table
on moto, and the check the dialer makes before placing a call."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dialtone.accounts import AccountStore
from dialtone.auth import Scope
from dialtone.dialing.suppressions import SuppressionStore
from local.invoke import api_event, invoke, sample_event
from tests.integration.conftest import SAMPLE_TENANT_ID

NUMBER = "+14155550123"


@pytest.fixture
def dnc(handler_environment: dict[str, str]) -> SuppressionStore:
    return SuppressionStore(handler_environment["ACCOUNTS_TABLE"])


def add(authorizer: dict[str, str], entry: Any, **headers: str) -> dict[str, Any]:
    event = api_event(
        "create_suppression",
        "POST /v1/suppressions",
        "/v1/suppressions",
        authorizer=authorizer,
        body=entry if isinstance(entry, str) else json.dumps(entry),
        headers=headers or None,
    )
    return invoke("create_suppression", event)


def remove(authorizer: dict[str, str], query: dict[str, str] | None) -> dict[str, Any]:
    event = api_event(
        "delete_suppression",
        "DELETE /v1/suppressions",
        "/v1/suppressions",
        query=query,
        authorizer=authorizer,
    )
    return invoke("delete_suppression", event)


def listed(authorizer: dict[str, str]) -> dict[str, Any]:
    event = api_event(
        "list_suppressions", "GET /v1/suppressions", "/v1/suppressions", authorizer=authorizer
    )
    return invoke("list_suppressions", event)


def body(result: dict[str, Any]) -> Any:
    return json.loads(result["body"])


def test_a_number_is_added_listed_checked_and_removed(tenant: Any, dnc: SuppressionStore) -> None:
    writer, reader = tenant.authorizer(Scope.CALLS_WRITE), tenant.authorizer(Scope.CALLS_READ)
    assert not dnc.is_suppressed(tenant.tenant_id, NUMBER)

    # When: a number written the human way is put on the list with a reason
    result = add(writer, {"phone_number": "+1 415-555-0123", "reason": "asked not to be called"})

    # Then: 201 with the entry in E.164, listed, and the dialer's check sees it at once
    assert result["statusCode"] == 201
    entry = body(result)
    assert entry["phone_number"] == NUMBER
    assert entry["reason"] == "asked not to be called"
    assert entry["created_at"].endswith("Z")
    assert body(listed(reader)) == {"suppressions": [entry], "next_cursor": None}
    assert dnc.is_suppressed(tenant.tenant_id, NUMBER)

    # When: it is removed, twice
    first, second = (
        remove(writer, {"phone_number": NUMBER}),
        remove(writer, {"phone_number": NUMBER}),
    )

    # Then: 204, then 404; the number may be called again
    assert (first["statusCode"], first["body"]) == (204, "")
    assert (second["statusCode"], body(second)) == (404, {"detail": "Suppression not found"})
    assert body(listed(reader)) == {"suppressions": [], "next_cursor": None}
    assert not dnc.is_suppressed(tenant.tenant_id, NUMBER)


def test_adding_a_number_already_on_the_list_returns_the_existing_entry(tenant: Any) -> None:
    # Given: a number on the list
    writer = tenant.authorizer(Scope.CALLS_WRITE)
    first = body(add(writer, {"phone_number": NUMBER, "reason": "complaint"}))

    # When: it is added again, written differently and with another reason
    again = add(writer, {"phone_number": "+1 (415) 555 0123", "reason": "second request"})

    # Then: 200 with the first entry, unchanged; the list holds it once
    assert again["statusCode"] == 200
    assert body(again) == first
    assert body(listed(tenant.authorizer(Scope.CALLS_READ)))["suppressions"] == [first]


def test_a_reason_is_optional_and_entries_are_listed_by_number(tenant: Any) -> None:
    writer = tenant.authorizer(Scope.CALLS_WRITE)
    for number in ("+442079460000", "+14155550199", NUMBER):
        assert add(writer, {"phone_number": number})["statusCode"] == 201

    entries = body(listed(tenant.authorizer(Scope.CALLS_READ)))["suppressions"]

    assert [e["phone_number"] for e in entries] == [NUMBER, "+14155550199", "+442079460000"]
    assert {e["reason"] for e in entries} == {None}
    assert set(entries[0]) == {"phone_number", "reason", "created_at"}


def test_an_unencoded_plus_in_the_query_still_names_the_number(tenant: Any) -> None:
    # Given: a number on the list
    writer = tenant.authorizer(Scope.CALLS_WRITE)
    add(writer, {"phone_number": NUMBER})

    # When: it is removed with `?phone_number=+1415...` unencoded, which decodes to a space
    result = remove(writer, {"phone_number": " 14155550123"})

    # Then: the number is removed
    assert result["statusCode"] == 204


def test_another_tenants_list_is_its_own(make_tenant: Any, dnc: SuppressionStore) -> None:
    # Given: a number on tenant A's list
    tenant_a, tenant_b = make_tenant(seed=1), make_tenant(seed=2)
    add(tenant_a.authorizer(Scope.CALLS_WRITE), {"phone_number": NUMBER})

    # When: tenant B lists its own and removes A's number
    everything = tenant_b.authorizer()
    b_list, b_remove = listed(everything), remove(everything, {"phone_number": NUMBER})

    # Then: B sees nothing, its removal is not found, and A's number stays suppressed for A only
    assert body(b_list) == {"suppressions": [], "next_cursor": None}
    assert (b_remove["statusCode"], body(b_remove)) == (404, {"detail": "Suppression not found"})
    assert dnc.is_suppressed(tenant_a.tenant_id, NUMBER)
    assert not dnc.is_suppressed(tenant_b.tenant_id, NUMBER)


def test_the_store_answers_the_dialers_question(tenant: Any, account_store: AccountStore) -> None:
    # Given a number added through the API
    add(tenant.authorizer(Scope.CALLS_WRITE), {"phone_number": NUMBER})
    # Then the store the dialer asks at dial time knows it, and only it
    store = SuppressionStore(account_store.table_name)
    assert store.is_suppressed(tenant.tenant_id, NUMBER)
    assert not store.is_suppressed(tenant.tenant_id, "+14155550100")


@pytest.mark.parametrize(
    ("scopes", "request_of", "missing"),
    [
        ((Scope.CALLS_WRITE,), lambda a: listed(a), "calls:read"),
        (
            (Scope.CALLS_READ, Scope.ADMIN),
            lambda a: add(a, {"phone_number": NUMBER}),
            "calls:write",
        ),
        ((Scope.CALLS_READ,), lambda a: remove(a, {"phone_number": NUMBER}), "calls:write"),
    ],
    ids=["list", "add", "remove"],
)
def test_a_key_without_the_scope_is_refused(
    tenant: Any, dnc: SuppressionStore, scopes: tuple[Scope, ...], request_of: Any, missing: str
) -> None:
    # Given: a number on the list, and a key without the scope the endpoint needs
    add(tenant.authorizer(Scope.CALLS_WRITE), {"phone_number": NUMBER})

    # When: the key makes the request
    result = request_of(tenant.authorizer(*scopes))

    # Then: 403 names the scope, and the list is as it was
    assert (result["statusCode"], body(result)) == (403, {"detail": f"Missing scope {missing}"})
    assert dnc.is_suppressed(tenant.tenant_id, NUMBER)


@pytest.mark.parametrize(
    ("entry", "loc", "message"),
    [
        ({"phone_number": "4155550123"}, ["body", "phone_number"], "must be an E.164 number"),
        ({"phone_number": "+1415555"}, ["body", "phone_number"], "is not a valid phone number"),
        ({}, ["body", "phone_number"], "Field required"),
        ({"phone_number": NUMBER, "reason": "x" * 501}, ["body", "reason"], "at most 500"),
        ({"phone_number": NUMBER, "until": "2027-01-01"}, ["body", "until"], "Extra inputs"),
        ("[1, 2]", ["body"], "valid dictionary"),
        ("+14155550123", ["body", 0], "The body is not valid JSON"),
    ],
    ids=["no-plus", "invalid", "missing", "long-reason", "unknown-field", "a-list", "not-json"],
)
def test_a_bad_entry_is_rejected_with_the_reason(
    tenant: Any, entry: Any, loc: list[Any], message: str
) -> None:
    result = add(tenant.authorizer(Scope.CALLS_WRITE), entry)

    assert result["statusCode"] == 422
    detail = body(result)["detail"]
    assert [e["loc"] for e in detail] == [loc]
    assert message in detail[0]["msg"]
    assert body(listed(tenant.authorizer(Scope.CALLS_READ))) == {
        "suppressions": [],
        "next_cursor": None,
    }


def test_a_form_or_text_body_is_refused(tenant: Any) -> None:
    writer = tenant.authorizer(Scope.CALLS_WRITE)

    as_text = add(writer, json.dumps({"phone_number": NUMBER}), **{"content-type": "text/plain"})
    as_form = add(
        writer,
        "phone_number=%2B14155550123",
        **{"content-type": "application/x-www-form-urlencoded"},
    )

    assert (as_text["statusCode"], body(as_text)) == (
        415,
        {"detail": "Unsupported Content-Type 'text/plain': send application/json"},
    )
    # powertools parses a form body; its values are lists, which no field accepts
    assert as_form["statusCode"] == 422
    assert body(listed(tenant.authorizer(Scope.CALLS_READ))) == {
        "suppressions": [],
        "next_cursor": None,
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [(None, "Field required"), ({"phone_number": "not-a-number"}, "must be an E.164 number")],
    ids=["missing", "invalid"],
)
def test_removing_needs_a_valid_number(
    tenant: Any, query: dict[str, str] | None, message: str
) -> None:
    result = remove(tenant.authorizer(Scope.CALLS_WRITE), query)

    assert result["statusCode"] == 422
    detail = body(result)["detail"]
    assert [e["loc"] for e in detail] == [["query", "phone_number"]]
    assert message in detail[0]["msg"]


def test_the_sample_events_add_list_and_remove_the_sample_number(
    make_tenant: Any,  # empties the samples' tenant's list
    dnc: SuppressionStore,
) -> None:
    # Given / When: each sample event of events/ is handled as it is, in order
    added = invoke("create_suppression", sample_event("create_suppression"))
    on_list = invoke("list_suppressions", sample_event("list_suppressions"))
    suppressed = dnc.is_suppressed(SAMPLE_TENANT_ID, NUMBER)
    removed = invoke("delete_suppression", sample_event("delete_suppression"))

    # Then: the sample number went on the samples' tenant's list and off again
    assert added["statusCode"] == 201
    assert body(on_list) == {"suppressions": [body(added)], "next_cursor": None}
    assert suppressed
    assert removed["statusCode"] == 204
    assert not dnc.is_suppressed(SAMPLE_TENANT_ID, NUMBER)
