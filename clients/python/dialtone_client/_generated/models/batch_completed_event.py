from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from typing import Literal, cast

if TYPE_CHECKING:
  from ..models.batch_event_data import BatchEventData





T = TypeVar("T", bound="BatchCompletedEvent")



@_attrs_define
class BatchCompletedEvent:
    """ What a receiver gets for `batch.completed`.

        Attributes:
            data (BatchEventData): `batch.completed`'s `data`: the batch status as `GET /v1/calls/batch/{batch_id}` returns
                it, without its list of calls (up to 1,000: read them from `links.batch`).
            timestamp (str): When the batch's last call reached a final status
            type_ (Literal['batch.completed']):
     """

    data: BatchEventData
    timestamp: str
    type_: Literal['batch.completed']
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.batch_event_data import BatchEventData # noqa: PLC0415
        data = self.data.to_dict()

        timestamp = self.timestamp

        type_ = self.type_


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "data": data,
            "timestamp": timestamp,
            "type": type_,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.batch_event_data import BatchEventData # noqa: PLC0415
        d = dict(src_dict)
        data = BatchEventData.from_dict(d.pop("data"))




        timestamp = d.pop("timestamp")

        type_ = cast(Literal['batch.completed'] , d.pop("type"))
        if type_ != 'batch.completed':
            raise ValueError(f"type must match const 'batch.completed', got '{type_}'")

        batch_completed_event = cls(
            data=data,
            timestamp=timestamp,
            type_=type_,
        )


        batch_completed_event.additional_properties = d
        return batch_completed_event

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
