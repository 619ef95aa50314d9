"""The calls table: call records, their transcript exchanges, and the list indexes.

One item collection per call, keyed by tenant and call: (`T#<tenant>#C#<call>`, `CALL`) holds
the call, (`…`, `EX#<sequence>`) each exchange. A call of another tenant has another key, so it
is simply not found. Every list filter has a sparse global secondary index whose partition is
`<tenant>#<value>` and whose sort key is `start_key` (`<start_time>#<call id>`), projecting the
whole call, so one page of any single filter reads only the calls it returns. The common pairs
of filters (direction and status, agent and status, ...) have one each too, partitioned by
`<tenant>#<first value>#<second value>`, and a call-id prefix search reads the calls whose ids
share their first 4 (or 8) characters, in time order.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from dialtone.dialing import counters
from dialtone.dynamo import TableStore, from_item, string_key, to_item
from dialtone.errors import (
    BatchNotFound,
    CallErasing,
    CallExpired,
    CallNotFound,
    CallSidTaken,
    ReadThrottled,
    WriteContention,
)
from dialtone.model_types import BATCH_BUCKET, CallStatus, format_timestamp
from dialtone.models import Call, Exchange, HistoryEvent

CALL_SK = "CALL"
EXCHANGE_PREFIX = "EX#"
EVENT_PREFIX = "EV#"


def exchange_sk(sequence_number: int) -> str:
    """An exchange's sort key: zero-padded, so that key order is sequence order."""
    return f"{EXCHANGE_PREFIX}{sequence_number:010d}"


def event_sk(event_id: str) -> str:
    """A history event's sort key: one item per event id."""
    return f"{EVENT_PREFIX}{event_id}"


class IndexSpec(NamedTuple):
    """A list index: its name, partition attribute and sort attribute."""

    name: str
    hash_attr: str
    range_attr: str


INDEXES: dict[str, IndexSpec] = {
    "time": IndexSpec("ByTenantTime", "tenant_id", "start_key"),
    "direction": IndexSpec("ByDirection", "direction_key", "start_key"),
    "status": IndexSpec("ByStatus", "status_key", "start_key"),
    "outcome": IndexSpec("ByOutcome", "outcome_key", "start_key"),
    "agent_id": IndexSpec("ByAgent", "agent_key", "start_key"),
    "batch_id": IndexSpec("ByBatch", "batch_key", "start_key"),
    "from_number": IndexSpec("ByFromNumber", "from_key", "start_key"),
    "to_number": IndexSpec("ByToNumber", "to_key", "start_key"),
    "is_test_call": IndexSpec("ByTestFlag", "test_key", "start_key"),
}

# The common pairs of list filters, each with a sparse index of its own: partition
# `<tenant>#<first value>#<second value>` (the second value is always one of a fixed set, so
# the key reads back one way), written only while the call has both values.
PAIR_INDEXES: dict[tuple[str, str], IndexSpec] = {
    ("direction", "status"): IndexSpec("ByDirectionStatus", "direction_status_key", "start_key"),
    ("agent_id", "status"): IndexSpec("ByAgentStatus", "agent_status_key", "start_key"),
    ("agent_id", "direction"): IndexSpec("ByAgentDirection", "agent_direction_key", "start_key"),
    ("batch_id", "status"): IndexSpec("ByBatchStatus", "batch_status_key", "start_key"),
    ("status", "outcome"): IndexSpec("ByStatusOutcome", "status_outcome_key", "start_key"),
}
# Call fields a pair index key is built from.
PAIR_FIELDS = ("direction", "status", "agent_id", "batch_id", "outcome")

# A call-id prefix search reads the calls whose ids start with the same 8 (or, for a shorter
# prefix, 4) characters, in time order: a tenant of a million calls has about 15 calls per
# 4-character prefix and almost never two per 8-character one, so little is read that does not
# match. Ids never change, so these keys are written once, with the call.
ID_PREFIX_INDEXES: dict[int, IndexSpec] = {
    8: IndexSpec("ByCallIdPrefix8", "id8_key", "start_key"),
    4: IndexSpec("ByCallIdPrefix4", "id4_key", "start_key"),
}

# Call attributes that name a list index partition, and the call field each one is built from.
_INDEXED_FIELDS = {
    "direction_key": "direction",
    "status_key": "status",
    "outcome_key": "outcome",
    "agent_key": "agent_id",
    "batch_key": "batch_id",
    "from_key": "from_number",
    "to_key": "to_number",
}


def call_pk(tenant_id: str, call_id: str) -> str:
    return f"T#{tenant_id}#C#{call_id}"


def batch_pk(tenant_id: str, batch_id: str) -> str:
    return f"T#{tenant_id}#B#{batch_id}"


BATCH_SK = "BATCH"

# A provider call SID belongs to one call: one item per SID, written in the same transaction
# that gives a call its SID, on the condition that no other call holds it.
SID_SK = "SID"
SID_PROVIDER = "twilio"


def sid_pk(sid: str, provider: str = SID_PROVIDER) -> str:
    """The key of the item that says which call a provider call SID belongs to."""
    return f"SID#{provider}#{sid}"


def _sid_claim(table: str, tenant_id: str, call_id: str, sid: str) -> dict[str, Any]:
    """The Put of a SID's item for this call: refused when another call holds the SID (the
    same call writing it again is fine). Its attributes are named so that no list index takes
    the item (the indexes key on `tenant_id`, `id` and `start_key`)."""
    return {
        "Put": {
            "TableName": table,
            "Item": to_item(
                {
                    "pk": sid_pk(sid),
                    "sk": SID_SK,
                    "sid_tenant_id": tenant_id,
                    "sid_call_id": call_id,
                }
            ),
            "ConditionExpression": "attribute_not_exists(pk) OR "
            "(sid_tenant_id = :sid_tenant AND sid_call_id = :sid_call)",
            "ExpressionAttributeValues": {
                ":sid_tenant": {"S": tenant_id},
                ":sid_call": {"S": call_id},
            },
        }
    }


