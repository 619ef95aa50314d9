"""Applying stream changes of calls to the rollups, exactly once each, and reading rollup items.

A change counts only if its stream sequence number is newer than the one on the call's state
item; the state item and the rollup deltas are written in one transaction conditioned on the
state item being as read, so a redelivered or older record counts nothing and two consumers
cannot both apply the same change. The deltas of all the calls of a batch are added up per
rollup item first, so a rollup item shared by many calls of the batch is written once per
transaction (at most 100 actions: state puts plus distinct rollup items).
"""

from __future__ import annotations

import random
import string
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dialtone.analytics import rollups
from dialtone.analytics.rollups import CallFacts, Contribution, Key
from dialtone.dynamo import TableStore, from_item, string_key, to_item

MAX_ACTIONS = 100
# Attributes one rollup update may add to: DynamoDB caps an update expression at 4 KB, and each
# costs `#k :k, ` (k: its index in base 52, two letters at most), so 440 take under 4,000
# characters. One call's change touches at most ~430 (13 counts and 12 metric blocks of 19,
# taken out of its old slices and added to its new ones), so it always fits on its own.
MAX_ATTRIBUTES = 440
# The tenant's watermark is written when it moves by at least this much (see _advance_watermarks).
WATERMARK_STEP = 1.0
APPLY_ATTEMPTS = 4
# A removed call's state item outlives every redelivery of its older records (a stream keeps
# records 24 hours): two days.
REMOVED_STATE_TTL = 2 * 86400
_CONTENTION = frozenset({"ConditionalCheckFailed", "TransactionConflict"})


@dataclass(frozen=True)
class CallChange:
    """One stream record of a call item: its sequence, the facts before and after, when."""

    call_pk: str
    sequence: int
    sequence_text: str
    old: CallFacts | None
    new: CallFacts | None
    at: datetime
    expires_at: int | None = None

    @property
    def tenant_id(self) -> str:
        facts = self.new or self.old
        assert facts is not None  # changes that count nothing are dropped before
        return facts.tenant_id


@dataclass
class CallState:
    """A call's state item: the sequence of the last change applied and its facts then."""

    sequence: int | None = None
    sequence_text: str | None = None
    facts: CallFacts | None = None


@dataclass
class ApplyResult:
    """What one batch did: items written, and the sequence numbers of changes not applied."""

    state_writes: int = 0
    rollup_writes: int = 0
    watermark_writes: int = 0
    failed: list[str] = field(default_factory=list)

    @property
    def writes(self) -> int:
        return self.state_writes + self.rollup_writes + self.watermark_writes


