from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="BatchAccepted")



@_attrs_define
class BatchAccepted:
    """ 
        Attributes:
            batch_id (str):
            total (int):
            duplicates (list[str] | Unset): Numbers given more than once (E.164), once per repeat: each number of a batch is
                called once, so a repeat is not stored
            status (str | Unset):  Default: 'queued'.
     """

    batch_id: str
    total: int
    duplicates: list[str] | Unset = UNSET
    status: str | Unset = 'queued'
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        batch_id = self.batch_id

        total = self.total

        duplicates: list[str] | Unset = UNSET
        if not isinstance(self.duplicates, Unset):
            duplicates = self.duplicates



        status = self.status


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "batch_id": batch_id,
            "total": total,
        })
        if duplicates is not UNSET:
            field_dict["duplicates"] = duplicates
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        batch_id = d.pop("batch_id")

        total = d.pop("total")

        duplicates = cast(list[str], d.pop("duplicates", UNSET))


        status = d.pop("status", UNSET)

        batch_accepted = cls(
            batch_id=batch_id,
            total=total,
            duplicates=duplicates,
            status=status,
        )


        batch_accepted.additional_properties = d
        return batch_accepted

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
