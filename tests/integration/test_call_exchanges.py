"""POST /v1/calls/{call_id}/exchanges (the voice runtime appends transcript exchanges) through
its handler, read back through GET /v1/calls/{call_id}/transcript and GET /v1/calls/{call_id},
against the template's tables on moto. Also: redaction of calls that opted out of sensitive
data storage."""

from __future__ import annotations

import itertools
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone.accounts import AccountStore
from dialtone.auth import Scope
from dialtone.ingest import MAX_TEXT
from dialtone.store import CallStore, call_pk
from tests import call_routes as routes
from tests.call_routes import body, call_items, call_route

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
CUSTOMER = "+14155550123"

# What a caller says, and what is stored of it when the call opted out of sensitive data.
SENSITIVE = [
    (
        "Sure, my email is jane.doe+calls@example.co.uk and my cell is (650) 253-0000.",
        "Sure, my email is [EMAIL] and my cell is [PHONE].",
    ),
    (
        "The card is 4111 1111 1111 1111, expiry 12/27. Order 10442 ships at 3:45 pm on "
        "2026-03-12 for $129.99.",
        "The card is [CARD], expiry 12/27. Order 10442 ships at 3:45 pm on 2026-03-12 for $129.99.",
    ),
    (
        "Call me back on +44 20 7946 0958 about ticket 558213.",
        "Call me back on [PHONE] about ticket 558213.",
    ),
]


def ingest(tenant: Any) -> dict[str, str]:
    return tenant.authorizer(Scope.CALLS_INGEST)


def create_call(tenant: Any, **fields: Any) -> str:
    """A call the runtime created with PUT, started at T0; its id."""
    return routes.create_call(tenant, **{"start_time": T0.isoformat(), **fields})


def post_exchanges(authorizer: dict[str, str] | None, call_id: str, payload: Any) -> dict[str, Any]:
    """The Lambda result of POST /v1/calls/<call_id>/exchanges (a raw string is sent as is)."""
    route = "POST /v1/calls/{call_id}/exchanges"
    return call_route("append_call_exchanges", route, call_id, authorizer, payload)


def get_transcript(tenant: Any, call_id: str, fmt: str = "exchanges") -> dict[str, Any]:
    return call_route(
        "get_call_transcript",
        "GET /v1/calls/{call_id}/transcript",
        call_id,
        tenant.authorizer(Scope.CALLS_READ),
        query={"format": fmt},
    )


def every_page(tenant: Any, call_id: str, fmt: str, key: str) -> list[dict[str, Any]]:
    """Every item of a paged transcript format, following `next_cursor` to the end."""
    items: list[dict[str, Any]] = []
    query = {"format": fmt}
    while True:
        page = body(
            call_route(
                "get_call_transcript",
                "GET /v1/calls/{call_id}/transcript",
                call_id,
                tenant.authorizer(Scope.CALLS_READ),
                query=query,
            )
        )
        items += page[key]
        if page["next_cursor"] is None:
            return items
        query = {"format": fmt, "cursor": page["next_cursor"]}


def get_call_with_transcript(tenant: Any, call_id: str) -> dict[str, Any]:
    return call_route(
        "get_call",
        "GET /v1/calls/{call_id}",
        call_id,
        tenant.authorizer(Scope.CALLS_READ),
        query={"include": "transcript"},
    )


def transcript(tenant: Any, call_id: str) -> list[dict[str, Any]]:
    result = get_transcript(tenant, call_id)
    assert result["statusCode"] == 200, result["body"]
    exchanges: list[dict[str, Any]] = body(result)["exchanges"]
    return exchanges


def exchange(n: int, **fields: Any) -> dict[str, Any]:
    """Exchange `n` as the runtime sends it: ten seconds apart, with offsets."""
    base = n * 10_000
    return {
        "sequence_number": n,
        "user_transcript": f"question {n}",
        "agent_response": f"answer {n}",
        "exchange_timestamp": (T0 + timedelta(milliseconds=base)).isoformat(),
        "user_start_ms": base,
        "user_end_ms": base + 3_000,
        "agent_start_ms": base + 4_000,
        "agent_end_ms": base + 8_000,
        **fields,
    }


def receipt(call_id: str, received: int, stored: int, unchanged: int) -> dict[str, Any]:
    return {"call_id": call_id, "received": received, "stored": stored, "unchanged": unchanged}


# Appending


