from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.call_status import CallStatus
from ..types import UNSET, Unset






T = TypeVar("T", bound="DialAccepted")



@_attrs_define
class DialAccepted:
    """ 
        Attributes:
            call_id (str):
            call_sid (str):
            status (CallStatus | Unset):
     """

    call_id: str
    call_sid: str
    status: CallStatus | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        call_id = self.call_id

        call_sid = self.call_sid

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value



        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "call_id": call_id,
            "call_sid": call_sid,
        })
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        call_id = d.pop("call_id")

        call_sid = d.pop("call_sid")

        _status = d.pop("status", UNSET)
        status: CallStatus | Unset
        if isinstance(_status,  Unset):
            status = UNSET
        else:
            status = CallStatus(_status)




        dial_accepted = cls(
            call_id=call_id,
            call_sid=call_sid,
            status=status,
        )


        dial_accepted.additional_properties = d
        return dial_accepted

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
