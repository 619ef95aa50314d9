from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.stats_group_by import StatsGroupBy
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.stats_figures import StatsFigures
  from ..models.stats_group import StatsGroup
  from ..models.stats_period import StatsPeriod





T = TypeVar("T", bound="CallStats")



@_attrs_define
class CallStats:
    """ `GET /v1/calls/stats`.

        Attributes:
            end (datetime.datetime): The range's end (exclusive).
            start (datetime.datetime): The range's first instant (inclusive).
            summary (StatsFigures): The figures of a set of calls (the range and filters, or one group of them).
            as_of (datetime.datetime | None | Unset): The rollups include every change of the tenant's calls up to this
                moment (the stream consumer's watermark); the partial hours at the range's edges are read from the calls
                themselves. Null before any call was rolled up.
            group_by (None | StatsGroupBy | Unset):
            groups (list[StatsGroup] | None | Unset): With `group_by`: the figures per group. Time groups cover the range,
                empty ones included, oldest first (more than 500 → 422: narrow the range). Dimension groups are the values with
                calls in the range, most calls first; calls without an agent, batch or outcome are in no group (but in
                `summary`).
            groups_truncated (bool | Unset): True when more than 500 dimension groups had calls: the 500 with the most calls
                are given. Default: False.
            previous_period (None | StatsPeriod | Unset): With `compare=previous_period`: the same figures for the range of
                the same length that ends where this one starts.
     """

    end: datetime.datetime
    start: datetime.datetime
    summary: StatsFigures
    as_of: datetime.datetime | None | Unset = UNSET
    group_by: None | StatsGroupBy | Unset = UNSET
    groups: list[StatsGroup] | None | Unset = UNSET
    groups_truncated: bool | Unset = False
    previous_period: None | StatsPeriod | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.stats_figures import StatsFigures # noqa: PLC0415
        from ..models.stats_group import StatsGroup # noqa: PLC0415
        from ..models.stats_period import StatsPeriod # noqa: PLC0415
        end = self.end.isoformat()

        start = self.start.isoformat()

        summary = self.summary.to_dict()

        as_of: None | str | Unset
        if isinstance(self.as_of, Unset):
            as_of = UNSET
        elif isinstance(self.as_of, datetime.datetime):
            as_of = self.as_of.isoformat()
        else:
            as_of = self.as_of

        group_by: None | str | Unset
        if isinstance(self.group_by, Unset):
            group_by = UNSET
        elif isinstance(self.group_by, StatsGroupBy):
            group_by = self.group_by.value
        else:
            group_by = self.group_by

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

        previous_period: dict[str, Any] | None | Unset
        if isinstance(self.previous_period, Unset):
            previous_period = UNSET
        elif isinstance(self.previous_period, StatsPeriod):
            previous_period = self.previous_period.to_dict()
        else:
            previous_period = self.previous_period


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "end": end,
            "start": start,
            "summary": summary,
        })
        if as_of is not UNSET:
            field_dict["as_of"] = as_of
        if group_by is not UNSET:
            field_dict["group_by"] = group_by
        if groups is not UNSET:
            field_dict["groups"] = groups
        if groups_truncated is not UNSET:
            field_dict["groups_truncated"] = groups_truncated
        if previous_period is not UNSET:
            field_dict["previous_period"] = previous_period

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.stats_figures import StatsFigures # noqa: PLC0415
        from ..models.stats_group import StatsGroup # noqa: PLC0415
        from ..models.stats_period import StatsPeriod # noqa: PLC0415
        d = dict(src_dict)
        end = datetime.datetime.fromisoformat(d.pop("end"))




        start = datetime.datetime.fromisoformat(d.pop("start"))




        summary = StatsFigures.from_dict(d.pop("summary"))




        def _parse_as_of(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                as_of_type_0 = datetime.datetime.fromisoformat(data)



                return as_of_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        as_of = _parse_as_of(d.pop("as_of", UNSET))


        def _parse_group_by(data: object) -> None | StatsGroupBy | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                group_by_type_0 = StatsGroupBy(data)



                return group_by_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StatsGroupBy | Unset, data)

        group_by = _parse_group_by(d.pop("group_by", UNSET))


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

        def _parse_previous_period(data: object) -> None | StatsPeriod | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                previous_period_type_0 = StatsPeriod.from_dict(data)



                return previous_period_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StatsPeriod | Unset, data)

        previous_period = _parse_previous_period(d.pop("previous_period", UNSET))


        call_stats = cls(
            end=end,
            start=start,
            summary=summary,
            as_of=as_of,
            group_by=group_by,
            groups=groups,
            groups_truncated=groups_truncated,
            previous_period=previous_period,
        )


        call_stats.additional_properties = d
        return call_stats

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
