from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from typing import Literal, cast

if TYPE_CHECKING:
  from ..models.call_event_data import CallEventData





T = TypeVar("T", bound="CallRecordingReadyEvent")



@_attrs_define
class CallRecordingReadyEvent:
    """ 
        Attributes:
            data (CallEventData): A call event's `data`: the call object as `GET /v1/calls/{call_id}` returns it, with
                `recording_url` null (a presigned link would expire long before the last retry: follow
                `links.recording`), no transcript (`links.transcript`), and the event's `sequence`.
            timestamp (str): When the call changed (its `updated_at`)
            type_ (Literal['call.recording.ready']):
     """

    data: CallEventData
    timestamp: str
    type_: Literal['call.recording.ready']
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.call_event_data import CallEventData # noqa: PLC0415
        data = self.data.to_dict()

        timestamp = self.timestamp

        type_ = self.type_


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "data": data,
            "timestamp": timestamp,
            "type": type_,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.call_event_data import CallEventData # noqa: PLC0415
        d = dict(src_dict)
        data = CallEventData.from_dict(d.pop("data"))




        timestamp = d.pop("timestamp")

        type_ = cast(Literal['call.recording.ready'] , d.pop("type"))
        if type_ != 'call.recording.ready':
            raise ValueError(f"type must match const 'call.recording.ready', got '{type_}'")

        call_recording_ready_event = cls(
            data=data,
            timestamp=timestamp,
            type_=type_,
        )


        call_recording_ready_event.additional_properties = d
        return call_recording_ready_event

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
