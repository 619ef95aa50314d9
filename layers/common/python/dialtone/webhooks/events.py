"""The webhook events of the calls table's stream: which transition a record of a call or batch
item shows, and the event that tells a receiver about it.

A record is read on its own, its old image against its new one, so that records redelivered
or seen out of order never make up a transition: each transition is in exactly one record.

- `call.started`: the call enters `in_progress`, or enters `completed` from before it (answered
  and ended between two writes: it did start). A call stored already so is a transition too.
- `call.completed`: the call enters `completed`.
- `call.failed`: the call enters `busy`, `no_answer`, `failed` or `canceled` (canceled by the
  client, or by the dialer for a suppressed number): every call ends with exactly one of
  `call.completed` and `call.failed`; `data.status` and `data.end_reason` say how it ended.
- `call.escalated`: the call's outcome becomes `escalated` (at most once per call).
- `call.recording.ready`: the call gets a recording (a new upload replacing it is another).
- `call.graded`: a grade of the call completes (`grade_status` becomes `completed`; a regrade
  that completes is another).
- `batch.completed`: a batch's counters show none of its calls queued or in progress any more.

Nothing is produced for a call being erased or past its retention (it reads as not found).

An event's id is a hash of the tenant, the call (or batch), the type and, for the events that
can recur, the recording's ETag or the grade's time: the same transition always has the same id,
so that the fan-out recognises one it has already queued. `sequence` is the record's stream
sequence number, zero-padded to 40 digits (string order is number order): it grows with every
change of the item, so a receiver can order the events of one call that arrive out of order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dialtone.dynamo import from_item
from dialtone.model_types import (
    FINAL_STATUSES,
    CallOutcome,
    CallStatus,
    Timestamp,
    format_timestamp,
)
from dialtone.models import Call
from dialtone.store import BATCH_SK, CALL_SK, StoredCall, stored_call
from dialtone.webhooks.models import EventType, WebhookEvent

EVENT_ID_PREFIX = "evt_"
# What a receiver gets stays under 20 KB: the largest optional fields give way first.
PAYLOAD_LIMIT_BYTES = 20_000
SEQUENCE_DIGITS = 40  # DynamoDB stream sequence numbers have 21 to 40 digits
GRADED = "completed"  # the grade_status of a completed grade (dialtone.quality.GradeStatus)
# Left out of a call's event, in this order, while its payload is over the limit.
_SHEDDABLE = ("metadata", "provider_usage", "analysis", "cost", "latency")
_FAILED_STATUSES = FINAL_STATUSES - {CallStatus.COMPLETED}
_STARTED_BEFORE = frozenset({CallStatus.QUEUED, CallStatus.INITIATED, CallStatus.RINGING})
_SUBJECTS = frozenset({CALL_SK, BATCH_SK})


class CallLinks(BaseModel):
    """API paths (relative to the API's base URL, read with the tenant's API key)."""

    model_config = ConfigDict(defer_build=True)

    call: str = Field(description="`/v1/calls/{call_id}`: the call as it is now")
    transcript: str = Field(description="`/v1/calls/{call_id}/transcript`: its transcript")
    recording: str | None = Field(
        description="`/v1/calls/{call_id}/recording`: a fresh link to its audio; null "
        "while the call has no recording"
    )


class CallEventData(Call):
    """A call event's `data`: the call object as `GET /v1/calls/{call_id}` returns it, with
    `recording_url` null (a presigned link would expire long before the last retry: follow
    `links.recording`), no transcript (`links.transcript`), and the event's `sequence`."""

    sequence: str = Field(
        description="Grows with every change of the call (40 decimal digits: compare as "
        "strings or as numbers): order a call's events by it, and ignore an event older "
        "than one already applied"
    )
    links: CallLinks
    omitted_fields: list[str] = Field(
        default_factory=list,
        exclude_if=lambda v: not v,
        description="Fields left at their empty value to keep the payload under 20 KB "
        "(read them from `links.call`); absent when none was",
    )


class BatchLinks(BaseModel):
    model_config = ConfigDict(defer_build=True)

    batch: str = Field(description="`/v1/calls/batch/{batch_id}`: the batch with its calls")


