from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.event_type import EventType
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="WebhookCreated")



@_attrs_define
class WebhookCreated:
    """ A new subscription, with its signing secret: shown here only.

        Attributes:
            created_at (str):
            enabled (bool): Whether events are sent; a 410 answer disables it.
            events (list[EventType]): The event types sent to this URL.
            id (str): The subscription's id (`wh_...`).
            secret (str): The signing secret (`whsec_...`) to verify deliveries with; it is not shown again (rotate it to
                get a new one).
            updated_at (str):
            url (str): Where events are POSTed (https).
            description (None | str | Unset):
            disabled_reason (None | str | Unset): Why it was disabled, when Dialtone disabled it.
            failing_since (None | str | Unset): When deliveries began to fail, if the latest failed; after 3 days of
                failures only, the subscription is disabled.
     """

    created_at: str
    enabled: bool
    events: list[EventType]
    id: str
    secret: str
    updated_at: str
    url: str
    description: None | str | Unset = UNSET
    disabled_reason: None | str | Unset = UNSET
    failing_since: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        enabled = self.enabled

        events = []
        for events_item_data in self.events:
            events_item = events_item_data.value
            events.append(events_item)



        id = self.id

        secret = self.secret

        updated_at = self.updated_at

        url = self.url

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        disabled_reason: None | str | Unset
        if isinstance(self.disabled_reason, Unset):
            disabled_reason = UNSET
        else:
            disabled_reason = self.disabled_reason

        failing_since: None | str | Unset
        if isinstance(self.failing_since, Unset):
            failing_since = UNSET
        else:
            failing_since = self.failing_since


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "created_at": created_at,
            "enabled": enabled,
            "events": events,
            "id": id,
            "secret": secret,
            "updated_at": updated_at,
            "url": url,
        })
        if description is not UNSET:
            field_dict["description"] = description
        if disabled_reason is not UNSET:
            field_dict["disabled_reason"] = disabled_reason
        if failing_since is not UNSET:
            field_dict["failing_since"] = failing_since

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = d.pop("created_at")

        enabled = d.pop("enabled")

        events = []
        _events = d.pop("events")
        for events_item_data in (_events):
            events_item = EventType(events_item_data)



            events.append(events_item)


        id = d.pop("id")

        secret = d.pop("secret")

        updated_at = d.pop("updated_at")

        url = d.pop("url")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))


        def _parse_disabled_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        disabled_reason = _parse_disabled_reason(d.pop("disabled_reason", UNSET))


        def _parse_failing_since(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failing_since = _parse_failing_since(d.pop("failing_since", UNSET))


        webhook_created = cls(
            created_at=created_at,
            enabled=enabled,
            events=events,
            id=id,
            secret=secret,
            updated_at=updated_at,
            url=url,
            description=description,
            disabled_reason=disabled_reason,
            failing_since=failing_since,
        )


        webhook_created.additional_properties = d
        return webhook_created

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
