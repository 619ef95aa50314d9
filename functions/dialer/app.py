"""The dialer: consumes the dial queue and places each call once, paced per telephony account.

Records are processed one by one; a record that fails (a poison message, or a call whose
placement must be retried later) is reported as a batch item failure, never failing the others.
"""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from dialtone.dialing import dialer
from dialtone.observability import event_handler, logger

# Seconds kept back from the invocation's remaining time, to finish the record in hand.
SAFETY_SECONDS = 2.0

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def dial(record: SQSRecord, lambda_context: Any) -> str:
    deadline = time.time() + lambda_context.get_remaining_time_in_millis() / 1000 - SAFETY_SECONDS
    outcome = dialer.dialer().handle(record.body, record.receipt_handle, deadline=deadline)
    logger.info("Dial message processed", extra={"outcome": outcome.value})
    return outcome.value


@event_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=dial, processor=processor, context=context
    )
