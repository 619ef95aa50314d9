from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.dial_request_metadata import DialRequestMetadata





T = TypeVar("T", bound="DialRequest")



@_attrs_define
class DialRequest:
    """ `POST /v1/calls`.

        Attributes:
            to_number (str):
            agent_id (None | str | Unset):
            from_number (None | str | Unset):
            metadata (DialRequestMetadata | Unset):
     """

    to_number: str
    agent_id: None | str | Unset = UNSET
    from_number: None | str | Unset = UNSET
    metadata: DialRequestMetadata | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.dial_request_metadata import DialRequestMetadata # noqa: PLC0415
        to_number = self.to_number

        agent_id: None | str | Unset
        if isinstance(self.agent_id, Unset):
            agent_id = UNSET
        else:
            agent_id = self.agent_id

        from_number: None | str | Unset
        if isinstance(self.from_number, Unset):
            from_number = UNSET
        else:
            from_number = self.from_number

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "to_number": to_number,
        })
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id
        if from_number is not UNSET:
            field_dict["from_number"] = from_number
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dial_request_metadata import DialRequestMetadata # noqa: PLC0415
        d = dict(src_dict)
        to_number = d.pop("to_number")

        def _parse_agent_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent_id = _parse_agent_id(d.pop("agent_id", UNSET))


        def _parse_from_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        from_number = _parse_from_number(d.pop("from_number", UNSET))


        _metadata = d.pop("metadata", UNSET)
        metadata: DialRequestMetadata | Unset
        if isinstance(_metadata,  Unset):
            metadata = UNSET
        else:
            metadata = DialRequestMetadata.from_dict(_metadata)




        dial_request = cls(
            to_number=to_number,
            agent_id=agent_id,
            from_number=from_number,
            metadata=metadata,
        )


        dial_request.additional_properties = d
        return dial_request

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
