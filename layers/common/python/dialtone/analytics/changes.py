"""The change feed (`GET /v1/calls/changes`): a tenant's calls in the order they last changed,
for incremental sync into a warehouse.

Writing. The calls table's stream consumer gathers the feed entry of every stream record
(`feed_entry`; only call items, sort key `CALL`, have one). The analytics table keeps ONE item
per call, at (`T#<tenant>#C#<call>`, `CHANGE`), holding the call's latest state: the call object
as the API shows it, or a tombstone `{"id", "deleted": true, "reason": "erased" | "expired"}`.
The same item is the rollups' state of the call (its counted facts and the stream sequence they
come from), written in the same put as its rollup deltas (`dialtone.analytics.rollup_store`), so
a change costs one item for both. Its `change_key` (`<write time, fixed-width UTC
microseconds>#<call id>`) moves forward with each change of the feed entry, so the `ByChange`
index (`change_tenant`, `change_key`) lists the tenant's calls in the order of their latest
change, and a call changed many times is read once.

- Idempotent under redelivery and reordering: the item keeps the stream sequence number of the
  newest record applied (`seq`, zero-padded to 40 digits so that string order is number order)
  and is written only for newer records, conditioned on the item being as it was read.
- A change of the API's own bookkeeping only (a dialer's claim, the sweeper's `enqueued_at`)
  leaves the call object as it was, and the feed as it was.
- A call being erased (`begin_erasure`'s `erasing` flag) reads as not found from that moment:
  the feed shows it deleted (`erased`) at once; the REMOVE of its item that follows changes
  nothing more. A REMOVE by DynamoDB's TTL (`userIdentity` the DynamoDB service), or of a call
  already past its retention, is `expired`; any other REMOVE is `erased`.
- `recording_url` is null in the feed: a presigned link expires within the hour, so a
  synchronised copy fetches it when needed (`GET /v1/calls/{id}/recording`); the recording's
  format, size and duration are there.

Keeping. The entry of a live call expires with the call (its `feed_expires_at`): a call past its
retention reads as deleted (`expired`) even before the stream's REMOVE replaces it with its
tombstone. A tombstone is kept for the feed window, max(7 days, the retention the call was
stored with), indefinitely for a call kept indefinitely. The item itself outlives its entry by
the rollups' two days (`rollup_store.REMOVED_STATE_TTL`).

Reading. A page reads the index from the cursor's position up to `now - READ_LAG` only: the
consumer stamps a change with its own clock just before writing it, and the index is updated
asynchronously, so a change stamped up to a few seconds ago may not be readable yet; the lag
keeps it from landing behind a cursor already handed out. A change appears in the feed
READ_LAG (5 s) after it is written at the earliest. Every page returns a cursor, even an empty
one, so a sync loop simply polls with the last cursor.

A cursor is good while the later of its position and the moment its sync began (the first page
without cursor, or `since`) is within the tenant's feed window, max(7 days, the tenant's
retention; no limit when the tenant keeps calls indefinitely): any deletion it has not read yet
still has its tombstone. An older one is refused (ChangesExpired, 410): the client starts over
without cursor. After a tenant's retention grows, tombstones written before keep the shorter
period they were given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dialtone import settings
from dialtone.analytics.rollups import CHANGE_INDEX
from dialtone.auth import Principal, Scope
from dialtone.errors import ChangesExpired, InvalidCursor, InvalidParameter, TenantNotFound
from dialtone.model_types import ApiModel, IsoDateTime, Timestamp, format_timestamp
from dialtone.models import Call
from dialtone.settings import EnvSettings
from dialtone.store import CALL_SK, StoredCall, sort_timestamp, stored_call

if TYPE_CHECKING:
    from dialtone.accounts import AccountStore
    from dialtone.pagination import CursorCodec


class ChangeFeedSettings(EnvSettings):
    """`GET /v1/calls/changes`: the change feed in the analytics table, tenants (for their
    retention, which sets how long the feed keeps deletions) and the cursor secret."""

    analytics_table: str = Field(alias="ANALYTICS_TABLE", min_length=1)
    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)
    cursor_secret_arn: str = Field(alias="CURSOR_SECRET_ARN", min_length=1)


MIN_FEED_WINDOW = timedelta(days=7)
READ_LAG = timedelta(seconds=5)
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

_KEY_TIME_CHARS = len(sort_timestamp(datetime(2000, 1, 1, tzinfo=UTC)))
_CURSOR_VERSION = 1
_CURSOR_QUERY = "changes"
# DynamoDB's TTL deletions, as the stream records them.
_TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


class ChangeKind(StrEnum):
    """What the latest change of a call was."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"


