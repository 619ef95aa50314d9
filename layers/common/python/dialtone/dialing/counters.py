"""The dial queue's counters: how many of a tenant's calls are queued and in flight, and where
a queued call stands, kept in the calls table and moved in the same transactions as the
statuses they count (`CallStore.put_queued_calls`, `change_call`, `delete_new_calls`,
`begin_erasure`), so they are exact without ever counting calls.

Items (the calls table):
- the sequence, (`T#<tenant>#DQ`, `SEQ`): `allocated`, the last sequence number handed out.
  Each call stored `queued` gets the next one (`dial_seq` on the call item), a whole batch in
  one atomic ADD. It is not sharded: it moves once per accepted request (a 1,000-number batch
  moves it once), and a tenant's backlog drains at its dial rate (a few calls a second), far
  from the few hundred writes a second that would make one item hot. It is never part of a
  transaction, so it never makes a status change conflict.
- `SHARDS` counter shards, (`T#<tenant>#DQ#<n>`, `COUNTERS`): `queued`, `in_flight`
  (`initiated`, `ringing`, `in_progress`) and `dequeued` (calls that left `queued`, plus
  sequence numbers handed out to calls never stored). Every status change moves one shard
  (chosen from the call id), so concurrent changes of a busy tenant rarely touch the same
  item (a transaction conflicts with another one on the same item); a reader adds them up. A
  shard alone may go below zero, the sums never do.

Only calls that went through the dial queue are counted: those stored by `put_queued_calls`,
marked with `dial_seq`. A status change says whether its call is one (`dialed`) and its
condition checks it, so a counter moves only in the write that wins.

`queue_position` of a queued call = its `dial_seq` minus the tenant's `dequeued`, kept between 1
and the backlog. It is exact while the tenant's calls leave the queue in the order they
entered it; each later call that leaves first (canceled, suppressed, dialed by a dialer that
got its message sooner) makes the calls before it read one place too low until they leave.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any, NamedTuple

from dialtone.dynamo import string_key
from dialtone.model_types import CallStatus

SHARDS = 8
SEQUENCE_SK = "SEQ"
SHARD_SK = "COUNTERS"

QUEUED = "queued"
IN_FLIGHT = "in_flight"
DEQUEUED = "dequeued"

# The counter a dial-queue call in each status counts under (final statuses count nowhere).
BUCKET = {
    CallStatus.QUEUED: QUEUED,
    CallStatus.INITIATED: IN_FLIGHT,
    CallStatus.RINGING: IN_FLIGHT,
    CallStatus.IN_PROGRESS: IN_FLIGHT,
}


def sequence_key(tenant_id: str) -> dict[str, dict[str, str]]:
    """The key of the tenant's sequence item."""
    return string_key(pk=f"T#{tenant_id}#DQ", sk=SEQUENCE_SK)


def shard_key(tenant_id: str, shard: int) -> dict[str, dict[str, str]]:
    """The key of one of the tenant's counter shards."""
    return string_key(pk=f"T#{tenant_id}#DQ#{shard}", sk=SHARD_SK)


def shard_of(call_id: str) -> int:
    """The shard a call's changes move: spread evenly, the same for every change of it."""
    return zlib.crc32(call_id.encode()) % SHARDS


def moves(old: CallStatus | None, new: CallStatus | None) -> dict[str, int]:
    """What a dial-queue call going from `old` to `new` adds to the counters (None: the call
    does not exist, before it is stored or once it is erased); empty when nothing moves."""
    before = BUCKET.get(old) if old is not None else None
    after = BUCKET.get(new) if new is not None else None
    if before == after:
        return {}
    deltas: dict[str, int] = {}
    if before is not None:
        deltas[before] = -1
        if before == QUEUED:
            deltas[DEQUEUED] = 1
    if after is not None:
        deltas[after] = deltas.get(after, 0) + 1
    return deltas


def scaled(deltas: Mapping[str, int], times: int) -> dict[str, int]:
    """The moves of `times` calls moving alike."""
    return {name: value * times for name, value in deltas.items()}


def shard_update(
    table_name: str, tenant_id: str, shard: int, deltas: Mapping[str, int]
) -> dict[str, Any]:
    """The transaction item that adds `deltas` to one counter shard."""
    names = {f"#c{i}": name for i, name in enumerate(deltas)}
    values = {f":c{i}": {"N": str(value)} for i, value in enumerate(deltas.values())}
    return {
        "Update": {
            "TableName": table_name,
            "Key": shard_key(tenant_id, shard),
            "UpdateExpression": "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(deltas))),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


def allocate(dynamodb: Any, table_name: str, tenant_id: str, count: int) -> int:
    """Hand out `count` consecutive sequence numbers; the first of them."""
    response = dynamodb.update_item(
        TableName=table_name,
        Key=sequence_key(tenant_id),
        UpdateExpression="ADD allocated :n",
        ExpressionAttributeValues={":n": {"N": str(count)}},
        ReturnValues="UPDATED_NEW",
    )
    return int(response["Attributes"]["allocated"]["N"]) - count + 1


class DialQueueCounts(NamedTuple):
    """A tenant's dial queue counters, added up over the shards."""

    queued: int = 0
    in_flight: int = 0
    dequeued: int = 0

    def position(self, dial_seq: int) -> int:
        """Where the queued call with this sequence number stands (1: next to be dialed)."""
        return max(1, min(dial_seq - self.dequeued, self.queued))


def read_counts(dynamodb: Any, table_name: str, tenant_id: str) -> DialQueueCounts:
    """The tenant's counters: one strongly consistent BatchGetItem of its `SHARDS` shards,
    whatever its backlog."""
    keys = [shard_key(tenant_id, shard) for shard in range(SHARDS)]
    totals = dict.fromkeys((QUEUED, IN_FLIGHT, DEQUEUED), 0)
    pending: dict[str, Any] = {table_name: {"Keys": keys, "ConsistentRead": True}}
    while pending:
        response = dynamodb.batch_get_item(RequestItems=pending)
        for item in response.get("Responses", {}).get(table_name, []):
            for name in totals:
                totals[name] += int(item.get(name, {}).get("N", "0"))
        pending = response.get("UnprocessedKeys") or {}
    return DialQueueCounts(
        queued=max(0, totals[QUEUED]),
        in_flight=max(0, totals[IN_FLIGHT]),
        dequeued=totals[DEQUEUED],
    )
