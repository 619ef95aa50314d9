from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.exchange_in import ExchangeIn





T = TypeVar("T", bound="ExchangesRequest")



@_attrs_define
class ExchangesRequest:
    """ `POST /v1/calls/{call_id}/exchanges`: `{"exchanges": [...]}` or one exchange.

        Attributes:
            exchanges (list[ExchangeIn]):
     """

    exchanges: list[ExchangeIn]





    def to_dict(self) -> dict[str, Any]:
        from ..models.exchange_in import ExchangeIn # noqa: PLC0415
        exchanges = []
        for exchanges_item_data in self.exchanges:
            exchanges_item = exchanges_item_data.to_dict()
            exchanges.append(exchanges_item)




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "exchanges": exchanges,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.exchange_in import ExchangeIn # noqa: PLC0415
        d = dict(src_dict)
        exchanges = []
        _exchanges = d.pop("exchanges")
        for exchanges_item_data in (_exchanges):
            exchanges_item = ExchangeIn.from_dict(exchanges_item_data)



            exchanges.append(exchanges_item)


        exchanges_request = cls(
            exchanges=exchanges,
        )

        return exchanges_request

