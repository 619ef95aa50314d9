"""Applying stream changes of calls to the rollups and the change feed, exactly once each, and
reading rollup items.

Each call has one analytics item (pk `T#<tenant>#C#<call>`, sk `CHANGE`): its change-feed entry
(`dialtone.analytics.changes`) and its rollup state, the facts that make up its contribution and
the stream sequence number of the newest record applied. A record counts only if its sequence
is newer; the call's item and the rollup deltas are written in one transaction conditioned on
the item being as read, so a redelivered or older record counts nothing and two consumers
cannot both apply the same change. One put of the call's item per batch serves both the feed
and the rollups: a call lifecycle (created, in progress, completed with a duration, each change
in a batch of its own) costs 3 of them, 3 updates of each of its hour and day shards and one of
its remote number's day item: 10 writes. The deltas of all the calls of a batch are added up per
rollup item first, so a rollup item shared by many calls of the batch is written once per
transaction (at most 100 actions: call items plus distinct rollup items).

An item written before the feed and the rollups shared it (the rollup state then had an item of
its own, sk `ROLLUP`) is read too, and deleted when the call's item takes it over.

A transaction refused because a call shard would pass DynamoDB's 400 KB gives the tenant more
shards for that kind of period (`rollups.Layout`; a conditional write of its layout item) and is
applied again, its calls counted in the new layout.

How fresh the rollups are (`watermark`) is read, not written: the stream time of the tenant's
latest feed change, which was written in the same transaction as its rollups.
"""

from __future__ import annotations

import random
import string
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from dialtone.analytics import rollups
from dialtone.analytics.rollups import (
    CHANGE_INDEX,
    CHANGE_SK,
    FEED_ATTRIBUTES,
    STATE_SK,
    CallFacts,
    Contribution,
    Key,
    Layout,
    stored_sequence,
)
from dialtone.dynamo import TableStore, from_item, string_key, to_item

if TYPE_CHECKING:
    # The change feed (its reading and its models) is not loaded to read rollups.
    from dialtone.analytics.changes import FeedEntry

MAX_ACTIONS = 100
# A transaction carries at most 4 MB: the call objects of one stay under 3 MB.
MAX_TRANSACTION_BYTES = 3_000_000
# Attributes one rollup update may add to: DynamoDB caps an update expression at 4 KB, and each
# costs `#k :k, ` (k: its index in base 52, two letters at most), so 440 take under 4,000
# characters. One call's change touches at most ~430 (13 counts and 12 metric blocks of 19,
# taken out of its old slices and added to its new ones), so it always fits on its own.
MAX_ATTRIBUTES = 440
APPLY_ATTEMPTS = 4
# A call's item outlives its feed entry (and a removed call's state every redelivery of its
# older records: a stream keeps records 24 hours) by two days.
REMOVED_STATE_TTL = 2 * 86400
_CONTENTION = frozenset({"ConditionalCheckFailed", "TransactionConflict"})
# The cancellation reason of a write that would take an item past DynamoDB's 400 KB.
_TOO_LARGE = "ValidationError"


class CallChange(NamedTuple):
    """One stream record of a call item: its sequence, the facts before and after, when, and
    what it shows in the change feed (None: nothing a client sees changed)."""

    call_pk: str
    sequence: int
    sequence_text: str
    old: CallFacts | None
    new: CallFacts | None
    at: datetime
    expires_at: int | None = None
    feed: FeedEntry | None = None


@dataclass
class CallState:
    """A call's item as read: the sequence of the newest record applied, the facts then, its
    feed attributes (typed, to carry over when a change shows nothing new), and the raw
    sequences to condition the writes on."""

    sequence: int | None = None
    facts: CallFacts | None = None
    feed: dict[str, Any] = field(default_factory=dict)
    stored_seq: str | None = None
    legacy_seq: str | None = None


@dataclass
class ApplyResult:
    """What one batch did: items written, and the sequence numbers of changes not applied."""

    call_writes: int = 0
    rollup_writes: int = 0
    failed: list[str] = field(default_factory=list)

    @property
    def writes(self) -> int:
        return self.call_writes + self.rollup_writes