class BatchEventData(BaseModel):
    """`batch.completed`'s `data`: the batch status as `GET /v1/calls/batch/{batch_id}` returns
    it, without its list of calls (up to 1,000: read them from `links.batch`)."""

    model_config = ConfigDict(defer_build=True)

    batch_id: str
    status: str = Field(description="`completed`")
    total: int
    queued: int
    initiated: int
    completed: int
    failed: int
    canceled: int
    created_at: datetime
    sequence: str = Field(description="The batch item's change that completed it (40 digits)")
    links: BatchLinks


class CallEventPayload(BaseModel):
    """What a receiver gets for a call event."""

    model_config = ConfigDict(defer_build=True)

    type: EventType = Field(description="The event type")
    timestamp: Timestamp = Field(description="When the call changed (its `updated_at`)")
    data: CallEventData


class CallStartedEvent(CallEventPayload):
    type: Literal["call.started"]  # type: ignore[assignment]


class CallCompletedEvent(CallEventPayload):
    type: Literal["call.completed"]  # type: ignore[assignment]


class CallFailedEvent(CallEventPayload):
    type: Literal["call.failed"]  # type: ignore[assignment]


class CallEscalatedEvent(CallEventPayload):
    type: Literal["call.escalated"]  # type: ignore[assignment]


class CallRecordingReadyEvent(CallEventPayload):
    type: Literal["call.recording.ready"]  # type: ignore[assignment]


class CallGradedEvent(CallEventPayload):
    type: Literal["call.graded"]  # type: ignore[assignment]


class BatchCompletedEvent(BaseModel):
    """What a receiver gets for `batch.completed`."""

    model_config = ConfigDict(defer_build=True)

    type: Literal["batch.completed"]
    timestamp: Timestamp = Field(description="When the batch's last call reached a final status")
    data: BatchEventData


@dataclass(frozen=True)
class EventDoc:
    """How an event type is documented: its payload's model and when it is sent."""

    payload: type[BaseModel]
    sent_when: str


EVENT_DOCS = {
    EventType.CALL_STARTED: EventDoc(
        CallStartedEvent,
        "The call was answered: it entered `in_progress` (or `completed` straight from "
        "before it). Sent once per call.",
    ),
    EventType.CALL_COMPLETED: EventDoc(
        CallCompletedEvent, "The call ended after being answered (`completed`). Once per call."
    ),
    EventType.CALL_FAILED: EventDoc(
        CallFailedEvent,
        "The call ended without being connected: `busy`, `no_answer`, `failed` or `canceled` "
        "(by the client, or by the dialer for a number on the do-not-call list); `status` and "
        "`end_reason` say which. Once per call: every call ends with exactly one of "
        "`call.completed` and `call.failed`.",
    ),
    EventType.CALL_ESCALATED: EventDoc(
        CallEscalatedEvent, "The call's outcome became `escalated`. At most once per call."
    ),
    EventType.CALL_RECORDING_READY: EventDoc(
        CallRecordingReadyEvent,
        "The call's recording was stored and can be fetched from `links.recording` "
        "(GET /v1/calls/{call_id}/recording). Again for a new upload that replaces it.",
    ),
    EventType.CALL_GRADED: EventDoc(
        CallGradedEvent,
        "A grade of the call completed: `grade_score` is set (`grade_status` `completed`). "
        "Again for a later grade.",
    ),
    EventType.BATCH_COMPLETED: EventDoc(
        BatchCompletedEvent,
        "Every call of the batch reached a final status (none queued or in progress). Once "
        "per batch.",
    ),
}
"""Every event a subscription can choose, as the API documents it (openapi.json's `webhooks`)."""


def event_id(tenant_id: str, subject_id: str, event_type: EventType, occurrence: str = "") -> str:
    """The id of a transition: the same for the same tenant, call (or batch), type and
    occurrence (what tells apart two transitions of a type that can recur)."""
    text = "\n".join((tenant_id, subject_id, event_type.value, occurrence))
    return EVENT_ID_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def padded_sequence(sequence_number: str | int) -> str:
    """A stream sequence number as the events show it: 40 digits, so that string order is
    number order."""
    return f"{int(sequence_number):0{SEQUENCE_DIGITS}d}"


