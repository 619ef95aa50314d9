"""The change feed end to end on moto: real stream records of the calls table, read from moto's
DynamoDB stream, go through `apply_change` (what the stream consumer does with each record)
into the analytics table; `GET /v1/calls/changes` reads them through its handler."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone import settings
from dialtone.accounts import AccountStore, TenantSettingsUpdate
from dialtone.analytics import changes
from dialtone.analytics.changes import ChangeFeedParams
from dialtone.analytics.stream import apply_change
from dialtone.auth import Scope
from dialtone.errors import ChangesExpired
from dialtone.model_types import CallStatus
from dialtone.models import Call
from dialtone.pagination import CursorCodec
from dialtone.store import CallStore, sort_timestamp
from local.endpoint import EmbeddedAws
from local.invoke import api_event, invoke
from local.provision import Stack
from local.seed import make_call

ROUTE = "GET /v1/calls/changes"
TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


@dataclass
class Feed:
    """The calls table's stream from the moment the test began, and the consumer's part of
    the change feed: each record of the test's tenants applied at a clock of the test's own
    (an hour ago, a millisecond per record), so that every change is past the read lag."""

    streams: Any
    stream_arn: str
    dynamodb: Any
    table_name: str
    tenants: set[str]
    clock: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(hours=1))
    iterators: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        description = self.streams.describe_stream(StreamArn=self.stream_arn)
        for shard in description["StreamDescription"]["Shards"]:
            self.iterators[shard["ShardId"]] = self.streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
            )["ShardIterator"]

    def records(self) -> list[dict[str, Any]]:
        """The new stream records of the test's tenants, in stream order."""
        found: list[dict[str, Any]] = []
        for shard_id, iterator in list(self.iterators.items()):
            while True:
                response = self.streams.get_records(ShardIterator=iterator, Limit=1000)
                iterator = response.get("NextShardIterator") or iterator
                found.extend(response.get("Records", []))
                if not response.get("Records"):
                    break
            self.iterators[shard_id] = iterator
        return [r for r in found if _tenant_of(r) in self.tenants]

    def apply(self, records: list[dict[str, Any]]) -> list[bool]:
        """What the stream consumer does: each record, in the order given."""
        written = []
        for record in records:
            self.clock += timedelta(milliseconds=1)
            written.append(apply_change(self.dynamodb, self.table_name, record, self.clock))
        return written

    def catch_up(self) -> list[bool]:
        return self.apply(self.records())


def _tenant_of(record: dict[str, Any]) -> str:
    pk = record["dynamodb"]["Keys"]["pk"]["S"]
    return pk.split("#")[1] if pk.startswith("T#") else ""


@pytest.fixture
def feed(embedded_aws: EmbeddedAws, stack: Stack) -> Iterator[Feed]:
    session = embedded_aws.session()
    dynamodb = session.client("dynamodb")
    table = stack.names["AnalyticsTable"]
    the_feed = Feed(
        session.client("dynamodbstreams"), stack.stream_arns["CallsTable"], dynamodb, table, set()
    )
    yield the_feed
    # The feed items of the test's tenants go with them.
    for tenant_id in the_feed.tenants:
        for page in dynamodb.get_paginator("query").paginate(
            TableName=table,
            IndexName="ByChange",
            KeyConditionExpression="change_tenant = :t",
            ExpressionAttributeValues={":t": {"S": tenant_id}},
        ):
            for item in page["Items"]:
                dynamodb.delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})


@pytest.fixture
def tenant(make_tenant: Any, feed: Feed) -> Any:
    fixture = make_tenant()
    feed.tenants.add(fixture.tenant_id)
    return fixture


@pytest.fixture
def other_tenant(make_tenant: Any, feed: Feed) -> Any:
    fixture = make_tenant(seed=8)
    feed.tenants.add(fixture.tenant_id)
    return fixture


def list_changes(authorizer: dict[str, str] | None, **query: str) -> dict[str, Any]:
    event = api_event(
        "list_call_changes", ROUTE, "/v1/calls/changes", query=query, authorizer=authorizer
    )
    return invoke("list_call_changes", event)


def page(tenant: Any, **query: str) -> dict[str, Any]:
    result = list_changes(tenant.authorizer(Scope.CALLS_READ), **query)
    assert result["statusCode"] == 200, result["body"]
    body: dict[str, Any] = json.loads(result["body"])
    return body