@dataclass
class _Pending:
    call_pk: str
    state: CallState
    latest: CallChange
    delta: Contribution
    changes: list[CallChange]
    feed: FeedEntry | None
    # The facts of `latest` as counted (in the tenant's layout), which the call's item keeps.
    facts: CallFacts | None = None

    @property
    def actions(self) -> int:
        """The transaction actions of this call's own items: its put, and the delete of an
        item written before the feed and the rollups shared one."""
        return 1 + (self.state.legacy_seq is not None)

    @property
    def size(self) -> int:
        """About how many bytes the call's put carries (its call object dominates)."""
        call = self.feed.call_json if self.feed is not None else self.state.feed.get("call")
        return 2_000 + (len(str(call)) if call is not None else 0)


_LETTERS = string.ascii_letters


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _label(index: int) -> str:
    """A short placeholder for an update's index-th attribute: the index in base 52, in
    letters (a placeholder starts with a letter)."""
    label = ""
    while True:
        index, rest = divmod(index, len(_LETTERS))
        label = _LETTERS[rest] + label
        if not index:
            return label


class RollupStore(TableStore):
    """The call, rollup and feed items of the analytics table."""

    # Applying

    def apply(self, changes: Iterable[CallChange], now: datetime | None = None) -> ApplyResult:
        """Apply a batch of call changes (any order, duplicates allowed); the sequence numbers
        of the changes that could not be applied (contention that outlasted the retries) are in
        `failed`, to be redelivered. Feed entries are stamped with `now`, or (left out, as it
        should be but in tests) the clock right before each write."""
        by_call: dict[str, list[CallChange]] = {}
        for change in changes:
            by_call.setdefault(change.call_pk, []).append(change)
        result = ApplyResult()
        remaining = by_call
        for attempt in range(APPLY_ATTEMPTS):
            if not remaining:
                break
            if attempt:
                time.sleep(random.uniform(0, 0.05 * 2**attempt))  # noqa: S311 - jitter
            remaining = self._apply_round(remaining, result, now)
        for pending_changes in remaining.values():
            result.failed.extend(c.sequence_text for c in pending_changes)
        return result

    def _apply_round(
        self, by_call: dict[str, list[CallChange]], result: ApplyResult, now: datetime | None
    ) -> dict[str, list[CallChange]]:
        tenants = {pk: _tenant(calls) for pk, calls in by_call.items()}
        states, layouts = self._read(list(by_call), {t for t in tenants.values() if t})
        pending = [
            p
            for pk, calls in by_call.items()
            if (p := _pending(pk, states[pk], calls, layouts.get(tenants[pk] or ""))) is not None
        ]
        retry: dict[str, list[CallChange]] = {}
        counted_in = dict(layouts)
        for chunk in _chunks(pending):
            # Once a layout grew, the calls not written yet are counted again in it first.
            if layouts != counted_in or not self._write_chunk(
                chunk, result, now or datetime.now(UTC), layouts
            ):
                for p in chunk:
                    retry[p.call_pk] = p.changes
        return retry

    def _write_chunk(
        self, chunk: list[_Pending], result: ApplyResult, now: datetime, layouts: dict[str, Layout]
    ) -> bool:
        """Write one transaction; False when it is to be tried again: refused for contention,
        or because a call shard would outgrow DynamoDB's item limit and the tenant's layout
        has just been given more shards for that kind of period."""
        total: Contribution = {}
        for p in chunk:
            rollups.add_into(total, p.delta)
        as_of = max(p.latest.at for p in chunk)
        actions = [action for p in chunk for action in self._call_actions(p, now)]
        # The rollup item each action updates (None: a call's own item), to read the reasons.
        targets: list[Key | None] = [None] * len(actions) + list(total)
        actions += [self._rollup_update(key, counts, as_of) for key, counts in total.items()]
        client = self.dynamodb
        try:
            client.transact_write_items(TransactItems=actions)
        except client.exceptions.TransactionCanceledException as error:
            reasons = error.response.get("CancellationReasons") or []
            if {r.get("Code") for r in reasons} & _CONTENTION:
                return False
            outgrown = {
                key
                for key, reason in zip(targets, reasons, strict=False)
                if key is not None and key[1].startswith("S#") and reason.get("Code") == _TOO_LARGE
            }
            if outgrown and self._grow(outgrown, layouts):
                return False
            raise
        result.call_writes += sum(p.actions for p in chunk)
        result.rollup_writes += len(total)
        return True

    def _grow(self, outgrown: set[Key], layouts: dict[str, Layout]) -> bool:
        """Give each tenant of these too-large call shards twice the shards for that kind of
        period (`Layout.grown`); False when one is at the most there can be. A layout changed
        meanwhile by another consumer is left as it is: the retry reads it."""
        from dialtone.observability import logger

        # (tenant, "D" or "H"): the kind of period, by the first letter of the rollup's period.
        kinds = {_tenant_period(pk) for pk, _ in outgrown}
        for tenant_id, period in sorted((tenant, period[0]) for tenant, period in kinds):
            layout = layouts.get(tenant_id, rollups.DEFAULT_LAYOUT)
            grown = layout.grown(period)
            if grown is None:
                return False
            try:
                self.dynamodb.update_item(
                    TableName=self.table_name,
                    Key=string_key(pk=rollups.layout_pk(tenant_id), sk=rollups.LAYOUT_SK),
                    UpdateExpression="SET #day = :day, #hour = :hour",
                    ConditionExpression=(
                        "attribute_not_exists(pk) OR (#day = :was_day AND #hour = :was_hour)"
                    ),
                    ExpressionAttributeNames={"#day": "day", "#hour": "hour"},
                    ExpressionAttributeValues={
                        ":day": {"N": str(grown.day)},
                        ":hour": {"N": str(grown.hour)},
                        ":was_day": {"N": str(layout.day)},
                        ":was_hour": {"N": str(layout.hour)},
                    },
                )
            except self.dynamodb.exceptions.ConditionalCheckFailedException:
                continue
            logger.warning(
                "A rollup item outgrew DynamoDB's item limit: the tenant's periods get more"
                " call shards",
                extra={"tenant_id": tenant_id, "day_shards": grown.day, "hour_shards": grown.hour},
            )
            layouts[tenant_id] = grown
        return True

    def seed(self, changes: Iterable[CallChange], now: datetime | None = None) -> ApplyResult:
        """Write the call and rollup items of calls the table has never seen (a seed, a bench)
        at once: their contributions added up in memory and every item written once, with
        BatchWriteItem, instead of a transaction per hundred calls. The items are the ones the
        consumer would write (the same builders); they are put unconditionally, so this is only
        for a tenant whose calls have no analytics item yet."""
        now = now or datetime.now(UTC)
        total: Contribution = {}
        items: list[dict[str, Any]] = []
        as_of = now
        for change in changes:
            pending = _Pending(
                change.call_pk,
                CallState(),
                change,
                rollups.contribution(change.new),
                [change],
                change.feed,
                change.new,
            )
            rollups.add_into(total, pending.delta)
            items.append(self._call_item(pending, now))
            as_of = max(as_of, change.at)
        result = ApplyResult(call_writes=len(items), rollup_writes=len(total))
        for (pk, sk), counts in total.items():
            values = {name: {"N": str(value)} for name, value in counts.items()}
            items.append({**values, **string_key(pk=pk, sk=sk), "as_of": {"N": str(_epoch(as_of))}})
        self._put_all(items)
        return result

    def _put_all(self, items: list[dict[str, Any]]) -> None:
        """Put items, 25 a BatchWriteItem; items left unprocessed are sent again."""
        for start in range(0, len(items), 25):
            pending: dict[str, Any] = {
                self.table_name: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]
            }
            attempt = 0
            while pending:
                if attempt:
                    time.sleep(random.uniform(0, min(1.0, 0.02 * 2**attempt)))  # noqa: S311
                pending = self.dynamodb.batch_write_item(RequestItems=pending).get(
                    "UnprocessedItems"
                )
                attempt += 1

    def _call_actions(self, pending: _Pending, now: datetime) -> list[dict[str, Any]]:
        """The put of the call's item (feed entry and rollup state), conditioned on the item
        being as read; and the delete of its older separate state item, if it has one."""
        item = self._call_item(pending, now)
        put: dict[str, Any] = {"TableName": self.table_name, "Item": item}
        state = pending.state
        if state.stored_seq is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "seq = :seq"
            put["ExpressionAttributeValues"] = {":seq": {"S": state.stored_seq}}
        actions: list[dict[str, Any]] = [{"Put": put}]
        if state.legacy_seq is not None:
            delete = {
                "TableName": self.table_name,
                "Key": string_key(pk=pending.call_pk, sk=rollups.STATE_SK),
                "ConditionExpression": "seq = :seq",
                "ExpressionAttributeValues": {":seq": {"S": state.legacy_seq}},
            }
            actions.append({"Delete": delete})
        return actions

    def _call_item(self, pending: _Pending, now: datetime) -> dict[str, Any]:
        change = pending.latest
        facts = pending.facts
        if pending.feed is not None:
            feed = to_item(pending.feed.attributes(now))
            feed["stream_at"] = {"N": str(change.at.timestamp())}
        else:
            feed = pending.state.feed
        item = to_item(
            {
                "pk": pending.call_pk,
                "sk": CHANGE_SK,
                "seq": stored_sequence(change.sequence),
                "facts": facts.stored() if facts else None,
                "expires_at": _item_expiry(change, feed, now),
            }
        )
        return {**feed, **item}

    def _rollup_update(self, key: Key, counts: Counter[str], as_of: datetime) -> dict[str, Any]:
        labels = [_label(i) for i in range(len(counts))]
        names = {f"#{label}": name for label, name in zip(labels, counts, strict=True)}
        values: dict[str, Any] = {
            f":{label}": {"N": str(value)}
            for label, value in zip(labels, counts.values(), strict=True)
        }
        values[":as_of"] = {"N": str(_epoch(as_of))}
        adds = ", ".join(f"#{label} :{label}" for label in labels)
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": string_key(pk=key[0], sk=key[1]),
                "UpdateExpression": f"ADD {adds} SET as_of = :as_of",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    # Reading

    def layout(self, tenant_id: str) -> Layout:
        """A tenant's layout, for a reader: which call shards its periods have (strongly
        consistent, a small item: a layout just grown is read at once, so no count in its new
        shards is missed, or kept missing in a total kept while the watermark stays)."""
        response = self.dynamodb.get_item(
            TableName=self.table_name,
            Key=string_key(pk=rollups.layout_pk(tenant_id), sk=rollups.LAYOUT_SK),
            ConsistentRead=True,
        )
        return Layout.of_item(response.get("Item"))

    def read_states(self, call_pks: Sequence[str]) -> dict[str, CallState]:
        """The state of each call (an empty state where it has none), strongly consistent: its
        item, or the separate state item a consumer of an earlier version wrote."""
        return self._read(call_pks, ())[0]

    def _read(
        self, call_pks: Sequence[str], tenant_ids: Iterable[str]
    ) -> tuple[dict[str, CallState], dict[str, Layout]]:
        """The calls' states (`read_states`) and the tenants' layouts (the default for a tenant
        without a layout item), in one strongly consistent read."""
        states = {pk: CallState() for pk in call_pks}
        tenants = sorted(set(tenant_ids))
        legacy: dict[str, dict[str, Any]] = {}
        found: dict[str, dict[str, Any]] = {}
        keys = [string_key(pk=pk, sk=sk) for pk in call_pks for sk in (CHANGE_SK, STATE_SK)]
        keys += [string_key(pk=rollups.layout_pk(t), sk=rollups.LAYOUT_SK) for t in tenants]
        for item in self.get_items(keys, consistent=True):
            pk, sk = item["pk"]["S"], item["sk"]["S"]
            if sk == rollups.LAYOUT_SK:
                found[pk] = item
            elif sk == STATE_SK:
                legacy[pk] = item
            else:
                states[pk] = _state_of(item)
        for pk, item in legacy.items():
            _take_over(states[pk], item)
        return states, {t: Layout.of_item(found.get(rollups.layout_pk(t))) for t in tenants}

    def get_items(
        self,
        keys: Sequence[dict[str, Any]],
        consistent: bool = False,
        attributes: Sequence[str] = (),
    ) -> Iterator[dict[str, Any]]:
        """The items of these keys that exist (BatchGetItem, 100 keys a request; keys left
        unprocessed are asked again); with `attributes`, only those of each item (a rollup item
        holds hundreds of counters, and a total adds up one or two)."""
        projection = _projection(attributes)
        for start in range(0, len(keys), 100):
            pending: dict[str, Any] = {
                self.table_name: {
                    "Keys": list(keys[start : start + 100]),
                    "ConsistentRead": consistent,
                    **projection,
                }
            }
            attempt = 0
            while pending:
                if attempt:
                    time.sleep(random.uniform(0, min(1.0, 0.02 * 2**attempt)))  # noqa: S311
                response = self.dynamodb.batch_get_item(RequestItems=pending)
                yield from response.get("Responses", {}).get(self.table_name, [])
                pending = response.get("UnprocessedKeys") or {}
                attempt += 1

    def watermark(self, tenant_id: str) -> datetime | None:
        """Until when the tenant's rollups include every change (None: no change yet): the
        stream time of its latest change in the feed, written in the same transaction as that
        change's rollups. Records of one stream shard are applied in order, so every earlier
        change of that shard is in too; a change another shard still holds, or one whose
        write is being retried, can be missing for as long as that takes (seconds)."""
        response = self.dynamodb.query(
            TableName=self.table_name,
            IndexName=CHANGE_INDEX,
            KeyConditionExpression="#tenant = :tenant",
            # (the change's whole entry is projected to the index: only its time is read)
            ProjectionExpression="#at",
            ExpressionAttributeNames={"#tenant": "change_tenant", "#at": "stream_at"},
            ExpressionAttributeValues={":tenant": {"S": tenant_id}},
            ScanIndexForward=False,
            Limit=1,
        )
        items = response.get("Items") or []
        value = items[0].get("stream_at", {}).get("N") if items else None
        return None if value is None else datetime.fromtimestamp(float(value), UTC)