@dataclass
class _Pending:
    call_pk: str
    state: CallState
    latest: CallChange
    delta: Contribution
    changes: list[CallChange]


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
    """The rollup and state items of the analytics table."""

    # Applying

    def apply(self, changes: Iterable[CallChange]) -> ApplyResult:
        """Apply a batch of call changes (any order, duplicates allowed); the sequence numbers
        of the changes that could not be applied (contention that outlasted the retries) are in
        `failed`, to be redelivered."""
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
            remaining = self._apply_round(remaining, result)
        for pending_changes in remaining.values():
            result.failed.extend(c.sequence_text for c in pending_changes)
        if not result.failed:
            self._advance_watermarks(by_call, result)
        return result

    def _apply_round(
        self, by_call: dict[str, list[CallChange]], result: ApplyResult
    ) -> dict[str, list[CallChange]]:
        states = self.read_states(list(by_call))
        pending = [
            p for pk, calls in by_call.items() if (p := _pending(pk, states[pk], calls)) is not None
        ]
        retry: dict[str, list[CallChange]] = {}
        for chunk in _chunks(pending):
            if not self._write_chunk(chunk, result):
                for p in chunk:
                    retry[p.call_pk] = p.changes
        return retry

    def _write_chunk(self, chunk: list[_Pending], result: ApplyResult) -> bool:
        total: Contribution = {}
        for p in chunk:
            rollups.add_into(total, p.delta)
        as_of = max(p.latest.at for p in chunk)
        actions = [self._state_put(p) for p in chunk]
        actions += [self._rollup_update(key, counts, as_of) for key, counts in total.items()]
        client = self.dynamodb
        try:
            client.transact_write_items(TransactItems=actions)
        except client.exceptions.TransactionCanceledException as error:
            reasons = {r.get("Code") for r in error.response.get("CancellationReasons") or []}
            if reasons & _CONTENTION:
                return False
            raise
        result.state_writes += len(chunk)
        result.rollup_writes += len(total)
        return True

    def _state_put(self, pending: _Pending) -> dict[str, Any]:
        change = pending.latest
        facts = change.new
        if facts is not None and change.expires_at is not None:
            expires_at: int | None = change.expires_at + REMOVED_STATE_TTL
        elif facts is None:
            expires_at = _epoch(datetime.now(UTC)) + REMOVED_STATE_TTL
        else:
            expires_at = None
        item = to_item(
            {
                "pk": pending.call_pk,
                "sk": rollups.STATE_SK,
                "seq": change.sequence_text,
                "facts": facts.stored() if facts else None,
                "expires_at": expires_at,
            }
        )
        put: dict[str, Any] = {"TableName": self.table_name, "Item": item}
        if pending.state.sequence_text is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "seq = :seq"
            put["ExpressionAttributeValues"] = {":seq": {"S": pending.state.sequence_text}}
        return {"Put": put}

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

    def _advance_watermarks(
        self, by_call: dict[str, list[CallChange]], result: ApplyResult
    ) -> None:
        """Every change of the batch is in: each tenant's rollups include its changes up to the
        newest stream time of the batch (never moved back). Written only when that moves the
        stored watermark by WATERMARK_STEP or more: a busy tenant's batches, seconds apart or
        less, then cost one watermark write a second instead of one each, and the watermark
        stays a true bound (every change up to it is in), at most a second behind."""
        latest: dict[str, datetime] = {}
        for calls in by_call.values():
            for change in calls:
                tenant = change.tenant_id
                latest[tenant] = max(latest.get(tenant, change.at), change.at)
        stored = self._watermarks(list(latest))
        client = self.dynamodb
        for tenant_id, moment in latest.items():
            known = stored.get(tenant_id)
            if known is not None and moment.timestamp() < known + WATERMARK_STEP:
                continue
            try:
                client.update_item(
                    TableName=self.table_name,
                    Key=string_key(pk=rollups.tenant_pk(tenant_id), sk=rollups.WATERMARK_SK),
                    UpdateExpression="SET as_of = :t",
                    ConditionExpression="attribute_not_exists(as_of) OR as_of < :t",
                    ExpressionAttributeValues={":t": {"N": str(moment.timestamp())}},
                )
            except client.exceptions.ConditionalCheckFailedException:
                continue  # a later batch (another stream shard) got there first
            result.watermark_writes += 1

    def _watermarks(self, tenant_ids: Sequence[str]) -> dict[str, float]:
        """The stored watermark of each tenant that has one (epoch seconds)."""
        keys = [string_key(pk=rollups.tenant_pk(t), sk=rollups.WATERMARK_SK) for t in tenant_ids]
        found: dict[str, float] = {}
        for item in self.get_items(keys):
            if "as_of" in item:
                found[item["pk"]["S"].removeprefix("T#")] = float(item["as_of"]["N"])
        return found

    # Reading

    def read_states(self, call_pks: Sequence[str]) -> dict[str, CallState]:
        """The state item of each call (an empty state where there is none), strongly
        consistent."""
        states = {pk: CallState() for pk in call_pks}
        keys = [string_key(pk=pk, sk=rollups.STATE_SK) for pk in call_pks]
        for item in self.get_items(keys, consistent=True):
            values = from_item(item)
            facts = values.get("facts")
            states[values["pk"]] = CallState(
                sequence=int(values["seq"]),
                sequence_text=values["seq"],
                facts=CallFacts.from_values(facts) if facts else None,
            )
        return states

    def get_items(
        self, keys: Sequence[dict[str, Any]], consistent: bool = False
    ) -> Iterator[dict[str, Any]]:
        """The items of these keys that exist (BatchGetItem, 100 keys a request; keys left
        unprocessed are asked again)."""
        for start in range(0, len(keys), 100):
            pending: dict[str, Any] = {
                self.table_name: {
                    "Keys": list(keys[start : start + 100]),
                    "ConsistentRead": consistent,
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
        """Until when the tenant's rollups include every change (None: no change yet)."""
        response = self.dynamodb.get_item(
            TableName=self.table_name,
            Key=string_key(pk=rollups.tenant_pk(tenant_id), sk=rollups.WATERMARK_SK),
        )
        value = response.get("Item", {}).get("as_of", {}).get("N")
        return None if value is None else datetime.fromtimestamp(float(value), UTC)


def _pending(call_pk: str, state: CallState, changes: list[CallChange]) -> _Pending | None:
    """What applying a call's changes to its state means: None when none is newer."""
    newer = [c for c in changes if state.sequence is None or c.sequence > state.sequence]
    if not newer:
        return None
    latest = max(newer, key=lambda c: c.sequence)
    delta = rollups.difference(rollups.contribution(latest.new), rollups.contribution(state.facts))
    return _Pending(call_pk, state, latest, delta, changes)


def _chunks(pending: list[_Pending]) -> Iterator[list[_Pending]]:
    """The calls in groups whose state puts and distinct rollup items fit one transaction, and
    whose update of each rollup item fits one update expression."""
    chunk: list[_Pending] = []
    names: dict[Key, set[str]] = {}
    for p in pending:
        if chunk and not _fits(len(chunk) + 1, names, p.delta):
            yield chunk
            chunk, names = [], {}
        chunk.append(p)
        for key, counts in p.delta.items():
            names.setdefault(key, set()).update(counts)
    if chunk:
        yield chunk


def _fits(calls: int, names: dict[Key, set[str]], delta: Contribution) -> bool:
    if calls + len(names.keys() | delta.keys()) > MAX_ACTIONS:
        return False
    return all(
        len(names.get(key, set()) | counts.keys()) <= MAX_ATTRIBUTES
        for key, counts in delta.items()
    )
