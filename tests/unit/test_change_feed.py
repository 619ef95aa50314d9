"""What one stream record of the calls table leaves in the change feed (`dialtone.analytics.
changes`): the feed attributes it writes on the call's analytics item, or nothing."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from dialtone import store
from dialtone.analytics.changes import feed_entry
from dialtone.analytics.rollups import stored_sequence
from dialtone.dynamo import from_item, to_item
from dialtone.model_types import CallStatus
from dialtone.models import Call
from dialtone.store import sort_timestamp
from local.seed import make_call

TENANT = "tenant-feed"
NOW = datetime(2026, 3, 10, 12, 0, 0, 123456, tzinfo=UTC)
TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def a_call(**overrides: Any) -> Call:
    values = {"start_time": NOW - timedelta(hours=1), **overrides}
    return make_call(random.Random(5), **values)


def image(call: Call, **internal: Any) -> dict[str, Any]:
    """The call item as the calls table stores it (and its stream shows it)."""
    return store._call_item(TENANT, call, None, internal)


def record(
    event: str,
    sequence: int,
    new: dict[str, Any] | None = None,
    old: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A stream record as Lambda hands it over."""
    some_image = new or old or {}
    data: dict[str, Any] = {
        "Keys": {"pk": some_image["pk"], "sk": some_image["sk"]},
        "SequenceNumber": str(sequence),
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new is not None:
        data["NewImage"] = new
    if old is not None:
        data["OldImage"] = old
    return {"eventName": event, "eventSource": "aws:dynamodb", "dynamodb": data, **extra}


def change_item(record_: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    """The feed attributes a record writes (typed, as stored), or None."""
    entry = feed_entry(record_, now)
    return None if entry is None else to_item(entry.attributes(now))


def values_of(item: dict[str, Any] | None) -> dict[str, Any]:
    assert item is not None
    return from_item(item)


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def test_a_new_call_is_created_in_the_feed_with_the_call_object_and_its_expiry() -> None:
    # Given a call stored with an expiry
    call = a_call()
    expires_at = epoch(NOW + timedelta(days=30))
    # When its INSERT record is applied
    item = values_of(
        change_item(record("INSERT", 1200, new=image(call, expires_at=expires_at)), NOW)
    )
    # Then the feed holds the call, keyed by tenant and change time, expiring with the call
    assert item["call_id"] == call.id
    assert item["change"] == "created"
    assert item["change_tenant"] == TENANT
    assert item["change_key"] == f"{sort_timestamp(NOW)}#{call.id}"
    assert item["changed_at"] == "2026-03-10T12:00:00.123456Z"
    assert item["feed_expires_at"] == expires_at
    assert Call.model_validate_json(item["call"]) == call
    assert json.loads(item["call"])["recording_url"] is None


def test_sequence_numbers_keep_their_order_as_strings() -> None:
    # Given two records of 21 and 22 digits (string order alone would put the larger first)
    small, large = stored_sequence(9 * 10**20), stored_sequence(10**21)
    # Then the stored sequences compare as the numbers do
    assert small < large
    assert stored_sequence(1200) == "1200".zfill(40)


def test_a_visible_change_is_an_update() -> None:
    # Given a call that moves from in_progress to completed
    before = a_call(status=CallStatus.IN_PROGRESS)
    after = before.model_copy(update={"status": CallStatus.COMPLETED, "duration_seconds": 42.0})
    # When its MODIFY record is applied
    item = values_of(change_item(record("MODIFY", 7, new=image(after), old=image(before)), NOW))
    # Then the feed shows the completed call as updated
    assert item["change"] == "updated"
    assert Call.model_validate_json(item["call"]).status is CallStatus.COMPLETED


def test_a_change_of_bookkeeping_only_leaves_the_feed_alone() -> None:
    # Given a queued call that a dialer claims (attributes no client sees)
    call = a_call(status=CallStatus.QUEUED)
    claimed = image(call, claim_token="abc", claimed_at="2026-03-10T12:00:00Z", row_version=2)
    # When its MODIFY record is applied, then nothing is written
    assert (
        change_item(record("MODIFY", 8, new=claimed, old=image(call, row_version=1)), NOW) is None
    )


def test_items_other_than_calls_are_ignored() -> None:
    # Given an exchange, a history event and a batch item of the calls table
    call = a_call()
    exchange = to_item({"pk": f"T#{TENANT}#C#{call.id}", "sk": store.exchange_sk(1), "x": 1})
    event = to_item({"pk": f"T#{TENANT}#C#{call.id}", "sk": store.event_sk("e1"), "x": 1})
    batch = to_item({"pk": f"T#{TENANT}#B#b1", "sk": store.BATCH_SK, "total": 3})
    # Then none of their records changes the feed
    for item in (exchange, event, batch):
        assert change_item(record("INSERT", 9, new=item), NOW) is None
        assert change_item(record("REMOVE", 10, old=item), NOW) is None


def test_an_erasure_shows_the_call_deleted_as_soon_as_it_begins() -> None:
    # Given a call with a 30-day retention whose erasure begins
    call = a_call()
    expires_at = epoch(call.created_at + timedelta(days=30))
    live = image(call, expires_at=expires_at, row_version=3)
    erasing = image(call, expires_at=expires_at, row_version=4, erasing=True)
    # When the MODIFY that marks it is applied
    item = values_of(change_item(record("MODIFY", 11, new=erasing, old=live), NOW))
    # Then the feed holds a tombstone, kept for the call's retention from now
    assert item["change"] == "deleted"
    assert item["reason"] == "erased"
    assert "call" not in item
    assert item["feed_expires_at"] == epoch(NOW + timedelta(days=30)) + 1
    # And the REMOVE of the erased item that follows changes nothing more
    assert change_item(record("REMOVE", 12, old=erasing), NOW) is None


def test_a_removal_by_ttl_is_an_expiry_kept_at_least_seven_days() -> None:
    # Given a call of a tenant keeping calls one day, removed by DynamoDB's TTL
    call = a_call()
    old = image(call, expires_at=epoch(call.created_at + timedelta(days=1)))
    # When its REMOVE record is applied
    ttl_removal = record("REMOVE", 13, old=old, userIdentity=TTL_IDENTITY)
    item = values_of(change_item(ttl_removal, NOW))
    # Then it is a tombstone of an expired call, kept 7 days (the feed's minimum)
    assert (item["change"], item["reason"]) == ("deleted", "expired")
    assert item["feed_expires_at"] == epoch(NOW + timedelta(days=7)) + 1


def test_other_removals_are_erasures_unless_the_call_was_past_its_retention() -> None:
    # Given a live call removed by a request, and one past its retention purged
    live, old = a_call(), a_call(start_time=NOW - timedelta(days=40))
    live_image = image(live, expires_at=epoch(NOW + timedelta(days=20)))
    past_image = image(old, expires_at=epoch(NOW - timedelta(days=10)))
    # Then the first reads erased, the second expired
    assert values_of(change_item(record("REMOVE", 14, old=live_image), NOW))["reason"] == "erased"
    assert values_of(change_item(record("REMOVE", 15, old=past_image), NOW))["reason"] == "expired"


def test_a_call_kept_indefinitely_leaves_a_tombstone_kept_indefinitely() -> None:
    # Given a call without expiry (its tenant keeps calls indefinitely), erased
    call = a_call()
    # When its REMOVE record is applied
    item = values_of(change_item(record("REMOVE", 16, old=image(call)), NOW))
    # Then its tombstone has no expiry
    assert item["reason"] == "erased"
    assert "feed_expires_at" not in item


def test_a_change_of_a_call_past_its_retention_is_an_expiry() -> None:
    # Given a call whose expiry has passed (TTL has not removed it yet) and that is changed
    call = a_call(status=CallStatus.IN_PROGRESS)
    past = epoch(NOW - timedelta(minutes=1))
    after = call.model_copy(update={"status": CallStatus.COMPLETED})
    # When its INSERT or MODIFY record is applied
    inserted = change_item(record("INSERT", 17, new=image(after, expires_at=past)), NOW)
    # Then the feed shows it expired, not alive again
    item = values_of(inserted)
    assert (item["change"], item["reason"]) == ("deleted", "expired")
