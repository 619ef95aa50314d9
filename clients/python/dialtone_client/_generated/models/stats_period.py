from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.stats_figures import StatsFigures
  from ..models.stats_group import StatsGroup





T = TypeVar("T", bound="StatsPeriod")



@_attrs_define
class StatsPeriod:
    """ 
        Attributes:
            end (datetime.datetime): The range's end (exclusive).
            start (datetime.datetime): The range's first instant (inclusive).
            summary (StatsFigures): The figures of a set of calls (the range and filters, or one group of them).
            groups (list[StatsGroup] | None | Unset): With `group_by`: the figures per group. Time groups cover the range,
                empty ones included, oldest first (more than 500 → 422: narrow the range). Dimension groups are the values with
                calls in the range, most calls first; calls without an agent, batch or outcome are in no group (but in
                `summary`).
            groups_truncated (bool | Unset): True when more than 500 dimension groups had calls: the 500 with the most calls
                are given. Default: False.
     """

    end: datetime.datetime
    start: datetime.datetime
    summary: StatsFigures
    groups: list[StatsGroup] | None | Unset = UNSET
    groups_truncated: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.stats_figures import StatsFigures # noqa: PLC0415
        from ..models.stats_group import StatsGroup # noqa: PLC0415
        end = self.end.isoformat()

        start = self.start.isoformat()

        summary = self.summary.to_dict()

        groups: list[dict[str, Any]] | None | Unset
        if isinstance(self.groups, Unset):
            groups = UNSET
        elif isinstance(self.groups, list):
            groups = []
            for groups_type_0_item_data in self.groups:
                groups_type_0_item = groups_type_0_item_data.to_dict()
                groups.append(groups_type_0_item)


        else:
            groups = self.groups

        groups_truncated = self.groups_truncated


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "end": end,
            "start": start,
            "summary": summary,
        })
        if groups is not UNSET:
            field_dict["groups"] = groups
        if groups_truncated is not UNSET:
            field_dict["groups_truncated"] = groups_truncated

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.stats_figures import StatsFigures # noqa: PLC0415
        from ..models.stats_group import StatsGroup # noqa: PLC0415
        d = dict(src_dict)
        end = datetime.datetime.fromisoformat(d.pop("end"))




        start = datetime.datetime.fromisoformat(d.pop("start"))




        summary = StatsFigures.from_dict(d.pop("summary"))




        def _parse_groups(data: object) -> list[StatsGroup] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                groups_type_0 = []
                _groups_type_0 = data
                for groups_type_0_item_data in (_groups_type_0):
                    groups_type_0_item = StatsGroup.from_dict(groups_type_0_item_data)



                    groups_type_0.append(groups_type_0_item)

                return groups_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[StatsGroup] | None | Unset, data)

        groups = _parse_groups(d.pop("groups", UNSET))


        groups_truncated = d.pop("groups_truncated", UNSET)

        stats_period = cls(
            end=end,
            start=start,
            summary=summary,
            groups=groups,
            groups_truncated=groups_truncated,
        )


        stats_period.additional_properties = d
        return stats_period

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
