from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.batch_deferred import BatchDeferred
  from ..models.batch_skipped import BatchSkipped





T = TypeVar("T", bound="BatchDryRun")



@_attrs_define
class BatchDryRun:
    """ `POST /v1/calls/batch?dry_run=true`: what the batch would do, storing and dialing
    nothing.

        Attributes:
            deferred (BatchDeferred): Numbers the batch would dial later than now.
            skipped (BatchSkipped): The numbers a batch would not dial, by reason.
            will_dial (int): Numbers the batch would dial, now or when their calling window opens
     """

    deferred: BatchDeferred
    skipped: BatchSkipped
    will_dial: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.batch_deferred import BatchDeferred # noqa: PLC0415
        from ..models.batch_skipped import BatchSkipped # noqa: PLC0415
        deferred = self.deferred.to_dict()

        skipped = self.skipped.to_dict()

        will_dial = self.will_dial


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "deferred": deferred,
            "skipped": skipped,
            "will_dial": will_dial,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.batch_deferred import BatchDeferred # noqa: PLC0415
        from ..models.batch_skipped import BatchSkipped # noqa: PLC0415
        d = dict(src_dict)
        deferred = BatchDeferred.from_dict(d.pop("deferred"))




        skipped = BatchSkipped.from_dict(d.pop("skipped"))




        will_dial = d.pop("will_dial")

        batch_dry_run = cls(
            deferred=deferred,
            skipped=skipped,
            will_dial=will_dial,
        )


        batch_dry_run.additional_properties = d
        return batch_dry_run

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
