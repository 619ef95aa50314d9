from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.exchange import Exchange





T = TypeVar("T", bound="TranscriptExchanges")



@_attrs_define
class TranscriptExchanges:
    """ 
        Attributes:
            call_id (str):
            exchanges (list[Exchange]):
            next_cursor (None | str | Unset):
     """

    call_id: str
    exchanges: list[Exchange]
    next_cursor: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.exchange import Exchange # noqa: PLC0415
        call_id = self.call_id

        exchanges = []
        for exchanges_item_data in self.exchanges:
            exchanges_item = exchanges_item_data.to_dict()
            exchanges.append(exchanges_item)



        next_cursor: None | str | Unset
        if isinstance(self.next_cursor, Unset):
            next_cursor = UNSET
        else:
            next_cursor = self.next_cursor


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "call_id": call_id,
            "exchanges": exchanges,
        })
        if next_cursor is not UNSET:
            field_dict["next_cursor"] = next_cursor

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.exchange import Exchange # noqa: PLC0415
        d = dict(src_dict)
        call_id = d.pop("call_id")

        exchanges = []
        _exchanges = d.pop("exchanges")
        for exchanges_item_data in (_exchanges):
            exchanges_item = Exchange.from_dict(exchanges_item_data)



            exchanges.append(exchanges_item)


        def _parse_next_cursor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor", UNSET))


        transcript_exchanges = cls(
            call_id=call_id,
            exchanges=exchanges,
            next_cursor=next_cursor,
        )


        transcript_exchanges.additional_properties = d
        return transcript_exchanges

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
