from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.issue_report import IssueReport





T = TypeVar("T", bound="CallIssueReports")



@_attrs_define
class CallIssueReports:
    """ `GET /v1/calls/{call_id}/issue-reports`: newest first.

        Attributes:
            call_id (str):
            issue_reports (list[IssueReport]):
     """

    call_id: str
    issue_reports: list[IssueReport]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.issue_report import IssueReport # noqa: PLC0415
        call_id = self.call_id

        issue_reports = []
        for issue_reports_item_data in self.issue_reports:
            issue_reports_item = issue_reports_item_data.to_dict()
            issue_reports.append(issue_reports_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "call_id": call_id,
            "issue_reports": issue_reports,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.issue_report import IssueReport # noqa: PLC0415
        d = dict(src_dict)
        call_id = d.pop("call_id")

        issue_reports = []
        _issue_reports = d.pop("issue_reports")
        for issue_reports_item_data in (_issue_reports):
            issue_reports_item = IssueReport.from_dict(issue_reports_item_data)



            issue_reports.append(issue_reports_item)


        call_issue_reports = cls(
            call_id=call_id,
            issue_reports=issue_reports,
        )


        call_issue_reports.additional_properties = d
        return call_issue_reports

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
