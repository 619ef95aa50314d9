from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.latency_stats import LatencyStats





T = TypeVar("T", bound="CallLatency")



@_attrs_define
class CallLatency:
    """ 
        Attributes:
            e2e (LatencyStats | None | Unset):
            llm (LatencyStats | None | Unset):
            stt (LatencyStats | None | Unset):
            tts (LatencyStats | None | Unset):
     """

    e2e: LatencyStats | None | Unset = UNSET
    llm: LatencyStats | None | Unset = UNSET
    stt: LatencyStats | None | Unset = UNSET
    tts: LatencyStats | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.latency_stats import LatencyStats # noqa: PLC0415
        e2e: dict[str, Any] | None | Unset
        if isinstance(self.e2e, Unset):
            e2e = UNSET
        elif isinstance(self.e2e, LatencyStats):
            e2e = self.e2e.to_dict()
        else:
            e2e = self.e2e

        llm: dict[str, Any] | None | Unset
        if isinstance(self.llm, Unset):
            llm = UNSET
        elif isinstance(self.llm, LatencyStats):
            llm = self.llm.to_dict()
        else:
            llm = self.llm

        stt: dict[str, Any] | None | Unset
        if isinstance(self.stt, Unset):
            stt = UNSET
        elif isinstance(self.stt, LatencyStats):
            stt = self.stt.to_dict()
        else:
            stt = self.stt

        tts: dict[str, Any] | None | Unset
        if isinstance(self.tts, Unset):
            tts = UNSET
        elif isinstance(self.tts, LatencyStats):
            tts = self.tts.to_dict()
        else:
            tts = self.tts


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
        })
        if e2e is not UNSET:
            field_dict["e2e"] = e2e
        if llm is not UNSET:
            field_dict["llm"] = llm
        if stt is not UNSET:
            field_dict["stt"] = stt
        if tts is not UNSET:
            field_dict["tts"] = tts

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.latency_stats import LatencyStats # noqa: PLC0415
        d = dict(src_dict)
        def _parse_e2e(data: object) -> LatencyStats | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                e2e_type_0 = LatencyStats.from_dict(data)



                return e2e_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LatencyStats | None | Unset, data)

        e2e = _parse_e2e(d.pop("e2e", UNSET))


        def _parse_llm(data: object) -> LatencyStats | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                llm_type_0 = LatencyStats.from_dict(data)



                return llm_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LatencyStats | None | Unset, data)

        llm = _parse_llm(d.pop("llm", UNSET))


        def _parse_stt(data: object) -> LatencyStats | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                stt_type_0 = LatencyStats.from_dict(data)



                return stt_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LatencyStats | None | Unset, data)

        stt = _parse_stt(d.pop("stt", UNSET))


        def _parse_tts(data: object) -> LatencyStats | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                tts_type_0 = LatencyStats.from_dict(data)



                return tts_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LatencyStats | None | Unset, data)

        tts = _parse_tts(d.pop("tts", UNSET))


        call_latency = cls(
            e2e=e2e,
            llm=llm,
            stt=stt,
            tts=tts,
        )


        call_latency.additional_properties = d
        return call_latency

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
