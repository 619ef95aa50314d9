from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.grade_status import GradeStatus
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.criterion_score import CriterionScore





T = TypeVar("T", bound="Grade")



@_attrs_define
class Grade:
    """ A call's grade. `pending` until the grader has run; `completed` with a score from 0.0 to
    1.0 (the criteria's scores weighted); `failed` with the reason in `error`, never a score of
    0 for a call that could not be judged.

        Attributes:
            call_id (str):
            grader (str):
            status (GradeStatus):
            criteria (list[CriterionScore] | Unset):
            error (None | str | Unset):
            graded_at (None | str | Unset):
            rubric_version (None | str | Unset):
            score (float | None | Unset):
            summary (None | str | Unset):
     """

    call_id: str
    grader: str
    status: GradeStatus
    criteria: list[CriterionScore] | Unset = UNSET
    error: None | str | Unset = UNSET
    graded_at: None | str | Unset = UNSET
    rubric_version: None | str | Unset = UNSET
    score: float | None | Unset = UNSET
    summary: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.criterion_score import CriterionScore # noqa: PLC0415
        call_id = self.call_id

        grader = self.grader

        status = self.status.value

        criteria: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.criteria, Unset):
            criteria = []
            for criteria_item_data in self.criteria:
                criteria_item = criteria_item_data.to_dict()
                criteria.append(criteria_item)



        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        graded_at: None | str | Unset
        if isinstance(self.graded_at, Unset):
            graded_at = UNSET
        else:
            graded_at = self.graded_at

        rubric_version: None | str | Unset
        if isinstance(self.rubric_version, Unset):
            rubric_version = UNSET
        else:
            rubric_version = self.rubric_version

        score: float | None | Unset
        if isinstance(self.score, Unset):
            score = UNSET
        else:
            score = self.score

        summary: None | str | Unset
        if isinstance(self.summary, Unset):
            summary = UNSET
        else:
            summary = self.summary


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "call_id": call_id,
            "grader": grader,
            "status": status,
        })
        if criteria is not UNSET:
            field_dict["criteria"] = criteria
        if error is not UNSET:
            field_dict["error"] = error
        if graded_at is not UNSET:
            field_dict["graded_at"] = graded_at
        if rubric_version is not UNSET:
            field_dict["rubric_version"] = rubric_version
        if score is not UNSET:
            field_dict["score"] = score
        if summary is not UNSET:
            field_dict["summary"] = summary

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.criterion_score import CriterionScore # noqa: PLC0415
        d = dict(src_dict)
        call_id = d.pop("call_id")

        grader = d.pop("grader")

        status = GradeStatus(d.pop("status"))




        _criteria = d.pop("criteria", UNSET)
        criteria: list[CriterionScore] | Unset = UNSET
        if _criteria is not UNSET:
            criteria = []
            for criteria_item_data in _criteria:
                criteria_item = CriterionScore.from_dict(criteria_item_data)



                criteria.append(criteria_item)


        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))


        def _parse_graded_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        graded_at = _parse_graded_at(d.pop("graded_at", UNSET))


        def _parse_rubric_version(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        rubric_version = _parse_rubric_version(d.pop("rubric_version", UNSET))


        def _parse_score(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        score = _parse_score(d.pop("score", UNSET))


        def _parse_summary(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        summary = _parse_summary(d.pop("summary", UNSET))


        grade = cls(
            call_id=call_id,
            grader=grader,
            status=status,
            criteria=criteria,
            error=error,
            graded_at=graded_at,
            rubric_version=rubric_version,
            score=score,
            summary=summary,
        )


        grade.additional_properties = d
        return grade

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