def sort_timestamp(value: datetime) -> str:
    """Fixed-width UTC time, so that string order is time order."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    # strftime's %Y is not zero-padded before year 1000 (`669-06-25...`), which breaks both the
    # fixed width and the order.
    return f"{value.year:04d}" + value.strftime("-%m-%dT%H:%M:%S.%fZ")


def partition(tenant_id: str, value: object) -> str:
    """The partition value of a filter index for one filter value."""
    if isinstance(value, bool):
        value = "1" if value else "0"
    return f"{tenant_id}#{value}"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class CallBookkeeping(NamedTuple):
    """Attributes of a call item that are the API's own bookkeeping, never shown to clients;
    None where the item holds none.

    `claim_token`, `claimed_at`: the dialer that claimed the queued call, and when.
    `dial_attempts`: the failed attempts to place it. `telephony_account_id`: the account it is
    dialed through. `enqueued_at`: when the call's latest dial message was sent (or given back),
    from which the sweeper tells a lost message from a long backlog.
    `row_version`: counts every change of the call item, for writers that merge (the runtime's
    updates) to detect a write that came in between their read and their write.
    `expires_at`: when the call's items expire (epoch seconds, the table's TTL attribute), copied
    onto every item of the call. `latency_from_runtime`: the runtime sent `latency` itself, so it
    is not derived from history events. `recording_etag`, `recording_uploaded_at`: the object the
    recording fields describe, so that a redelivered or older upload event changes nothing.
    `erasing`: an erasure has begun; the call reads as not found and takes no more writes.
    `dial_seq`: the call's place in its tenant's dial queue sequence (`dialtone.dialing.counters`);
    only calls stored queued for the dialer have one, and only they move the dial queue counters.
    """

    claim_token: str | None = None
    claimed_at: str | None = None
    dial_attempts: int | None = None
    telephony_account_id: str | None = None
    enqueued_at: str | None = None
    row_version: int | None = None
    expires_at: int | None = None
    latency_from_runtime: bool | None = None
    recording_etag: str | None = None
    recording_uploaded_at: str | None = None
    erasing: bool | None = None
    dial_seq: int | None = None

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> CallBookkeeping:
        """The bookkeeping among a call item's plain values."""
        return cls(**{name: values[name] for name in INTERNAL_ATTRIBUTES if name in values})

    def stored_values(self) -> dict[str, Any]:
        """The attributes the item holds, by name (as stored)."""
        return {
            name: getattr(self, name)
            for name in INTERNAL_ATTRIBUTES
            if getattr(self, name) is not None
        }


INTERNAL_ATTRIBUTES = CallBookkeeping._fields


class StoredCall(NamedTuple):
    """A call as stored: the API object (without its presigned URL), where its audio is and
    the API's own bookkeeping."""

    call: Call
    tenant_id: str
    recording_key: str | None = None
    internal: CallBookkeeping = CallBookkeeping()


# Why an item of a transaction may be refused and the transaction still succeed when it is
# tried again: untouched ("None"), a condition (sorted out item by item), contention, throttling.
_RETRIED_CANCELLATIONS = frozenset(
    {
        None,
        "None",
        "ConditionalCheckFailed",
        "TransactionConflict",
        "ThrottlingError",
        "ProvisionedThroughputExceeded",
        "RequestLimitExceeded",
    }
)


def pair_partition(tenant_id: str, first: object, second: object) -> str:
    """The partition value of a pair index for one pair of filter values."""
    return partition(tenant_id, f"{first}#{second}")


def _pair_attributes(
    tenant_id: str, values: Mapping[str, Any], changed: Iterable[str] | None = None
) -> dict[str, str | None]:
    """The pair index attributes of a call whose fields hold `values` (None: the call is not in
    that index), only for the pairs that involve a `changed` field when those are given."""
    touched = set(PAIR_FIELDS if changed is None else changed)
    derived: dict[str, str | None] = {}
    for (first, second), index in PAIR_INDEXES.items():
        if touched & {first, second}:
            a, b = values.get(first), values.get(second)
            both = a is not None and b is not None
            derived[index.hash_attr] = pair_partition(tenant_id, a, b) if both else None
    return derived


def list_index_attributes(tenant_id: str, values: Mapping[str, Any]) -> dict[str, str | None]:
    """The pair and call-id prefix index attributes of a call item's plain values: what
    `_call_item` writes, and what the backfill gives an item stored before they existed."""
    call_id = str(values["id"])
    derived = _pair_attributes(tenant_id, values)
    for length, index in ID_PREFIX_INDEXES.items():
        derived[index.hash_attr] = partition(tenant_id, call_id[:length])
    return derived


def _call_item(
    tenant_id: str,
    call: Call,
    recording_key: str | None,
    internal: dict[str, Any] | None = None,
) -> dict[str, Any]:
    values = {**(internal or {}), **call.model_dump(mode="json", exclude={"recording_url"})}
    values.update(
        pk=call_pk(tenant_id, call.id),
        sk=CALL_SK,
        tenant_id=tenant_id,
        start_key=f"{sort_timestamp(call.start_time)}#{call.id}",
        test_key=partition(tenant_id, call.is_test_call),
        recording_key=recording_key,
    )
    for attribute, field_name in _INDEXED_FIELDS.items():
        value = values.get(field_name)
        if value is not None:
            values[attribute] = partition(tenant_id, value)
    values.update(list_index_attributes(tenant_id, values))
    return to_item(values)


def stored_call(item: dict[str, Any]) -> StoredCall:
    """The domain form of a call item."""
    values = from_item(item)
    return StoredCall(
        call=Call.model_validate(values),
        tenant_id=values["tenant_id"],
        recording_key=values.get("recording_key"),
        internal=CallBookkeeping.from_values(values),
    )


class QueryStream:
    """One ordered run of calls: a Query on one index partition, with optional filters.

    It remembers where it stopped (`start_key`) and how far down it is fully known
    (`known_to`, a sort-key value), which is what the merge of several streams needs.

    A plain class: a dataclass compiles its generated methods when the class is made (about
    0.8 ms of the cold start of every handler that imports the store), and a stream needs
    none of them but `__init__`.
    """

    def __init__(
        self,
        index: IndexSpec,
        hash_value: str,
        ascending: bool,
        range_low: str | None = None,
        range_high: str | None = None,
        filter_expression: str | None = None,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
    ) -> None:
        self.index = index
        self.hash_value = hash_value
        self.ascending = ascending
        self.range_low = range_low
        self.range_high = range_high
        self.filter_expression = filter_expression
        self.names: dict[str, str] = {} if names is None else names
        self.values: dict[str, Any] = {} if values is None else values
        # Where the stream stands: where the next Query starts, whether it has no more items,
        # how far down it is known, what was read and not consumed yet.
        self.start_key: dict[str, Any] | None = None
        self.exhausted = False
        self.known_to: str | None = None
        self.buffer: list[dict[str, Any]] = []
        self.last_consumed: dict[str, Any] | None = None
        self.origin: dict[str, Any] | None = None

    def key_condition(self, bound: str | None) -> tuple[str, dict[str, Any]]:
        """The key condition, narrowed to stop at `bound` (inclusive) when one is given."""
        low, high = self.range_low, self.range_high
        if bound is not None:
            if self.ascending:
                high = bound if high is None else min(high, bound)
            else:
                low = bound if low is None else max(low, bound)
        condition = "#h = :h"
        values: dict[str, Any] = {":h": {"S": self.hash_value}}
        if low is not None and high is not None:
            condition += " AND #r BETWEEN :lo AND :hi"
            values.update({":lo": {"S": low}, ":hi": {"S": high}})
        elif low is not None:
            condition += " AND #r >= :lo"
            values[":lo"] = {"S": low}
        elif high is not None:
            condition += " AND #r <= :hi"
            values[":hi"] = {"S": high}
        return condition, values

    def attribute_names(self, condition: str) -> dict[str, str]:
        """The names a request with this key condition uses (DynamoDB refuses unused ones)."""
        names = {"#h": self.index.hash_attr, **self.names}
        if "#r" in condition:
            names["#r"] = self.index.range_attr
        return names

    def position_key(self, item: dict[str, Any]) -> dict[str, Any]:
        """The ExclusiveStartKey that resumes this stream right after `item`."""
        names = {"pk", "sk", self.index.hash_attr, self.index.range_attr}
        return {name: item[name] for name in names}

    def sort_value(self, item: dict[str, Any]) -> str:
        return str(item[self.index.range_attr]["S"])

    def resume_position(self) -> dict[str, Any] | None:
        """Where the next page starts: after the last item returned, or after the last read."""
        if self.buffer:
            return self.position_key(self.last_consumed) if self.last_consumed else self.origin
        return self.start_key


