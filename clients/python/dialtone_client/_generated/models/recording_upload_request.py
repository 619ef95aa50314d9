from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.recording_upload_request_format import RecordingUploadRequestFormat
from ..models.recording_upload_request_method import RecordingUploadRequestMethod
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="RecordingUploadRequest")



@_attrs_define
class RecordingUploadRequest:
    """ `POST /v1/calls/{call_id}/recording/upload`.

        Attributes:
            format_ (RecordingUploadRequestFormat):
            method (RecordingUploadRequestMethod | Unset):  Default: RecordingUploadRequestMethod.PUT.
            size_bytes (int | None | Unset):
     """

    format_: RecordingUploadRequestFormat
    method: RecordingUploadRequestMethod | Unset = RecordingUploadRequestMethod.PUT
    size_bytes: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        format_ = self.format_.value

        method: str | Unset = UNSET
        if not isinstance(self.method, Unset):
            method = self.method.value


        size_bytes: int | None | Unset
        if isinstance(self.size_bytes, Unset):
            size_bytes = UNSET
        else:
            size_bytes = self.size_bytes


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "format": format_,
        })
        if method is not UNSET:
            field_dict["method"] = method
        if size_bytes is not UNSET:
            field_dict["size_bytes"] = size_bytes

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        format_ = RecordingUploadRequestFormat(d.pop("format"))




        _method = d.pop("method", UNSET)
        method: RecordingUploadRequestMethod | Unset
        if isinstance(_method,  Unset):
            method = UNSET
        else:
            method = RecordingUploadRequestMethod(_method)




        def _parse_size_bytes(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        size_bytes = _parse_size_bytes(d.pop("size_bytes", UNSET))


        recording_upload_request = cls(
            format_=format_,
            method=method,
            size_bytes=size_bytes,
        )

        return recording_upload_request

