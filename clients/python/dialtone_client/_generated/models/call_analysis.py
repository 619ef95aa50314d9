from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="CallAnalysis")



@_attrs_define
class CallAnalysis:
    """ 
        Attributes:
            call_successful (bool | None | Unset):
            in_voicemail (bool | None | Unset):
            summary (None | str | Unset):
            user_sentiment (None | str | Unset):
     """

    call_successful: bool | None | Unset = UNSET
    in_voicemail: bool | None | Unset = UNSET
    summary: None | str | Unset = UNSET
    user_sentiment: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        call_successful: bool | None | Unset
        if isinstance(self.call_successful, Unset):
            call_successful = UNSET
        else:
            call_successful = self.call_successful

        in_voicemail: bool | None | Unset
        if isinstance(self.in_voicemail, Unset):
            in_voicemail = UNSET
        else:
            in_voicemail = self.in_voicemail

        summary: None | str | Unset
        if isinstance(self.summary, Unset):
            summary = UNSET
        else:
            summary = self.summary

        user_sentiment: None | str | Unset
        if isinstance(self.user_sentiment, Unset):
            user_sentiment = UNSET
        else:
            user_sentiment = self.user_sentiment


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
        })
        if call_successful is not UNSET:
            field_dict["call_successful"] = call_successful
        if in_voicemail is not UNSET:
            field_dict["in_voicemail"] = in_voicemail
        if summary is not UNSET:
            field_dict["summary"] = summary
        if user_sentiment is not UNSET:
            field_dict["user_sentiment"] = user_sentiment

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_call_successful(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        call_successful = _parse_call_successful(d.pop("call_successful", UNSET))


        def _parse_in_voicemail(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        in_voicemail = _parse_in_voicemail(d.pop("in_voicemail", UNSET))


        def _parse_summary(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        summary = _parse_summary(d.pop("summary", UNSET))


        def _parse_user_sentiment(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user_sentiment = _parse_user_sentiment(d.pop("user_sentiment", UNSET))


        call_analysis = cls(
            call_successful=call_successful,
            in_voicemail=in_voicemail,
            summary=summary,
            user_sentiment=user_sentiment,
        )


        call_analysis.additional_properties = d
        return call_analysis

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