def _state_of(item: dict[str, Any]) -> CallState:
    """A call's state from its item; an item written before the feed and the rollups shared
    it holds the feed only (no `facts`, and its sequence is the feed's)."""
    facts = from_item({"facts": item["facts"]})["facts"] if "facts" in item else None
    return CallState(
        sequence=int(item["seq"]["S"]),
        facts=CallFacts.from_values(facts) if facts else None,
        feed={k: v for k, v in item.items() if k in FEED_ATTRIBUTES or k == "stream_at"},
        stored_seq=item["seq"]["S"],
    )


def _take_over(state: CallState, legacy: dict[str, Any]) -> None:
    """Take the facts of a separate state item written by a consumer of an earlier version:
    the call's counted contribution is there until its item holds it."""
    values = from_item(legacy)
    facts = values.get("facts")
    state.facts = CallFacts.from_values(facts) if facts else None
    sequence = int(values["seq"])
    state.sequence = sequence if state.sequence is None else max(state.sequence, sequence)
    state.legacy_seq = values["seq"]


def _item_expiry(change: CallChange, feed: dict[str, Any], now: datetime) -> int | None:
    """When a call's item may go: two days after its feed entry (a live call's expiry, or the
    end of its tombstone's window; never for a call kept indefinitely), or after the call's
    removal when it has no entry."""
    if feed:
        expires = feed.get("feed_expires_at")
        base = None if expires is None else int(expires["N"])
    elif change.new is not None:
        base = change.expires_at
    else:
        base = _epoch(now)
    return None if base is None else base + REMOVED_STATE_TTL