def replay(tenant: Any, limit: int, **query: str) -> tuple[list[dict[str, Any]], str]:
    """Every change from the start (or `query`), following next_cursor while has_more."""
    pages = [page(tenant, limit=str(limit), **query)]
    while pages[-1]["has_more"]:
        assert len(pages) < 500, "has_more never ends"
        pages.append(page(tenant, limit=str(limit), cursor=pages[-1]["next_cursor"]))
    return [c for p in pages for c in p["changes"]], pages[-1]["next_cursor"]


def call_ids(listed: list[dict[str, Any]]) -> list[str]:
    return [change["call"]["id"] for change in listed]


def erase(store: CallStore, tenant_id: str, call_id: str) -> None:
    """What DELETE /v1/calls/{id} does to the calls table."""
    store.begin_erasure(tenant_id, call_id)
    store.delete_call_items(tenant_id, call_id)


# Order and content


def test_changes_come_in_the_order_calls_last_changed(tenant: Any, feed: Feed) -> None:
    # Given three calls created, then the first one completed
    first, second, third = (tenant.add_call(status=CallStatus.IN_PROGRESS) for _ in range(3))
    tenant.store.change_call(
        tenant.tenant_id, first.id, CallStatus.IN_PROGRESS, {"status": CallStatus.COMPLETED}
    )
    feed.catch_up()

    # When the feed is read from the start
    listed, _ = replay(tenant, limit=100)

    # Then each call appears once, at its latest change, in change order
    assert call_ids(listed) == [second.id, third.id, first.id]
    assert [c["change"] for c in listed] == ["created", "created", "updated"]
    assert listed[-1]["call"]["status"] == "completed"
    assert all(c["sequence"].isdigit() for c in listed)
    assert listed[0]["call"] == json.loads(second.model_dump_json())


def test_a_new_call_is_created_and_carries_the_whole_call_object(tenant: Any, feed: Feed) -> None:
    # Given a call stored once
    call = tenant.add_call(metadata={"crm": "42"})
    feed.catch_up()
    # When the feed is read
    listed, _ = replay(tenant, limit=10)
    # Then it is there as created, field for field as stored
    assert [c["change"] for c in listed] == ["created"]
    assert Call.model_validate(listed[0]["call"]) == call
    assert listed[0]["changed_at"].endswith("Z")


def test_a_redelivered_or_older_record_changes_nothing(tenant: Any, feed: Feed) -> None:
    # Given a call created and completed, its records applied once
    call = tenant.add_call(status=CallStatus.IN_PROGRESS)
    tenant.store.change_call(
        tenant.tenant_id, call.id, CallStatus.IN_PROGRESS, {"status": CallStatus.COMPLETED}
    )
    records = feed.records()
    assert feed.apply(records) == [True, True]
    before, _ = replay(tenant, limit=10)

    # When both records come again, newest first
    again = feed.apply(list(reversed(records)))

    # Then neither writes, and the feed is as it was
    assert again == [False, False]
    after, _ = replay(tenant, limit=10)
    assert after == before
    assert after[0]["call"]["status"] == "completed"


def test_an_erased_call_becomes_a_tombstone(tenant: Any, feed: Feed) -> None:
    # Given two calls, one of them erased
    kept, erased = tenant.add_call(), tenant.add_call()
    erase(tenant.store, tenant.tenant_id, erased.id)
    feed.catch_up()

    # When the feed is read
    listed, _ = replay(tenant, limit=10)

    # Then the erased call is a tombstone, once, after the kept call
    assert [c["call"] for c in listed] == [
        json.loads(kept.model_dump_json()),
        {"id": erased.id, "deleted": True, "reason": "erased"},
    ]
    assert listed[1]["change"] == "deleted"


def test_an_expired_call_becomes_a_tombstone(tenant: Any, feed: Feed) -> None:
    # Given a call removed by DynamoDB's TTL (moto has no TTL: the removal is marked as AWS
    # marks it, by the DynamoDB service's identity)
    call = tenant.add_call()
    tenant.store.delete_call_items(tenant.tenant_id, call.id)
    created, removed = feed.records()
    feed.apply([created, {**removed, "userIdentity": TTL_IDENTITY}])

    # When the feed is read
    listed, _ = replay(tenant, limit=10)

    # Then the call is a tombstone of an expired call
    assert [c["call"] for c in listed] == [{"id": call.id, "deleted": True, "reason": "expired"}]