def test_exchanges_arriving_out_of_order_are_read_back_in_sequence_order(tenant: Any) -> None:
    # Given: a call
    call_id = create_call(tenant)

    # When: its exchanges arrive out of order, over three requests
    results = [
        post_exchanges(ingest(tenant), call_id, {"exchanges": [exchange(3), exchange(1)]}),
        post_exchanges(ingest(tenant), call_id, {"exchanges": [exchange(2)]}),
        post_exchanges(ingest(tenant), call_id, {"exchanges": [exchange(0)]}),
    ]

    # Then: each was stored, and the transcript is in sequence order with every field
    assert [r["statusCode"] for r in results] == [200, 200, 200]
    assert [body(r) for r in results] == [
        receipt(call_id, 2, 2, 0),
        receipt(call_id, 1, 1, 0),
        receipt(call_id, 1, 1, 0),
    ]
    got = transcript(tenant, call_id)
    assert [e["sequence_number"] for e in got] == [0, 1, 2, 3]
    assert got[1] == {
        "sequence_number": 1,
        "user_transcript": "question 1",
        "agent_response": "answer 1",
        "error": False,
        "error_message": None,
        "exchange_timestamp": "2026-03-10T12:00:10Z",
        "user_start_ms": 10_000,
        "user_end_ms": 13_000,
        "agent_start_ms": 14_000,
        "agent_end_ms": 18_000,
    }


def test_a_single_exchange_object_is_accepted_as_the_body(tenant: Any) -> None:
    # Given: a call
    call_id = create_call(tenant)

    # When: the runtime posts one exchange, not wrapped in a list
    result = post_exchanges(ingest(tenant), call_id, exchange(0, error=True, error_message="tts"))

    # Then: it is stored
    assert result["statusCode"] == 200
    assert body(result) == receipt(call_id, 1, 1, 0)
    got = transcript(tenant, call_id)
    assert [(e["sequence_number"], e["error"], e["error_message"]) for e in got] == [
        (0, True, "tts")
    ]


def test_a_repeated_identical_exchange_changes_nothing(tenant: Any) -> None:
    # Given: a call with two exchanges
    call_id = create_call(tenant)
    post_exchanges(ingest(tenant), call_id, {"exchanges": [exchange(0), exchange(1)]})
    before = transcript(tenant, call_id)

    # When: the runtime retries them, with one new exchange
    result = post_exchanges(
        ingest(tenant), call_id, {"exchanges": [exchange(1), exchange(0), exchange(2)]}
    )

    # Then: 200; the repeats counted unchanged, only the new one stored
    assert result["statusCode"] == 200
    assert body(result) == receipt(call_id, 3, 1, 2)
    after = transcript(tenant, call_id)
    assert after[:2] == before
    assert [e["sequence_number"] for e in after] == [0, 1, 2]


def test_an_identical_exchange_twice_in_one_request_is_stored_once(tenant: Any) -> None:
    # Given / When: a request carrying the same exchange twice
    call_id = create_call(tenant)
    result = post_exchanges(ingest(tenant), call_id, {"exchanges": [exchange(0), exchange(0)]})

    # Then: one exchange stored
    assert result["statusCode"] == 200
    assert body(result) == receipt(call_id, 2, 1, 1)
    assert len(transcript(tenant, call_id)) == 1


def test_a_repeated_sequence_number_with_other_content_is_a_conflict(tenant: Any) -> None:
    # Given: a call with exchanges 0 and 1
    call_id = create_call(tenant)
    post_exchanges(ingest(tenant), call_id, {"exchanges": [exchange(0), exchange(1)]})

    # When: a request changes what exchange 1 said, and brings 2 and 3
    changed = exchange(1, agent_response="a different answer")
    result = post_exchanges(
        ingest(tenant), call_id, {"exchanges": [exchange(2), changed, exchange(3)]}
    )

    # Then: 409 naming sequence number 1; exchange 1 keeps what it said; 2 and 3 were stored
    assert result["statusCode"] == 409
    detail = body(result)["detail"]
    assert "sequence_number already stored with different content: 1;" in detail
    assert "the others in the request were stored" in detail
    got = transcript(tenant, call_id)
    assert [e["sequence_number"] for e in got] == [0, 1, 2, 3]
    assert got[1]["agent_response"] == "answer 1"


def test_two_different_exchanges_with_one_sequence_number_in_a_request_are_refused(
    tenant: Any,
) -> None:
    # Given / When: a request with two different versions of exchange 0
    call_id = create_call(tenant)
    result = post_exchanges(
        ingest(tenant),
        call_id,
        {"exchanges": [exchange(1), exchange(0), exchange(0, user_transcript="other")]},
    )

    # Then: 422, and nothing of it was stored
    assert result["statusCode"] == 422
    assert body(result)["detail"][0]["loc"] == ["body", "exchanges"]
    assert transcript(tenant, call_id) == []


