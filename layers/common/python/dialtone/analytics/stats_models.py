"""`GET /v1/calls/stats`: its query parameters and its answer, every figure defined where it is
declared (these descriptions are the published definitions, in the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from dialtone.call_filters import CallFilterParams
from dialtone.model_types import ApiModel

MAX_GROUPS = 500
"""Groups one answer holds at most (see `StatsGroupBy`)."""

MAX_RANGE_DAYS = 366
"""The longest range stats cover at once."""


class StatsGroupBy(StrEnum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    AGENT = "agent"
    DIRECTION = "direction"
    STATUS = "status"
    OUTCOME = "outcome"
    BATCH = "batch"


class StatsCompare(StrEnum):
    PREVIOUS_PERIOD = "previous_period"


class CallStatsParams(CallFilterParams):
    """The list's filters that the rollups answer (none, one, or one of the list's common pairs),
    the grouping and the comparison."""

    group_by: StatsGroupBy | None = None
    compare: StatsCompare | None = None


class LatencyPercentiles(ApiModel):
    p50: float | None = Field(
        default=None,
        description="Median, in ms, over the calls that measured this latency, of each call's"
        " own median (`latency.<stage>.p50`, to the ms); read from a histogram, within 2 % of"
        " the true value. Null when no call measured it.",
    )
    p95: float | None = Field(
        default=None,
        description="95th percentile (nearest rank), in ms, of the same per-call medians;"
        " within 2 %.",
    )


class StatsLatency(ApiModel):
    e2e: LatencyPercentiles = Field(
        default_factory=LatencyPercentiles,
        description="End to end: from the caller's end of speech to the agent's first audio.",
    )
    stt: LatencyPercentiles = Field(
        default_factory=LatencyPercentiles, description="Speech to text."
    )
    llm: LatencyPercentiles = Field(
        default_factory=LatencyPercentiles, description="The language model's first token."
    )
    tts: LatencyPercentiles = Field(
        default_factory=LatencyPercentiles, description="Text to speech's first audio."
    )


class QueueTime(ApiModel):
    """How long outbound calls waited to be dialed."""

    calls: int = Field(
        default=0,
        description="Calls with a `queue_time_ms`: outbound calls once dialed (`dialed_at` -"
        " `queued_at`), whatever their status since. Excluded: inbound and web calls, and"
        " outbound calls never dialed (still `queued`, `canceled` before their turn, refused"
        " before a dial).",
    )
    p50: float | None = Field(
        default=None,
        description="Median `queue_time_ms` (nearest rank) of those calls, in ms; read from a"
        " histogram, within 2 % of the true value (0 stays 0). Null when no call was dialed.",
    )
    p95: float | None = Field(
        default=None,
        description="95th percentile (nearest rank) of the same queue times, in ms; within 2 %.",
    )


class StatsFigures(ApiModel):
    """The figures of a set of calls (the range and filters, or one group of them)."""

    calls: int = Field(description="Calls whose `start_time` is in the range and that match.")
    by_status: dict[str, int] = Field(
        description="Calls per `status` (statuses with none are left out)."
    )
    by_direction: dict[str, int] = Field(description="Calls per `direction`.")
    by_outcome: dict[str, int] = Field(
        description="Calls per `outcome`; calls without an outcome yet are in none."
    )
    answer_rate: float | None = Field(
        description="Outbound calls answered (status `in_progress` or `completed`) ÷ outbound"
        " calls attempted (status `in_progress`, `completed`, `busy`, `no_answer` or `failed`)."
        " Excluded: inbound and web calls, outbound calls not decided yet (`queued`,"
        " `initiated`, `ringing`) and `canceled` ones (never dialed). Null without attempts."
    )
    average_handle_time_seconds: float | None = Field(
        description="Sum of `duration_seconds` ÷ calls that have a duration (any status)."
        " Calls without a duration (not ended, or never connected) are excluded."
    )
    acd_seconds: float | None = Field(
        description="Average call duration of answered calls: sum of `duration_seconds` of the"
        " calls answered (status `in_progress` or `completed`) that have a duration ÷ their"
        " number."
    )
    duration_p50_seconds: float | None = Field(
        description="Median `duration_seconds` (nearest rank) of the calls that have a duration;"
        " read from a histogram, within 2 % of the true value."
    )
    duration_p95_seconds: float | None = Field(
        description="95th percentile (nearest rank) of the same durations; within 2 %."
    )
    success_rate: float | None = Field(
        description="Calls whose `analysis.call_successful` is true ÷ calls where it is true or"
        " false. Calls not analysed (null) are excluded. Null when none was analysed."
    )
    escalation_rate: float | None = Field(
        description="Calls with outcome `escalated` (an `escalated` event sets it) ÷ calls with"
        " any outcome. Calls without an outcome yet are excluded."
    )
    cost_total: float = Field(
        description="Sum of `cost.total` over the calls (in the calls' currency, USD), to the"
        " micro-unit."
    )
    cost_per_call: float | None = Field(
        description="`cost_total` ÷ `calls` (calls without a cost count as 0). Null without calls."
    )
    latency_ms: StatsLatency = Field(
        description="Percentiles over calls of each call's median latency per stage."
    )
    queue_time_ms: QueueTime = Field(
        default_factory=QueueTime,
        description="Queue time of the outbound calls dialed: `queue_time_ms` (`dialed_at` -"
        " `queued_at`, the wait for a dial slot: backlog, calling window, retries), its p50 and"
        " p95 over the calls that have one.",
    )


class StatsGroup(ApiModel):
    key: str = Field(
        description="The group: the period's start (`hour`: `YYYY-MM-DDTHH:00:00Z`, `day`:"
        " `YYYY-MM-DD`, `week`: the Monday `YYYY-MM-DD`, in UTC) or the value of the dimension"
        " (an agent id, a batch id, a direction, a status, an outcome)."
    )
    stats: StatsFigures


class StatsPeriod(ApiModel):
    start: datetime = Field(description="The range's first instant (inclusive).")
    end: datetime = Field(description="The range's end (exclusive).")
    summary: StatsFigures = Field(description="The figures of every call of the range.")
    groups: list[StatsGroup] | None = Field(
        default=None,
        description="With `group_by`: the figures per group. Time groups cover the range, empty"
        " ones included, oldest first (more than 500 → 422: narrow the range). Dimension groups"
        " are the values with calls in the range, most calls first; calls without an agent,"
        " batch or outcome are in no group (but in `summary`).",
    )
    groups_truncated: bool = Field(
        default=False,
        description="True when more than 500 dimension groups had calls: the 500 with the most"
        " calls are given.",
    )


class CallStats(StatsPeriod):
    """`GET /v1/calls/stats`."""

    group_by: StatsGroupBy | None = None
    as_of: datetime | None = Field(
        default=None,
        description="The rollups include every change of the tenant's calls up to this moment"
        " (the stream consumer's watermark); the partial hours at the range's edges are read"
        " from the calls themselves. Null before any call was rolled up.",
    )
    previous_period: StatsPeriod | None = Field(
        default=None,
        description="With `compare=previous_period`: the same figures for the range of the same"
        " length that ends where this one starts.",
    )
