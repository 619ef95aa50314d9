from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.call_outcome import CallOutcome
from ..models.call_status import CallStatus
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="EventsReceipt")



@_attrs_define
class EventsReceipt:
    """ An events append also tells where the call's lifecycle now stands.

        Attributes:
            call_id (str):
            received (int):
            status (CallStatus):
            stored (int):
            unchanged (int):
            outcome (CallOutcome | None | Unset):
     """

    call_id: str
    received: int
    status: CallStatus
    stored: int
    unchanged: int
    outcome: CallOutcome | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        call_id = self.call_id

        received = self.received

        status = self.status.value

        stored = self.stored

        unchanged = self.unchanged

        outcome: None | str | Unset
        if isinstance(self.outcome, Unset):
            outcome = UNSET
        elif isinstance(self.outcome, CallOutcome):
            outcome = self.outcome.value
        else:
            outcome = self.outcome


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "call_id": call_id,
            "received": received,
            "status": status,
            "stored": stored,
            "unchanged": unchanged,
        })
        if outcome is not UNSET:
            field_dict["outcome"] = outcome

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        call_id = d.pop("call_id")

        received = d.pop("received")

        status = CallStatus(d.pop("status"))




        stored = d.pop("stored")

        unchanged = d.pop("unchanged")

        def _parse_outcome(data: object) -> CallOutcome | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                outcome_type_0 = CallOutcome(data)



                return outcome_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CallOutcome | None | Unset, data)

        outcome = _parse_outcome(d.pop("outcome", UNSET))


        events_receipt = cls(
            call_id=call_id,
            received=received,
            status=status,
            stored=stored,
            unchanged=unchanged,
            outcome=outcome,
        )


        events_receipt.additional_properties = d
        return events_receipt

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
