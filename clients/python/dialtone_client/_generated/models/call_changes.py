from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.call_change import CallChange





T = TypeVar("T", bound="CallChanges")



@_attrs_define
class CallChanges:
    """ A page of the change feed, in change order, and where to resume.

        Attributes:
            changes (list[CallChange]):
            has_more (bool): More changes can be read now, without waiting
            next_cursor (str): Always present: pass it as `cursor` for the changes after this page (poll with it when the
                page is empty)
     """

    changes: list[CallChange]
    has_more: bool
    next_cursor: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.call_change import CallChange # noqa: PLC0415
        changes = []
        for changes_item_data in self.changes:
            changes_item = changes_item_data.to_dict()
            changes.append(changes_item)



        has_more = self.has_more

        next_cursor = self.next_cursor


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "changes": changes,
            "has_more": has_more,
            "next_cursor": next_cursor,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.call_change import CallChange # noqa: PLC0415
        d = dict(src_dict)
        changes = []
        _changes = d.pop("changes")
        for changes_item_data in (_changes):
            changes_item = CallChange.from_dict(changes_item_data)



            changes.append(changes_item)


        has_more = d.pop("has_more")

        next_cursor = d.pop("next_cursor")

        call_changes = cls(
            changes=changes,
            has_more=has_more,
            next_cursor=next_cursor,
        )


        call_changes.additional_properties = d
        return call_changes

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
