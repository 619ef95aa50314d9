from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.batch_call_entry import BatchCallEntry





T = TypeVar("T", bound="BatchStatus")



@_attrs_define
class BatchStatus:
    """ 
        Attributes:
            batch_id (str):
            calls (list[BatchCallEntry]):
            canceled (int):
            completed (int):
            created_at (datetime.datetime):
            failed (int):
            initiated (int):
            queued (int):
            status (str):
            total (int):
     """

    batch_id: str
    calls: list[BatchCallEntry]
    canceled: int
    completed: int
    created_at: datetime.datetime
    failed: int
    initiated: int
    queued: int
    status: str
    total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.batch_call_entry import BatchCallEntry # noqa: PLC0415
        batch_id = self.batch_id

        calls = []
        for calls_item_data in self.calls:
            calls_item = calls_item_data.to_dict()
            calls.append(calls_item)



        canceled = self.canceled

        completed = self.completed

        created_at = self.created_at.isoformat()

        failed = self.failed

        initiated = self.initiated

        queued = self.queued

        status = self.status

        total = self.total


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "batch_id": batch_id,
            "calls": calls,
            "canceled": canceled,
            "completed": completed,
            "created_at": created_at,
            "failed": failed,
            "initiated": initiated,
            "queued": queued,
            "status": status,
            "total": total,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.batch_call_entry import BatchCallEntry # noqa: PLC0415
        d = dict(src_dict)
        batch_id = d.pop("batch_id")

        calls = []
        _calls = d.pop("calls")
        for calls_item_data in (_calls):
            calls_item = BatchCallEntry.from_dict(calls_item_data)



            calls.append(calls_item)


        canceled = d.pop("canceled")

        completed = d.pop("completed")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        failed = d.pop("failed")

        initiated = d.pop("initiated")

        queued = d.pop("queued")

        status = d.pop("status")

        total = d.pop("total")

        batch_status = cls(
            batch_id=batch_id,
            calls=calls,
            canceled=canceled,
            completed=completed,
            created_at=created_at,
            failed=failed,
            initiated=initiated,
            queued=queued,
            status=status,
            total=total,
        )


        batch_status.additional_properties = d
        return batch_status

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
