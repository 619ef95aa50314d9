from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.twilio_status_body_call_status import TwilioStatusBodyCallStatus
from ..types import UNSET, Unset






T = TypeVar("T", bound="TwilioStatusBody")



@_attrs_define
class TwilioStatusBody:
    """ 
        Attributes:
            call_sid (str):
            call_status (TwilioStatusBodyCallStatus):
            call_duration (str | Unset):
            sip_response_code (str | Unset):
            timestamp (str | Unset): RFC 2822
     """

    call_sid: str
    call_status: TwilioStatusBodyCallStatus
    call_duration: str | Unset = UNSET
    sip_response_code: str | Unset = UNSET
    timestamp: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        call_sid = self.call_sid

        call_status = self.call_status.value

        call_duration = self.call_duration

        sip_response_code = self.sip_response_code

        timestamp = self.timestamp


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "CallSid": call_sid,
            "CallStatus": call_status,
        })
        if call_duration is not UNSET:
            field_dict["CallDuration"] = call_duration
        if sip_response_code is not UNSET:
            field_dict["SipResponseCode"] = sip_response_code
        if timestamp is not UNSET:
            field_dict["Timestamp"] = timestamp

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        call_sid = d.pop("CallSid")

        call_status = TwilioStatusBodyCallStatus(d.pop("CallStatus"))




        call_duration = d.pop("CallDuration", UNSET)

        sip_response_code = d.pop("SipResponseCode", UNSET)

        timestamp = d.pop("Timestamp", UNSET)

        twilio_status_body = cls(
            call_sid=call_sid,
            call_status=call_status,
            call_duration=call_duration,
            sip_response_code=sip_response_code,
            timestamp=timestamp,
        )


        twilio_status_body.additional_properties = d
        return twilio_status_body

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
