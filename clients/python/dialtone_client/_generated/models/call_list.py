from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.call import Call





T = TypeVar("T", bound="CallList")



@_attrs_define
class CallList:
    """ 
        Attributes:
            calls (list[Call]):
            limit (int):
            offset (int):
            total (int): Calls that match the filters (all pages)
            next_cursor (None | str | Unset):
            page (int | None | Unset): With `page` paging only
            page_size (int | None | Unset): With `page` paging only
            total_as_of (None | str | Unset): `total` includes every change of the tenant's calls made up to this time (the
                rollups' watermark; changes since are counted once the stream consumer has applied them, usually within
                seconds). When `total` was counted on the calls themselves, the time of the count. Null when no change has been
                rolled up yet
     """

    calls: list[Call]
    limit: int
    offset: int
    total: int
    next_cursor: None | str | Unset = UNSET
    page: int | None | Unset = UNSET
    page_size: int | None | Unset = UNSET
    total_as_of: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.call import Call # noqa: PLC0415
        calls = []
        for calls_item_data in self.calls:
            calls_item = calls_item_data.to_dict()
            calls.append(calls_item)



        limit = self.limit

        offset = self.offset

        total = self.total

        next_cursor: None | str | Unset
        if isinstance(self.next_cursor, Unset):
            next_cursor = UNSET
        else:
            next_cursor = self.next_cursor

        page: int | None | Unset
        if isinstance(self.page, Unset):
            page = UNSET
        else:
            page = self.page

        page_size: int | None | Unset
        if isinstance(self.page_size, Unset):
            page_size = UNSET
        else:
            page_size = self.page_size

        total_as_of: None | str | Unset
        if isinstance(self.total_as_of, Unset):
            total_as_of = UNSET
        else:
            total_as_of = self.total_as_of


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "calls": calls,
            "limit": limit,
            "offset": offset,
            "total": total,
        })
        if next_cursor is not UNSET:
            field_dict["next_cursor"] = next_cursor
        if page is not UNSET:
            field_dict["page"] = page
        if page_size is not UNSET:
            field_dict["page_size"] = page_size
        if total_as_of is not UNSET:
            field_dict["total_as_of"] = total_as_of

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.call import Call # noqa: PLC0415
        d = dict(src_dict)
        calls = []
        _calls = d.pop("calls")
        for calls_item_data in (_calls):
            calls_item = Call.from_dict(calls_item_data)



            calls.append(calls_item)


        limit = d.pop("limit")

        offset = d.pop("offset")

        total = d.pop("total")

        def _parse_next_cursor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor", UNSET))


        def _parse_page(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        page = _parse_page(d.pop("page", UNSET))


        def _parse_page_size(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        page_size = _parse_page_size(d.pop("page_size", UNSET))


        def _parse_total_as_of(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        total_as_of = _parse_total_as_of(d.pop("total_as_of", UNSET))


        call_list = cls(
            calls=calls,
            limit=limit,
            offset=offset,
            total=total,
            next_cursor=next_cursor,
            page=page,
            page_size=page_size,
            total_as_of=total_as_of,
        )


        call_list.additional_properties = d
        return call_list

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
