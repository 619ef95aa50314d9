from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.provider_cost import ProviderCost





T = TypeVar("T", bound="CallCost")



@_attrs_define
class CallCost:
    """ 
        Attributes:
            billable_minutes (float | None | Unset):
            breakdown (list[ProviderCost] | Unset):
            currency (str | Unset):  Default: 'USD'.
            total (float | Unset):  Default: 0.0.
     """

    billable_minutes: float | None | Unset = UNSET
    breakdown: list[ProviderCost] | Unset = UNSET
    currency: str | Unset = 'USD'
    total: float | Unset = 0.0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.provider_cost import ProviderCost # noqa: PLC0415
        billable_minutes: float | None | Unset
        if isinstance(self.billable_minutes, Unset):
            billable_minutes = UNSET
        else:
            billable_minutes = self.billable_minutes

        breakdown: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.breakdown, Unset):
            breakdown = []
            for breakdown_item_data in self.breakdown:
                breakdown_item = breakdown_item_data.to_dict()
                breakdown.append(breakdown_item)



        currency = self.currency

        total = self.total


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
        })
        if billable_minutes is not UNSET:
            field_dict["billable_minutes"] = billable_minutes
        if breakdown is not UNSET:
            field_dict["breakdown"] = breakdown
        if currency is not UNSET:
            field_dict["currency"] = currency
        if total is not UNSET:
            field_dict["total"] = total

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.provider_cost import ProviderCost # noqa: PLC0415
        d = dict(src_dict)
        def _parse_billable_minutes(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        billable_minutes = _parse_billable_minutes(d.pop("billable_minutes", UNSET))


        _breakdown = d.pop("breakdown", UNSET)
        breakdown: list[ProviderCost] | Unset = UNSET
        if _breakdown is not UNSET:
            breakdown = []
            for breakdown_item_data in _breakdown:
                breakdown_item = ProviderCost.from_dict(breakdown_item_data)



                breakdown.append(breakdown_item)


        currency = d.pop("currency", UNSET)

        total = d.pop("total", UNSET)

        call_cost = cls(
            billable_minutes=billable_minutes,
            breakdown=breakdown,
            currency=currency,
            total=total,
        )


        call_cost.additional_properties = d
        return call_cost

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
