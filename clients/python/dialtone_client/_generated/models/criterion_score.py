from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="CriterionScore")



@_attrs_define
class CriterionScore:
    """ One criterion of a grade: its share of the score, how the call did on it (0-1) and the
    evidence that score rests on, in a few words with the numbers.

        Attributes:
            evidence (str):
            name (str):
            score (float):
            weight (float):
     """

    evidence: str
    name: str
    score: float
    weight: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        evidence = self.evidence

        name = self.name

        score = self.score

        weight = self.weight


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "evidence": evidence,
            "name": name,
            "score": score,
            "weight": weight,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        evidence = d.pop("evidence")

        name = d.pop("name")

        score = d.pop("score")

        weight = d.pop("weight")

        criterion_score = cls(
            evidence=evidence,
            name=name,
            score=score,
            weight=weight,
        )


        criterion_score.additional_properties = d
        return criterion_score

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
