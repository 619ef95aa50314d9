from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.latency_percentiles import LatencyPercentiles





T = TypeVar("T", bound="StatsLatency")



@_attrs_define
class StatsLatency:
    """ 
        Attributes:
            e2e (LatencyPercentiles | Unset):
            llm (LatencyPercentiles | Unset):
            stt (LatencyPercentiles | Unset):
            tts (LatencyPercentiles | Unset):
     """

    e2e: LatencyPercentiles | Unset = UNSET
    llm: LatencyPercentiles | Unset = UNSET
    stt: LatencyPercentiles | Unset = UNSET
    tts: LatencyPercentiles | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.latency_percentiles import LatencyPercentiles # noqa: PLC0415
        e2e: dict[str, Any] | Unset = UNSET
        if not isinstance(self.e2e, Unset):
            e2e = self.e2e.to_dict()

        llm: dict[str, Any] | Unset = UNSET
        if not isinstance(self.llm, Unset):
            llm = self.llm.to_dict()

        stt: dict[str, Any] | Unset = UNSET
        if not isinstance(self.stt, Unset):
            stt = self.stt.to_dict()

        tts: dict[str, Any] | Unset = UNSET
        if not isinstance(self.tts, Unset):
            tts = self.tts.to_dict()


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
        from ..models.latency_percentiles import LatencyPercentiles # noqa: PLC0415
        d = dict(src_dict)
        _e2e = d.pop("e2e", UNSET)
        e2e: LatencyPercentiles | Unset
        if isinstance(_e2e,  Unset):
            e2e = UNSET
        else:
            e2e = LatencyPercentiles.from_dict(_e2e)




        _llm = d.pop("llm", UNSET)
        llm: LatencyPercentiles | Unset
        if isinstance(_llm,  Unset):
            llm = UNSET
        else:
            llm = LatencyPercentiles.from_dict(_llm)




        _stt = d.pop("stt", UNSET)
        stt: LatencyPercentiles | Unset
        if isinstance(_stt,  Unset):
            stt = UNSET
        else:
            stt = LatencyPercentiles.from_dict(_stt)




        _tts = d.pop("tts", UNSET)
        tts: LatencyPercentiles | Unset
        if isinstance(_tts,  Unset):
            tts = UNSET
        else:
            tts = LatencyPercentiles.from_dict(_tts)




        stats_latency = cls(
            e2e=e2e,
            llm=llm,
            stt=stt,
            tts=tts,
        )


        stats_latency.additional_properties = d
        return stats_latency

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