# Transitions of a call


@dataclass(frozen=True)
class Transition:
    """One transition a record shows: its type and what tells it apart from another of the
    same type of the same call ("" for types that happen once per call)."""

    type: EventType
    occurrence: str = ""


def _status_transitions(old: Call | None, new: Call) -> Iterator[Transition]:
    before = old.status if old is not None else None
    if before in FINAL_STATUSES or before == new.status:
        return
    answered_now = new.status is CallStatus.IN_PROGRESS or (
        new.status is CallStatus.COMPLETED and (before is None or before in _STARTED_BEFORE)
    )
    if answered_now:
        yield Transition(EventType.CALL_STARTED)
    if new.status is CallStatus.COMPLETED:
        yield Transition(EventType.CALL_COMPLETED)
    elif new.status in _FAILED_STATUSES:
        yield Transition(EventType.CALL_FAILED)


def _recording_tag(stored: StoredCall) -> str | None:
    """What identifies the call's recording (its object's ETag, or key); None without one."""
    if not stored.recording_key:
        return None
    return stored.internal.recording_etag or stored.recording_key


def _grade_tag(call: Call) -> str | None:
    """What identifies the call's completed grade (when it was graded); None without one."""
    if call.grade_status != GRADED:
        return None
    return format_timestamp(call.grade_updated_at) if call.grade_updated_at else GRADED


def call_transitions(old: StoredCall | None, new: StoredCall) -> list[Transition]:
    """The transitions from `old` (None: the call was just stored) to `new`, in the order a
    receiver would expect them."""
    before = old.call if old is not None else None
    found = list(_status_transitions(before, new.call))
    escalated = new.call.outcome is CallOutcome.ESCALATED
    if escalated and (before is None or before.outcome is not CallOutcome.ESCALATED):
        found.append(Transition(EventType.CALL_ESCALATED))
    recording = _recording_tag(new)
    if recording is not None and (old is None or _recording_tag(old) != recording):
        found.append(Transition(EventType.CALL_RECORDING_READY, recording))
    grade = _grade_tag(new.call)
    if grade is not None and (before is None or _grade_tag(before) != grade):
        found.append(Transition(EventType.CALL_GRADED, grade))
    return found


def _readable(stored: StoredCall, at: datetime) -> bool:
    """Whether the API shows the call at `at`: not being erased, not past its retention."""
    expires_at = stored.internal.expires_at
    expired = expires_at is not None and expires_at <= at.timestamp()
    return not stored.internal.erasing and not expired


def call_event_data(stored: StoredCall, sequence: str) -> CallEventData:
    """A call event's data: the call as the API shows it, without a presigned link, and under
    the payload limit (the largest optional fields left empty while it is over)."""
    call = stored.call
    base = f"/v1/calls/{call.id}"
    links = CallLinks(
        call=base,
        transcript=f"{base}/transcript",
        recording=f"{base}/recording" if stored.recording_key else None,
    )
    values = call.model_dump(mode="json")
    values.update(recording_url=None, sequence=sequence, links=links.model_dump())
    data = CallEventData.model_validate(values)
    for name in _SHEDDABLE:
        if _payload_size(data) < PAYLOAD_LIMIT_BYTES:
            break
        empty = CallEventData.model_fields[name].get_default(call_default_factory=True)
        data = data.model_copy(update={name: empty, "omitted_fields": [*data.omitted_fields, name]})
    return data


def _payload_size(data: BaseModel) -> int:
    """The bytes of a payload around `data`, in its longest JSON form (non-ASCII escaped, as
    `json.dumps` writes it by default); the envelope is a few dozen bytes, counted as 200."""
    return len(json.dumps(data.model_dump(mode="json"))) + 200