def test_a_call_past_its_retention_reads_as_expired_before_ttl_removes_it(
    tenant: Any, feed: Feed
) -> None:
    # Given a call stored with an expiry, which then passes (its item not yet removed)
    call = make_call(tenant.rng)
    expires_at = int((datetime.now(UTC) + timedelta(seconds=2)).timestamp())
    assert tenant.store.create_call(tenant.tenant_id, call, {"expires_at": expires_at})
    tenant.call_ids.append(call.id)
    feed.catch_up()
    assert page(tenant)["changes"][0]["change"] == "created"

    # When the feed is read after its expiry
    later = datetime.fromtimestamp(expires_at + 1, UTC) + changes.READ_LAG
    reader = changes.change_reader()
    listed = reader.changes(tenant.principal(Scope.CALLS_READ), ChangeFeedParams(), now=later)

    # Then it shows as expired
    shown = listed.model_dump(mode="json")["changes"]
    assert [c["call"] for c in shown] == [{"id": call.id, "deleted": True, "reason": "expired"}]


# Resuming


def test_the_feed_resumes_from_its_cursor_and_can_be_polled(tenant: Any, feed: Feed) -> None:
    # Given five calls created
    calls = [tenant.add_call() for _ in range(5)]
    feed.catch_up()

    # When it is read two at a time
    first = page(tenant, limit="2")
    second = page(tenant, limit="2", cursor=first["next_cursor"])
    third = page(tenant, limit="2", cursor=second["next_cursor"])

    # Then the pages follow each other, and only the last says nothing more is there
    assert call_ids(first["changes"] + second["changes"] + third["changes"]) == [
        c.id for c in calls
    ]
    assert [p["has_more"] for p in (first, second, third)] == [True, True, False]

    # And polling with the last cursor answers an empty page with a cursor to poll again
    empty = page(tenant, cursor=third["next_cursor"])
    assert (empty["changes"], empty["has_more"]) == ([], False)
    assert empty["next_cursor"]

    # And a later change of an early call (stamped as the consumer stamps it, when it writes)
    # comes on the next poll once past the read lag, alone
    tenant.store.change_call(
        tenant.tenant_id, calls[0].id, calls[0].status, {"end_reason": "agent_hangup"}
    )
    (record,) = feed.records()
    assert apply_change(feed.dynamodb, feed.table_name, record)
    later = datetime.now(UTC) + changes.READ_LAG
    params = ChangeFeedParams(cursor=empty["next_cursor"])
    polled = changes.change_reader().changes(tenant.principal(Scope.CALLS_READ), params, later)
    assert [c.call.id for c in polled.changes] == [calls[0].id]
    assert isinstance(polled.changes[0].call, Call)
    assert polled.changes[0].call.end_reason == "agent_hangup"


def test_since_starts_the_feed_at_a_time(tenant: Any, feed: Feed) -> None:
    # Given two calls changed, and a third a second later
    early = [tenant.add_call() for _ in range(2)]
    feed.catch_up()
    feed.clock += timedelta(seconds=1)
    since = feed.clock
    late = tenant.add_call()
    feed.catch_up()

    # When the feed is read since that moment
    listed, _ = replay(tenant, limit=10, since=since.isoformat().replace("+00:00", "Z"))

    # Then only the later call is there
    assert call_ids(listed) == [late.id]
    assert len(early) == 2


def test_a_change_newer_than_the_read_lag_waits_for_the_next_poll(tenant: Any, feed: Feed) -> None:
    # Given a call whose change was stamped just now (within the read lag)
    call = tenant.add_call()
    (record,) = feed.records()
    apply_change(feed.dynamodb, feed.table_name, record, datetime.now(UTC))

    # When the feed is read at once, then it is not there yet
    first = page(tenant)
    assert first["changes"] == []

    # And the cursor handed out still reaches it once the lag has passed
    reader = changes.change_reader()
    later = datetime.now(UTC) + changes.READ_LAG + timedelta(seconds=1)
    params = ChangeFeedParams(cursor=first["next_cursor"])
    resumed = reader.changes(tenant.principal(Scope.CALLS_READ), params, now=later)
    assert [c.call.id for c in resumed.changes] == [call.id]


