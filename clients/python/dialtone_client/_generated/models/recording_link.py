from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="RecordingLink")



@_attrs_define
class RecordingLink:
    """ 
        Attributes:
            call_id (str):
            expires_at (str):
            recording_url (str):
            recording_channels (int | None | Unset):
            recording_duration_seconds (float | None | Unset):
            recording_format (None | str | Unset):
            recording_size_bytes (int | None | Unset):
     """

    call_id: str
    expires_at: str
    recording_url: str
    recording_channels: int | None | Unset = UNSET
    recording_duration_seconds: float | None | Unset = UNSET
    recording_format: None | str | Unset = UNSET
    recording_size_bytes: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        call_id = self.call_id

        expires_at = self.expires_at

        recording_url = self.recording_url

        recording_channels: int | None | Unset
        if isinstance(self.recording_channels, Unset):
            recording_channels = UNSET
        else:
            recording_channels = self.recording_channels

        recording_duration_seconds: float | None | Unset
        if isinstance(self.recording_duration_seconds, Unset):
            recording_duration_seconds = UNSET
        else:
            recording_duration_seconds = self.recording_duration_seconds

        recording_format: None | str | Unset
        if isinstance(self.recording_format, Unset):
            recording_format = UNSET
        else:
            recording_format = self.recording_format

        recording_size_bytes: int | None | Unset
        if isinstance(self.recording_size_bytes, Unset):
            recording_size_bytes = UNSET
        else:
            recording_size_bytes = self.recording_size_bytes


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "call_id": call_id,
            "expires_at": expires_at,
            "recording_url": recording_url,
        })
        if recording_channels is not UNSET:
            field_dict["recording_channels"] = recording_channels
        if recording_duration_seconds is not UNSET:
            field_dict["recording_duration_seconds"] = recording_duration_seconds
        if recording_format is not UNSET:
            field_dict["recording_format"] = recording_format
        if recording_size_bytes is not UNSET:
            field_dict["recording_size_bytes"] = recording_size_bytes

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        call_id = d.pop("call_id")

        expires_at = d.pop("expires_at")

        recording_url = d.pop("recording_url")

        def _parse_recording_channels(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        recording_channels = _parse_recording_channels(d.pop("recording_channels", UNSET))


        def _parse_recording_duration_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        recording_duration_seconds = _parse_recording_duration_seconds(d.pop("recording_duration_seconds", UNSET))


        def _parse_recording_format(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recording_format = _parse_recording_format(d.pop("recording_format", UNSET))


        def _parse_recording_size_bytes(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        recording_size_bytes = _parse_recording_size_bytes(d.pop("recording_size_bytes", UNSET))


        recording_link = cls(
            call_id=call_id,
            expires_at=expires_at,
            recording_url=recording_url,
            recording_channels=recording_channels,
            recording_duration_seconds=recording_duration_seconds,
            recording_format=recording_format,
            recording_size_bytes=recording_size_bytes,
        )


        recording_link.additional_properties = d
        return recording_link

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
