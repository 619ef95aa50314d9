from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.call_status import CallStatus
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="BatchCallEntry")



@_attrs_define
class BatchCallEntry:
    """ 
        Attributes:
            call_id (str):
            status (CallStatus):
            to_number (None | str):
            call_sid (None | str | Unset):
            error (None | str | Unset):
     """

    call_id: str
    status: CallStatus
    to_number: None | str
    call_sid: None | str | Unset = UNSET
    error: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        call_id = self.call_id

        status = self.status.value

        to_number: None | str
        to_number = self.to_number

        call_sid: None | str | Unset
        if isinstance(self.call_sid, Unset):
            call_sid = UNSET
        else:
            call_sid = self.call_sid

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "call_id": call_id,
            "status": status,
            "to_number": to_number,
        })
        if call_sid is not UNSET:
            field_dict["call_sid"] = call_sid
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        call_id = d.pop("call_id")

        status = CallStatus(d.pop("status"))




        def _parse_to_number(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        to_number = _parse_to_number(d.pop("to_number"))


        def _parse_call_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        call_sid = _parse_call_sid(d.pop("call_sid", UNSET))


        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))


        batch_call_entry = cls(
            call_id=call_id,
            status=status,
            to_number=to_number,
            call_sid=call_sid,
            error=error,
        )


        batch_call_entry.additional_properties = d
        return batch_call_entry

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
