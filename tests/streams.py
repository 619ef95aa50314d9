"""The calls table's stream, drained through the stream consumer, as Lambda's event source
mapping would deliver it: tests that read rollups (list totals) drain it first, so that what
they stored is rolled up, through the real records and the real handler."""

from __future__ import annotations

import os
from typing import Any

from dialtone import aws
from local.invoke import invoke
from local.pollers import lambda_stream_record

BATCH_SIZE = 100


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

    def drain(self) -> int:
        """Deliver every new record to the stream consumer in batches; the records delivered.
        A batch item failure fails the test: nothing here should contend."""
        # Only call items feed the rollups and the change feed; the consumer skips the rest
        # (exchanges, events, batches), so they are left out here to keep long tests quick.
        records = [r for r in self.read() if r["dynamodb"]["Keys"]["sk"]["S"] == "CALL"]
        for start in range(0, len(records), BATCH_SIZE):
            batch = records[start : start + BATCH_SIZE]
            result = invoke("stream_consumer", {"Records": batch})
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures") or []}
            assert not failed, [r for r in batch if r["dynamodb"]["SequenceNumber"] in failed]
        return len(records)


_STREAMS: dict[str, CallsStream] = {}


def drain_calls_stream() -> int:
    """Roll up every change of the calls table (of the handlers' environment) not rolled up yet."""
    table = os.environ["CALLS_TABLE"]
    if table not in _STREAMS:
        _STREAMS[table] = CallsStream(table)
    return _STREAMS[table].drain()
