from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="CallLinks")



@_attrs_define
class CallLinks:
    """ API paths (relative to the API's base URL, read with the tenant's API key).

        Attributes:
            call (str): `/v1/calls/{call_id}`: the call as it is now
            recording (None | str): `/v1/calls/{call_id}/recording`: a fresh link to its audio; null while the call has no
                recording
            transcript (str): `/v1/calls/{call_id}/transcript`: its transcript
     """

    call: str
    recording: None | str
    transcript: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        call = self.call

        recording: None | str
        recording = self.recording

        transcript = self.transcript


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "call": call,
            "recording": recording,
            "transcript": transcript,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        call = d.pop("call")

        def _parse_recording(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        recording = _parse_recording(d.pop("recording"))


        transcript = d.pop("transcript")

        call_links = cls(
            call=call,
            recording=recording,
            transcript=transcript,
        )


        call_links.additional_properties = d
        return call_links

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
