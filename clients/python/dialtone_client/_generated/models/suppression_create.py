from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="SuppressionCreate")



@_attrs_define
class SuppressionCreate:
    """ `POST /v1/suppressions`.

        Attributes:
            phone_number (str):
            reason (None | str | Unset):
     """

    phone_number: str
    reason: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        phone_number = self.phone_number

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "phone_number": phone_number,
        })
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        phone_number = d.pop("phone_number")

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))


        suppression_create = cls(
            phone_number=phone_number,
            reason=reason,
        )

        return suppression_create

