from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.turn_content_type import TurnContentType
from ..models.turn_role import TurnRole
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="Turn")



@_attrs_define
class Turn:
    """ One turn of a call as the graded-calls document gives it: what the caller (`user`) or
    the agent (`assistant`) said, or a tool the agent used (`tool_call`, with its arguments as
    JSON text) and what the tool answered (`tool_response`, its result as JSON text), with
    offsets from the start of the recording.

        Attributes:
            content (str):
            role (TurnRole):
            content_type (TurnContentType | Unset):  Default: TurnContentType.TEXT.
            end_ms (int | None | Unset):
            name (None | str | Unset):
            start_ms (int | None | Unset):
     """

    content: str
    role: TurnRole
    content_type: TurnContentType | Unset = TurnContentType.TEXT
    end_ms: int | None | Unset = UNSET
    name: None | str | Unset = UNSET
    start_ms: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        content = self.content

        role = self.role.value

        content_type: str | Unset = UNSET
        if not isinstance(self.content_type, Unset):
            content_type = self.content_type.value


        end_ms: int | None | Unset
        if isinstance(self.end_ms, Unset):
            end_ms = UNSET
        else:
            end_ms = self.end_ms

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        start_ms: int | None | Unset
        if isinstance(self.start_ms, Unset):
            start_ms = UNSET
        else:
            start_ms = self.start_ms


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "content": content,
            "role": role,
        })
        if content_type is not UNSET:
            field_dict["content_type"] = content_type
        if end_ms is not UNSET:
            field_dict["end_ms"] = end_ms
        if name is not UNSET:
            field_dict["name"] = name
        if start_ms is not UNSET:
            field_dict["start_ms"] = start_ms

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        content = d.pop("content")

        role = TurnRole(d.pop("role"))




        _content_type = d.pop("content_type", UNSET)
        content_type: TurnContentType | Unset
        if isinstance(_content_type,  Unset):
            content_type = UNSET
        else:
            content_type = TurnContentType(_content_type)




        def _parse_end_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        end_ms = _parse_end_ms(d.pop("end_ms", UNSET))


        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))


        def _parse_start_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        start_ms = _parse_start_ms(d.pop("start_ms", UNSET))


        turn = cls(
            content=content,
            role=role,
            content_type=content_type,
            end_ms=end_ms,
            name=name,
            start_ms=start_ms,
        )


        turn.additional_properties = d
        return turn

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
