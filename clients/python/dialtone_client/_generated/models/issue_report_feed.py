from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.issue_report import IssueReport





T = TypeVar("T", bound="IssueReportFeed")



@_attrs_define
class IssueReportFeed:
    """ `GET /v1/issue-reports`: a page of the tenant's reports, newest first.

        Attributes:
            issue_reports (list[IssueReport]):
            limit (int):
            next_cursor (None | str | Unset):
     """

    issue_reports: list[IssueReport]
    limit: int
    next_cursor: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.issue_report import IssueReport # noqa: PLC0415
        issue_reports = []
        for issue_reports_item_data in self.issue_reports:
            issue_reports_item = issue_reports_item_data.to_dict()
            issue_reports.append(issue_reports_item)



        limit = self.limit

        next_cursor: None | str | Unset
        if isinstance(self.next_cursor, Unset):
            next_cursor = UNSET
        else:
            next_cursor = self.next_cursor


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "issue_reports": issue_reports,
            "limit": limit,
        })
        if next_cursor is not UNSET:
            field_dict["next_cursor"] = next_cursor

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.issue_report import IssueReport # noqa: PLC0415
        d = dict(src_dict)
        issue_reports = []
        _issue_reports = d.pop("issue_reports")
        for issue_reports_item_data in (_issue_reports):
            issue_reports_item = IssueReport.from_dict(issue_reports_item_data)



            issue_reports.append(issue_reports_item)


        limit = d.pop("limit")

        def _parse_next_cursor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor", UNSET))


        issue_report_feed = cls(
            issue_reports=issue_reports,
            limit=limit,
            next_cursor=next_cursor,
        )


        issue_report_feed.additional_properties = d
        return issue_report_feed

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