def test_500_exchanges_are_accepted_and_501_refused(tenant: Any) -> None:
    # Given: a call
    call_id = create_call(tenant)

    # When: the runtime sends 501 exchanges, then 500
    too_many = post_exchanges(
        ingest(tenant), call_id, {"exchanges": [exchange(n) for n in range(501)]}
    )
    most = post_exchanges(ingest(tenant), call_id, {"exchanges": [exchange(n) for n in range(500)]})

    # Then: 422 for 501 (nothing stored); 500 stored
    assert too_many["statusCode"] == 422
    assert body(too_many)["detail"][0]["loc"] == ["body", "exchanges"]
    assert body(most) == receipt(call_id, 500, 500, 0)
    assert len(transcript(tenant, call_id)) == 500


@pytest.mark.parametrize("field", ["user_transcript", "agent_response"])
def test_text_up_to_4000_characters_is_kept_whole_and_longer_refused(
    tenant: Any, field: str
) -> None:
    # Given: a call
    call_id = create_call(tenant)

    # When: an exchange says 4000 characters, another 4001
    longest = post_exchanges(ingest(tenant), call_id, exchange(0, **{field: "é" * MAX_TEXT}))
    too_long = post_exchanges(ingest(tenant), call_id, exchange(1, **{field: "a" * (MAX_TEXT + 1)}))

    # Then: the first is stored whole, the second refused naming the field
    assert longest["statusCode"] == 200
    assert transcript(tenant, call_id)[0][field] == "é" * MAX_TEXT
    assert too_long["statusCode"] == 422
    assert body(too_long)["detail"][0]["loc"] == ["body", "exchanges", 0, field]
    assert len(transcript(tenant, call_id)) == 1


@pytest.mark.parametrize(
    ("payload", "location"),
    [
        ("this is not json", ["body"]),
        ('{"exchanges": [{"sequence_number": 0}', ["body"]),
        ({"exchanges": [{"user_transcript": "hi"}]}, ["body", "exchanges", 0, "sequence_number"]),
        ({"exchanges": [{"sequence_number": -1}]}, ["body", "exchanges", 0, "sequence_number"]),
        ({"exchanges": [{"sequence_number": "one"}]}, ["body", "exchanges", 0, "sequence_number"]),
        ({"exchanges": [{"sequence_number": 1.5}]}, ["body", "exchanges", 0, "sequence_number"]),
        ({"exchanges": []}, ["body", "exchanges"]),
        ({"exchanges": [{"sequence_number": 0, "speaker": "x"}]}, ["body", "exchanges", 0]),
        ({"exchanges": [exchange(0, user_start_ms=-5)]}, ["body", "exchanges", 0]),
        ({}, ["body"]),
        ([exchange(0), exchange(1)], ["body"]),
    ],
)
def test_bad_bodies_are_refused(tenant: Any, payload: Any, location: list[Any]) -> None:
    # Given: a call
    call_id = create_call(tenant)

    # When: the runtime posts a body that is not a valid exchange list
    result = post_exchanges(ingest(tenant), call_id, payload)

    # Then: 422 pointing into the body, and nothing stored
    assert result["statusCode"] == 422, result["body"]
    loc = body(result)["detail"][0]["loc"]
    assert loc[: len(location)] == location
    assert transcript(tenant, call_id) == []


def test_exchanges_of_an_unknown_call_are_not_found(tenant: Any, call_store: CallStore) -> None:
    # Given / When: exchanges for a call that was never created
    call_id = str(uuid.uuid4())
    result = post_exchanges(ingest(tenant), call_id, {"exchanges": [exchange(0)]})

    # Then: 404, and nothing was stored under that id
    assert result["statusCode"] == 404
    assert body(result) == {"detail": "Call not found"}
    assert stored_keys(call_store, tenant.tenant_id, call_id) == []


def test_exchanges_of_another_tenants_call_are_not_found(
    make_tenant: Any, call_store: CallStore
) -> None:
    # Given: a call of one tenant
    owner, other = make_tenant(), make_tenant()
    call_id = create_call(owner)

    # When: another tenant posts exchanges for it
    result = post_exchanges(ingest(other), call_id, {"exchanges": [exchange(0)]})

    # Then: 404; nothing was added to the owner's call nor stored for the other tenant
    assert result["statusCode"] == 404
    assert transcript(owner, call_id) == []
    assert stored_keys(call_store, other.tenant_id, call_id) == []


