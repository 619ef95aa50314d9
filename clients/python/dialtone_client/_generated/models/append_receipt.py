from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="AppendReceipt")



@_attrs_define
class AppendReceipt:
    """ What an append did: how many items came, how many were new, how many were repeats.

        Attributes:
            call_id (str):
            received (int):
            stored (int):
            unchanged (int):
     """

    call_id: str
    received: int
    stored: int
    unchanged: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        call_id = self.call_id

        received = self.received

        stored = self.stored

        unchanged = self.unchanged


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "call_id": call_id,
            "received": received,
            "stored": stored,
            "unchanged": unchanged,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        call_id = d.pop("call_id")

        received = d.pop("received")

        stored = d.pop("stored")

        unchanged = d.pop("unchanged")

        append_receipt = cls(
            call_id=call_id,
            received=received,
            stored=stored,
            unchanged=unchanged,
        )


        append_receipt.additional_properties = d
        return append_receipt

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
