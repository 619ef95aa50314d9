from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.delivery_status import DeliveryStatus
from ..models.event_type import EventType
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.delivery_attempt import DeliveryAttempt





T = TypeVar("T", bound="Delivery")



@_attrs_define
class Delivery:
    """ One event sent to one webhook, with its attempts; `id` is the `webhook-id` header.

        Attributes:
            created_at (str):
            event_id (str):
            event_type (EventType): What a subscription can choose to hear about; `ping` is sent by the test endpoint only.
            id (str): The delivery's id (`msg_...`), the `webhook-id` header.
            status (DeliveryStatus): `pending` until an attempt succeeds (`delivered`) or the retries end (`failed`).
            updated_at (str):
            webhook_id (str):
            attempts (list[DeliveryAttempt] | Unset):
            next_retry_at (None | str | Unset): When the next attempt is due, while `pending`.
     """

    created_at: str
    event_id: str
    event_type: EventType
    id: str
    status: DeliveryStatus
    updated_at: str
    webhook_id: str
    attempts: list[DeliveryAttempt] | Unset = UNSET
    next_retry_at: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.delivery_attempt import DeliveryAttempt # noqa: PLC0415
        created_at = self.created_at

        event_id = self.event_id

        event_type = self.event_type.value

        id = self.id

        status = self.status.value

        updated_at = self.updated_at

        webhook_id = self.webhook_id

        attempts: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.attempts, Unset):
            attempts = []
            for attempts_item_data in self.attempts:
                attempts_item = attempts_item_data.to_dict()
                attempts.append(attempts_item)



        next_retry_at: None | str | Unset
        if isinstance(self.next_retry_at, Unset):
            next_retry_at = UNSET
        else:
            next_retry_at = self.next_retry_at


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "created_at": created_at,
            "event_id": event_id,
            "event_type": event_type,
            "id": id,
            "status": status,
            "updated_at": updated_at,
            "webhook_id": webhook_id,
        })
        if attempts is not UNSET:
            field_dict["attempts"] = attempts
        if next_retry_at is not UNSET:
            field_dict["next_retry_at"] = next_retry_at

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.delivery_attempt import DeliveryAttempt # noqa: PLC0415
        d = dict(src_dict)
        created_at = d.pop("created_at")

        event_id = d.pop("event_id")

        event_type = EventType(d.pop("event_type"))




        id = d.pop("id")

        status = DeliveryStatus(d.pop("status"))




        updated_at = d.pop("updated_at")

        webhook_id = d.pop("webhook_id")

        _attempts = d.pop("attempts", UNSET)
        attempts: list[DeliveryAttempt] | Unset = UNSET
        if _attempts is not UNSET:
            attempts = []
            for attempts_item_data in _attempts:
                attempts_item = DeliveryAttempt.from_dict(attempts_item_data)



                attempts.append(attempts_item)


        def _parse_next_retry_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        next_retry_at = _parse_next_retry_at(d.pop("next_retry_at", UNSET))


        delivery = cls(
            created_at=created_at,
            event_id=event_id,
            event_type=event_type,
            id=id,
            status=status,
            updated_at=updated_at,
            webhook_id=webhook_id,
            attempts=attempts,
            next_retry_at=next_retry_at,
        )


        delivery.additional_properties = d
        return delivery

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
