from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="BatchSkipped")



@_attrs_define
class BatchSkipped:
    """ The numbers a batch would not dial, by reason.

        Attributes:
            duplicate (list[str]): A number given again (E.164), once per repeat: not stored
            invalid_number (list[str]): Not valid E.164, as given: kept as failed entries, never dialed
            suppressed (list[str]): On the do-not-call list (E.164): the dialer cancels them (`end_reason: suppressed`)
     """

    duplicate: list[str]
    invalid_number: list[str]
    suppressed: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        duplicate = self.duplicate



        invalid_number = self.invalid_number



        suppressed = self.suppressed




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "duplicate": duplicate,
            "invalid_number": invalid_number,
            "suppressed": suppressed,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        duplicate = cast(list[str], d.pop("duplicate"))


        invalid_number = cast(list[str], d.pop("invalid_number"))


        suppressed = cast(list[str], d.pop("suppressed"))


        batch_skipped = cls(
            duplicate=duplicate,
            invalid_number=invalid_number,
            suppressed=suppressed,
        )


        batch_skipped.additional_properties = d
        return batch_skipped

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