@pytest.mark.parametrize(
    "scopes", [(Scope.CALLS_READ,), (Scope.CALLS_WRITE,), (Scope.CALLS_READ, Scope.ADMIN)]
)
def test_a_key_without_calls_ingest_is_refused(tenant: Any, scopes: tuple[Scope, ...]) -> None:
    # Given: a call
    call_id = create_call(tenant)

    # When: a key without calls:ingest posts exchanges
    result = post_exchanges(tenant.authorizer(*scopes), call_id, {"exchanges": [exchange(0)]})

    # Then: 403 naming the scope, and nothing stored
    assert result["statusCode"] == 403
    assert body(result) == {"detail": "Missing scope calls:ingest"}
    assert transcript(tenant, call_id) == []


def test_a_call_id_that_is_not_a_uuid_is_rejected(tenant: Any) -> None:
    result = post_exchanges(ingest(tenant), "not-a-uuid", {"exchanges": [exchange(0)]})
    assert result["statusCode"] == 422
    assert body(result)["detail"][0]["loc"] == ["path", "call_id"]


def stored_keys(call_store: CallStore, tenant_id: str, call_id: str) -> list[str]:
    items = call_items(call_store.dynamodb, call_store.table_name, tenant_id, call_id)
    return [item["sk"]["S"] for item in items]


def test_exchanges_expire_with_their_call(
    make_tenant: Any, account_store: AccountStore, call_store: CallStore
) -> None:
    # Given: a tenant that keeps calls 30 days, and one of its calls started at T0
    tenant = make_tenant()
    set_tenant(account_store, tenant.tenant_id, retention_days=30)
    call_id = create_call(tenant, start_time=datetime.now(UTC).isoformat())

    # When: exchanges are appended
    post_exchanges(ingest(tenant), call_id, {"exchanges": [exchange(0), exchange(1)]})

    # Then: the call and each exchange carry the same expiry, 30 days after the start
    items = call_store.dynamodb.query(
        TableName=call_store.table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": call_pk(tenant.tenant_id, call_id)}},
    )["Items"]
    expiries = {item["sk"]["S"]: int(item["expires_at"]["N"]) for item in items}
    assert set(expiries) == {"CALL", "EX#0000000000", "EX#0000000001"}
    assert len(set(expiries.values())) == 1
    assert abs(expiries["CALL"] - (time.time() + 30 * 86400)) < 60


# A long call


def test_a_5000_exchange_call_reads_back_in_order_in_every_format(tenant: Any) -> None:
    # Given: a call of 5,000 exchanges, appended in requests of 500, each request out of order
    call_id = create_call(tenant)
    for start in range(0, 5000, 500):
        batch = [exchange(n) for n in reversed(range(start, start + 500))]
        result = post_exchanges(ingest(tenant), call_id, {"exchanges": batch})
        assert body(result) == receipt(call_id, 500, 500, 0)

    # When: the transcript is read in each format, and with the call
    exchanges = every_page(tenant, call_id, "exchanges", "exchanges")
    turns = every_page(tenant, call_id, "turns", "turns")
    vtt = get_transcript(tenant, call_id, "vtt")
    with_call = body(get_call_with_transcript(tenant, call_id))

    # Then: every exchange, in sequence order
    assert [e["sequence_number"] for e in exchanges] == list(range(5000))
    assert exchanges[4999]["agent_response"] == "answer 4999"
    # (the call carries the first 1,000 exchanges, and says the transcript goes on)
    assert with_call["transcript"] == exchanges[:1000]
    assert with_call["transcript_truncated"] is True
    # And: a user and an agent turn per exchange, in order, at the reported offsets
    assert len(turns) == 10_000
    assert [t["content"] for t in turns[:2]] == ["question 0", "answer 0"]
    assert [t["content"] for t in turns[-2:]] == ["question 4999", "answer 4999"]
    assert turns[-1] == {
        "role": "assistant",
        "content_type": "text",
        "content": "answer 4999",
        "start_ms": 49_994_000,
        "end_ms": 49_998_000,
    }
    assert all(a["start_ms"] <= b["start_ms"] for a, b in itertools.pairwise(turns))
    # And: a cue per turn, numbered in order, the first and last at their times
    assert vtt["statusCode"] == 200
    cues = vtt["body"].split("\n\n")
    assert cues[0] == "WEBVTT"
    assert cues[1] == "1\n00:00:00.000 --> 00:00:03.000\n<v User>question 0"
    assert cues[-1].rstrip("\n") == "10000\n13:53:14.000 --> 13:53:18.000\n<v Agent>answer 4999"
    assert len([c for c in cues if c.strip()]) == 10_001


# Redaction


