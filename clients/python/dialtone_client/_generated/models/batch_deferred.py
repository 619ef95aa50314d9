from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="BatchDeferred")



@_attrs_define
class BatchDeferred:
    """ Numbers the batch would dial later than now.

        Attributes:
            outside_calling_window (list[str]): Numbers (E.164) whose calling window is closed now: dialed when it opens, so
                counted in `will_dial`
     """

    outside_calling_window: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        outside_calling_window = self.outside_calling_window




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "outside_calling_window": outside_calling_window,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        outside_calling_window = cast(list[str], d.pop("outside_calling_window"))


        batch_deferred = cls(
            outside_calling_window=outside_calling_window,
        )


        batch_deferred.additional_properties = d
        return batch_deferred

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
