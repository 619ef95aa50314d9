from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.deletion_reason import DeletionReason
from ..types import UNSET, Unset






T = TypeVar("T", bound="Tombstone")



@_attrs_define
class Tombstone:
    """ A call that is gone: drop it from a synchronised copy.

        Attributes:
            id (str):
            reason (DeletionReason): Why a call is gone: erased at the tenant's request, or past its retention.
            deleted (bool | Unset):  Default: True.
     """

    id: str
    reason: DeletionReason
    deleted: bool | Unset = True
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        reason = self.reason.value

        deleted = self.deleted


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "reason": reason,
        })
        if deleted is not UNSET:
            field_dict["deleted"] = deleted

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        reason = DeletionReason(d.pop("reason"))




        deleted = d.pop("deleted", UNSET)

        tombstone = cls(
            id=id,
            reason=reason,
            deleted=deleted,
        )


        tombstone.additional_properties = d
        return tombstone

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