def _index_attributes(tenant_id: str, call_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The index attributes that follow from changed call fields."""
    derived: dict[str, Any] = {}
    if fields.get("start_time") is not None:
        start = fields["start_time"]
        moment = start if isinstance(start, datetime) else datetime.fromisoformat(str(start))
        derived["start_key"] = f"{sort_timestamp(moment)}#{call_id}"
    for attribute, field_name in _INDEXED_FIELDS.items():
        if field_name in fields:
            # A cleared field leaves its index (None: the attribute is removed).
            value = fields[field_name]
            derived[attribute] = None if value is None else partition(tenant_id, value)
    if fields.get("is_test_call") is not None:
        derived["test_key"] = partition(tenant_id, bool(fields["is_test_call"]))
    return derived


class _CallChange(NamedTuple):
    """What `change_call` was asked to write, and on what condition."""

    expected: CallStatus
    fields: dict[str, Any]
    remove: tuple[str, ...]
    condition: str | None
    condition_values: dict[str, Any]
    condition_names: dict[str, str]
    batch_id: str | None
    dialed: bool | None = None


class _PairCheck:
    """The condition that a call's pair fields are still what a change's pair keys were
    built from (empty when the change builds none)."""

    def __init__(self, partners: dict[str, Any] | None) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        parts = []
        for i, (name, value) in enumerate((partners or {}).items()):
            self.names[f"#pp{i}"] = name
            if value is None:
                parts.append(f"attribute_not_exists(#pp{i})")
            else:
                self.values[f":pp{i}"] = {"S": str(value)}
                parts.append(f"#pp{i} = :pp{i}")
        self.expression = "".join(f" AND {part}" for part in parts)


class CallStore(TableStore):
    """Reads and writes calls and exchanges; raises CallNotFound, returns domain models."""

    # Writing

    def put_call(self, tenant_id: str, call: Call, recording_key: str | None = None) -> None:
        """Store a whole call record with its index attributes."""
        self.dynamodb.put_item(
            TableName=self.table_name, Item=_call_item(tenant_id, call, recording_key)
        )

    def put_calls(self, tenant_id: str, calls: Iterable[tuple[Call, str | None]]) -> None:
        """Store many calls (with their recording keys) in batches of 25."""
        self._batch_write(
            [{"PutRequest": {"Item": _call_item(tenant_id, call, key)}} for call, key in calls]
        )

    def create_call(self, tenant_id: str, call: Call, internal: dict[str, Any]) -> bool:
        """Store a new call (with internal attributes such as `expires_at`); False, writing
        nothing, when the call already exists."""
        item = _call_item(tenant_id, call, None, {**internal, "row_version": 1})
        put = {"TableName": self.table_name, "Item": item}
        condition = "attribute_not_exists(pk)"
        client = self.dynamodb
        if call.twilio_call_sid:
            sid = _sid_claim(self.table_name, tenant_id, call.id, call.twilio_call_sid)
            try:
                client.transact_write_items(
                    TransactItems=[{"Put": {**put, "ConditionExpression": condition}}, sid]
                )
            except client.exceptions.TransactionCanceledException as error:
                codes = _cancellation_codes(error)
                if codes[:1] == ["ConditionalCheckFailed"]:
                    return False
                if codes[-1:] == ["ConditionalCheckFailed"]:
                    raise CallSidTaken() from None
                raise
            return True
        try:
            client.put_item(**put, ConditionExpression=condition)
        except client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def sid_owner(self, sid: str) -> tuple[str, str] | None:
        """The (tenant id, call id) a provider call SID belongs to, or None."""
        item = self.dynamodb.get_item(
            TableName=self.table_name,
            Key=string_key(pk=sid_pk(sid), sk=SID_SK),
            ConsistentRead=True,
        ).get("Item")
        if item is None:
            return None
        return item["sid_tenant_id"]["S"], item["sid_call_id"]["S"]

    def append_children(
        self,
        tenant_id: str,
        call_id: str,
        children: Sequence[tuple[str, dict[str, Any]]],
        expires_at: int | None = None,
    ) -> AppendResult:
        """Store items under a call (exchanges, history events), each sort key written once.

        A sort key already holding the same values is left as it is (a retry); one holding
        different values is a conflict and is not written. Everything else is written, in
        transactions that also check the call still exists (CallNotFound otherwise), so nothing
        is stored under a call that was erased meanwhile.
        """
        result = AppendResult()
        for start in range(0, len(children), _APPEND_CHUNK):
            self._append_chunk(
                tenant_id, call_id, children[start : start + _APPEND_CHUNK], expires_at, result
            )
        return result

    def _append_chunk(
        self,
        tenant_id: str,
        call_id: str,
        children: Sequence[tuple[str, dict[str, Any]]],
        expires_at: int | None,
        result: AppendResult,
    ) -> None:
        pk = call_pk(tenant_id, call_id)
        pending = {sk: from_item(to_item(values)) for sk, values in children}
        client = self.dynamodb
        for attempt in range(_APPEND_ATTEMPTS):
            if not pending:
                return
            if attempt:
                time.sleep(random.uniform(0, 0.05 * attempt))  # noqa: S311 - jitter
            try:
                client.transact_write_items(
                    TransactItems=self._append_transaction(pk, pending, expires_at)
                )
            except client.exceptions.TransactionCanceledException as error:
                reasons = error.response.get("CancellationReasons") or []
                if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                    raise CallNotFound() from None
                if any(reason.get("Code") not in _RETRIED_CANCELLATIONS for reason in reasons):
                    raise  # refused for what a retry cannot change (a ValidationError, ...)
                _settle_existing(pending, reasons[1:], result)
                continue
            result.stored.extend(pending)
            return
        raise WriteContention()

    def _append_transaction(
        self, pk: str, pending: dict[str, dict[str, Any]], expires_at: int | None
    ) -> list[dict[str, Any]]:
        """A check that the call exists and is not being erased, then a put of each pending
        item that writes only a sort key not yet taken (and answers with what holds it)."""
        check = {
            "ConditionCheck": {
                "TableName": self.table_name,
                "Key": string_key(pk=pk, sk=CALL_SK),
                "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(erasing)",
            }
        }
        puts = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": to_item({"pk": pk, "sk": sk, **values, "expires_at": expires_at}),
                    "ConditionExpression": "attribute_not_exists(sk)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            }
            for sk, values in pending.items()
        ]
        return [check, *puts]

    def list_children(self, tenant_id: str, call_id: str, prefix: str) -> list[dict[str, Any]]:
        """The values of every item under a call whose sort key starts with `prefix`, in
        sort-key order."""
        values: list[dict[str, Any]] = []
        for page in self.dynamodb.get_paginator("query").paginate(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={
                ":pk": {"S": call_pk(tenant_id, call_id)},
                ":prefix": {"S": prefix},
            },
        ):
            values.extend(from_item(item) for item in page["Items"])
        return values

    def page_children(
        self, tenant_id: str, call_id: str, prefix: str, limit: int, after: str | None = None
    ) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
        """Up to `limit` items under a call whose sort key starts with `prefix`, in sort-key
        order, after the sort key `after` (from the first when None), as (sort key, values):
        one Query (at most 1 MB), reading only those items. Also the sort key to read on
        after, or None when no item follows."""
        pk = call_pk(tenant_id, call_id)
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":prefix": {"S": prefix}},
            "Limit": limit,
        }
        if after is not None:
            request["ExclusiveStartKey"] = string_key(pk=pk, sk=after)
        response = self.dynamodb.query(**request)
        rows = [(item["sk"]["S"], from_item(item)) for item in response["Items"]]
        last = response.get("LastEvaluatedKey")
        return rows, last["sk"]["S"] if last else None

    def delete_call_items(self, tenant_id: str, call_id: str) -> int:
        """Remove every item of a call (its exchanges, history and the rest, then the call
        itself, so that an interrupted erasure can be run again); how many were removed."""
        keys = self._item_keys(tenant_id, call_id)
        keys.sort(key=lambda key: key["sk"]["S"] == CALL_SK)
        self._release_sid(tenant_id, call_id)
        self._batch_write([{"DeleteRequest": {"Key": key}} for key in keys])
        return len(keys)

    def _release_sid(self, tenant_id: str, call_id: str) -> None:
        """Remove the item that ties the call's provider SID to it (if this call holds it)."""
        item = self.dynamodb.get_item(
            TableName=self.table_name,
            Key=string_key(pk=call_pk(tenant_id, call_id), sk=CALL_SK),
            ConsistentRead=True,
            ProjectionExpression="twilio_call_sid",
        ).get("Item")
        sid = (item or {}).get("twilio_call_sid", {}).get("S")
        if not sid:
            return
        with contextlib.suppress(self.dynamodb.exceptions.ConditionalCheckFailedException):
            self.dynamodb.delete_item(
                TableName=self.table_name,
                Key=string_key(pk=sid_pk(sid), sk=SID_SK),
                ConditionExpression="sid_tenant_id = :t AND sid_call_id = :c",
                ExpressionAttributeValues={":t": {"S": tenant_id}, ":c": {"S": call_id}},
            )

    def _item_keys(
        self, tenant_id: str, call_id: str, expired_at: int | None = None
    ) -> list[dict[str, Any]]:
        """The keys of every item of a call; with `expired_at` (epoch seconds), only of those
        whose `expires_at` has passed by then."""
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": call_pk(tenant_id, call_id)}},
            "ProjectionExpression": "pk, sk",
        }
        if expired_at is not None:
            request["FilterExpression"] = "expires_at <= :now"
            request["ExpressionAttributeValues"][":now"] = {"N": str(expired_at)}
        keys: list[dict[str, Any]] = []
        for page in self.dynamodb.get_paginator("query").paginate(**request):
            keys.extend(page["Items"])
        return keys

    def begin_erasure(self, tenant_id: str, call_id: str) -> None:
        """Mark a call as being erased (CallNotFound when there is no call item): from then
        on it reads as not found, and appends and merges under it fail, so nothing new is
        written under it while its items are removed. A call already being erased, or past its
        retention, is marked too, so an interrupted erasure can be run again.

        A call that had not ended leaves its counters in the same transaction, once (the
        first marking): the dial queue's (it will never be dialed or heard of again), and its
        batch's, where it counts as `canceled`, so the batch can still complete."""
        for _ in range(MERGE_ATTEMPTS):
            response = self.dynamodb.get_item(
                TableName=self.table_name,
                Key=string_key(pk=call_pk(tenant_id, call_id), sk=CALL_SK),
                ConsistentRead=True,
            )
            if "Item" not in response:
                raise CallNotFound()
            item = response["Item"]
            moves = [] if "erasing" in item else self._erasure_moves(tenant_id, item)
            if self._mark_erasing(tenant_id, call_id, item, moves):
                return
        raise WriteContention()

    def _erasure_moves(self, tenant_id: str, item: dict[str, Any]) -> list[dict[str, Any]]:
        """The counter updates of a call that leaves before it ended."""
        values = from_item(item)
        status = CallStatus(values["status"])
        moves = []
        deltas = counters.moves(status, None)
        if deltas and values.get("dial_seq") is not None:
            shard = counters.shard_of(values["id"])
            moves.append(counters.shard_update(self.table_name, tenant_id, shard, deltas))
        bucket = BATCH_BUCKET[status]
        if values.get("batch_id") and bucket in ("queued", "initiated"):
            moves.append(
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": string_key(pk=batch_pk(tenant_id, values["batch_id"]), sk=BATCH_SK),
                        "UpdateExpression": "ADD #old :minus, #canceled :plus",
                        "ExpressionAttributeNames": {"#old": bucket, "#canceled": "canceled"},
                        "ExpressionAttributeValues": {":minus": {"N": "-1"}, ":plus": {"N": "1"}},
                    }
                }
            )
        return moves

    def _mark_erasing(
        self, tenant_id: str, call_id: str, item: dict[str, Any], moves: list[dict[str, Any]]
    ) -> bool:
        """Mark the call (with its counter moves, if the call is still as read); False when it
        changed since it was read."""
        mark: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": string_key(pk=call_pk(tenant_id, call_id), sk=CALL_SK),
            # A new row_version also fails any merge that read the call before.
            "UpdateExpression": (
                "SET erasing = :true, row_version = if_not_exists(row_version, :zero) + :one"
            ),
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeValues": {
                ":true": {"BOOL": True},
                ":zero": {"N": "0"},
                ":one": {"N": "1"},
            },
        }
        if not moves:
            try:
                self.dynamodb.update_item(**mark)
            except self.dynamodb.exceptions.ConditionalCheckFailedException:
                raise CallNotFound() from None
            return True
        mark["ConditionExpression"] = "#status = :status AND attribute_not_exists(erasing)"
        mark["ExpressionAttributeNames"] = {"#status": "status"}
        mark["ExpressionAttributeValues"][":status"] = item["status"]
        return self._write_change([{"Update": mark}, *moves])[0]

    def purge_expired_call(self, tenant_id: str, call_id: str) -> None:
        """Remove what is left of a call past its retention that TTL has not yet removed.

        Only items whose `expires_at` has passed go (every item of a call carries the call's),
        the call item last and on that condition too, so that a new call created under the same
        id meanwhile, by a request racing this one, and what is stored under it are left alone.
        """
        now = int(time.time())
        keys = [k for k in self._item_keys(tenant_id, call_id, now) if k["sk"]["S"] != CALL_SK]
        self._batch_write([{"DeleteRequest": {"Key": key}} for key in keys])
        # Not when already replaced by a new call.
        with contextlib.suppress(self.dynamodb.exceptions.ConditionalCheckFailedException):
            self.dynamodb.delete_item(
                TableName=self.table_name,
                Key=string_key(pk=call_pk(tenant_id, call_id), sk=CALL_SK),
                ConditionExpression="expires_at <= :now",
                ExpressionAttributeValues={":now": {"N": str(now)}},
            )

    def _batch_write(self, requests: list[dict[str, Any]]) -> None:
        for start in range(0, len(requests), 25):
            pending: dict[str, Any] = {self.table_name: requests[start : start + 25]}
            while pending:
                response = self.dynamodb.batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}

    def put_exchanges(self, tenant_id: str, call_id: str, exchanges: Iterable[Exchange]) -> None:
        """Store transcript exchanges, one item each, keyed by sequence number."""
        requests = [
            {
                "PutRequest": {
                    "Item": to_item(
                        {
                            "pk": call_pk(tenant_id, call_id),
                            "sk": exchange_sk(exchange.sequence_number),
                            **exchange.model_dump(mode="json"),
                        }
                    )
                }
            }
            for exchange in exchanges
        ]
        self._batch_write(requests)

    def change_call(
        self,
        tenant_id: str,
        call_id: str,
        expected: CallStatus,
        fields: dict[str, Any],
        *,
        remove: Iterable[str] = (),
        condition: str | None = None,
        condition_values: dict[str, Any] | None = None,
        condition_names: dict[str, str] | None = None,
        batch_id: str | None = None,
        dialed: bool | None = None,
        current: Call | None = None,
    ) -> bool:
        """Change a call that is still in status `expected`; False when it no longer is.

        Index attributes follow the changed fields, `updated_at` is set, and when the status
        moves, the call's batch counters and, for a call that went through the dial queue
        (`dialed`: it has a `dial_seq`; None when the caller does not know), its tenant's dial
        queue counters move with it in the same transaction, so they are always exact. A pair
        index key (direction and status, agent and status, ...) also needs the call's other
        value of the pair: it is taken from `current` (the call as the caller read it) or read
        here, and the change holds only while those values are still the same (when one moved
        in between, they are read again and the change tried again).
        """
        change = _CallChange(
            expected=expected,
            fields=fields,
            remove=tuple(remove),
            condition=condition,
            condition_values=condition_values or {},
            condition_names=condition_names or {},
            batch_id=batch_id,
            dialed=dialed,
        )
        partners = self._pair_partners(tenant_id, call_id, fields, current)
        for _ in range(MERGE_ATTEMPTS):
            if self._change_once(tenant_id, call_id, change, partners):
                return True
            if partners is None:
                return False
            partners = self._moved_partners(tenant_id, call_id, expected, partners)
            if partners is None:
                return False
        raise WriteContention()

    def _pair_partners(
        self, tenant_id: str, call_id: str, fields: dict[str, Any], current: Call | None
    ) -> dict[str, Any] | None:
        """The call's pair fields that a change leaves as they are (status aside: it is the
        expected one), when the change moves a pair field; None when it moves none."""
        if not fields.keys() & set(PAIR_FIELDS):
            return None
        kept = [name for name in PAIR_FIELDS if name not in fields and name != "status"]
        if current is not None:
            return current.model_dump(mode="json", include=set(kept))
        response = self.dynamodb.get_item(
            TableName=self.table_name,
            Key=string_key(pk=call_pk(tenant_id, call_id), sk=CALL_SK),
            ConsistentRead=True,
            ProjectionExpression=", ".join(f"#p{i}" for i in range(len(kept))),
            ExpressionAttributeNames={f"#p{i}": name for i, name in enumerate(kept)},
        )
        values = from_item(response.get("Item", {}))
        return {name: values.get(name) for name in kept}

    def _moved_partners(
        self, tenant_id: str, call_id: str, expected: CallStatus, partners: dict[str, Any]
    ) -> dict[str, Any] | None:
        """After a refused change: the call's pair fields when they are what moved (the call
        still `expected` and writable), else None (the change was refused for another reason)."""
        response = self.dynamodb.get_item(
            TableName=self.table_name,
            Key=string_key(pk=call_pk(tenant_id, call_id), sk=CALL_SK),
            ConsistentRead=True,
        )
        item = response.get("Item")
        if item is None or "erasing" in item:
            return None
        values = from_item(item)
        if values.get("status") != expected.value:
            return None
        now = {name: values.get(name) for name in partners}
        return now if now != partners else None

    def _change_once(
        self,
        tenant_id: str,
        call_id: str,
        change: _CallChange,
        partners: dict[str, Any] | None,
    ) -> bool:
        from boto3.dynamodb.types import TypeSerializer

        serializer = TypeSerializer()
        fields, expected = change.fields, change.expected
        values = Call.model_validate(
            {"id": call_id, "direction": "outbound", "status": expected, "start_time": _EPOCH,
             "created_at": _EPOCH, "updated_at": _EPOCH, **fields}
        ).model_dump(mode="json", include=set(fields))  # fmt: skip
        values["updated_at"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        values.update(_index_attributes(tenant_id, call_id, {**fields, **values}))
        pair_check = _PairCheck(partners)
        if partners is not None:
            moved = {name: values[name] for name in PAIR_FIELDS if name in fields}
            pair_values = {**partners, "status": expected.value, **moved}
            values.update(_pair_attributes(tenant_id, pair_values, changed=moved))
        for key, value in fields.items():
            if key not in Call.model_fields:
                values[key] = value  # internal attributes (claim tokens, attempts)
        names = {f"#u{i}": name for i, name in enumerate(values)}
        expression_values = {
            f":u{i}": to_item({"v": value})["v"]
            for i, value in enumerate(values.values())
            if value is not None
        }
        sets = [f"#u{i} = :u{i}" for i, value in enumerate(values.values()) if value is not None]
        removals = [f"#u{i}" for i, value in enumerate(values.values()) if value is None]
        for j, name in enumerate(change.remove):
            names[f"#r{j}"] = name
            removals.append(f"#r{j}")
        update = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removals) if removals else "")
        update += " ADD #row_version :one"
        names["#row_version"] = "row_version"
        expression_values[":one"] = {"N": "1"}
        names.update(change.condition_names)
        names.update(pair_check.names)
        names["#status"] = "status"
        expression_values[":expected"] = serializer.serialize(expected.value)
        expression_values.update(pair_check.values)
        # A call being erased takes no more changes (dialer claims, status callbacks, ...).
        check = "#status = :expected AND attribute_not_exists(erasing)" + (
            f" AND ({change.condition})" if change.condition else ""
        )
        check += pair_check.expression
        expression_values.update(change.condition_values)
        call_update = {
            "TableName": self.table_name,
            "Key": string_key(pk=call_pk(tenant_id, call_id), sk=CALL_SK),
            "UpdateExpression": update,
            "ConditionExpression": check,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": expression_values,
        }
        new_status = CallStatus(fields["status"]) if fields.get("status") else None
        batch_moves = _batch_moves(
            self.table_name, tenant_id, change.batch_id, expected, new_status
        )
        queue_moves = counters.moves(expected, new_status) if new_status else {}
        sid = fields.get("twilio_call_sid")
        # The SID item goes last: its refusal is told from the call's by position.
        sid_claims = [_sid_claim(self.table_name, tenant_id, call_id, str(sid))] if sid else []
        if not queue_moves:
            items = [{"Update": call_update}, *batch_moves, *sid_claims]
            return self._write_change(items, claims_sid=bool(sid))[0]
        shard = counters.shard_update(
            self.table_name, tenant_id, counters.shard_of(call_id), queue_moves
        )
        # Whether the call went through the dial queue (has a `dial_seq`): as the caller says,
        # else most likely (only such calls are ever queued). The write checks it; when that
        # was wrong, the item it answers with tells, and the write is made again the other way.
        hint = True if change.dialed is None else change.dialed
        for _ in range(2):
            items = [{"Update": _checking_dial_seq(call_update, hint)}, *batch_moves]
            items += [shard] if hint else []
            written, old = self._write_change(
                [*items, *sid_claims], transact=True, claims_sid=bool(sid)
            )
            if written or old is None or ("dial_seq" in old) == hint:
                return written
            hint = not hint
        return False

    def _write_change(
        self, items: list[dict[str, Any]], transact: bool = False, claims_sid: bool = False
    ) -> tuple[bool, dict[str, Any] | None]:
        """Write a change (alone, or in one transaction with its counters and SID item):
        whether it was written, and when its condition refused it, the call item as it was (if
        known); CallSidTaken when another call holds the SID (the last item). A transaction
        that lost only to another one on a shared counter item (a conflict, not a condition)
        is tried again a few times."""
        client = self.dynamodb
        for attempt in range(_CONFLICT_ATTEMPTS):
            if attempt:
                time.sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311 - jitter
            try:
                if len(items) == 1 and not transact:
                    client.update_item(**items[0]["Update"])
                else:
                    client.transact_write_items(TransactItems=items)
            except client.exceptions.ConditionalCheckFailedException:
                return False, None
            except client.exceptions.TransactionCanceledException as error:
                reasons = error.response.get("CancellationReasons") or []
                kind = _refusal([r.get("Code") for r in reasons], claims_sid)
                if kind == "conflict":
                    continue
                if kind != "condition":
                    raise
                # The call moved on: the caller re-reads and decides again.
                return False, reasons[0].get("Item") if reasons else None
            return True, None
        # Others kept winning the counters: nothing was written, as when the call moved on.
        return False, None

    def merge_call(
        self,
        tenant_id: str,
        call_id: str,
        compute: Callable[[StoredCall], dict[str, Any]],
        current: StoredCall | None = None,
    ) -> tuple[StoredCall, StoredCall]:
        """Apply `compute(the call as it is now)` to a call, conditional on nobody changing it
        in between (when someone did, it is read and computed again); the call before and
        after. `current`, a strongly consistent read the caller just made, saves the first
        read. CallNotFound when there is no call; WriteContention when others kept winning."""
        for attempt in range(MERGE_ATTEMPTS):
            if attempt:
                # Exponential backoff with full jitter, so that many writers of one call spread
                # out instead of colliding again and again.
                time.sleep(random.uniform(0, min(0.5, 0.01 * 2**attempt)))  # noqa: S311
            stored = current or self.get_call(tenant_id, call_id, consistent=True)
            current = None
            fields = compute(stored)
            if not fields:
                return stored, stored
            version = stored.internal.row_version
            if version is None:
                condition, values = "attribute_not_exists(#rv)", {}
            else:
                condition, values = "#rv = :rv", {":rv": {"N": str(version)}}
            if self.change_call(
                tenant_id,
                call_id,
                stored.call.status,
                fields,
                condition=condition,
                condition_values=values,
                condition_names={"#rv": "row_version"},
                batch_id=stored.call.batch_id,
                dialed=stored.internal.dial_seq is not None,
                current=stored.call,
            ):
                return stored, self.get_call(tenant_id, call_id, consistent=True)
        raise WriteContention()

    def backfill_list_keys(self, tenant_id: str | None = None) -> int:
        """Give the call items stored before the pair and call-id prefix indexes existed (of
        one tenant, or of all) the keys of those indexes: one Scan of the table and one
        conditional update per such call; how many were updated. Safe to run while the API
        runs (a call that changes meanwhile is read again), and to run again."""
        check = "sk = :call AND attribute_not_exists(id8_key)"
        values: dict[str, Any] = {":call": {"S": CALL_SK}}
        if tenant_id is not None:
            check += " AND tenant_id = :tenant"
            values[":tenant"] = {"S": tenant_id}
        updated = 0
        pages = self.dynamodb.get_paginator("scan").paginate(
            TableName=self.table_name, FilterExpression=check, ExpressionAttributeValues=values
        )
        for page in pages:
            for item in page["Items"]:
                updated += self._backfill_call(item)
        return updated

    def _backfill_call(self, item: dict[str, Any]) -> int:
        """Write one call item's pair and prefix keys, unless it changed since it was read
        (then it is read again); 1 when written, 0 when it is gone or has them already."""
        for _ in range(MERGE_ATTEMPTS):
            values = from_item(item)
            keys = {
                name: value
                for name, value in list_index_attributes(values["tenant_id"], values).items()
                if value is not None
            }
            names = {f"#k{i}": name for i, name in enumerate(keys)}
            update_values = {f":k{i}": {"S": value} for i, value in enumerate(keys.values())}
            if "row_version" in item:
                condition = "#rv = :rv"
                update_values[":rv"] = item["row_version"]
            else:
                condition = "attribute_exists(pk) AND attribute_not_exists(#rv)"
            names["#rv"] = "row_version"
            try:
                self.dynamodb.update_item(
                    TableName=self.table_name,
                    Key={"pk": item["pk"], "sk": item["sk"]},
                    UpdateExpression="SET " + ", ".join(f"#k{i} = :k{i}" for i in range(len(keys))),
                    ConditionExpression=condition,
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=update_values,
                )
            except self.dynamodb.exceptions.ConditionalCheckFailedException:
                current = self.dynamodb.get_item(
                    TableName=self.table_name,
                    Key={"pk": item["pk"], "sk": item["sk"]},
                    ConsistentRead=True,
                ).get("Item")
                if current is None or "id8_key" in current:
                    return 0
                item = current
                continue
            return 1
        raise WriteContention()

    # Reading

    def get_call(self, tenant_id: str, call_id: str, consistent: bool = False) -> StoredCall:
        return stored_call(self._live_call_item(tenant_id, call_id, consistent))

    def require_call(self, tenant_id: str, call_id: str) -> None:
        """That the call exists and is live, for a route that reads the call's children and not
        the call: CallNotFound, CallErasing or CallExpired as `get_call` raises them, from the
        three attributes they are decided by."""
        self._live_call_item(tenant_id, call_id, False, projection="pk, erasing, expires_at")

    def _live_call_item(
        self, tenant_id: str, call_id: str, consistent: bool, projection: str | None = None
    ) -> dict[str, Any]:
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": string_key(pk=call_pk(tenant_id, call_id), sk=CALL_SK),
            "ConsistentRead": consistent,
        }
        if projection is not None:
            request["ProjectionExpression"] = projection
        response = self.dynamodb.get_item(**request)
        if "Item" not in response:
            raise CallNotFound()
        item: dict[str, Any] = response["Item"]
        if "erasing" in item:
            raise CallErasing()
        if _expired(item):
            raise CallExpired()
        return item

    def get_calls(self, tenant_id: str, call_ids: Sequence[str]) -> dict[str, StoredCall]:
        """The tenant's calls among `call_ids` (at most 100, no duplicates), by id; an unknown
        id, another tenant's, or a call being erased or past its retention is left out.

        One BatchGetItem; keys DynamoDB leaves unprocessed (throttling, the 16 MB answer limit)
        are asked again with jittered exponential backoff, a bounded number of times, then
        ReadThrottled.
        """
        keys = [string_key(pk=call_pk(tenant_id, call_id), sk=CALL_SK) for call_id in call_ids]
        found: dict[str, StoredCall] = {}
        for item in self._batch_get(keys):
            if "erasing" not in item and not _expired(item):
                stored = stored_call(item)
                found[stored.call.id] = stored
        return found

    def _batch_get(self, keys: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        pending: dict[str, Any] = {self.table_name: {"Keys": keys}} if keys else {}
        for attempt in range(BATCH_GET_ATTEMPTS):
            if not pending:
                return
            if attempt:
                # Full jitter, capped: throttled readers of one table spread out.
                cap = min(BATCH_GET_MAX_BACKOFF, BATCH_GET_BASE_BACKOFF * 2**attempt)
                time.sleep(random.uniform(0, cap))  # noqa: S311 - jitter
            response = self.dynamodb.batch_get_item(RequestItems=pending)
            yield from response.get("Responses", {}).get(self.table_name, [])
            pending = response.get("UnprocessedKeys") or {}
        if pending:
            raise ReadThrottled()

    def list_exchanges(self, tenant_id: str, call_id: str) -> list[Exchange]:
        """Every exchange of a call, in sequence order."""
        return [
            Exchange.model_validate(values)
            for values in self.list_children(tenant_id, call_id, EXCHANGE_PREFIX)
        ]

    def list_events(self, tenant_id: str, call_id: str) -> list[HistoryEvent]:
        """Every history event of a call, in time order (ties by event id)."""
        events = [
            HistoryEvent.model_validate(values)
            for values in self.list_children(tenant_id, call_id, EVENT_PREFIX)
        ]
        return sorted(events, key=lambda e: (e.timestamp, e.event_id))

    def _query(self, stream: QueryStream, bound: str | None) -> dict[str, Any]:
        """The Query of a stream's index, key range (stopping at `bound`) and filters."""
        condition, values = stream.key_condition(bound)
        # Calls past their retention (not yet removed by TTL) or being erased are not listed.
        live = "attribute_not_exists(#erasing) AND (attribute_not_exists(#ttl) OR #ttl > :now)"
        # The stream's own conditions are joined by AND, each OR inside parentheses already
        # (DynamoDB refuses redundant ones).
        filters = f"{stream.filter_expression} AND {live}" if stream.filter_expression else live
        return {
            "TableName": self.table_name,
            "IndexName": stream.index.name,
            "KeyConditionExpression": condition,
            "FilterExpression": filters,
            "ExpressionAttributeNames": {
                **stream.attribute_names(condition),
                "#erasing": "erasing",
                "#ttl": "expires_at",
            },
            "ExpressionAttributeValues": {
                **values,
                **stream.values,
                ":now": {"N": str(int(time.time()))},
            },
        }

    def fetch(self, stream: QueryStream, limit: int, bound: str | None = None) -> None:
        """Read up to `limit` more items of a stream into its buffer (one Query)."""
        request = self._query(stream, bound)
        request.update(ScanIndexForward=stream.ascending, Limit=max(1, limit))
        if stream.start_key:
            request["ExclusiveStartKey"] = stream.start_key
        response = self.dynamodb.query(**request)
        items = response["Items"]
        stream.buffer.extend(items)
        last = response.get("LastEvaluatedKey")
        if last:
            stream.start_key = last
            stream.known_to = str(last[stream.index.range_attr]["S"])
        else:
            if items:
                stream.start_key = stream.position_key(items[-1])
            if bound is None:
                stream.exhausted = True
            else:
                stream.known_to = bound

    def count(self, stream: QueryStream) -> int:
        """How many items a stream holds from its start (reads them all: Select=COUNT)."""
        request = {**self._query(stream, None), "Select": "COUNT"}
        total = 0
        for page in self.dynamodb.get_paginator("query").paginate(**request):
            total += page["Count"]
        return total

    def read_all(self, stream: QueryStream) -> Iterator[dict[str, Any]]:
        """Every item of a stream, in its order."""
        while not stream.exhausted:
            self.fetch(stream, limit=1000)
            yield from stream.buffer
            stream.buffer.clear()

    # New outbound calls and their batches

    def put_queued_calls(
        self,
        tenant_id: str,
        calls: Sequence[Call],
        enqueued_at: datetime,
        expires_at: int | None = None,
    ) -> None:
        """Store new outbound calls (expiring at `expires_at`, epoch seconds), all or none.

        The queued ones also remember `enqueued_at`, when their dial message is sent (right
        after this), and get their `dial_seq`; they enter the tenant's dial queue counters in
        the transactions that store them (99 calls each). If one transaction fails, the calls
        already stored are removed again (and uncounted) before the error is raised.
        """
        queued = [call for call in calls if call.status is CallStatus.QUEUED]
        seq = (
            counters.allocate(self.dynamodb, self.table_name, tenant_id, len(queued))
            if queued
            else 0
        )
        items = []
        for call in calls:
            internal: dict[str, Any] = {"expires_at": expires_at} if expires_at is not None else {}
            if call.status is CallStatus.QUEUED:
                internal.update(enqueued_at=format_timestamp(enqueued_at), dial_seq=seq)
                seq += 1
            items.append(_call_item(tenant_id, call, None, internal or None))
        stored: list[Call] = []
        for start in range(0, len(items), _PUT_CHUNK):
            chunk = list(calls[start : start + _PUT_CHUNK])
            try:
                self._put_new_calls(tenant_id, chunk, items[start : start + _PUT_CHUNK])
            except Exception:
                self._abandon(tenant_id, stored, len(queued) - _queued_count(stored))
                raise
            stored.extend(chunk)

    def _put_new_calls(
        self, tenant_id: str, calls: Sequence[Call], items: list[dict[str, Any]]
    ) -> None:
        """One transaction: the new call items, and the queued ones counted."""
        actions: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": item,
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for item in items
        ]
        queued = _queued_count(calls)
        if queued:
            deltas = counters.scaled(counters.moves(None, CallStatus.QUEUED), queued)
            shard = counters.shard_of(calls[0].id)
            actions.append(counters.shard_update(self.table_name, tenant_id, shard, deltas))
        self.dynamodb.transact_write_items(TransactItems=actions)

    def _abandon(self, tenant_id: str, stored: Sequence[Call], unstored_queued: int) -> None:
        """Undo a partly stored set of new calls: remove those stored, and count the sequence
        numbers of the queued ones never stored as having left the queue (positions stay
        right). Best effort: the caller raises the error that stopped the storing."""
        from botocore.exceptions import BotoCoreError, ClientError

        from dialtone.observability import logger

        try:
            self.delete_new_calls(tenant_id, stored)
            if unstored_queued:
                deltas = {counters.DEQUEUED: unstored_queued}
                update = counters.shard_update(self.table_name, tenant_id, 0, deltas)["Update"]
                self.dynamodb.update_item(**update)
        except (BotoCoreError, ClientError):
            # Left queued without a message, they would be found by the sweeper and dialed.
            logger.exception(
                "New calls could not be removed", extra={"call_ids": [c.id for c in stored]}
            )

    def delete_new_calls(self, tenant_id: str, calls: Sequence[Call]) -> None:
        """Remove calls that were only just stored (a call item each, nothing else yet, none
        dialed), uncounting the queued ones from the dial queue in the same transactions."""
        for start in range(0, len(calls), _PUT_CHUNK):
            chunk = calls[start : start + _PUT_CHUNK]
            actions: list[dict[str, Any]] = [
                {
                    "Delete": {
                        "TableName": self.table_name,
                        "Key": string_key(pk=call_pk(tenant_id, call.id), sk=CALL_SK),
                        "ConditionExpression": "#status = :status",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": {":status": {"S": call.status.value}},
                    }
                }
                for call in chunk
            ]
            queued = _queued_count(chunk)
            if queued:
                deltas = counters.scaled(counters.moves(CallStatus.QUEUED, None), queued)
                shard = counters.shard_of(chunk[0].id)
                actions.append(counters.shard_update(self.table_name, tenant_id, shard, deltas))
            self.dynamodb.transact_write_items(TransactItems=actions)

    def put_batch(self, tenant_id: str, batch: BatchRecord) -> None:
        """Store a batch: its size, creation time and counters of calls per bucket."""
        self.dynamodb.put_item(
            TableName=self.table_name,
            Item=to_item(
                {
                    "pk": batch_pk(tenant_id, batch.batch_id),
                    "sk": BATCH_SK,
                    "batch_id": batch.batch_id,
                    "total": batch.total,
                    "created_at": format_timestamp(batch.created_at),
                    **batch.counts,
                }
            ),
        )

    def get_batch(self, tenant_id: str, batch_id: str) -> BatchRecord:
        """A batch with its current counters (strongly consistent); BatchNotFound for an
        unknown batch or another tenant's."""
        response = self.dynamodb.get_item(
            TableName=self.table_name,
            Key=string_key(pk=batch_pk(tenant_id, batch_id), sk=BATCH_SK),
            ConsistentRead=True,
        )
        if "Item" not in response:
            raise BatchNotFound()
        values = from_item(response["Item"])
        return BatchRecord(
            batch_id=batch_id,
            total=int(values["total"]),
            created_at=datetime.fromisoformat(str(values["created_at"])),
            counts={bucket: int(values.get(bucket, 0)) for bucket in BATCH_BUCKETS},
        )


