"""The call as the Calls API shows it: the call object, its exchanges and its history events.

Field names are the contract of DESIGN.md. The responses built around them (pages, transcripts,
recording links) are in `dialtone.call_responses`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from dialtone.model_types import (
    ApiModel,
    CallOutcome,
    CallStatus,
    Direction,
    Integer,
    Number,
    OptionalFlag,
    OptionalNumber,
    Timestamp,
)


class CallAnalysis(ApiModel):
    summary: str | None = None
    user_sentiment: str | None = None
    call_successful: OptionalFlag = None
    in_voicemail: OptionalFlag = None


class ProviderCost(ApiModel):
    provider: str
    kind: str | None = None
    amount: Number
    units: OptionalNumber = None
    unit: str | None = None


class CallCost(ApiModel):
    total: Number = 0.0
    currency: str = "USD"
    billable_minutes: OptionalNumber = None
    breakdown: list[ProviderCost] = Field(default_factory=list)


class LatencyStats(ApiModel):
    p50: OptionalNumber = None
    p90: OptionalNumber = None
    p95: OptionalNumber = None
    p99: OptionalNumber = None
    min: OptionalNumber = None
    max: OptionalNumber = None
    num: Integer = 0


class CallLatency(ApiModel):
    e2e: LatencyStats | None = None
    stt: LatencyStats | None = None
    llm: LatencyStats | None = None
    tts: LatencyStats | None = None


class Exchange(ApiModel):
    sequence_number: int = Field(ge=0)
    user_transcript: str | None = None
    agent_response: str | None = None
    error: bool = False
    error_message: str | None = None
    exchange_timestamp: Timestamp | None = None
    # Offsets from the start of the recording, used to align turns and captions.
    user_start_ms: int | None = None
    user_end_ms: int | None = None
    agent_start_ms: int | None = None
    agent_end_ms: int | None = None


class Call(ApiModel):
    id: str
    direction: Direction
    status: CallStatus
    outcome: CallOutcome | None = None
    end_reason: str | None = Field(
        default=None,
        description="Why the call ended, one of the published vocabulary "
        "(`dialtone.endings.END_REASONS`, the README's end reasons): caller_hangup, "
        "agent_hangup, hangup, transferred, voicemail, busy, no_answer, declined, "
        "invalid_number, blocked, network_error, timeout, canceled, suppressed, error",
    )
    from_number: str | None = None
    to_number: str | None = None
    phone_number: str | None = None
    agent_id: str | None = None
    agent_name: str | None = None
    batch_id: str | None = None
    twilio_call_sid: str | None = None
    livekit_room_id: str | None = None
    start_time: Timestamp
    end_time: Timestamp | None = None
    duration_seconds: float | None = None
    recording_url: str | None = None
    recording_duration_seconds: float | None = None
    recording_size_bytes: int | None = None
    recording_format: str | None = None
    recording_channels: int | None = None
    # Why the latest upload was not kept as the call's recording (not audio, wrong format, ...).
    recording_error: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    analysis: CallAnalysis | None = None
    cost: CallCost | None = None
    latency: CallLatency | None = None
    provider_usage: dict[str, Any] = Field(default_factory=dict)
    grade_score: float | None = None
    # `not_graded` until the first grade (dialtone.quality.NOT_GRADED): never shown as a pass.
    grade_status: str = "not_graded"
    grade_updated_at: Timestamp | None = None
    issue_count: int = 0
    critical_issue_count: int = 0
    is_test_call: bool = False
    # Transcripts and history are redacted before storage and no recording is kept.
    opt_out_sensitive_data_storage: bool = False
    queued_at: Timestamp | None = Field(
        default=None, description="Outbound: when the API accepted the call and queued it"
    )
    dial_slot_at: Timestamp | None = Field(
        default=None,
        description="Outbound: the moment the telephony account's rate limiter gave the call "
        "to place it (its calls-per-second slot)",
    )
    dialed_at: Timestamp | None = Field(
        default=None,
        description="Outbound: when the request to the telephony provider left (the send gate "
        "passed), within milliseconds of `dial_slot_at` unless the dialer woke late",
    )
    queue_time_ms: int | None = Field(
        default=None,
        description="Outbound: `dialed_at` - `queued_at` in milliseconds, the time the call "
        "waited to be dialed (backlog, calling window, retries); null until dialed",
    )
    sip_response_code: int | None = Field(
        default=None,
        description="The final SIP response code the provider reported (200 answered, 486 busy, "
        "487 canceled after ringing, 404 unknown number, 603 declined, ...), as sent",
    )
    q850_cause: int | None = Field(
        default=None,
        description="The ISDN Q.850 cause code of the hang-up (16 normal clearing, 17 busy, 19 "
        "no answer, 21 rejected, 1 unallocated number, ...), where the provider reports one",
    )
    answered_by: str | None = Field(
        default=None,
        description="Who answered, from the provider's answering machine detection: human, "
        "machine_start, machine_end_beep, machine_end_silence, machine_end_other, fax, unknown",
    )
    error_reason: str | None = None
    call_sid: str | None = None
    queue_position: int | None = None
    dial_at_estimate: Timestamp | None = None
    created_at: Timestamp
    updated_at: Timestamp


class HistoryEventType(StrEnum):
    SPAN = "span"
    COMPLETION = "completion"
    FUNCTION_CALL = "function_call"
    FUNCTION_RESPONSE = "function_response"
    INTERRUPT = "interrupt"
    ACKNOWLEDGEMENT = "acknowledgement"
    # Lifecycle events: they also move the call's status and outcome.
    STARTED = "started"
    ENDED = "ended"
    ESCALATED = "escalated"
    # A correction of an earlier event (`target_event_id`): its `changes` replace fields of it.
    PATCH = "patch"


# The fields of an event a patch may change.
PATCHABLE_FIELDS = frozenset(
    {"name", "text", "arguments", "result", "duration_ms", "ttfb_ms", "attributes"}
)


LIFECYCLE_EVENTS = frozenset(
    {HistoryEventType.STARTED, HistoryEventType.ENDED, HistoryEventType.ESCALATED}
)


class HistoryEvent(ApiModel):
    """One structured event of a call: what happened, when, how long it took and how soon its
    first byte came (`ttfb_ms`)."""

    event_id: str
    type: HistoryEventType
    timestamp: Timestamp
    # A span's name (`stt`, `llm`, `tts`, `e2e`, `turn`, ...), a function's name, a model's name.
    name: str | None = None
    duration_ms: float | None = None
    ttfb_ms: float | None = None
    # What was said or generated (completion, interrupt, acknowledgement).
    text: str | None = None
    arguments: dict[str, Any] | None = None
    result: Any = None
    # Lifecycle: the status and outcome an `ended` event closes the call with, and why.
    status: CallStatus | None = None
    outcome: CallOutcome | None = None
    reason: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    # A patch: the event it corrects, and the fields it replaces there.
    target_event_id: str | None = Field(default=None, exclude_if=lambda v: v is None)
    changes: dict[str, Any] | None = Field(default=None, exclude_if=lambda v: v is None)
    # An event a patch corrected: the patches, in the order applied.
    patched_by: list[str] = Field(default_factory=list, exclude_if=lambda v: not v)


def apply_patches(events: list[HistoryEvent]) -> list[HistoryEvent]:
    """The events (in time order) with each `patch` applied to the earlier event it targets:
    its `changes` replace those fields, and the event lists the patch in `patched_by`. The
    patches stay in the list, so the history keeps what was corrected; a patch of an event the
    call does not have changes nothing."""
    position = {event.event_id: n for n, event in enumerate(events)}
    corrected = list(events)
    for event in events:
        n = position.get(event.target_event_id or "")
        if event.type is not HistoryEventType.PATCH or n is None:
            continue
        target = corrected[n]
        values = {**target.model_dump(), **(event.changes or {})}
        values["patched_by"] = [*target.patched_by, event.event_id]
        corrected[n] = HistoryEvent.model_validate(values)
    return corrected
