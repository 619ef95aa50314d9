"""The calls table's stream, drained through the stream consumer, as Lambda's event source
mapping would deliver it: tests that read rollups (list totals) drain it first, so that what
they stored is rolled up, through the real records and the real handler.

A test drains its own tenant's records only: every tenant's rollups depend on that tenant's
records alone, and the others wait, in stream order, until their own tenant is drained (most
never are). Rolling up every change the suite made for every read took minutes per drain."""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any

from dialtone import aws
from local.invoke import invoke
from local.pollers import lambda_stream_record

BATCH_SIZE = 100
# The items whose records the consumer acts on: calls and batches (store.CALL_SK, BATCH_SK).
CONSUMED_SORT_KEYS = frozenset({"CALL", "BATCH"})


class CallsStream:
    """Every record of the calls table's stream from its start, each delivered once."""

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name
        dynamodb = aws.client("dynamodb")
        self.stream_arn = dynamodb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        self.streams = aws.client("dynamodbstreams")
        shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        self.iterators = {
            shard["ShardId"]: self.streams.get_shard_iterator(
                StreamArn=self.stream_arn,
                ShardId=shard["ShardId"],
                ShardIteratorType="TRIM_HORIZON",
            )["ShardIterator"]
            for shard in shards["Shards"]
        }
        # Records read but not delivered yet, per tenant, in stream order.
        self.pending: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)

    def read(self) -> list[dict[str, Any]]:
        """The records not read yet, as Lambda's event presents them."""
        records: list[dict[str, Any]] = []
        for shard_id, iterator in list(self.iterators.items()):
            while True:
                response = self.streams.get_records(ShardIterator=iterator, Limit=1000)
                iterator = response.get("NextShardIterator") or iterator
                found = response.get("Records", [])
                records += [lambda_stream_record(r, self.stream_arn) for r in found]
                if not found:
                    break
            self.iterators[shard_id] = iterator
        return records

    def _gather(self) -> None:
        """Read the new records the consumer acts on into each tenant's pending ones."""
        # Only call items feed the rollups and the change feed, and only they and batch items
        # make webhook events; the consumer skips the rest (exchanges, events, SID claims), so
        # they are left out here to keep long tests quick.
        for record in self.read():
            pk, sk = (record["dynamodb"]["Keys"][key]["S"] for key in ("pk", "sk"))
            if sk in CONSUMED_SORT_KEYS:
                self.pending[pk.split("#")[1]].append(record)

    def take(self, tenant_id: str) -> list[dict[str, Any]]:
        """The tenant's new records, in stream order, without delivering them (the test does,
        as it likes: twice, out of order)."""
        self._gather()
        return self.pending.pop(tenant_id, [])

    def drain(self, tenant_id: str | None = None) -> int:
        """Deliver the tenant's new records (every tenant's, without one) to the stream consumer
        in batches; the records delivered. A batch item failure fails the test: nothing here
        should contend."""
        self._gather()
        tenants = [tenant_id] if tenant_id is not None else list(self.pending)
        records = [r for tenant in tenants for r in self.pending.pop(tenant, [])]
        for start in range(0, len(records), BATCH_SIZE):
            batch = records[start : start + BATCH_SIZE]
            result = invoke("stream_consumer", {"Records": batch})
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures") or []}
            assert not failed, [r for r in batch if r["dynamodb"]["SequenceNumber"] in failed]
        return len(records)


_STREAMS: dict[str, CallsStream] = {}


def calls_stream() -> CallsStream:
    """The stream of the calls table of the handlers' environment, read from where it was."""
    table = os.environ["CALLS_TABLE"]
    if table not in _STREAMS:
        _STREAMS[table] = CallsStream(table)
    return _STREAMS[table]


def take_calls_stream(tenant_id: str) -> list[dict[str, Any]]:
    """The tenant's records of the calls table's stream not delivered yet, as Lambda's event
    presents them, taken out of the drain (they are the test's to deliver)."""
    return calls_stream().take(tenant_id)


def drain_calls_stream(tenant_id: str | None = None) -> int:
    """Roll up every change of the tenant's calls (of every tenant's, without one) in the calls
    table of the handlers' environment that is not rolled up yet; the records rolled up."""
    return calls_stream().drain(tenant_id)
