"""The grader: consumes the grade queue and gives each pending grade it names.

Records are processed one by one; a record that fails (a grader that cannot run now, or a
message that is not a grade request, which ends in the dead-letter queue after its retries) is
reported as a batch item failure, never failing the others. A request already given changes
nothing.
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

from dialtone.observability import event_handler, logger
from dialtone.quality import grading
from dialtone.quality.grading import GradeRequest


class GradeRecord(SqsRecordModel):
    """An SQS record whose body is a grade request."""

    body: Json[GradeRequest]  # type: ignore[assignment]


processor = BatchProcessor(
    event_type=EventType.SQS, model=GradeRecord, raise_on_entire_batch_failure=False
)


def grade(record: GradeRecord) -> str:
    outcome = grading.grader_work().handle(record.body)
    logger.info(
        "Grade request processed",
        extra={"call_id": record.body.call_id, "outcome": outcome.value},
    )
    return outcome.value


@event_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=grade, processor=processor, context=context
    )