# The feed window: 410


def retention(account_store: AccountStore, tenant: Any, days: int) -> None:
    account_store.update_settings(tenant.tenant_id, TenantSettingsUpdate(retention_days=days))


def test_a_since_older_than_the_feed_window_is_gone(
    tenant: Any, account_store: AccountStore
) -> None:
    # Given a tenant keeping calls 10 days
    retention(account_store, tenant, 10)
    now = datetime.now(UTC)

    # When the feed is asked since 9 days ago, and since 11 days ago
    within = list_changes(
        tenant.authorizer(Scope.CALLS_READ), since=(now - timedelta(days=9)).isoformat()
    )
    beyond = list_changes(
        tenant.authorizer(Scope.CALLS_READ), since=(now - timedelta(days=11)).isoformat()
    )

    # Then the first is answered, the second is 410 saying what to do
    assert within["statusCode"] == 200
    assert beyond["statusCode"] == 410
    detail = json.loads(beyond["body"])["detail"]
    assert "10 days" in detail
    assert "start over without cursor" in detail


def test_a_cursor_left_unused_beyond_the_window_is_gone(
    tenant: Any, feed: Feed, account_store: AccountStore
) -> None:
    # Given a tenant keeping calls 7 days, and a cursor handed out after reading its feed
    retention(account_store, tenant, 7)
    tenant.add_call()
    feed.catch_up()
    cursor = page(tenant)["next_cursor"]
    reader = changes.change_reader()
    principal = tenant.principal(Scope.CALLS_READ)

    # When it is used 6 days later, then 8 days later
    six = reader.changes(
        principal, ChangeFeedParams(cursor=cursor), datetime.now(UTC) + timedelta(days=6)
    )

    # Then it still reads on at first, and is gone the second time
    assert six.changes == []
    with pytest.raises(ChangesExpired):
        reader.changes(
            principal, ChangeFeedParams(cursor=cursor), datetime.now(UTC) + timedelta(days=8)
        )


def test_a_replay_from_the_start_reads_through_changes_older_than_the_window(
    tenant: Any, feed: Feed, account_store: AccountStore
) -> None:
    # Given a tenant keeping calls 7 days whose calls last changed 30 days ago (a call kept
    # indefinitely by an earlier retention) and just now
    retention(account_store, tenant, 7)
    feed.clock = datetime.now(UTC) - timedelta(days=30)
    old = [tenant.add_call() for _ in range(3)]
    feed.catch_up()
    feed.clock = datetime.now(UTC) - timedelta(minutes=1)
    new = tenant.add_call()
    feed.catch_up()

    # When the feed is replayed from the start one change at a time
    listed, _ = replay(tenant, limit=1)

    # Then every call is read: the cursors of a sync that just began are good
    assert call_ids(listed) == [c.id for c in [*old, new]]


def test_a_forged_or_edited_cursor_is_refused(
    tenant: Any, other_tenant: Any, handler_environment: dict[str, str]
) -> None:
    # Given a cursor of another tenant, and one edited
    theirs = page(other_tenant)["next_cursor"]
    body, mac = page(tenant)["next_cursor"].split(".")
    edited = f"{body[:-2]}AA.{mac}"

    # Then both are refused as invalid cursors
    for cursor in (theirs, edited):
        result = list_changes(tenant.authorizer(Scope.CALLS_READ), cursor=cursor)
        assert result["statusCode"] == 400
        assert json.loads(result["body"])["detail"] == "Invalid cursor"


def test_an_ancient_signed_cursor_is_gone(
    tenant: Any, handler_environment: dict[str, str], account_store: AccountStore
) -> None:
    # Given a cursor issued, and last used, 40 days ago for a tenant keeping calls 30 days
    retention(account_store, tenant, 30)
    secret = settings.secret_string(handler_environment["CURSOR_SECRET_ARN"])
    then = datetime.now(UTC) - timedelta(days=40)
    cursor = CursorCodec(secret.encode()).encode(
        {"v": 1, "k": sort_timestamp(then), "a": int(then.timestamp())},
        tenant.tenant_id,
        "changes",
    )

    # When it is used, then it is 410
    result = list_changes(tenant.authorizer(Scope.CALLS_READ), cursor=cursor)
    assert result["statusCode"] == 410


