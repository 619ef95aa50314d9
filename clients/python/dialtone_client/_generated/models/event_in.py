from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.call_outcome import CallOutcome
from ..models.call_status import CallStatus
from ..models.history_event_type import HistoryEventType
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.event_in_arguments_type_0 import EventInArgumentsType0
  from ..models.event_in_attributes import EventInAttributes
  from ..models.patch_changes import PatchChanges





T = TypeVar("T", bound="EventIn")



@_attrs_define
class EventIn:
    """ One history or lifecycle event as the runtime sends it. `event_id` makes a retry a
    no-op; without one, an identical event is recognised by its content.

        Attributes:
            timestamp (datetime.datetime):
            type_ (HistoryEventType):
            arguments (EventInArgumentsType0 | None | Unset):
            attributes (EventInAttributes | Unset):
            changes (None | PatchChanges | Unset):
            duration_ms (float | None | Unset):
            event_id (None | str | Unset):
            name (None | str | Unset):
            outcome (CallOutcome | None | Unset):
            reason (None | str | Unset):
            result (Any | Unset):
            status (CallStatus | None | Unset):
            target_event_id (None | str | Unset):
            text (None | str | Unset):
            ttfb_ms (float | None | Unset):
     """

    timestamp: datetime.datetime
    type_: HistoryEventType
    arguments: EventInArgumentsType0 | None | Unset = UNSET
    attributes: EventInAttributes | Unset = UNSET
    changes: None | PatchChanges | Unset = UNSET
    duration_ms: float | None | Unset = UNSET
    event_id: None | str | Unset = UNSET
    name: None | str | Unset = UNSET
    outcome: CallOutcome | None | Unset = UNSET
    reason: None | str | Unset = UNSET
    result: Any | Unset = UNSET
    status: CallStatus | None | Unset = UNSET
    target_event_id: None | str | Unset = UNSET
    text: None | str | Unset = UNSET
    ttfb_ms: float | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.event_in_arguments_type_0 import EventInArgumentsType0 # noqa: PLC0415
        from ..models.event_in_attributes import EventInAttributes # noqa: PLC0415
        from ..models.patch_changes import PatchChanges # noqa: PLC0415
        timestamp = self.timestamp.isoformat()

        type_ = self.type_.value

        arguments: dict[str, Any] | None | Unset
        if isinstance(self.arguments, Unset):
            arguments = UNSET
        elif isinstance(self.arguments, EventInArgumentsType0):
            arguments = self.arguments.to_dict()
        else:
            arguments = self.arguments

        attributes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.attributes, Unset):
            attributes = self.attributes.to_dict()

        changes: dict[str, Any] | None | Unset
        if isinstance(self.changes, Unset):
            changes = UNSET
        elif isinstance(self.changes, PatchChanges):
            changes = self.changes.to_dict()
        else:
            changes = self.changes

        duration_ms: float | None | Unset
        if isinstance(self.duration_ms, Unset):
            duration_ms = UNSET
        else:
            duration_ms = self.duration_ms

        event_id: None | str | Unset
        if isinstance(self.event_id, Unset):
            event_id = UNSET
        else:
            event_id = self.event_id

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        outcome: None | str | Unset
        if isinstance(self.outcome, Unset):
            outcome = UNSET
        elif isinstance(self.outcome, CallOutcome):
            outcome = self.outcome.value
        else:
            outcome = self.outcome

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        result = self.result

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, CallStatus):
            status = self.status.value
        else:
            status = self.status

        target_event_id: None | str | Unset
        if isinstance(self.target_event_id, Unset):
            target_event_id = UNSET
        else:
            target_event_id = self.target_event_id

        text: None | str | Unset
        if isinstance(self.text, Unset):
            text = UNSET
        else:
            text = self.text

        ttfb_ms: float | None | Unset
        if isinstance(self.ttfb_ms, Unset):
            ttfb_ms = UNSET
        else:
            ttfb_ms = self.ttfb_ms


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "timestamp": timestamp,
            "type": type_,
        })
        if arguments is not UNSET:
            field_dict["arguments"] = arguments
        if attributes is not UNSET:
            field_dict["attributes"] = attributes
        if changes is not UNSET:
            field_dict["changes"] = changes
        if duration_ms is not UNSET:
            field_dict["duration_ms"] = duration_ms
        if event_id is not UNSET:
            field_dict["event_id"] = event_id
        if name is not UNSET:
            field_dict["name"] = name
        if outcome is not UNSET:
            field_dict["outcome"] = outcome
        if reason is not UNSET:
            field_dict["reason"] = reason
        if result is not UNSET:
            field_dict["result"] = result
        if status is not UNSET:
            field_dict["status"] = status
        if target_event_id is not UNSET:
            field_dict["target_event_id"] = target_event_id
        if text is not UNSET:
            field_dict["text"] = text
        if ttfb_ms is not UNSET:
            field_dict["ttfb_ms"] = ttfb_ms

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event_in_arguments_type_0 import EventInArgumentsType0 # noqa: PLC0415
        from ..models.event_in_attributes import EventInAttributes # noqa: PLC0415
        from ..models.patch_changes import PatchChanges # noqa: PLC0415
        d = dict(src_dict)
        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))




        type_ = HistoryEventType(d.pop("type"))




        def _parse_arguments(data: object) -> EventInArgumentsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                arguments_type_0 = EventInArgumentsType0.from_dict(data)



                return arguments_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EventInArgumentsType0 | None | Unset, data)

        arguments = _parse_arguments(d.pop("arguments", UNSET))


        _attributes = d.pop("attributes", UNSET)
        attributes: EventInAttributes | Unset
        if isinstance(_attributes,  Unset):
            attributes = UNSET
        else:
            attributes = EventInAttributes.from_dict(_attributes)




        def _parse_changes(data: object) -> None | PatchChanges | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                changes_type_0 = PatchChanges.from_dict(data)



                return changes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PatchChanges | Unset, data)

        changes = _parse_changes(d.pop("changes", UNSET))


        def _parse_duration_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        duration_ms = _parse_duration_ms(d.pop("duration_ms", UNSET))


        def _parse_event_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        event_id = _parse_event_id(d.pop("event_id", UNSET))


        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))


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


        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))


        result = d.pop("result", UNSET)

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


        def _parse_target_event_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        target_event_id = _parse_target_event_id(d.pop("target_event_id", UNSET))


        def _parse_text(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        text = _parse_text(d.pop("text", UNSET))


        def _parse_ttfb_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        ttfb_ms = _parse_ttfb_ms(d.pop("ttfb_ms", UNSET))


        event_in = cls(
            timestamp=timestamp,
            type_=type_,
            arguments=arguments,
            attributes=attributes,
            changes=changes,
            duration_ms=duration_ms,
            event_id=event_id,
            name=name,
            outcome=outcome,
            reason=reason,
            result=result,
            status=status,
            target_event_id=target_event_id,
            text=text,
            ttfb_ms=ttfb_ms,
        )

        return event_in