def _tenant_period(rollup_pk: str) -> tuple[str, str]:
    """(tenant, period) of a rollup item's pk, `T#<tenant>#R#<period>`."""
    tenant_id, period = rollup_pk.removeprefix("T#").rsplit("#R#", 1)
    return tenant_id, period


def _tenant(changes: list[CallChange]) -> str | None:
    """The tenant of a call's changes whose new facts count (None when none has any: then no
    change of it is counted anew, and no layout is needed)."""
    for change in changes:
        if change.new is not None:
            return change.new.tenant_id
    return None


def _pending(
    call_pk: str, state: CallState, changes: list[CallChange], layout: Layout | None = None
) -> _Pending | None:
    """What applying a call's changes to its state means, the call counted in its tenant's
    `layout`: None when none is newer, or when the newer ones change neither a count nor what
    the feed shows."""
    newer = [c for c in changes if state.sequence is None or c.sequence > state.sequence]
    if not newer:
        return None
    latest = max(newer, key=lambda c: c.sequence)
    facts = (layout or rollups.DEFAULT_LAYOUT).counted(latest.new)
    delta = rollups.difference(rollups.contribution(facts), rollups.contribution(state.facts))
    feed = _feed_entry(newer)
    if not delta and feed is None:
        return None
    return _Pending(call_pk, state, latest, delta, changes, feed, facts)


