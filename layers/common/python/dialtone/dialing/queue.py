"""The dial queue: its one message format and its one writer.

A dial message is `{"tenant_id", "call_id"}` (`DialMessage`). Every message is sent, and every
message given back, through `DialQueue`: when calls are accepted (`dialtone.dialing.accept`),
when the dialer defers or reschedules a call, and when the sweeper sends a call's lost message
again. `DialQueueWriter` adds the writes the dialer and the sweeper make on the calls they
claim (release, fail, save the placement), next to the message that re-queues one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dialtone import aws
from dialtone.auth import TENANT_ID_PATTERN
from dialtone.errors import CallNotFound
from dialtone.model_types import CallStatus, format_timestamp

if TYPE_CHECKING:
    from dialtone.store import CallStore, StoredCall
    from dialtone.telephony.base import ProviderCall

# SQS caps a message's delay at 15 minutes; a longer wait is several delayed messages.
MAX_DELAY_SECONDS = 900
# SQS takes at most 10 messages per SendMessageBatch.
SEND_BATCH_SIZE = 10
# Parallel SendMessageBatch requests of `send_many`: a 1,000-number batch is accepted in a few
# round trips.
SEND_WORKERS = 8


class PoisonMessage(Exception):
    """A message no dialer can ever process; reported as failed so it reaches the DLQ."""


class DialMessage(BaseModel):
    """The body of a dial queue message."""

    model_config = ConfigDict(defer_build=True, extra="ignore", frozen=True)

    tenant_id: str = Field(pattern=TENANT_ID_PATTERN)
    call_id: str = Field(pattern=r"^[0-9a-fA-F-]{36}$")

    @classmethod
    def parse(cls, body: str) -> DialMessage:
        """The message in `body`; PoisonMessage if it is not one."""
        try:
            return cls.model_validate(json.loads(body))
        except (ValueError, TypeError, ValidationError) as error:
            raise PoisonMessage(f"not a dial message: {body[:200]!r}") from error

    def body(self) -> str:
        """The message as sent: `{"tenant_id": ..., "call_id": ...}`."""
        return json.dumps({"tenant_id": self.tenant_id, "call_id": self.call_id})


class DialQueue:
    """The dial queue's one writer: sends dial messages and gives received ones back.

    (This and `DialQueueWriter` are plain classes: a dataclass compiles its generated methods
    when the class is made, in the cold start of every handler that accepts calls.)"""

    def __init__(self, queue_url: str) -> None:
        self.queue_url = queue_url

    def send(self, tenant_id: str, call_id: str, delay_seconds: float = 0) -> None:
        """Send the call's dial message, visible after `delay_seconds` (whole seconds, ≤ 900)."""
        delay = max(0, min(MAX_DELAY_SECONDS, math.ceil(delay_seconds)))
        aws.client("sqs").send_message(
            QueueUrl=self.queue_url,
            MessageBody=DialMessage(tenant_id=tenant_id, call_id=call_id).body(),
            DelaySeconds=delay,
        )

    def send_many(self, tenant_id: str, call_ids: Sequence[str]) -> list[str]:
        """Send one dial message per call, in batches of 10 sent in parallel; the call ids the
        queue did not take (a batch that failed whole, or the entries it refused)."""
        chunks = [
            call_ids[start : start + SEND_BATCH_SIZE]
            for start in range(0, len(call_ids), SEND_BATCH_SIZE)
        ]
        sqs = aws.client("sqs")  # created once, before the threads share it

        def send_chunk(chunk: Sequence[str]) -> list[str]:
            try:
                response = sqs.send_message_batch(
                    QueueUrl=self.queue_url,
                    Entries=[
                        {
                            "Id": str(i),
                            "MessageBody": DialMessage(tenant_id=tenant_id, call_id=c).body(),
                        }
                        for i, c in enumerate(chunk)
                    ],
                )
            except Exception:
                return list(chunk)
            return [chunk[int(f["Id"])] for f in response.get("Failed", [])]

        with ThreadPoolExecutor(max_workers=SEND_WORKERS) as pool:
            return [call_id for refused in pool.map(send_chunk, chunks) for call_id in refused]

    def give_back(self, receipt_handle: str | None, seconds: int) -> None:
        """Make a received message visible again after `seconds` (nothing without a handle)."""
        if receipt_handle:
            aws.client("sqs").change_message_visibility(
                QueueUrl=self.queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
            )


