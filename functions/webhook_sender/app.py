"""The webhook sender: consumes the delivery queue and makes one attempt per message received.

A delivered message (or one with nothing more to try) is done; one whose delivery must wait is
hidden until its next attempt is due and reported as a batch item failure, so SQS hands it over
again then; after the last attempt it is reported failed once more, visible at once, and the
queue's redrive moves it to the dead-letter queue. A failing record never fails the others.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import Json

from dialtone.observability import event_handler
from dialtone.webhooks import sender
from dialtone.webhooks.models import DeliveryMessage


class DeliveryRecord(SqsRecordModel):
    """An SQS record whose body is a delivery message."""

    body: Json[DeliveryMessage]  # type: ignore[assignment]


processor = BatchProcessor(
    event_type=EventType.SQS, model=DeliveryRecord, raise_on_entire_batch_failure=False
)


def send(record: DeliveryRecord) -> str:
    receipts = int(record.attributes.ApproximateReceiveCount)
    return sender.sender_work().handle(record.body, receipts, record.receiptHandle)


@event_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=send, processor=processor, context=context
    )