def _feed_entry(newer: list[CallChange]) -> FeedEntry | None:
    """The feed entry of the newest change that has one; shown as created when the call's
    creation is among the changes (created and changed within one batch)."""
    from dialtone.analytics.changes import ChangeKind

    shown = [c for c in newer if c.feed is not None]
    if not shown:
        return None
    entry = max(shown, key=lambda c: c.sequence).feed
    assert entry is not None
    if any(c.feed is not None and c.feed.kind is ChangeKind.CREATED for c in shown):
        return entry.created()
    return entry


@dataclass
class _Chunk:
    """The calls of one transaction, and what they add up to so far."""

    calls: list[_Pending] = field(default_factory=list)
    names: dict[Key, set[str]] = field(default_factory=dict)
    actions: int = 0
    size: int = 0

    def fits(self, p: _Pending) -> bool:
        """Whether the call's items and rollup deltas fit the transaction too: at most
        MAX_ACTIONS actions and MAX_TRANSACTION_BYTES, and each rollup item's update within
        MAX_ATTRIBUTES attributes."""
        if not self.calls:
            return True
        rollup_items = len(self.names.keys() | p.delta.keys())
        if self.actions + p.actions + rollup_items > MAX_ACTIONS:
            return False
        if self.size + p.size > MAX_TRANSACTION_BYTES:
            return False
        return all(
            len(self.names.get(key, set()) | counts.keys()) <= MAX_ATTRIBUTES
            for key, counts in p.delta.items()
        )

    def add(self, p: _Pending) -> None:
        self.calls.append(p)
        self.actions += p.actions
        self.size += p.size
        for key, counts in p.delta.items():
            self.names.setdefault(key, set()).update(counts)


def _chunks(pending: list[_Pending]) -> Iterator[list[_Pending]]:
    """The calls in groups that fit one transaction each (see _Chunk.fits)."""
    chunk = _Chunk()
    for p in pending:
        if not chunk.fits(p):
            yield chunk.calls
            chunk = _Chunk()
        chunk.add(p)
    if chunk.calls:
        yield chunk.calls


def _projection(attributes: Sequence[str]) -> dict[str, Any]:
    """A ProjectionExpression naming `attributes` through placeholders (counter names hold
    characters an expression cannot); nothing for every attribute."""
    if not attributes:
        return {}
    names = {f"#a{i}": name for i, name in enumerate(dict.fromkeys(attributes))}
    return {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
