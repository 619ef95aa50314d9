from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.call_with_transcript import CallWithTranscript





T = TypeVar("T", bound="CallExport")



@_attrs_define
class CallExport:
    """ `GET /v1/calls/export?export_format=json`: the calls, newest first, each with its
    transcript.

        Attributes:
            calls (list[CallWithTranscript]):
     """

    calls: list[CallWithTranscript]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.call_with_transcript import CallWithTranscript # noqa: PLC0415
        calls = []
        for calls_item_data in self.calls:
            calls_item = calls_item_data.to_dict()
            calls.append(calls_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "calls": calls,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.call_with_transcript import CallWithTranscript # noqa: PLC0415
        d = dict(src_dict)
        calls = []
        _calls = d.pop("calls")
        for calls_item_data in (_calls):
            calls_item = CallWithTranscript.from_dict(calls_item_data)



            calls.append(calls_item)


        call_export = cls(
            calls=calls,
        )


        call_export.additional_properties = d
        return call_export

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