def _cancellation_codes(error: Any) -> list[str | None]:
    """Each item's cancellation code of a refused transaction, in the order of its items."""
    return [r.get("Code") for r in error.response.get("CancellationReasons") or []]


def _refusal(codes: list[str | None], claims_sid: bool) -> str:
    """Why a call change's transaction was cancelled, from its items' codes: `condition` (a
    condition refused it), `conflict` (another transaction on a shared counter item won: try
    again) or `other`. CallSidTaken when only the SID item (the last) was refused."""
    if claims_sid and codes[-1:] == ["ConditionalCheckFailed"] and codes[0] != codes[-1]:
        raise CallSidTaken()
    if "ConditionalCheckFailed" in codes:
        return "condition"
    if "TransactionConflict" in codes:
        return "conflict"
    return "other"


def _checking_dial_seq(update: dict[str, Any], dialed: bool) -> dict[str, Any]:
    """A call update that also checks whether the call has a `dial_seq`, answering with the
    item as it was when a condition refuses it."""
    check = "attribute_exists" if dialed else "attribute_not_exists"
    return {
        **update,
        "ConditionExpression": f"{update['ConditionExpression']} AND {check}(#dial_seq)",
        "ExpressionAttributeNames": {**update["ExpressionAttributeNames"], "#dial_seq": "dial_seq"},
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }


def _batch_moves(
    table_name: str,
    tenant_id: str,
    batch_id: str | None,
    expected: CallStatus,
    new_status: CallStatus | None,
) -> list[dict[str, Any]]:
    """The batch counter update of a call of `batch_id` moving from `expected` to `new_status`
    (none when it stays in its bucket)."""
    if not batch_id or new_status is None:
        return []
    old_bucket, new_bucket = BATCH_BUCKET[expected], BATCH_BUCKET[new_status]
    if old_bucket == new_bucket:
        return []
    return [
        {
            "Update": {
                "TableName": table_name,
                "Key": string_key(pk=batch_pk(tenant_id, batch_id), sk=BATCH_SK),
                "UpdateExpression": "ADD #old :minus, #new :plus",
                "ExpressionAttributeNames": {"#old": old_bucket, "#new": new_bucket},
                "ExpressionAttributeValues": {":minus": {"N": "-1"}, ":plus": {"N": "1"}},
            }
        }
    ]


def _queued_count(calls: Iterable[Call]) -> int:
    return sum(1 for call in calls if call.status is CallStatus.QUEUED)


def _expired(item: dict[str, Any]) -> bool:
    """Past its retention: DynamoDB's TTL removes such items within days, not at once."""
    expires_at = item.get("expires_at", {}).get("N")
    return expires_at is not None and int(expires_at) <= time.time()


