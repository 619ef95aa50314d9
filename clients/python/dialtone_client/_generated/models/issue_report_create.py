from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.issue_category import IssueCategory
from ..models.issue_severity import IssueSeverity
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="IssueReportCreate")



@_attrs_define
class IssueReportCreate:
    """ `POST /v1/calls/{call_id}/issue-reports`.

        Attributes:
            severity (IssueSeverity):
            title (str):
            category (IssueCategory | None | Unset):
            description (None | str | Unset):
     """

    severity: IssueSeverity
    title: str
    category: IssueCategory | None | Unset = UNSET
    description: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        severity = self.severity.value

        title = self.title

        category: None | str | Unset
        if isinstance(self.category, Unset):
            category = UNSET
        elif isinstance(self.category, IssueCategory):
            category = self.category.value
        else:
            category = self.category

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "severity": severity,
            "title": title,
        })
        if category is not UNSET:
            field_dict["category"] = category
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        severity = IssueSeverity(d.pop("severity"))




        title = d.pop("title")

        def _parse_category(data: object) -> IssueCategory | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                category_type_0 = IssueCategory(data)



                return category_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(IssueCategory | None | Unset, data)

        category = _parse_category(d.pop("category", UNSET))


        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))


        issue_report_create = cls(
            severity=severity,
            title=title,
            category=category,
            description=description,
        )

        return issue_report_create