# Bad requests and isolation


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ({"limit": "0"}, ["query", "limit"]),
        ({"limit": "1001"}, ["query", "limit"]),
        ({"limit": "many"}, ["query", "limit"]),
        ({"since": "yesterday"}, ["query", "since"]),
        ({"since": "2026-03-10T00:00:00Z", "cursor": "abc.def"}, ["query", "since"]),
    ],
)
def test_bad_parameters_are_422(tenant: Any, query: dict[str, str], location: list[str]) -> None:
    result = list_changes(tenant.authorizer(Scope.CALLS_READ), **query)
    assert result["statusCode"] == 422, result["body"]
    assert [e["loc"] for e in json.loads(result["body"])["detail"]] == [location]


def test_the_limits_of_limit_are_accepted(tenant: Any) -> None:
    for limit in ("1", "1000"):
        assert list_changes(tenant.authorizer(Scope.CALLS_READ), limit=limit)["statusCode"] == 200


def test_a_tenant_sees_only_its_own_changes(tenant: Any, other_tenant: Any, feed: Feed) -> None:
    # Given calls of two tenants
    mine = tenant.add_call()
    theirs = other_tenant.add_call()
    feed.catch_up()
    # Then each feed holds only its own tenant's call
    assert call_ids(replay(tenant, limit=10)[0]) == [mine.id]
    assert call_ids(replay(other_tenant, limit=10)[0]) == [theirs.id]


def test_a_key_without_calls_read_is_403(tenant: Any) -> None:
    result = list_changes(tenant.authorizer(Scope.CALLS_WRITE))
    assert result["statusCode"] == 403
    assert json.loads(result["body"]) == {"detail": "Missing scope calls:read"}


# Warehouse sync


def test_replaying_the_feed_reproduces_the_tenants_calls(tenant: Any, feed: Feed) -> None:
    # Given random creates, status and data updates, erasures and expiries, their stream
    # records applied with some delivered twice and out of order
    rng = random.Random(12)
    store: CallStore = tenant.store
    live: dict[str, Call] = {}
    gone: dict[str, str] = {}
    for step in range(120):
        action = rng.random()
        if action < 0.4 or not live:
            call = tenant.add_call(status=rng.choice([CallStatus.QUEUED, CallStatus.IN_PROGRESS]))
            live[call.id] = call
        elif action < 0.75:
            call_id = rng.choice(sorted(live))
            stored = store.get_call(tenant.tenant_id, call_id)
            fields: dict[str, Any] = {"end_reason": f"step-{step}"}
            if stored.call.status is CallStatus.IN_PROGRESS:
                fields.update(status=CallStatus.COMPLETED, duration_seconds=float(step))
            store.change_call(tenant.tenant_id, call_id, stored.call.status, fields)
        elif action < 0.9:
            erased = live.pop(rng.choice(sorted(live)))
            erase(store, tenant.tenant_id, erased.id)
            gone[erased.id] = "erased"
        else:
            # Past its retention: removed by TTL (as AWS records it, below)
            expired = live.pop(rng.choice(sorted(live)))
            store.delete_call_items(tenant.tenant_id, expired.id)
            gone[expired.id] = "expired"
    delivered = [
        {**r, "userIdentity": TTL_IDENTITY}
        if r["eventName"] == "REMOVE"
        and gone.get(r["dynamodb"]["OldImage"]["id"]["S"]) == "expired"
        else r
        for r in feed.records()
    ]
    shuffled = delivered + rng.sample(delivered, len(delivered) // 3)
    rng.shuffle(shuffled)
    feed.apply(shuffled)

    # When a warehouse replays the whole feed, a page of 7 at a time
    warehouse: dict[str, dict[str, Any]] = {}
    deletions: dict[str, str] = {}
    listed, _ = replay(tenant, limit=7)
    for change in listed:
        if change["call"].get("deleted"):
            warehouse.pop(change["call"]["id"], None)
            deletions[change["call"]["id"]] = change["call"]["reason"]
        else:
            warehouse[change["call"]["id"]] = change["call"]

    # Then it holds exactly the tenant's calls, field for field
    truth = store.get_calls(tenant.tenant_id, sorted(live))
    assert sorted(warehouse) == sorted(live)
    assert warehouse == {i: json.loads(s.call.model_dump_json()) for i, s in truth.items()}
    # And it learnt why each of the others went
    assert deletions == gone
