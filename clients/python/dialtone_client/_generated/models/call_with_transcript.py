from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.call_outcome import CallOutcome
from ..models.call_status import CallStatus
from ..models.direction import Direction
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.call_analysis import CallAnalysis
  from ..models.call_cost import CallCost
  from ..models.call_latency import CallLatency
  from ..models.call_with_transcript_metadata import CallWithTranscriptMetadata
  from ..models.call_with_transcript_provider_usage import CallWithTranscriptProviderUsage
  from ..models.exchange import Exchange





T = TypeVar("T", bound="CallWithTranscript")



@_attrs_define
class CallWithTranscript:
    """ 
        Attributes:
            created_at (str):
            direction (Direction):
            id (str):
            start_time (str):
            status (CallStatus):
            updated_at (str):
            agent_id (None | str | Unset):
            agent_name (None | str | Unset):
            analysis (CallAnalysis | None | Unset):
            answered_by (None | str | Unset): Who answered, from the provider's answering machine detection: human,
                machine_start, machine_end_beep, machine_end_silence, machine_end_other, fax, unknown
            batch_id (None | str | Unset):
            call_sid (None | str | Unset):
            cost (CallCost | None | Unset):
            critical_issue_count (int | Unset):  Default: 0.
            dial_at_estimate (None | str | Unset):
            dial_slot_at (None | str | Unset): Outbound: the moment the telephony account's rate limiter gave the call to
                place it (its calls-per-second slot)
            dialed_at (None | str | Unset): Outbound: when the request to the telephony provider left (the send gate
                passed), within milliseconds of `dial_slot_at` unless the dialer woke late
            duration_seconds (float | None | Unset):
            end_reason (None | str | Unset): Why the call ended, one of the published vocabulary
                (`dialtone.endings.END_REASONS`, the README's end reasons): caller_hangup, agent_hangup, hangup, transferred,
                voicemail, busy, no_answer, declined, invalid_number, blocked, network_error, timeout, canceled, suppressed,
                error
            end_time (None | str | Unset):
            error_reason (None | str | Unset):
            from_number (None | str | Unset):
            grade_score (float | None | Unset):
            grade_status (str | Unset):  Default: 'not_graded'.
            grade_updated_at (None | str | Unset):
            is_test_call (bool | Unset):  Default: False.
            issue_count (int | Unset):  Default: 0.
            latency (CallLatency | None | Unset):
            livekit_room_id (None | str | Unset):
            metadata (CallWithTranscriptMetadata | Unset):
            opt_out_sensitive_data_storage (bool | Unset):  Default: False.
            outcome (CallOutcome | None | Unset):
            phone_number (None | str | Unset):
            provider_usage (CallWithTranscriptProviderUsage | Unset):
            q850_cause (int | None | Unset): The ISDN Q.850 cause code of the hang-up (16 normal clearing, 17 busy, 19 no
                answer, 21 rejected, 1 unallocated number, ...), where the provider reports one
            queue_position (int | None | Unset):
            queue_time_ms (int | None | Unset): Outbound: `dialed_at` - `queued_at` in milliseconds, the time the call
                waited to be dialed (backlog, calling window, retries); null until dialed
            queued_at (None | str | Unset): Outbound: when the API accepted the call and queued it
            recording_channels (int | None | Unset):
            recording_duration_seconds (float | None | Unset):
            recording_error (None | str | Unset):
            recording_format (None | str | Unset):
            recording_size_bytes (int | None | Unset):
            recording_url (None | str | Unset):
            sip_response_code (int | None | Unset): The final SIP response code the provider reported (200 answered, 486
                busy, 487 canceled after ringing, 404 unknown number, 603 declined, ...), as sent
            to_number (None | str | Unset):
            transcript (list[Exchange] | Unset):
            transcript_truncated (bool | Unset):  Default: False.
            twilio_call_sid (None | str | Unset):
     """

    created_at: str
    direction: Direction
    id: str
    start_time: str
    status: CallStatus
    updated_at: str
    agent_id: None | str | Unset = UNSET
    agent_name: None | str | Unset = UNSET
    analysis: CallAnalysis | None | Unset = UNSET
    answered_by: None | str | Unset = UNSET
    batch_id: None | str | Unset = UNSET
    call_sid: None | str | Unset = UNSET
    cost: CallCost | None | Unset = UNSET
    critical_issue_count: int | Unset = 0
    dial_at_estimate: None | str | Unset = UNSET
    dial_slot_at: None | str | Unset = UNSET
    dialed_at: None | str | Unset = UNSET
    duration_seconds: float | None | Unset = UNSET
    end_reason: None | str | Unset = UNSET
    end_time: None | str | Unset = UNSET
    error_reason: None | str | Unset = UNSET
    from_number: None | str | Unset = UNSET
    grade_score: float | None | Unset = UNSET
    grade_status: str | Unset = 'not_graded'
    grade_updated_at: None | str | Unset = UNSET
    is_test_call: bool | Unset = False
    issue_count: int | Unset = 0
    latency: CallLatency | None | Unset = UNSET
    livekit_room_id: None | str | Unset = UNSET
    metadata: CallWithTranscriptMetadata | Unset = UNSET
    opt_out_sensitive_data_storage: bool | Unset = False
    outcome: CallOutcome | None | Unset = UNSET
    phone_number: None | str | Unset = UNSET
    provider_usage: CallWithTranscriptProviderUsage | Unset = UNSET
    q850_cause: int | None | Unset = UNSET
    queue_position: int | None | Unset = UNSET
    queue_time_ms: int | None | Unset = UNSET
    queued_at: None | str | Unset = UNSET
    recording_channels: int | None | Unset = UNSET
    recording_duration_seconds: float | None | Unset = UNSET
    recording_error: None | str | Unset = UNSET
    recording_format: None | str | Unset = UNSET
    recording_size_bytes: int | None | Unset = UNSET
    recording_url: None | str | Unset = UNSET
    sip_response_code: int | None | Unset = UNSET
    to_number: None | str | Unset = UNSET
    transcript: list[Exchange] | Unset = UNSET
    transcript_truncated: bool | Unset = False
    twilio_call_sid: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.call_analysis import CallAnalysis # noqa: PLC0415
        from ..models.call_cost import CallCost # noqa: PLC0415
        from ..models.call_latency import CallLatency # noqa: PLC0415
        from ..models.call_with_transcript_metadata import CallWithTranscriptMetadata # noqa: PLC0415
        from ..models.call_with_transcript_provider_usage import CallWithTranscriptProviderUsage # noqa: PLC0415
        from ..models.exchange import Exchange # noqa: PLC0415
        created_at = self.created_at

        direction = self.direction.value

        id = self.id

        start_time = self.start_time

        status = self.status.value

        updated_at = self.updated_at

        agent_id: None | str | Unset
        if isinstance(self.agent_id, Unset):
            agent_id = UNSET
        else:
            agent_id = self.agent_id

        agent_name: None | str | Unset
        if isinstance(self.agent_name, Unset):
            agent_name = UNSET
        else:
            agent_name = self.agent_name

        analysis: dict[str, Any] | None | Unset
        if isinstance(self.analysis, Unset):
            analysis = UNSET
        elif isinstance(self.analysis, CallAnalysis):
            analysis = self.analysis.to_dict()
        else:
            analysis = self.analysis

        answered_by: None | str | Unset
        if isinstance(self.answered_by, Unset):
            answered_by = UNSET
        else:
            answered_by = self.answered_by

        batch_id: None | str | Unset
        if isinstance(self.batch_id, Unset):
            batch_id = UNSET
        else:
            batch_id = self.batch_id

        call_sid: None | str | Unset
        if isinstance(self.call_sid, Unset):
            call_sid = UNSET
        else:
            call_sid = self.call_sid

        cost: dict[str, Any] | None | Unset
        if isinstance(self.cost, Unset):
            cost = UNSET
        elif isinstance(self.cost, CallCost):
            cost = self.cost.to_dict()
        else:
            cost = self.cost

        critical_issue_count = self.critical_issue_count

        dial_at_estimate: None | str | Unset
        if isinstance(self.dial_at_estimate, Unset):
            dial_at_estimate = UNSET
        else:
            dial_at_estimate = self.dial_at_estimate

        dial_slot_at: None | str | Unset
        if isinstance(self.dial_slot_at, Unset):
            dial_slot_at = UNSET
        else:
            dial_slot_at = self.dial_slot_at

        dialed_at: None | str | Unset
        if isinstance(self.dialed_at, Unset):
            dialed_at = UNSET
        else:
            dialed_at = self.dialed_at

        duration_seconds: float | None | Unset
        if isinstance(self.duration_seconds, Unset):
            duration_seconds = UNSET
        else:
            duration_seconds = self.duration_seconds

        end_reason: None | str | Unset
        if isinstance(self.end_reason, Unset):
            end_reason = UNSET
        else:
            end_reason = self.end_reason

        end_time: None | str | Unset
        if isinstance(self.end_time, Unset):
            end_time = UNSET
        else:
            end_time = self.end_time

        error_reason: None | str | Unset
        if isinstance(self.error_reason, Unset):
            error_reason = UNSET
        else:
            error_reason = self.error_reason

        from_number: None | str | Unset
        if isinstance(self.from_number, Unset):
            from_number = UNSET
        else:
            from_number = self.from_number

        grade_score: float | None | Unset
        if isinstance(self.grade_score, Unset):
            grade_score = UNSET
        else:
            grade_score = self.grade_score

        grade_status = self.grade_status

        grade_updated_at: None | str | Unset
        if isinstance(self.grade_updated_at, Unset):
            grade_updated_at = UNSET
        else:
            grade_updated_at = self.grade_updated_at

        is_test_call = self.is_test_call

        issue_count = self.issue_count

        latency: dict[str, Any] | None | Unset
        if isinstance(self.latency, Unset):
            latency = UNSET
        elif isinstance(self.latency, CallLatency):
            latency = self.latency.to_dict()
        else:
            latency = self.latency

        livekit_room_id: None | str | Unset
        if isinstance(self.livekit_room_id, Unset):
            livekit_room_id = UNSET
        else:
            livekit_room_id = self.livekit_room_id

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        opt_out_sensitive_data_storage = self.opt_out_sensitive_data_storage

        outcome: None | str | Unset
        if isinstance(self.outcome, Unset):
            outcome = UNSET
        elif isinstance(self.outcome, CallOutcome):
            outcome = self.outcome.value
        else:
            outcome = self.outcome

        phone_number: None | str | Unset
        if isinstance(self.phone_number, Unset):
            phone_number = UNSET
        else:
            phone_number = self.phone_number

        provider_usage: dict[str, Any] | Unset = UNSET
        if not isinstance(self.provider_usage, Unset):
            provider_usage = self.provider_usage.to_dict()

        q850_cause: int | None | Unset
        if isinstance(self.q850_cause, Unset):
            q850_cause = UNSET
        else:
            q850_cause = self.q850_cause

        queue_position: int | None | Unset
        if isinstance(self.queue_position, Unset):
            queue_position = UNSET
        else:
            queue_position = self.queue_position

        queue_time_ms: int | None | Unset
        if isinstance(self.queue_time_ms, Unset):
            queue_time_ms = UNSET
        else:
            queue_time_ms = self.queue_time_ms

        queued_at: None | str | Unset
        if isinstance(self.queued_at, Unset):
            queued_at = UNSET
        else:
            queued_at = self.queued_at

        recording_channels: int | None | Unset
        if isinstance(self.recording_channels, Unset):
            recording_channels = UNSET
        else:
            recording_channels = self.recording_channels

        recording_duration_seconds: float | None | Unset
        if isinstance(self.recording_duration_seconds, Unset):
            recording_duration_seconds = UNSET
        else:
            recording_duration_seconds = self.recording_duration_seconds

        recording_error: None | str | Unset
        if isinstance(self.recording_error, Unset):
            recording_error = UNSET
        else:
            recording_error = self.recording_error

        recording_format: None | str | Unset
        if isinstance(self.recording_format, Unset):
            recording_format = UNSET
        else:
            recording_format = self.recording_format

        recording_size_bytes: int | None | Unset
        if isinstance(self.recording_size_bytes, Unset):
            recording_size_bytes = UNSET
        else:
            recording_size_bytes = self.recording_size_bytes

        recording_url: None | str | Unset
        if isinstance(self.recording_url, Unset):
            recording_url = UNSET
        else:
            recording_url = self.recording_url

        sip_response_code: int | None | Unset
        if isinstance(self.sip_response_code, Unset):
            sip_response_code = UNSET
        else:
            sip_response_code = self.sip_response_code

        to_number: None | str | Unset
        if isinstance(self.to_number, Unset):
            to_number = UNSET
        else:
            to_number = self.to_number

        transcript: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.transcript, Unset):
            transcript = []
            for transcript_item_data in self.transcript:
                transcript_item = transcript_item_data.to_dict()
                transcript.append(transcript_item)



        transcript_truncated = self.transcript_truncated

        twilio_call_sid: None | str | Unset
        if isinstance(self.twilio_call_sid, Unset):
            twilio_call_sid = UNSET
        else:
            twilio_call_sid = self.twilio_call_sid


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "created_at": created_at,
            "direction": direction,
            "id": id,
            "start_time": start_time,
            "status": status,
            "updated_at": updated_at,
        })
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id
        if agent_name is not UNSET:
            field_dict["agent_name"] = agent_name
        if analysis is not UNSET:
            field_dict["analysis"] = analysis
        if answered_by is not UNSET:
            field_dict["answered_by"] = answered_by
        if batch_id is not UNSET:
            field_dict["batch_id"] = batch_id
        if call_sid is not UNSET:
            field_dict["call_sid"] = call_sid
        if cost is not UNSET:
            field_dict["cost"] = cost
        if critical_issue_count is not UNSET:
            field_dict["critical_issue_count"] = critical_issue_count
        if dial_at_estimate is not UNSET:
            field_dict["dial_at_estimate"] = dial_at_estimate
        if dial_slot_at is not UNSET:
            field_dict["dial_slot_at"] = dial_slot_at
        if dialed_at is not UNSET:
            field_dict["dialed_at"] = dialed_at
        if duration_seconds is not UNSET:
            field_dict["duration_seconds"] = duration_seconds
        if end_reason is not UNSET:
            field_dict["end_reason"] = end_reason
        if end_time is not UNSET:
            field_dict["end_time"] = end_time
        if error_reason is not UNSET:
            field_dict["error_reason"] = error_reason
        if from_number is not UNSET:
            field_dict["from_number"] = from_number
        if grade_score is not UNSET:
            field_dict["grade_score"] = grade_score
        if grade_status is not UNSET:
            field_dict["grade_status"] = grade_status
        if grade_updated_at is not UNSET:
            field_dict["grade_updated_at"] = grade_updated_at
        if is_test_call is not UNSET:
            field_dict["is_test_call"] = is_test_call
        if issue_count is not UNSET:
            field_dict["issue_count"] = issue_count
        if latency is not UNSET:
            field_dict["latency"] = latency
        if livekit_room_id is not UNSET:
            field_dict["livekit_room_id"] = livekit_room_id
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if opt_out_sensitive_data_storage is not UNSET:
            field_dict["opt_out_sensitive_data_storage"] = opt_out_sensitive_data_storage
        if outcome is not UNSET:
            field_dict["outcome"] = outcome
        if phone_number is not UNSET:
            field_dict["phone_number"] = phone_number
        if provider_usage is not UNSET:
            field_dict["provider_usage"] = provider_usage
        if q850_cause is not UNSET:
            field_dict["q850_cause"] = q850_cause
        if queue_position is not UNSET:
            field_dict["queue_position"] = queue_position
        if queue_time_ms is not UNSET:
            field_dict["queue_time_ms"] = queue_time_ms
        if queued_at is not UNSET:
            field_dict["queued_at"] = queued_at
        if recording_channels is not UNSET:
            field_dict["recording_channels"] = recording_channels
        if recording_duration_seconds is not UNSET:
            field_dict["recording_duration_seconds"] = recording_duration_seconds
        if recording_error is not UNSET:
            field_dict["recording_error"] = recording_error
        if recording_format is not UNSET:
            field_dict["recording_format"] = recording_format
        if recording_size_bytes is not UNSET:
            field_dict["recording_size_bytes"] = recording_size_bytes
        if recording_url is not UNSET:
            field_dict["recording_url"] = recording_url
        if sip_response_code is not UNSET:
            field_dict["sip_response_code"] = sip_response_code
        if to_number is not UNSET:
            field_dict["to_number"] = to_number
        if transcript is not UNSET:
            field_dict["transcript"] = transcript
        if transcript_truncated is not UNSET:
            field_dict["transcript_truncated"] = transcript_truncated
        if twilio_call_sid is not UNSET:
            field_dict["twilio_call_sid"] = twilio_call_sid

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.call_analysis import CallAnalysis # noqa: PLC0415
        from ..models.call_cost import CallCost # noqa: PLC0415
        from ..models.call_latency import CallLatency # noqa: PLC0415
        from ..models.call_with_transcript_metadata import CallWithTranscriptMetadata # noqa: PLC0415
        from ..models.call_with_transcript_provider_usage import CallWithTranscriptProviderUsage # noqa: PLC0415
        from ..models.exchange import Exchange # noqa: PLC0415
        d = dict(src_dict)
        created_at = d.pop("created_at")

        direction = Direction(d.pop("direction"))




        id = d.pop("id")

        start_time = d.pop("start_time")

        status = CallStatus(d.pop("status"))




        updated_at = d.pop("updated_at")

        def _parse_agent_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent_id = _parse_agent_id(d.pop("agent_id", UNSET))


        def _parse_agent_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent_name = _parse_agent_name(d.pop("agent_name", UNSET))


        def _parse_analysis(data: object) -> CallAnalysis | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                analysis_type_0 = CallAnalysis.from_dict(data)



                return analysis_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CallAnalysis | None | Unset, data)

        analysis = _parse_analysis(d.pop("analysis", UNSET))


        def _parse_answered_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        answered_by = _parse_answered_by(d.pop("answered_by", UNSET))


        def _parse_batch_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        batch_id = _parse_batch_id(d.pop("batch_id", UNSET))


        def _parse_call_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        call_sid = _parse_call_sid(d.pop("call_sid", UNSET))


        def _parse_cost(data: object) -> CallCost | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                cost_type_0 = CallCost.from_dict(data)



                return cost_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CallCost | None | Unset, data)

        cost = _parse_cost(d.pop("cost", UNSET))


        critical_issue_count = d.pop("critical_issue_count", UNSET)

        def _parse_dial_at_estimate(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dial_at_estimate = _parse_dial_at_estimate(d.pop("dial_at_estimate", UNSET))


        def _parse_dial_slot_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dial_slot_at = _parse_dial_slot_at(d.pop("dial_slot_at", UNSET))


        def _parse_dialed_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dialed_at = _parse_dialed_at(d.pop("dialed_at", UNSET))


        def _parse_duration_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        duration_seconds = _parse_duration_seconds(d.pop("duration_seconds", UNSET))


        def _parse_end_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        end_reason = _parse_end_reason(d.pop("end_reason", UNSET))


        def _parse_end_time(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        end_time = _parse_end_time(d.pop("end_time", UNSET))


        def _parse_error_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error_reason = _parse_error_reason(d.pop("error_reason", UNSET))


        def _parse_from_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        from_number = _parse_from_number(d.pop("from_number", UNSET))


        def _parse_grade_score(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        grade_score = _parse_grade_score(d.pop("grade_score", UNSET))


        grade_status = d.pop("grade_status", UNSET)

        def _parse_grade_updated_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        grade_updated_at = _parse_grade_updated_at(d.pop("grade_updated_at", UNSET))


        is_test_call = d.pop("is_test_call", UNSET)

        issue_count = d.pop("issue_count", UNSET)

        def _parse_latency(data: object) -> CallLatency | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                latency_type_0 = CallLatency.from_dict(data)



                return latency_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CallLatency | None | Unset, data)

        latency = _parse_latency(d.pop("latency", UNSET))


        def _parse_livekit_room_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        livekit_room_id = _parse_livekit_room_id(d.pop("livekit_room_id", UNSET))


        _metadata = d.pop("metadata", UNSET)
        metadata: CallWithTranscriptMetadata | Unset
        if isinstance(_metadata,  Unset):
            metadata = UNSET
        else:
            metadata = CallWithTranscriptMetadata.from_dict(_metadata)




        opt_out_sensitive_data_storage = d.pop("opt_out_sensitive_data_storage", UNSET)

        def _parse_outcome(data: object) -> CallOutcome | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                outcome_type_0 = CallOutcome(data)



                return outcome_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CallOutcome | None | Unset, data)

        outcome = _parse_outcome(d.pop("outcome", UNSET))


        def _parse_phone_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        phone_number = _parse_phone_number(d.pop("phone_number", UNSET))


        _provider_usage = d.pop("provider_usage", UNSET)
        provider_usage: CallWithTranscriptProviderUsage | Unset
        if isinstance(_provider_usage,  Unset):
            provider_usage = UNSET
        else:
            provider_usage = CallWithTranscriptProviderUsage.from_dict(_provider_usage)




        def _parse_q850_cause(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        q850_cause = _parse_q850_cause(d.pop("q850_cause", UNSET))


        def _parse_queue_position(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        queue_position = _parse_queue_position(d.pop("queue_position", UNSET))


        def _parse_queue_time_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        queue_time_ms = _parse_queue_time_ms(d.pop("queue_time_ms", UNSET))


        def _parse_queued_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        queued_at = _parse_queued_at(d.pop("queued_at", UNSET))


        def _parse_recording_channels(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        recording_channels = _parse_recording_channels(d.pop("recording_channels", UNSET))


        def _parse_recording_duration_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        recording_duration_seconds = _parse_recording_duration_seconds(d.pop("recording_duration_seconds", UNSET))


        def _parse_recording_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recording_error = _parse_recording_error(d.pop("recording_error", UNSET))


        def _parse_recording_format(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recording_format = _parse_recording_format(d.pop("recording_format", UNSET))


        def _parse_recording_size_bytes(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        recording_size_bytes = _parse_recording_size_bytes(d.pop("recording_size_bytes", UNSET))


        def _parse_recording_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recording_url = _parse_recording_url(d.pop("recording_url", UNSET))


        def _parse_sip_response_code(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        sip_response_code = _parse_sip_response_code(d.pop("sip_response_code", UNSET))


        def _parse_to_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        to_number = _parse_to_number(d.pop("to_number", UNSET))


        _transcript = d.pop("transcript", UNSET)
        transcript: list[Exchange] | Unset = UNSET
        if _transcript is not UNSET:
            transcript = []
            for transcript_item_data in _transcript:
                transcript_item = Exchange.from_dict(transcript_item_data)



                transcript.append(transcript_item)


        transcript_truncated = d.pop("transcript_truncated", UNSET)

        def _parse_twilio_call_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        twilio_call_sid = _parse_twilio_call_sid(d.pop("twilio_call_sid", UNSET))


        call_with_transcript = cls(
            created_at=created_at,
            direction=direction,
            id=id,
            start_time=start_time,
            status=status,
            updated_at=updated_at,
            agent_id=agent_id,
            agent_name=agent_name,
            analysis=analysis,
            answered_by=answered_by,
            batch_id=batch_id,
            call_sid=call_sid,
            cost=cost,
            critical_issue_count=critical_issue_count,
            dial_at_estimate=dial_at_estimate,
            dial_slot_at=dial_slot_at,
            dialed_at=dialed_at,
            duration_seconds=duration_seconds,
            end_reason=end_reason,
            end_time=end_time,
            error_reason=error_reason,
            from_number=from_number,
            grade_score=grade_score,
            grade_status=grade_status,
            grade_updated_at=grade_updated_at,
            is_test_call=is_test_call,
            issue_count=issue_count,
            latency=latency,
            livekit_room_id=livekit_room_id,
            metadata=metadata,
            opt_out_sensitive_data_storage=opt_out_sensitive_data_storage,
            outcome=outcome,
            phone_number=phone_number,
            provider_usage=provider_usage,
            q850_cause=q850_cause,
            queue_position=queue_position,
            queue_time_ms=queue_time_ms,
            queued_at=queued_at,
            recording_channels=recording_channels,
            recording_duration_seconds=recording_duration_seconds,
            recording_error=recording_error,
            recording_format=recording_format,
            recording_size_bytes=recording_size_bytes,
            recording_url=recording_url,
            sip_response_code=sip_response_code,
            to_number=to_number,
            transcript=transcript,
            transcript_truncated=transcript_truncated,
            twilio_call_sid=twilio_call_sid,
        )


        call_with_transcript.additional_properties = d
        return call_with_transcript

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
