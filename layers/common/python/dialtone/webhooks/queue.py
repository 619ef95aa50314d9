"""The delivery queue's one writer: every message for a subscription's delivery (the fan-out's,
the test endpoint's ping, a retry asked for by a client) is sent through `DeliveryQueue`."""

from __future__ import annotations

from collections.abc import Sequence

from dialtone import aws
from dialtone.webhooks.models import DeliveryMessage

# SQS takes at most 10 messages per SendMessageBatch, and delays them at most 15 minutes.
SEND_BATCH_SIZE = 10
MAX_DELAY_SECONDS = 900
# How long a received message may be hidden.
MAX_VISIBILITY_SECONDS = 12 * 3600


class DeliveryQueueError(Exception):
    """SQS refused some of the messages: they were not queued."""


class DeliveryQueue:
    """The webhook delivery queue (`WEBHOOK_DELIVERY_QUEUE_URL`)."""

    def __init__(self, queue_url: str) -> None:
        self.queue_url = queue_url

    def send(self, messages: Sequence[DeliveryMessage], delay_seconds: int = 0) -> None:
        """Queue every message, delayed by up to 15 minutes; DeliveryQueueError if any was
        refused (the caller retries: a delivery's id makes a duplicate recognisable)."""
        delay = max(0, min(delay_seconds, MAX_DELAY_SECONDS))
        sqs = aws.client("sqs")
        for start in range(0, len(messages), SEND_BATCH_SIZE):
            chunk = messages[start : start + SEND_BATCH_SIZE]
            response = sqs.send_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "MessageBody": m.model_dump_json(), "DelaySeconds": delay}
                    for i, m in enumerate(chunk)
                ],
            )
            if response.get("Failed"):
                raise DeliveryQueueError(f"SQS refused {len(response['Failed'])} deliveries")

    def postpone(self, receipt_handle: str, seconds: float) -> None:
        """Hide a received message for `seconds` (0 to 12 hours): when its receiver reports it
        failed, SQS hands it over again only then. This is how a delivery waits for its next
        attempt without a Lambda sleeping."""
        hidden = max(0, min(round(seconds), MAX_VISIBILITY_SECONDS))
        aws.client("sqs").change_message_visibility(
            QueueUrl=self.queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=hidden
        )
