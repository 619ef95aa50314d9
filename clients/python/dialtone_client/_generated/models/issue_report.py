from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.issue_category import IssueCategory
from ..models.issue_severity import IssueSeverity
from ..models.issue_source import IssueSource
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="IssueReport")



@_attrs_define
class IssueReport:
    """ An issue report as the API shows it.

        Attributes:
            call_id (str):
            created_at (str):
            id (str):
            severity (IssueSeverity):
            source (IssueSource):
            title (str):
            category (IssueCategory | None | Unset):
            description (None | str | Unset):
     """

    call_id: str
    created_at: str
    id: str
    severity: IssueSeverity
    source: IssueSource
    title: str
    category: IssueCategory | None | Unset = UNSET
    description: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        call_id = self.call_id

        created_at = self.created_at

        id = self.id

        severity = self.severity.value

        source = self.source.value

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
        field_dict.update(self.additional_properties)
        field_dict.update({
            "call_id": call_id,
            "created_at": created_at,
            "id": id,
            "severity": severity,
            "source": source,
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
        call_id = d.pop("call_id")

        created_at = d.pop("created_at")

        id = d.pop("id")

        severity = IssueSeverity(d.pop("severity"))




        source = IssueSource(d.pop("source"))




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


        issue_report = cls(
            call_id=call_id,
            created_at=created_at,
            id=id,
            severity=severity,
            source=source,
            title=title,
            category=category,
            description=description,
        )


        issue_report.additional_properties = d
        return issue_report

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
