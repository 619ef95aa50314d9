from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.batch_links import BatchLinks





T = TypeVar("T", bound="BatchEventData")



@_attrs_define
class BatchEventData:
    """ `batch.completed`'s `data`: the batch status as `GET /v1/calls/batch/{batch_id}` returns
    it, without its list of calls (up to 1,000: read them from `links.batch`).

        Attributes:
            batch_id (str):
            canceled (int):
            completed (int):
            created_at (datetime.datetime):
            failed (int):
            initiated (int):
            links (BatchLinks):
            queued (int):
            sequence (str): The batch item's change that completed it (40 digits)
            status (str): `completed`
            total (int):
     """

    batch_id: str
    canceled: int
    completed: int
    created_at: datetime.datetime
    failed: int
    initiated: int
    links: BatchLinks
    queued: int
    sequence: str
    status: str
    total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.batch_links import BatchLinks # noqa: PLC0415
        batch_id = self.batch_id

        canceled = self.canceled

        completed = self.completed

        created_at = self.created_at.isoformat()

        failed = self.failed

        initiated = self.initiated

        links = self.links.to_dict()

        queued = self.queued

        sequence = self.sequence

        status = self.status

        total = self.total


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "batch_id": batch_id,
            "canceled": canceled,
            "completed": completed,
            "created_at": created_at,
            "failed": failed,
            "initiated": initiated,
            "links": links,
            "queued": queued,
            "sequence": sequence,
            "status": status,
            "total": total,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.batch_links import BatchLinks # noqa: PLC0415
        d = dict(src_dict)
        batch_id = d.pop("batch_id")

        canceled = d.pop("canceled")

        completed = d.pop("completed")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        failed = d.pop("failed")

        initiated = d.pop("initiated")

        links = BatchLinks.from_dict(d.pop("links"))




        queued = d.pop("queued")

        sequence = d.pop("sequence")

        status = d.pop("status")

        total = d.pop("total")

        batch_event_data = cls(
            batch_id=batch_id,
            canceled=canceled,
            completed=completed,
            created_at=created_at,
            failed=failed,
            initiated=initiated,
            links=links,
            queued=queued,
            sequence=sequence,
            status=status,
            total=total,
        )


        batch_event_data.additional_properties = d
        return batch_event_data

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
