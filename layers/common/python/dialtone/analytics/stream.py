"""Records of the calls table's stream, read for the rollups and the change feed: which call
changed, in which order (the record's sequence number), its facts before and after, and what
the feed shows of it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dialtone.analytics.changes import feed_entry
from dialtone.analytics.rollup_store import ApplyResult, CallChange, RollupStore
from dialtone.analytics.rollups import CallFacts, facts_of
from dialtone.dynamo import from_item
from dialtone.store import CALL_SK


def _moment(value: Any) -> datetime:
    """ApproximateCreationDateTime: epoch seconds in Lambda's events (a datetime from boto3)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if value is None:
        return datetime.now(UTC)
    return datetime.fromtimestamp(float(value), UTC)


def call_change(record: Mapping[str, Any], now: datetime | None = None) -> CallChange | None:
    """The change a stream record (as in Lambda's event) makes to a call's contribution and
    feed entry (`now`: the time it is read at); None for a record of another item (exchanges,
    events, batches) or one that changes neither what the rollups count nor what a client
    sees (the API's own bookkeeping): skipping it is safe, since the newest record that did
    change something already carries the call's current facts."""
    data = record.get("dynamodb") or {}
    if (data.get("Keys") or {}).get("sk", {}).get("S") != CALL_SK:
        return None
    at = _moment(data.get("ApproximateCreationDateTime"))
    new_values = from_item(data["NewImage"]) if "NewImage" in data else None
    old_values = from_item(data["OldImage"]) if "OldImage" in data else None
    new = _live_facts(new_values, at)
    old = facts_of(old_values) if old_values else None
    feed = feed_entry(record, now or datetime.now(UTC))
    # Skipped only if nothing counted changed, the passing of time included (an expired
    # call's removal by TTL changes nothing in the image, but is its leaving).
    if feed is None and new == old == _live_facts(old_values, at):
        return None
    expires_at = (new_values or {}).get("expires_at")
    return CallChange(
        call_pk=str(data["Keys"]["pk"]["S"]),
        sequence=int(data["SequenceNumber"]),
        sequence_text=str(data["SequenceNumber"]),
        old=old,
        new=new,
        at=at,
        expires_at=int(expires_at) if isinstance(expires_at, int | float) else None,
        feed=feed,
    )


def _live_facts(values: Mapping[str, Any] | None, at: datetime) -> CallFacts | None:
    """The facts of an image, None when it counts nothing: a call already past its expiry when
    the change was made (its retention shortened) counts as removed, as the list does."""
    if not values:
        return None
    expires_at = values.get("expires_at")
    if isinstance(expires_at, int | float) and expires_at <= at.timestamp():
        return None
    return facts_of(values)


@dataclass
class RollupBatch:
    """The call changes of one stream batch, gathered record by record, applied together."""

    changes: list[CallChange] = field(default_factory=list)

    def add(self, record: Mapping[str, Any]) -> None:
        """Gather a record (a record of anything but a call is ignored)."""
        change = call_change(record)
        if change is not None:
            self.changes.append(change)

    def apply(self, store: RollupStore, now: datetime | None = None) -> ApplyResult:
        """Apply every change gathered (see RollupStore.apply)."""
        return store.apply(self.changes, now)


def apply_records(
    store: RollupStore, records: Iterable[Mapping[str, Any]], now: datetime | None = None
) -> ApplyResult:
    """Apply stream records (as in Lambda's event) to the rollups and the feed in one go."""
    changes = [c for record in records if (c := call_change(record, now)) is not None]
    return store.apply(changes, now)


def apply_change(
    dynamodb: Any, table_name: str, record: Mapping[str, Any], now: datetime | None = None
) -> bool:
    """Bring the change feed and the rollups up to date with one stream record of the calls
    table (Lambda's record dict: `eventName`, `dynamodb` with `Keys`, `NewImage`, `OldImage`,
    `SequenceNumber`, and `userIdentity`); whether it wrote anything.

    Idempotent: a record delivered again, or after a newer record of the same call, changes
    nothing. `now` stamps the change; leave it out, so that it is taken right before the
    write (a stamp older than the feed's READ_LAG could land behind a reader's cursor)."""
    result = apply_records(RollupStore(table_name, dynamodb), [record], now)
    if result.failed:
        raise RuntimeError(f"record {result.failed[0]} met contention through every retry")
    return result.call_writes > 0


def insert_record(item: Mapping[str, Any]) -> dict[str, Any]:
    """A stream INSERT record of a call item written straight into the table (a seed, a bench),
    numbered 0: any record the real stream has of the item is newer and takes over."""
    return {
        "eventName": "INSERT",
        "dynamodb": {
            "Keys": {"pk": item["pk"], "sk": item["sk"]},
            "NewImage": dict(item),
            "SequenceNumber": "0",
            "ApproximateCreationDateTime": datetime.now(UTC).timestamp(),
        },
    }


def build_from_items(store: RollupStore, items: Iterable[Mapping[str, Any]]) -> ApplyResult:
    """Build the rollups and feed items of call items written straight into the table (a
    seed, a bench), through the same code as the stream's records: each item read as its
    INSERT record (`call_change`), the contributions added up and written at once
    (`RollupStore.seed`: only for calls without analytics items yet)."""
    now = datetime.now(UTC)
    changes = (call_change(insert_record(item), now) for item in items)
    return store.seed((c for c in changes if c is not None), now)
