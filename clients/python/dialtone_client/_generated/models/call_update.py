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
import datetime

if TYPE_CHECKING:
  from ..models.call_analysis import CallAnalysis
  from ..models.call_cost import CallCost
  from ..models.call_latency import CallLatency
  from ..models.call_update_metadata_type_0 import CallUpdateMetadataType0
  from ..models.call_update_provider_usage_type_0 import CallUpdateProviderUsageType0





T = TypeVar("T", bound="CallUpdate")



@_attrs_define
class CallUpdate:
    """ `PUT /v1/calls/{call_id}`: the fields the runtime reports; only those sent change.

    `metadata`, `provider_usage` and `analysis` merge key by key (a key sent as null is
    removed); other fields are replaced, or cleared by an explicit null.

        Attributes:
            agent_id (None | str | Unset):
            agent_name (None | str | Unset):
            analysis (CallAnalysis | None | Unset):
            answered_by (None | str | Unset):
            cost (CallCost | None | Unset):
            direction (Direction | None | Unset):
            duration_seconds (float | None | Unset):
            end_reason (None | str | Unset):
            end_time (datetime.datetime | None | Unset):
            error_reason (None | str | Unset):
            from_number (None | str | Unset):
            is_test_call (bool | None | Unset):
            latency (CallLatency | None | Unset):
            livekit_room_id (None | str | Unset):
            metadata (CallUpdateMetadataType0 | None | Unset):
            opt_out_sensitive_data_storage (bool | None | Unset):
            outcome (CallOutcome | None | Unset):
            phone_number (None | str | Unset):
            provider_usage (CallUpdateProviderUsageType0 | None | Unset):
            q850_cause (int | None | Unset):
            sip_response_code (int | None | Unset):
            start_time (datetime.datetime | None | Unset):
            status (CallStatus | None | Unset):
            to_number (None | str | Unset):
            twilio_call_sid (None | str | Unset):
     """

    agent_id: None | str | Unset = UNSET
    agent_name: None | str | Unset = UNSET
    analysis: CallAnalysis | None | Unset = UNSET
    answered_by: None | str | Unset = UNSET
    cost: CallCost | None | Unset = UNSET
    direction: Direction | None | Unset = UNSET
    duration_seconds: float | None | Unset = UNSET
    end_reason: None | str | Unset = UNSET
    end_time: datetime.datetime | None | Unset = UNSET
    error_reason: None | str | Unset = UNSET
    from_number: None | str | Unset = UNSET
    is_test_call: bool | None | Unset = UNSET
    latency: CallLatency | None | Unset = UNSET
    livekit_room_id: None | str | Unset = UNSET
    metadata: CallUpdateMetadataType0 | None | Unset = UNSET
    opt_out_sensitive_data_storage: bool | None | Unset = UNSET
    outcome: CallOutcome | None | Unset = UNSET
    phone_number: None | str | Unset = UNSET
    provider_usage: CallUpdateProviderUsageType0 | None | Unset = UNSET
    q850_cause: int | None | Unset = UNSET
    sip_response_code: int | None | Unset = UNSET
    start_time: datetime.datetime | None | Unset = UNSET
    status: CallStatus | None | Unset = UNSET
    to_number: None | str | Unset = UNSET
    twilio_call_sid: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.call_analysis import CallAnalysis # noqa: PLC0415
        from ..models.call_cost import CallCost # noqa: PLC0415
        from ..models.call_latency import CallLatency # noqa: PLC0415
        from ..models.call_update_metadata_type_0 import CallUpdateMetadataType0 # noqa: PLC0415
        from ..models.call_update_provider_usage_type_0 import CallUpdateProviderUsageType0 # noqa: PLC0415
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

        cost: dict[str, Any] | None | Unset
        if isinstance(self.cost, Unset):
            cost = UNSET
        elif isinstance(self.cost, CallCost):
            cost = self.cost.to_dict()
        else:
            cost = self.cost

        direction: None | str | Unset
        if isinstance(self.direction, Unset):
            direction = UNSET
        elif isinstance(self.direction, Direction):
            direction = self.direction.value
        else:
            direction = self.direction

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
        elif isinstance(self.end_time, datetime.datetime):
            end_time = self.end_time.isoformat()
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

        is_test_call: bool | None | Unset
        if isinstance(self.is_test_call, Unset):
            is_test_call = UNSET
        else:
            is_test_call = self.is_test_call

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

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, CallUpdateMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        opt_out_sensitive_data_storage: bool | None | Unset
        if isinstance(self.opt_out_sensitive_data_storage, Unset):
            opt_out_sensitive_data_storage = UNSET
        else:
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

        provider_usage: dict[str, Any] | None | Unset
        if isinstance(self.provider_usage, Unset):
            provider_usage = UNSET
        elif isinstance(self.provider_usage, CallUpdateProviderUsageType0):
            provider_usage = self.provider_usage.to_dict()
        else:
            provider_usage = self.provider_usage

        q850_cause: int | None | Unset
        if isinstance(self.q850_cause, Unset):
            q850_cause = UNSET
        else:
            q850_cause = self.q850_cause

        sip_response_code: int | None | Unset
        if isinstance(self.sip_response_code, Unset):
            sip_response_code = UNSET
        else:
            sip_response_code = self.sip_response_code

        start_time: None | str | Unset
        if isinstance(self.start_time, Unset):
            start_time = UNSET
        elif isinstance(self.start_time, datetime.datetime):
            start_time = self.start_time.isoformat()
        else:
            start_time = self.start_time

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, CallStatus):
            status = self.status.value
        else:
            status = self.status

        to_number: None | str | Unset
        if isinstance(self.to_number, Unset):
            to_number = UNSET
        else:
            to_number = self.to_number

        twilio_call_sid: None | str | Unset
        if isinstance(self.twilio_call_sid, Unset):
            twilio_call_sid = UNSET
        else:
            twilio_call_sid = self.twilio_call_sid


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id
        if agent_name is not UNSET:
            field_dict["agent_name"] = agent_name
        if analysis is not UNSET:
            field_dict["analysis"] = analysis
        if answered_by is not UNSET:
            field_dict["answered_by"] = answered_by
        if cost is not UNSET:
            field_dict["cost"] = cost
        if direction is not UNSET:
            field_dict["direction"] = direction
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
        if is_test_call is not UNSET:
            field_dict["is_test_call"] = is_test_call
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
        if sip_response_code is not UNSET:
            field_dict["sip_response_code"] = sip_response_code
        if start_time is not UNSET:
            field_dict["start_time"] = start_time
        if status is not UNSET:
            field_dict["status"] = status
        if to_number is not UNSET:
            field_dict["to_number"] = to_number
        if twilio_call_sid is not UNSET:
            field_dict["twilio_call_sid"] = twilio_call_sid

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.call_analysis import CallAnalysis # noqa: PLC0415
        from ..models.call_cost import CallCost # noqa: PLC0415
        from ..models.call_latency import CallLatency # noqa: PLC0415
        from ..models.call_update_metadata_type_0 import CallUpdateMetadataType0 # noqa: PLC0415
        from ..models.call_update_provider_usage_type_0 import CallUpdateProviderUsageType0 # noqa: PLC0415
        d = dict(src_dict)
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


        def _parse_direction(data: object) -> Direction | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                direction_type_0 = Direction(data)



                return direction_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Direction | None | Unset, data)

        direction = _parse_direction(d.pop("direction", UNSET))


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


        def _parse_end_time(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                end_time_type_0 = datetime.datetime.fromisoformat(data)



                return end_time_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

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


        def _parse_is_test_call(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        is_test_call = _parse_is_test_call(d.pop("is_test_call", UNSET))


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


        def _parse_metadata(data: object) -> CallUpdateMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = CallUpdateMetadataType0.from_dict(data)



                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CallUpdateMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))


        def _parse_opt_out_sensitive_data_storage(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        opt_out_sensitive_data_storage = _parse_opt_out_sensitive_data_storage(d.pop("opt_out_sensitive_data_storage", UNSET))


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


        def _parse_provider_usage(data: object) -> CallUpdateProviderUsageType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                provider_usage_type_0 = CallUpdateProviderUsageType0.from_dict(data)



                return provider_usage_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CallUpdateProviderUsageType0 | None | Unset, data)

        provider_usage = _parse_provider_usage(d.pop("provider_usage", UNSET))


        def _parse_q850_cause(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        q850_cause = _parse_q850_cause(d.pop("q850_cause", UNSET))


        def _parse_sip_response_code(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        sip_response_code = _parse_sip_response_code(d.pop("sip_response_code", UNSET))


        def _parse_start_time(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                start_time_type_0 = datetime.datetime.fromisoformat(data)



                return start_time_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        start_time = _parse_start_time(d.pop("start_time", UNSET))


        def _parse_status(data: object) -> CallStatus | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = CallStatus(data)



                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CallStatus | None | Unset, data)

        status = _parse_status(d.pop("status", UNSET))


        def _parse_to_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        to_number = _parse_to_number(d.pop("to_number", UNSET))


        def _parse_twilio_call_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        twilio_call_sid = _parse_twilio_call_sid(d.pop("twilio_call_sid", UNSET))


        call_update = cls(
            agent_id=agent_id,
            agent_name=agent_name,
            analysis=analysis,
            answered_by=answered_by,
            cost=cost,
            direction=direction,
            duration_seconds=duration_seconds,
            end_reason=end_reason,
            end_time=end_time,
            error_reason=error_reason,
            from_number=from_number,
            is_test_call=is_test_call,
            latency=latency,
            livekit_room_id=livekit_room_id,
            metadata=metadata,
            opt_out_sensitive_data_storage=opt_out_sensitive_data_storage,
            outcome=outcome,
            phone_number=phone_number,
            provider_usage=provider_usage,
            q850_cause=q850_cause,
            sip_response_code=sip_response_code,
            start_time=start_time,
            status=status,
            to_number=to_number,
            twilio_call_sid=twilio_call_sid,
        )

        return call_update

