"""The calls table's stream, drained through the stream consumer, as Lambda's event source
mapping would deliver it: tests that read rollups (list totals) drain it first, so that what
they stored is rolled up, through the real records and the real handler.

A tenant's rollups depend on that tenant's records alone, so a test reads and drains its own
tenant's records only. A tenant created by the test fixtures is watched from its creation: its
stream is read from the position the stream had then (`LATEST`), so a drain never reads the
records of every test that ran before (that took minutes per drain). A tenant that was not
watched is read from the stream's start."""

from __future__ import annotations

import os
from typing import Any

from dialtone import aws
from local.invoke import invoke
from local.pollers import lambda_stream_record

BATCH_SIZE = 100
# The items whose records the consumer acts on: calls and batches (store.CALL_SK, BATCH_SK).
CONSUMED_SORT_KEYS = frozenset({"CALL", "BATCH"})


class CallsStream:
    """One tenant's records of the calls table's stream, from `start` (`TRIM_HORIZON`, or
    `LATEST` for those written from now on), each delivered once."""

    def __init__(self, table_name: str, tenant_id: str, start: str = "TRIM_HORIZON") -> None:
        self.tenant_id = tenant_id
        self.drained = False
        dynamodb = aws.client("dynamodb")
        self.stream_arn = dynamodb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        self.streams = aws.client("dynamodbstreams")
        shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        self.iterators = {
            shard["ShardId"]: self.streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard["ShardId"], ShardIteratorType=start
            )["ShardIterator"]
            for shard in shards["Shards"]
        }

    def _raw_records(self) -> list[dict[str, Any]]:
        """The records not read yet, as the stream gives them."""
        records: list[dict[str, Any]] = []
        for shard_id, iterator in list(self.iterators.items()):
            while True:
                response = self.streams.get_records(ShardIterator=iterator, Limit=1000)
                iterator = response.get("NextShardIterator") or iterator
                found = response.get("Records", [])
                records += found
                if not found:
                    break
            self.iterators[shard_id] = iterator
        return records

    def take(self) -> list[dict[str, Any]]:
        """The tenant's new records the consumer acts on, in stream order, as Lambda's event
        presents them. Only call and batch items feed the rollups, the change feed and webhook
        events; the consumer skips the rest (exchanges, events, SID claims)."""
        owned = f"T#{self.tenant_id}#"
        return [
            lambda_stream_record(record, self.stream_arn)
            for record in self._raw_records()
            if record["dynamodb"]["Keys"]["sk"]["S"] in CONSUMED_SORT_KEYS
            and record["dynamodb"]["Keys"]["pk"]["S"].startswith(owned)
        ]

    def drain(self) -> int:
        """Deliver the tenant's new records to the stream consumer in batches; the records
        delivered. A batch item failure fails the test: nothing here should contend."""
        records = self.take()
        for start in range(0, len(records), BATCH_SIZE):
            batch = records[start : start + BATCH_SIZE]
            result = invoke("stream_consumer", {"Records": batch})
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures") or []}
            assert not failed, [r for r in batch if r["dynamodb"]["SequenceNumber"] in failed]
        self.drained = True
        return len(records)


_STREAMS: dict[tuple[str, str], CallsStream] = {}


def watch_calls_stream(tenant_id: str) -> None:
    """Read the tenant's records from now on (a new tenant has none before)."""
    table = os.environ["CALLS_TABLE"]
    _STREAMS[table, tenant_id] = CallsStream(table, tenant_id, start="LATEST")


def calls_stream(tenant_id: str) -> CallsStream:
    """The tenant's stream, read from where it was (from the start if it was never watched)."""
    table = os.environ["CALLS_TABLE"]
    if (table, tenant_id) not in _STREAMS:
        _STREAMS[table, tenant_id] = CallsStream(table, tenant_id)
    return _STREAMS[table, tenant_id]


def take_calls_stream(tenant_id: str) -> list[dict[str, Any]]:
    """The tenant's records of the calls table's stream not delivered yet, as Lambda's event
    presents them, taken out of the drain (they are the test's to deliver)."""
    return calls_stream(tenant_id).take()


def drain_calls_stream(tenant_id: str) -> int:
    """Roll up every change of the tenant's calls in the calls table of the handlers'
    environment that is not rolled up yet; the records rolled up."""
    return calls_stream(tenant_id).drain()


def settle_calls_stream(tenant_id: str) -> None:
    """After a test removed what it stored for a shared tenant: roll the removals up too, if
    the test rolled up what it stored, so the next test finds the tenant's rollups as they
    were."""
    stream = _STREAMS.get((os.environ["CALLS_TABLE"], tenant_id))
    if stream is not None and stream.drained:
        stream.drain()
