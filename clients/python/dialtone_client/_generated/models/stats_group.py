from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.stats_figures import StatsFigures





T = TypeVar("T", bound="StatsGroup")



@_attrs_define
class StatsGroup:
    """ 
        Attributes:
            key (str): The group: the period's start (`hour`: `YYYY-MM-DDTHH:00:00Z`, `day`: `YYYY-MM-DD`, `week`: the
                Monday `YYYY-MM-DD`, in UTC) or the value of the dimension (an agent id, a batch id, a direction, a status, an
                outcome).
            stats (StatsFigures): The figures of a set of calls (the range and filters, or one group of them).
     """

    key: str
    stats: StatsFigures
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.stats_figures import StatsFigures # noqa: PLC0415
        key = self.key

        stats = self.stats.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "key": key,
            "stats": stats,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.stats_figures import StatsFigures # noqa: PLC0415
        d = dict(src_dict)
        key = d.pop("key")

        stats = StatsFigures.from_dict(d.pop("stats"))




        stats_group = cls(
            key=key,
            stats=stats,
        )


        stats_group.additional_properties = d
        return stats_group

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