class DeletionReason(StrEnum):
    """Why a call is gone: erased at the tenant's request, or past its retention."""

    ERASED = "erased"
    EXPIRED = "expired"


class Tombstone(ApiModel):
    """A call that is gone: drop it from a synchronised copy."""

    id: str
    deleted: Literal[True] = True
    reason: DeletionReason = Field(
        description="`erased` (DELETE /v1/calls/{call_id}) or `expired` (past the retention)"
    )


class CallChange(ApiModel):
    """One call at its latest change."""

    sequence: str = Field(
        description="The change's sequence number (decimal digits, possibly beyond 2^53): it "
        "grows with every change of the call, so a copy can ignore a change older than the one "
        "it holds"
    )
    change: ChangeKind = Field(
        description="The kind of the call's latest change: `created`, `updated` (its status, "
        "data, recording, redaction...) or `deleted` (then `call` is a tombstone)"
    )
    changed_at: Timestamp = Field(description="When the change reached the feed")
    call: Call | Tombstone = Field(
        description="The call object as the list returns it (`recording_url` null: ask "
        "GET /v1/calls/{call_id}/recording for a link), or a tombstone "
        '`{"id", "deleted": true, "reason"}`'
    )


class CallChanges(ApiModel):
    """A page of the change feed, in change order, and where to resume."""

    changes: list[CallChange]
    next_cursor: str = Field(
        description="Always present: pass it as `cursor` for the changes after this page "
        "(poll with it when the page is empty)"
    )
    has_more: bool = Field(description="More changes can be read now, without waiting")


class ChangeFeedParams(BaseModel):
    """`GET /v1/calls/changes` query parameters; unknown ones are ignored."""

    model_config = ConfigDict(defer_build=True, extra="ignore", frozen=True)

    cursor: str | None = Field(default=None, max_length=8192)
    since: IsoDateTime | None = None
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


# Writing: one stream record of the calls table → the call's feed item.


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _expired(stored: StoredCall, now: datetime) -> bool:
    expires_at = stored.internal.expires_at
    return expires_at is not None and expires_at <= now.timestamp()


def _state(stored: StoredCall, now: datetime) -> Call | DeletionReason:
    """What the API shows of a call item: the call, or why it reads as gone."""
    if stored.internal.erasing:
        return DeletionReason.ERASED
    if _expired(stored, now):
        return DeletionReason.EXPIRED
    return stored.call


def _removal_reason(record: Mapping[str, Any], old: StoredCall, now: datetime) -> DeletionReason:
    identity = record.get("userIdentity") or {}
    by_ttl = all(identity.get(name) == value for name, value in _TTL_IDENTITY.items())
    if by_ttl or (not old.internal.erasing and _expired(old, now)):
        return DeletionReason.EXPIRED
    return DeletionReason.ERASED


def feed_window_of(stored: StoredCall) -> timedelta | None:
    """How long the tombstone of a call is kept: max(7 days, the retention it was stored with,
    `expires_at` less the start it counts from); None for a call kept indefinitely."""
    expires_at = stored.internal.expires_at
    if expires_at is None:
        return None
    call = stored.call
    counted_from = min(_aware(call.start_time), _aware(call.created_at))
    return max(MIN_FEED_WINDOW, datetime.fromtimestamp(expires_at, UTC) - counted_from)


@dataclass(frozen=True)
class FeedEntry:
    """What a stream record leaves in the feed: the call's new state, and when it expires."""

    stored: StoredCall
    kind: ChangeKind
    state: Call | DeletionReason
    expires_at: int | None

    def attributes(self, now: datetime) -> dict[str, Any]:
        """The feed attributes of the call's analytics item for this entry, stamped `now`
        (plain values; `feed_expires_at`: when a live call reads as expired, or when a
        tombstone may go; absent when never)."""
        call_id = self.stored.call.id
        values: dict[str, Any] = {
            "change_tenant": self.stored.tenant_id,
            "change_key": f"{sort_timestamp(now)}#{call_id}",
            "change": self.kind.value,
            "changed_at": format_timestamp(now),
            "call_id": call_id,
            "feed_expires_at": self.expires_at,
        }
        if isinstance(self.state, DeletionReason):
            values["reason"] = self.state.value
        else:
            values["call"] = self.call_json
        return values

    @cached_property
    def call_json(self) -> str | None:
        """The call object as the feed shows it (None for a tombstone)."""
        return self.state.model_dump_json() if isinstance(self.state, Call) else None

    def created(self) -> FeedEntry:
        """This entry shown as the call's creation (its INSERT came in the same batch)."""
        if self.kind is not ChangeKind.UPDATED:
            return self
        return FeedEntry(self.stored, ChangeKind.CREATED, self.state, self.expires_at)