class DialQueueWriter:
    """The writes of the dialer and the sweeper on claimed calls, and the dial queue."""

    def __init__(self, calls: CallStore, queue_url: str) -> None:
        self.calls = calls
        self.queue_url = queue_url

    @property
    def queue(self) -> DialQueue:
        """The dial queue the writer sends to."""
        return DialQueue(self.queue_url)

    def enqueue(self, tenant_id: str, call_id: str, delay_seconds: float = 0) -> None:
        """Send a fresh dial message for the call, visible after `delay_seconds` (≤ 900), and
        note when on the queued call (`enqueued_at`): the sweeper sends a new message for a
        call whose latest one is long overdue."""
        from botocore.exceptions import BotoCoreError, ClientError

        self.queue.send(tenant_id, call_id, delay_seconds)
        # After the message, and best effort: a stale note costs at most a duplicate message
        # later (harmless: the claim dials once), never a call without a message.
        try:
            self.calls.change_call(
                tenant_id,
                call_id,
                CallStatus.QUEUED,
                {"enqueued_at": format_timestamp(datetime.now(UTC))},
            )
        except (BotoCoreError, ClientError) as error:
            from dialtone.observability import logger

            logger.warning(
                "Could not note when the call was enqueued",
                extra={"call_id": call_id, "error": str(error)},
            )

    def release(self, stored: StoredCall, token: str, attempts: int | None = None) -> bool:
        """Give up this claim (only if it is still `token`'s); the call is `queued` and
        unclaimed again, with `dial_attempts` set when given."""
        fields: dict[str, Any] = {}
        if attempts is not None:
            fields["dial_attempts"] = attempts
        return self.calls.change_call(
            stored.tenant_id,
            stored.call.id,
            CallStatus.QUEUED,
            fields,
            remove=("claim_token", "claimed_at"),
            condition="claim_token = :token",
            condition_values={":token": {"S": token}},
        )

    def fail(
        self,
        stored: StoredCall,
        token: str | None,
        reason: str,
        attempts: int | None = None,
        end_reason: str = "error",
    ) -> bool:
        """End a queued call `failed` with `error_reason` (under this claim, when given; else
        only while no dialer claims it)."""
        fields: dict[str, Any] = {
            "status": CallStatus.FAILED,
            "error_reason": reason[:500],
            "end_reason": end_reason,
            "end_time": datetime.now(UTC),
            "dial_at_estimate": None,
        }
        if attempts is not None:
            fields["dial_attempts"] = attempts
        return self.calls.change_call(
            stored.tenant_id,
            stored.call.id,
            CallStatus.QUEUED,
            fields,
            condition="claim_token = :token" if token else "attribute_not_exists(claim_token)",
            condition_values={":token": {"S": token}} if token else None,
            batch_id=stored.call.batch_id,
            current=stored.call,
        )

    def save_placement(
        self,
        stored: StoredCall,
        token: str,
        placed: ProviderCall,
        dialed_at: datetime,
        dial_slot_at: datetime | None = None,
    ) -> bool:
        """Record the provider's SID on the claimed call: `initiated`, `twilio_call_sid`,
        `call_sid`, and the dial figures (`dial_slot_at`, `dialed_at`, `queue_time_ms`). The
        claim stays, so the call can no longer be canceled.

        A status callback may have moved the call on already (it can arrive before this
        write): then only the SID and dial figures are added, never moving the call back.
        A SID that already belongs to another call is never attached (False): a SID names one
        call, whatever a lookup after an ambiguous error found.
        """
        from dialtone.errors import CallSidTaken

        try:
            return self._save_placement(stored, token, placed, dialed_at, dial_slot_at)
        except CallSidTaken:
            from dialtone.observability import logger

            logger.error(
                "The provider call SID belongs to another call: not attached",
                extra={"call_id": stored.call.id, "call_sid": placed.sid},
            )
            return False

    def _save_placement(
        self,
        stored: StoredCall,
        token: str,
        placed: ProviderCall,
        dialed_at: datetime,
        dial_slot_at: datetime | None,
    ) -> bool:
        from dialtone.progress import advance

        queued_at = stored.call.queued_at or stored.call.created_at
        sid_fields: dict[str, Any] = {
            "twilio_call_sid": placed.sid,
            "call_sid": placed.sid,
            "dial_slot_at": dial_slot_at,
            "dialed_at": dialed_at,
            "queue_time_ms": max(0, round((dialed_at - queued_at).total_seconds() * 1000)),
            "dial_at_estimate": None,
        }
        if self.calls.change_call(
            stored.tenant_id,
            stored.call.id,
            CallStatus.QUEUED,
            {**sid_fields, "status": CallStatus.INITIATED},
            condition="claim_token = :token",
            condition_values={":token": {"S": token}},
            batch_id=stored.call.batch_id,
            current=stored.call,
        ):
            self._follow(stored, placed, advance)
            return True
        for _ in range(3):
            try:
                current = self.calls.get_call(stored.tenant_id, stored.call.id, consistent=True)
            except CallNotFound:
                return False  # erased (or being erased) since it was claimed
            if current.internal.claim_token != token:
                return False
            if current.call.twilio_call_sid not in (None, placed.sid):
                return False
            if current.call.status is CallStatus.QUEUED:
                return False  # the claim is ours and still queued, yet the write failed
            if self.calls.change_call(
                stored.tenant_id,
                stored.call.id,
                current.call.status,
                sid_fields,
                condition="claim_token = :token",
                condition_values={":token": {"S": token}},
            ):
                return True
        return False

    def held_by_another(self, stored: StoredCall, sid: str) -> bool:
        """Whether the provider call `sid` already belongs to a call other than this one: a
        lookup that finds it did not find this call's placement."""
        owner = self.calls.sid_owner(sid)
        return owner is not None and owner != (stored.tenant_id, stored.call.id)

    def _follow(self, stored: StoredCall, placed: ProviderCall, advance: Any) -> None:
        """Move the call on to where the provider says it already is (reconciliation finds
        calls that went further than `initiated`)."""
        from dialtone.telephony.base import provider_fields

        if placed.status in (CallStatus.QUEUED, CallStatus.INITIATED):
            return
        advance(
            self.calls, stored.tenant_id, stored.call.id, placed.status, provider_fields(placed)
        )
