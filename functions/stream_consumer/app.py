"""The calls table's stream consumer: every change of a call item, in stream order, feeds the
rollups (totals and stats) and the change feed; a change of a call or batch that is a webhook
event's transition is fanned out to the tenant's subscriptions. The event source's filter
(template.yaml) sends only the records of calls and batches; any other (exchanges, events, SID
claims) is skipped here too.

Each record goes through the per-record processors; the rollups and the change feed gather the
batch's call changes and write them together at the end (one put of each changed call's item,
which holds both its feed entry and its rollup state, and one update per rollup item per
transaction). A record a
processor fails, or whose rollup change could not be written, is reported as a batch item
failure: Lambda retries from the oldest one, and every processor is idempotent, so what was
already applied counts once.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

from dialtone.analytics import consumer
from dialtone.analytics.stream import RollupBatch
from dialtone.observability import event_handler, logger
from dialtone.webhooks import fanout

processor = BatchProcessor(
    event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
)


@event_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    rollup_batch = RollupBatch()
    webhook_batch = fanout.fanout().batch()

    def process(record: DynamoDBRecord) -> None:
        # The per-record processors, in order.
        rollup_batch.add(record.raw_event)
        webhook_batch.add(record.raw_event)

    response = process_partial_response(
        event=event, record_handler=process, processor=processor, context=context
    )
    result = rollup_batch.apply(consumer.rollup_store())
    logger.info(
        "Stream batch applied",
        extra={
            "records": len(event.get("Records") or []),
            "call_changes": len(rollup_batch.changes),
            "rollup_writes": result.writes,
            "failed": len(result.failed),
            "webhook_deliveries": webhook_batch.queued,
        },
    )
    return consumer.with_failures(response, result.failed)
