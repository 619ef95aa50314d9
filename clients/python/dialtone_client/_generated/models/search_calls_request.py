from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from uuid import UUID






T = TypeVar("T", bound="SearchCallsRequest")



@_attrs_define
class SearchCallsRequest:
    """ `POST /v1/calls/search`: 1 to 100 call ids (UUIDs); duplicates are answered once.

        Attributes:
            call_ids (list[UUID]):
     """

    call_ids: list[UUID]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        call_ids = []
        for call_ids_item_data in self.call_ids:
            call_ids_item = str(call_ids_item_data)
            call_ids.append(call_ids_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "call_ids": call_ids,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        call_ids = []
        _call_ids = d.pop("call_ids")
        for call_ids_item_data in (_call_ids):
            call_ids_item = UUID(call_ids_item_data)



            call_ids.append(call_ids_item)


        search_calls_request = cls(
            call_ids=call_ids,
        )


        search_calls_request.additional_properties = d
        return search_calls_request

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
