from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="DialerStatus")



@_attrs_define
class DialerStatus:
    """ `GET /v1/dialer/status`.

        Attributes:
            backlog (int):
            in_flight (int):
            next_slot_at (str):
            rate_per_second (int):
            drains_at (None | str | Unset):
     """

    backlog: int
    in_flight: int
    next_slot_at: str
    rate_per_second: int
    drains_at: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        backlog = self.backlog

        in_flight = self.in_flight

        next_slot_at = self.next_slot_at

        rate_per_second = self.rate_per_second

        drains_at: None | str | Unset
        if isinstance(self.drains_at, Unset):
            drains_at = UNSET
        else:
            drains_at = self.drains_at


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "backlog": backlog,
            "in_flight": in_flight,
            "next_slot_at": next_slot_at,
            "rate_per_second": rate_per_second,
        })
        if drains_at is not UNSET:
            field_dict["drains_at"] = drains_at

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        backlog = d.pop("backlog")

        in_flight = d.pop("in_flight")

        next_slot_at = d.pop("next_slot_at")

        rate_per_second = d.pop("rate_per_second")

        def _parse_drains_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        drains_at = _parse_drains_at(d.pop("drains_at", UNSET))


        dialer_status = cls(
            backlog=backlog,
            in_flight=in_flight,
            next_slot_at=next_slot_at,
            rate_per_second=rate_per_second,
            drains_at=drains_at,
        )


        dialer_status.additional_properties = d
        return dialer_status

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
