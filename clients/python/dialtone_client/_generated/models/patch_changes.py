from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.patch_changes_arguments_type_0 import PatchChangesArgumentsType0
  from ..models.patch_changes_attributes_type_0 import PatchChangesAttributesType0





T = TypeVar("T", bound="PatchChanges")



@_attrs_define
class PatchChanges:
    """ What a `patch` event replaces in the event it corrects (only the fields sent).

        Attributes:
            arguments (None | PatchChangesArgumentsType0 | Unset):
            attributes (None | PatchChangesAttributesType0 | Unset):
            duration_ms (float | None | Unset):
            name (None | str | Unset):
            result (Any | Unset):
            text (None | str | Unset):
            ttfb_ms (float | None | Unset):
     """

    arguments: None | PatchChangesArgumentsType0 | Unset = UNSET
    attributes: None | PatchChangesAttributesType0 | Unset = UNSET
    duration_ms: float | None | Unset = UNSET
    name: None | str | Unset = UNSET
    result: Any | Unset = UNSET
    text: None | str | Unset = UNSET
    ttfb_ms: float | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.patch_changes_arguments_type_0 import PatchChangesArgumentsType0 # noqa: PLC0415
        from ..models.patch_changes_attributes_type_0 import PatchChangesAttributesType0 # noqa: PLC0415
        arguments: dict[str, Any] | None | Unset
        if isinstance(self.arguments, Unset):
            arguments = UNSET
        elif isinstance(self.arguments, PatchChangesArgumentsType0):
            arguments = self.arguments.to_dict()
        else:
            arguments = self.arguments

        attributes: dict[str, Any] | None | Unset
        if isinstance(self.attributes, Unset):
            attributes = UNSET
        elif isinstance(self.attributes, PatchChangesAttributesType0):
            attributes = self.attributes.to_dict()
        else:
            attributes = self.attributes

        duration_ms: float | None | Unset
        if isinstance(self.duration_ms, Unset):
            duration_ms = UNSET
        else:
            duration_ms = self.duration_ms

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        result = self.result

        text: None | str | Unset
        if isinstance(self.text, Unset):
            text = UNSET
        else:
            text = self.text

        ttfb_ms: float | None | Unset
        if isinstance(self.ttfb_ms, Unset):
            ttfb_ms = UNSET
        else:
            ttfb_ms = self.ttfb_ms


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if arguments is not UNSET:
            field_dict["arguments"] = arguments
        if attributes is not UNSET:
            field_dict["attributes"] = attributes
        if duration_ms is not UNSET:
            field_dict["duration_ms"] = duration_ms
        if name is not UNSET:
            field_dict["name"] = name
        if result is not UNSET:
            field_dict["result"] = result
        if text is not UNSET:
            field_dict["text"] = text
        if ttfb_ms is not UNSET:
            field_dict["ttfb_ms"] = ttfb_ms

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.patch_changes_arguments_type_0 import PatchChangesArgumentsType0 # noqa: PLC0415
        from ..models.patch_changes_attributes_type_0 import PatchChangesAttributesType0 # noqa: PLC0415
        d = dict(src_dict)
        def _parse_arguments(data: object) -> None | PatchChangesArgumentsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                arguments_type_0 = PatchChangesArgumentsType0.from_dict(data)



                return arguments_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PatchChangesArgumentsType0 | Unset, data)

        arguments = _parse_arguments(d.pop("arguments", UNSET))


        def _parse_attributes(data: object) -> None | PatchChangesAttributesType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                attributes_type_0 = PatchChangesAttributesType0.from_dict(data)



                return attributes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PatchChangesAttributesType0 | Unset, data)

        attributes = _parse_attributes(d.pop("attributes", UNSET))


        def _parse_duration_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        duration_ms = _parse_duration_ms(d.pop("duration_ms", UNSET))


        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))


        result = d.pop("result", UNSET)

        def _parse_text(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        text = _parse_text(d.pop("text", UNSET))


        def _parse_ttfb_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        ttfb_ms = _parse_ttfb_ms(d.pop("ttfb_ms", UNSET))


        patch_changes = cls(
            arguments=arguments,
            attributes=attributes,
            duration_ms=duration_ms,
            name=name,
            result=result,
            text=text,
            ttfb_ms=ttfb_ms,
        )

        return patch_changes