def _entry(
    stored: StoredCall, state: Call | DeletionReason, kind: ChangeKind, now: datetime
) -> FeedEntry:
    if isinstance(state, Call):
        return FeedEntry(stored, kind, state, stored.internal.expires_at)
    window = feed_window_of(stored)
    expires_at = None if window is None else int((now + window).timestamp()) + 1
    return FeedEntry(stored, ChangeKind.DELETED, state, expires_at)


def feed_entry(record: Mapping[str, Any], now: datetime) -> FeedEntry | None:
    """What a stream record of the calls table changes in the feed; None when nothing: an item
    other than a call, or a change the API does not show (its own bookkeeping)."""
    data = record.get("dynamodb") or {}
    if (data.get("Keys") or {}).get("sk", {}).get("S") != CALL_SK:
        return None
    event = record.get("eventName")
    old = stored_call(data["OldImage"]) if data.get("OldImage") else None
    if event == "REMOVE":
        # An erased call shows as deleted from the moment its erasure began.
        if old is None or old.internal.erasing:
            return None
        return _entry(old, _removal_reason(record, old, now), ChangeKind.DELETED, now)
    if not data.get("NewImage"):
        return None
    new = stored_call(data["NewImage"])
    state = _state(new, now)
    if old is not None and _state(old, now) == state:
        return None
    kind = ChangeKind.CREATED if event == "INSERT" else ChangeKind.UPDATED
    return _entry(new, state, kind, now)


# Reading


@dataclass(frozen=True)
class _Start:
    """Where a page starts: after `position` (a change key, or a bare time: from that time
    on), for a sync that began at `anchor` (epoch seconds)."""

    position: str
    anchor: int


def _key_time(position: str) -> datetime:
    if not position:
        return datetime(1970, 1, 1, tzinfo=UTC)
    stamp = datetime.strptime(position[:_KEY_TIME_CHARS], "%Y-%m-%dT%H:%M:%S.%fZ")
    return stamp.replace(tzinfo=UTC)


def _change(item: dict[str, Any], now: datetime) -> CallChange:
    """A feed item as the API shows it; a live call past its retention reads as expired."""
    # An item written before the feed and the rollups shared it has only `expires_at`.
    expires = item.get("feed_expires_at") or item.get("expires_at") or {}
    expires_at = expires.get("N")
    call_id = item["call_id"]["S"]
    kind = ChangeKind(item["change"]["S"])
    call: Call | Tombstone
    if kind is ChangeKind.DELETED:
        call = Tombstone(id=call_id, reason=DeletionReason(item["reason"]["S"]))
    elif expires_at is not None and int(expires_at) <= now.timestamp():
        kind, call = ChangeKind.DELETED, Tombstone(id=call_id, reason=DeletionReason.EXPIRED)
    else:
        call = Call.model_validate_json(item["call"]["S"])
    return CallChange(
        sequence=str(int(item["seq"]["S"])),
        change=kind,
        changed_at=datetime.fromisoformat(item["changed_at"]["S"]),
        call=call,
    )