def set_tenant(accounts: AccountStore, tenant_id: str, **values: Any) -> None:
    """Set tenant settings directly on the tenant item."""
    names = {f"#{k}": k for k in values}
    accounts.dynamodb.update_item(
        TableName=accounts.table_name,
        Key={"pk": {"S": f"TENANT#{tenant_id}"}, "sk": {"S": "TENANT"}},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in values),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={
            f":{k}": {"BOOL": v} if isinstance(v, bool) else {"N": str(v)}
            for k, v in values.items()
        },
    )


def said(n: int, line: str) -> dict[str, Any]:
    return exchange(n, user_transcript=line, agent_response=f"Noted: {line}", error_message=line)


def assert_redacted(got: list[dict[str, Any]]) -> None:
    for stored, (_, redacted) in zip(got, SENSITIVE, strict=True):
        assert stored["user_transcript"] == redacted
        assert stored["agent_response"] == f"Noted: {redacted}"
        assert stored["error_message"] == redacted


def test_a_call_that_opted_out_stores_its_exchanges_redacted(tenant: Any) -> None:
    # Given: a call created opted out of sensitive data storage
    call_id = create_call(tenant, opt_out_sensitive_data_storage=True)

    # When: the caller gives an email, phone numbers and a card number
    result = post_exchanges(
        ingest(tenant), call_id, {"exchanges": [said(n, s) for n, (s, _) in enumerate(SENSITIVE)]}
    )

    # Then: what is stored and read back has placeholders instead, and keeps the order
    # number, the time, the date and the amount
    assert result["statusCode"] == 200
    got = transcript(tenant, call_id)
    assert_redacted(got)
    assert body(get_call_with_transcript(tenant, call_id))["transcript"] == got
    turns = body(get_transcript(tenant, call_id, "turns"))["turns"]
    assert turns[0]["content"] == SENSITIVE[0][1]
    assert "[CARD]" in get_transcript(tenant, call_id, "vtt")["body"]


def test_a_retry_of_a_redacted_exchange_is_recognised(tenant: Any) -> None:
    # Given: an opted-out call whose exchange was stored redacted
    call_id = create_call(tenant, opt_out_sensitive_data_storage=True)
    payload = {"exchanges": [said(0, SENSITIVE[0][0])]}
    post_exchanges(ingest(tenant), call_id, payload)

    # When: the runtime retries the very same exchange (unredacted, as it has it)
    again = post_exchanges(ingest(tenant), call_id, payload)

    # Then: it is a repeat, not a conflict
    assert again["statusCode"] == 200
    assert body(again) == receipt(call_id, 1, 0, 1)


def test_a_call_of_an_opted_out_tenant_inherits_the_redaction(
    make_tenant: Any, account_store: AccountStore
) -> None:
    # Given: a tenant that opted out of sensitive data storage, and a call created without
    # saying anything about it
    tenant = make_tenant()
    set_tenant(account_store, tenant.tenant_id, opt_out_sensitive_data_storage=True)
    call_id = create_call(tenant)

    # When: the caller gives sensitive data
    post_exchanges(
        ingest(tenant), call_id, {"exchanges": [said(n, s) for n, (s, _) in enumerate(SENSITIVE)]}
    )

    # Then: the call says it opted out, and its exchanges are stored redacted
    call = body(get_call_with_transcript(tenant, call_id))
    assert call["opt_out_sensitive_data_storage"] is True
    assert_redacted(transcript(tenant, call_id))


def test_a_call_can_opt_back_in_at_creation_on_an_opted_out_tenant(
    make_tenant: Any, account_store: AccountStore
) -> None:
    # Given: an opted-out tenant, and a call created explicitly not opted out
    tenant = make_tenant()
    set_tenant(account_store, tenant.tenant_id, opt_out_sensitive_data_storage=True)
    call_id = create_call(tenant, opt_out_sensitive_data_storage=False)

    # When / Then: its exchanges are stored as sent
    post_exchanges(ingest(tenant), call_id, said(0, SENSITIVE[0][0]))
    assert transcript(tenant, call_id)[0]["user_transcript"] == SENSITIVE[0][0]


def test_a_normal_call_stores_what_was_said(tenant: Any) -> None:
    # Given: a call that did not opt out
    call_id = create_call(tenant)

    # When: the caller gives sensitive data
    post_exchanges(
        ingest(tenant), call_id, {"exchanges": [said(n, s) for n, (s, _) in enumerate(SENSITIVE)]}
    )

    # Then: it is stored exactly as sent
    got = transcript(tenant, call_id)
    assert [e["user_transcript"] for e in got] == [s for s, _ in SENSITIVE]
