from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.change_kind import ChangeKind
from typing import cast

if TYPE_CHECKING:
  from ..models.call import Call
  from ..models.tombstone import Tombstone





T = TypeVar("T", bound="CallChange")



@_attrs_define
class CallChange:
    """ One call at its latest change.

        Attributes:
            call (Call | Tombstone): The call object as the list returns it (`recording_url` null: ask GET
                /v1/calls/{call_id}/recording for a link), or a tombstone `{"id", "deleted": true, "reason"}`
            change (ChangeKind): What the latest change of a call was.
            changed_at (str): When the change reached the feed
            sequence (str): The change's sequence number (decimal digits, possibly beyond 2^53): it grows with every change
                of the call, so a copy can ignore a change older than the one it holds
     """

    call: Call | Tombstone
    change: ChangeKind
    changed_at: str
    sequence: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.call import Call # noqa: PLC0415
        from ..models.tombstone import Tombstone # noqa: PLC0415
        call: dict[str, Any]
        if isinstance(self.call, Call):
            call = self.call.to_dict()
        else:
            call = self.call.to_dict()


        change = self.change.value

        changed_at = self.changed_at

        sequence = self.sequence


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "call": call,
            "change": change,
            "changed_at": changed_at,
            "sequence": sequence,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.call import Call # noqa: PLC0415
        from ..models.tombstone import Tombstone # noqa: PLC0415
        d = dict(src_dict)
        def _parse_call(data: object) -> Call | Tombstone:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                call_type_0 = Call.from_dict(data)



                return call_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            call_type_1 = Tombstone.from_dict(data)



            return call_type_1

        call = _parse_call(d.pop("call"))


        change = ChangeKind(d.pop("change"))




        changed_at = d.pop("changed_at")

        sequence = d.pop("sequence")

        call_change = cls(
            call=call,
            change=change,
            changed_at=changed_at,
            sequence=sequence,
        )


        call_change.additional_properties = d
        return call_change

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
