"""The recording indexer: S3 ObjectCreated notifications (through SQS) → each uploaded object
is read and described on its call, or deleted with the reason kept on the call.

Records are processed one by one; a record that fails (S3 or DynamoDB unavailable) is
reported as a batch item failure and redelivered, never failing the others. Indexing the same
object twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from dialtone import recordings
from dialtone.observability import event_handler, logger

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def index(record: SQSRecord) -> list[str]:
    outcomes = recordings.recordings().handle_message(record.body)
    logger.info("Recording notification processed", extra={"outcomes": outcomes})
    return [outcome.value for outcome in outcomes]


@event_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=index, processor=processor, context=context
    )
