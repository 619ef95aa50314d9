from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.queue_time import QueueTime
  from ..models.stats_figures_by_direction import StatsFiguresByDirection
  from ..models.stats_figures_by_outcome import StatsFiguresByOutcome
  from ..models.stats_figures_by_status import StatsFiguresByStatus
  from ..models.stats_latency import StatsLatency





T = TypeVar("T", bound="StatsFigures")



@_attrs_define
class StatsFigures:
    """ The figures of a set of calls (the range and filters, or one group of them).

        Attributes:
            acd_seconds (float | None): Average call duration of answered calls: sum of `duration_seconds` of the calls
                answered (status `in_progress` or `completed`) that have a duration ÷ their number.
            answer_rate (float | None): Outbound calls answered (status `in_progress` or `completed`) ÷ outbound calls
                attempted (status `in_progress`, `completed`, `busy`, `no_answer` or `failed`). Excluded: inbound and web calls,
                outbound calls not decided yet (`queued`, `initiated`, `ringing`) and `canceled` ones (never dialed). Null
                without attempts.
            average_handle_time_seconds (float | None): Sum of `duration_seconds` ÷ calls that have a duration (any status).
                Calls without a duration (not ended, or never connected) are excluded.
            by_direction (StatsFiguresByDirection): Calls per `direction`.
            by_outcome (StatsFiguresByOutcome): Calls per `outcome`; calls without an outcome yet are in none.
            by_status (StatsFiguresByStatus): Calls per `status` (statuses with none are left out).
            calls (int): Calls whose `start_time` is in the range and that match.
            cost_per_call (float | None): `cost_total` ÷ `calls` (calls without a cost count as 0). Null without calls.
            cost_total (float): Sum of `cost.total` over the calls (in the calls' currency, USD), to the micro-unit.
            duration_p50_seconds (float | None): Median `duration_seconds` (nearest rank) of the calls that have a duration;
                read from a histogram, within 2 % of the true value.
            duration_p95_seconds (float | None): 95th percentile (nearest rank) of the same durations; within 2 %.
            escalation_rate (float | None): Calls with outcome `escalated` (an `escalated` event sets it) ÷ calls with any
                outcome. Calls without an outcome yet are excluded.
            latency_ms (StatsLatency):
            success_rate (float | None): Calls whose `analysis.call_successful` is true ÷ calls where it is true or false.
                Calls not analysed (null) are excluded. Null when none was analysed.
            queue_time_ms (QueueTime | Unset): How long outbound calls waited to be dialed.
     """

    acd_seconds: float | None
    answer_rate: float | None
    average_handle_time_seconds: float | None
    by_direction: StatsFiguresByDirection
    by_outcome: StatsFiguresByOutcome
    by_status: StatsFiguresByStatus
    calls: int
    cost_per_call: float | None
    cost_total: float
    duration_p50_seconds: float | None
    duration_p95_seconds: float | None
    escalation_rate: float | None
    latency_ms: StatsLatency
    success_rate: float | None
    queue_time_ms: QueueTime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.queue_time import QueueTime # noqa: PLC0415
        from ..models.stats_figures_by_direction import StatsFiguresByDirection # noqa: PLC0415
        from ..models.stats_figures_by_outcome import StatsFiguresByOutcome # noqa: PLC0415
        from ..models.stats_figures_by_status import StatsFiguresByStatus # noqa: PLC0415
        from ..models.stats_latency import StatsLatency # noqa: PLC0415
        acd_seconds: float | None
        acd_seconds = self.acd_seconds

        answer_rate: float | None
        answer_rate = self.answer_rate

        average_handle_time_seconds: float | None
        average_handle_time_seconds = self.average_handle_time_seconds

        by_direction = self.by_direction.to_dict()

        by_outcome = self.by_outcome.to_dict()

        by_status = self.by_status.to_dict()

        calls = self.calls

        cost_per_call: float | None
        cost_per_call = self.cost_per_call

        cost_total = self.cost_total

        duration_p50_seconds: float | None
        duration_p50_seconds = self.duration_p50_seconds

        duration_p95_seconds: float | None
        duration_p95_seconds = self.duration_p95_seconds

        escalation_rate: float | None
        escalation_rate = self.escalation_rate

        latency_ms = self.latency_ms.to_dict()

        success_rate: float | None
        success_rate = self.success_rate

        queue_time_ms: dict[str, Any] | Unset = UNSET
        if not isinstance(self.queue_time_ms, Unset):
            queue_time_ms = self.queue_time_ms.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "acd_seconds": acd_seconds,
            "answer_rate": answer_rate,
            "average_handle_time_seconds": average_handle_time_seconds,
            "by_direction": by_direction,
            "by_outcome": by_outcome,
            "by_status": by_status,
            "calls": calls,
            "cost_per_call": cost_per_call,
            "cost_total": cost_total,
            "duration_p50_seconds": duration_p50_seconds,
            "duration_p95_seconds": duration_p95_seconds,
            "escalation_rate": escalation_rate,
            "latency_ms": latency_ms,
            "success_rate": success_rate,
        })
        if queue_time_ms is not UNSET:
            field_dict["queue_time_ms"] = queue_time_ms

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.queue_time import QueueTime # noqa: PLC0415
        from ..models.stats_figures_by_direction import StatsFiguresByDirection # noqa: PLC0415
        from ..models.stats_figures_by_outcome import StatsFiguresByOutcome # noqa: PLC0415
        from ..models.stats_figures_by_status import StatsFiguresByStatus # noqa: PLC0415
        from ..models.stats_latency import StatsLatency # noqa: PLC0415
        d = dict(src_dict)
        def _parse_acd_seconds(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        acd_seconds = _parse_acd_seconds(d.pop("acd_seconds"))


        def _parse_answer_rate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        answer_rate = _parse_answer_rate(d.pop("answer_rate"))


        def _parse_average_handle_time_seconds(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        average_handle_time_seconds = _parse_average_handle_time_seconds(d.pop("average_handle_time_seconds"))


        by_direction = StatsFiguresByDirection.from_dict(d.pop("by_direction"))




        by_outcome = StatsFiguresByOutcome.from_dict(d.pop("by_outcome"))




        by_status = StatsFiguresByStatus.from_dict(d.pop("by_status"))




        calls = d.pop("calls")

        def _parse_cost_per_call(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        cost_per_call = _parse_cost_per_call(d.pop("cost_per_call"))


        cost_total = d.pop("cost_total")

        def _parse_duration_p50_seconds(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        duration_p50_seconds = _parse_duration_p50_seconds(d.pop("duration_p50_seconds"))


        def _parse_duration_p95_seconds(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        duration_p95_seconds = _parse_duration_p95_seconds(d.pop("duration_p95_seconds"))


        def _parse_escalation_rate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        escalation_rate = _parse_escalation_rate(d.pop("escalation_rate"))


        latency_ms = StatsLatency.from_dict(d.pop("latency_ms"))




        def _parse_success_rate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        success_rate = _parse_success_rate(d.pop("success_rate"))


        _queue_time_ms = d.pop("queue_time_ms", UNSET)
        queue_time_ms: QueueTime | Unset
        if isinstance(_queue_time_ms,  Unset):
            queue_time_ms = UNSET
        else:
            queue_time_ms = QueueTime.from_dict(_queue_time_ms)




        stats_figures = cls(
            acd_seconds=acd_seconds,
            answer_rate=answer_rate,
            average_handle_time_seconds=average_handle_time_seconds,
            by_direction=by_direction,
            by_outcome=by_outcome,
            by_status=by_status,
            calls=calls,
            cost_per_call=cost_per_call,
            cost_total=cost_total,
            duration_p50_seconds=duration_p50_seconds,
            duration_p95_seconds=duration_p95_seconds,
            escalation_rate=escalation_rate,
            latency_ms=latency_ms,
            success_rate=success_rate,
            queue_time_ms=queue_time_ms,
        )


        stats_figures.additional_properties = d
        return stats_figures

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