class ChangeReader:
    """Reads the change feed for one principal, signing its cursors."""

    def __init__(
        self,
        table_name: str,
        accounts: AccountStore,
        cursor_codec: CursorCodec,
        dynamodb: Any | None = None,
    ) -> None:
        self.table_name = table_name
        self.accounts = accounts
        self.cursor_codec = cursor_codec
        self._dynamodb = dynamodb

    @property
    def dynamodb(self) -> Any:
        from dialtone import aws

        return self._dynamodb or aws.client("dynamodb")

    def changes(
        self, principal: Principal, params: ChangeFeedParams, now: datetime | None = None
    ) -> CallChanges:
        """The tenant's changes after the cursor (or from `since`, or from the beginning), in
        change order, up to `limit`, with the cursor to resume from. ChangesExpired when the
        cursor or `since` is older than the feed keeps deletions."""
        principal.require(Scope.CALLS_READ)
        now = now or datetime.now(UTC)
        tenant_id = principal.tenant_id
        start = self._start(tenant_id, params, now)
        bound = sort_timestamp(now - READ_LAG)
        items = self._read(tenant_id, start.position, bound, params.limit + 1)
        page, has_more = items[: params.limit], len(items) > params.limit
        # Caught up: resume from the bound (everything before it has been read), never back.
        position = page[-1]["change_key"]["S"] if has_more else max(start.position, bound)
        cursor = self.cursor_codec.encode(
            {"v": _CURSOR_VERSION, "k": position, "a": start.anchor}, tenant_id, _CURSOR_QUERY
        )
        return CallChanges(
            changes=[_change(item, now) for item in page], next_cursor=cursor, has_more=has_more
        )

    def _start(self, tenant_id: str, params: ChangeFeedParams, now: datetime) -> _Start:
        if params.cursor is not None and params.since is not None:
            raise InvalidParameter(("query", "since"), "use either cursor or since, not both")
        if params.cursor is not None:
            start = self._decode(tenant_id, params.cursor)
        elif params.since is not None:
            since = _aware(params.since)
            start = _Start(sort_timestamp(since), int(since.timestamp()))
        else:
            return _Start("", int(now.timestamp()))
        synced_from = max(_key_time(start.position).timestamp(), start.anchor)
        # Within 7 days every tombstone is still there: no need to ask the tenant's window.
        if synced_from < (now - MIN_FEED_WINDOW).timestamp():
            window = self.feed_window(tenant_id)
            if window is not None and synced_from < (now - window).timestamp():
                raise ChangesExpired(
                    f"The cursor (or since) is older than this tenant's change feed keeps "
                    f"deletions ({window.days} days): start over without cursor or since, which "
                    "replays every call from the beginning of the feed"
                )
        return start

    def _decode(self, tenant_id: str, cursor: str) -> _Start:
        payload = self.cursor_codec.decode(cursor, tenant_id, _CURSOR_QUERY)
        position, anchor = payload.get("k"), payload.get("a")
        if payload.get("v") != _CURSOR_VERSION or not isinstance(position, str):
            raise InvalidCursor()
        if not isinstance(anchor, int):
            raise InvalidCursor()
        return _Start(position, anchor)

    def feed_window(self, tenant_id: str) -> timedelta | None:
        """How far back the tenant's feed keeps deletions: max(7 days, its retention); None
        when it keeps calls indefinitely (then tombstones are kept indefinitely too)."""
        try:
            tenant = self.accounts.get_tenant(tenant_id)
        except TenantNotFound:
            return MIN_FEED_WINDOW
        if not tenant.retention_days:
            return None
        return max(MIN_FEED_WINDOW, timedelta(days=tenant.retention_days))

    def _read(self, tenant_id: str, position: str, bound: str, count: int) -> list[dict[str, Any]]:
        """Up to `count` items of the tenant's feed after `position`, before `bound`, in order."""
        # Every key after `position`: change keys never extend one another, and a bare time
        # (`since`, a bound) is extended by the keys stamped at that very time, which follow.
        low = position + " "
        if low > bound:
            return []
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": CHANGE_INDEX,
            "KeyConditionExpression": "#tenant = :tenant AND #key BETWEEN :low AND :high",
            "ExpressionAttributeNames": {"#tenant": "change_tenant", "#key": "change_key"},
            "ExpressionAttributeValues": {
                ":tenant": {"S": tenant_id},
                ":low": {"S": low},
                ":high": {"S": bound},
            },
        }
        items: list[dict[str, Any]] = []
        while len(items) < count:
            # A page of the index stops at 1 MB: read on until `count` or the end.
            response = self.dynamodb.query(**request, Limit=count - len(items))
            items.extend(response["Items"])
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return items


@settings.per_environment
def change_reader() -> ChangeReader:
    """The change feed reader of this execution environment (`GET /v1/calls/changes`)."""
    from dialtone.accounts import AccountStore
    from dialtone.pagination import CursorCodec

    config = settings.load(ChangeFeedSettings)
    codec = CursorCodec(settings.secret_string(config.cursor_secret_arn).encode("utf-8"))
    return ChangeReader(config.analytics_table, AccountStore(config.accounts_table), codec)