def _settle_existing(
    pending: dict[str, dict[str, Any]], reasons: list[dict[str, Any]], result: AppendResult
) -> None:
    """Take out of `pending` each item refused because its sort key is taken (`reasons` are
    the puts' cancellation reasons, in order): unchanged when it holds the same values, a
    conflict otherwise. The others stay pending, to be retried."""
    for sk, reason in zip(list(pending), reasons, strict=False):
        if reason.get("Code") != "ConditionalCheckFailed":
            continue  # not written for another item's sake, or a conflict: retry
        existing = from_item(reason.get("Item") or {})
        for name in ("pk", "sk", "expires_at"):
            existing.pop(name, None)
        if existing == pending.pop(sk):
            result.unchanged.append(sk)
        else:
            result.conflicts.append(sk)


# Items per append transaction: DynamoDB's 100 actions, less the check that the call exists.
_APPEND_CHUNK = 99
_APPEND_ATTEMPTS = 6
MERGE_ATTEMPTS = 8
# Tries of a status change whose transaction lost to another one on a shared counter item.
_CONFLICT_ATTEMPTS = 5
# Actions of one transaction storing new calls: DynamoDB's 100, less the counter shard.
_PUT_CHUNK = 99
# Rounds of a batch read (the first and its retries of unprocessed keys), and their backoff.
BATCH_GET_ATTEMPTS = 6
BATCH_GET_BASE_BACKOFF = 0.025
BATCH_GET_MAX_BACKOFF = 0.8


class AppendResult:
    """What `append_children` did with each sort key it was given (a plain class, as
    `QueryStream`)."""

    def __init__(self) -> None:
        self.stored: list[str] = []
        self.unchanged: list[str] = []
        self.conflicts: list[str] = []


# The counters a batch keeps, one per bucket of statuses.
BATCH_BUCKETS = tuple(dict.fromkeys(BATCH_BUCKET.values()))


class BatchRecord(NamedTuple):
    """A batch of outbound calls as stored: how many calls, when, and how many per bucket
    (`queued`, `initiated`, `completed`, `failed`, `canceled`)."""

    batch_id: str
    total: int
    created_at: datetime
    counts: dict[str, int]
