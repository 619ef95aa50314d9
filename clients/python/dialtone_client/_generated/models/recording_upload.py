from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.recording_upload_method import RecordingUploadMethod
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.recording_upload_fields import RecordingUploadFields
  from ..models.recording_upload_headers import RecordingUploadHeaders





T = TypeVar("T", bound="RecordingUpload")



@_attrs_define
class RecordingUpload:
    """ Where and how to upload a call's recording: a presigned PUT (send `headers` with the
    body) or a presigned POST (send `fields` then the file as a multipart form).

        Attributes:
            call_id (str):
            expires_at (str):
            max_size_bytes (int):
            method (RecordingUploadMethod):
            recording_format (str):
            upload_url (str):
            fields (RecordingUploadFields | Unset):
            headers (RecordingUploadHeaders | Unset):
     """

    call_id: str
    expires_at: str
    max_size_bytes: int
    method: RecordingUploadMethod
    recording_format: str
    upload_url: str
    fields: RecordingUploadFields | Unset = UNSET
    headers: RecordingUploadHeaders | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.recording_upload_fields import RecordingUploadFields # noqa: PLC0415
        from ..models.recording_upload_headers import RecordingUploadHeaders # noqa: PLC0415
        call_id = self.call_id

        expires_at = self.expires_at

        max_size_bytes = self.max_size_bytes

        method = self.method.value

        recording_format = self.recording_format

        upload_url = self.upload_url

        fields: dict[str, Any] | Unset = UNSET
        if not isinstance(self.fields, Unset):
            fields = self.fields.to_dict()

        headers: dict[str, Any] | Unset = UNSET
        if not isinstance(self.headers, Unset):
            headers = self.headers.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "call_id": call_id,
            "expires_at": expires_at,
            "max_size_bytes": max_size_bytes,
            "method": method,
            "recording_format": recording_format,
            "upload_url": upload_url,
        })
        if fields is not UNSET:
            field_dict["fields"] = fields
        if headers is not UNSET:
            field_dict["headers"] = headers

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.recording_upload_fields import RecordingUploadFields # noqa: PLC0415
        from ..models.recording_upload_headers import RecordingUploadHeaders # noqa: PLC0415
        d = dict(src_dict)
        call_id = d.pop("call_id")

        expires_at = d.pop("expires_at")

        max_size_bytes = d.pop("max_size_bytes")

        method = RecordingUploadMethod(d.pop("method"))




        recording_format = d.pop("recording_format")

        upload_url = d.pop("upload_url")

        _fields = d.pop("fields", UNSET)
        fields: RecordingUploadFields | Unset
        if isinstance(_fields,  Unset):
            fields = UNSET
        else:
            fields = RecordingUploadFields.from_dict(_fields)




        _headers = d.pop("headers", UNSET)
        headers: RecordingUploadHeaders | Unset
        if isinstance(_headers,  Unset):
            headers = UNSET
        else:
            headers = RecordingUploadHeaders.from_dict(_headers)




        recording_upload = cls(
            call_id=call_id,
            expires_at=expires_at,
            max_size_bytes=max_size_bytes,
            method=method,
            recording_format=recording_format,
            upload_url=upload_url,
            fields=fields,
            headers=headers,
        )


        recording_upload.additional_properties = d
        return recording_upload

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