def _moment(value: Any) -> datetime:
    """A record's ApproximateCreationDateTime (epoch seconds in Lambda's event)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if value is None:
        return datetime.now(UTC)
    return datetime.fromtimestamp(float(value), UTC)


def _call_events(data: Mapping[str, Any]) -> list[WebhookEvent]:
    new = stored_call(data["NewImage"])
    at = _moment(data.get("ApproximateCreationDateTime"))
    if not _readable(new, at):
        return []
    old = stored_call(data["OldImage"]) if data.get("OldImage") else None
    # A call that was not shown before (erasing, expired) has no transitions to tell.
    if old is not None and not _readable(old, at):
        return []
    transitions = call_transitions(old, new)
    if not transitions:
        return []
    sequence = padded_sequence(data["SequenceNumber"])
    payload = call_event_data(new, sequence).model_dump(mode="json")
    return [
        WebhookEvent(
            id=event_id(new.tenant_id, new.call.id, t.type, t.occurrence),
            tenant_id=new.tenant_id,
            type=t.type,
            timestamp=new.call.updated_at,
            data=payload,
            sequence=sequence,
        )
        for t in transitions
    ]


# Batches


def _batch_done(values: Mapping[str, Any] | None) -> bool:
    """Whether a batch item's counters say every call reached a final status (as the batch
    status does: none queued, none initiated). An item without `total` is counters that
    arrived before the batch itself was stored: not a batch yet."""
    if not values or "total" not in values:
        return False
    return int(values.get("queued", 0)) == 0 and int(values.get("initiated", 0)) == 0


def batch_event_data(values: Mapping[str, Any], sequence: str) -> BatchEventData:
    """`batch.completed`'s data from the batch item's plain values."""
    batch_id = str(values["batch_id"])
    counts = {
        name: int(values.get(name, 0))
        for name in ("queued", "initiated", "completed", "failed", "canceled")
    }
    return BatchEventData(
        batch_id=batch_id,
        status="completed",
        total=int(values["total"]),
        created_at=datetime.fromisoformat(str(values["created_at"])),
        sequence=sequence,
        links=BatchLinks(batch=f"/v1/calls/batch/{batch_id}"),
        **counts,
    )


def _batch_events(data: Mapping[str, Any]) -> list[WebhookEvent]:
    new = from_item(data["NewImage"])
    old = from_item(data["OldImage"]) if data.get("OldImage") else None
    if not _batch_done(new) or _batch_done(old):
        return []
    tenant_id = str(data["Keys"]["pk"]["S"]).split("#")[1]  # `T#<tenant>#B#<batch>`
    sequence = padded_sequence(data["SequenceNumber"])
    batch = batch_event_data(new, sequence)
    return [
        WebhookEvent(
            id=event_id(tenant_id, batch.batch_id, EventType.BATCH_COMPLETED),
            tenant_id=tenant_id,
            type=EventType.BATCH_COMPLETED,
            timestamp=_moment(data.get("ApproximateCreationDateTime")),
            data=batch.model_dump(mode="json"),
            sequence=sequence,
        )
    ]


def tenant_of(record: Mapping[str, Any]) -> str | None:
    """The tenant whose call or batch a stream record may tell an event of (from its key,
    without reading its images); None for a record that can tell none."""
    data = record.get("dynamodb") or {}
    keys = data.get("Keys") or {}
    if record.get("eventName") == "REMOVE" or keys.get("sk", {}).get("S") not in _SUBJECTS:
        return None
    # `T#<tenant>#C#<call>` or `T#<tenant>#B#<batch>`
    return str(keys["pk"]["S"]).split("#")[1]


def events_of(record: Mapping[str, Any]) -> list[WebhookEvent]:
    """The events a stream record of the calls table (Lambda's record dict, NEW_AND_OLD_IMAGES)
    stands for: none for a removal, an item other than a call or a batch, or a change that is
    no transition."""
    data = record.get("dynamodb") or {}
    if record.get("eventName") == "REMOVE" or not data.get("NewImage"):
        return []
    sort_key = (data.get("Keys") or {}).get("sk", {}).get("S")
    if sort_key == CALL_SK:
        return _call_events(data)
    if sort_key == BATCH_SK:
        return _batch_events(data)
    return []
