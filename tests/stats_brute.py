"""The published stats definitions applied to the calls themselves, for the tests that check
the rollup-backed figures against them (counts exactly, percentiles within the histogram's 2 %)."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from dialtone.model_types import CallStatus, Direction
from dialtone.models import Call


def nearest_rank(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def recomputed(calls: list[Call]) -> dict[str, Any]:
    """The published definitions, applied to the calls themselves."""
    answered = [c for c in calls if c.status in (CallStatus.IN_PROGRESS, CallStatus.COMPLETED)]
    attempted = [
        c
        for c in calls
        if c.direction is Direction.OUTBOUND
        and c.status
        in (
            CallStatus.IN_PROGRESS,
            CallStatus.COMPLETED,
            CallStatus.BUSY,
            CallStatus.NO_ANSWER,
            CallStatus.FAILED,
        )
    ]
    timed = [c for c in calls if c.duration_seconds is not None]
    answered_timed = [c for c in answered if c.duration_seconds is not None]
    verdicts = [c.analysis.call_successful for c in calls if c.analysis is not None]
    verdicts = [v for v in verdicts if v is not None]
    outcomes = Counter(str(c.outcome) for c in calls if c.outcome)
    cost = sum(c.cost.total for c in calls if c.cost is not None)
    return {
        "calls": len(calls),
        "by_status": dict(Counter(str(c.status) for c in calls)),
        "by_direction": dict(Counter(str(c.direction) for c in calls)),
        "by_outcome": dict(outcomes),
        "answer_rate": _rate(
            sum(c.status in (CallStatus.IN_PROGRESS, CallStatus.COMPLETED) for c in attempted),
            len(attempted),
        ),
        "average_handle_time_seconds": (
            sum(c.duration_seconds or 0 for c in timed) / len(timed) if timed else None
        ),
        "acd_seconds": (
            sum(c.duration_seconds or 0 for c in answered_timed) / len(answered_timed)
            if answered_timed
            else None
        ),
        "success_rate": _rate(sum(verdicts), len(verdicts)),
        "escalation_rate": _rate(outcomes["escalated"], sum(outcomes.values())),
        "cost_total": cost,
        "cost_per_call": cost / len(calls) if calls else None,
        "durations": [c.duration_seconds for c in timed],
        "queue_times": [float(c.queue_time_ms) for c in calls if c.queue_time_ms is not None],
        # Each call's median to the ms, as the rollups count it.
        "latency": {
            stage: [
                round(getattr(c.latency, stage).p50)
                for c in calls
                if c.latency
                and getattr(c.latency, stage)
                and getattr(c.latency, stage).p50 is not None
            ]
            for stage in ("e2e", "stt", "llm", "tts")
        },
    }


def close(value: float | None, expected: float | None, tolerance: float) -> bool:
    if value is None or expected is None:
        return value is expected
    return abs(value - expected) <= tolerance * max(1.0, abs(expected))


def within_histogram(value: float | None, expected: float | None) -> bool:
    """A percentile read from the rollups' histogram: within 2 % of the true one (and the
    rounding of the answer)."""
    if value is None or expected is None:
        return value is expected
    return abs(value - expected) <= 0.02 * expected + 0.001


def assert_figures(figures: dict[str, Any], calls: list[Call]) -> None:
    want = recomputed(calls)
    for name in ("calls", "by_status", "by_direction", "by_outcome"):
        assert figures[name] == want[name], name
    for name in ("answer_rate", "success_rate", "escalation_rate"):
        assert close(figures[name], want[name], 1e-6), name
    for name in ("average_handle_time_seconds", "acd_seconds"):
        assert close(figures[name], want[name], 1e-3), name
    assert close(figures["cost_total"], want["cost_total"], 1e-5)
    assert close(figures["cost_per_call"], want["cost_per_call"], 1e-5)
    durations = want["durations"]
    assert within_histogram(figures["duration_p50_seconds"], nearest_rank(durations, 0.5))
    assert within_histogram(figures["duration_p95_seconds"], nearest_rank(durations, 0.95))
    queue = figures["queue_time_ms"]
    assert queue["calls"] == len(want["queue_times"])
    assert within_histogram(queue["p50"], nearest_rank(want["queue_times"], 0.5)), "queue p50"
    assert within_histogram(queue["p95"], nearest_rank(want["queue_times"], 0.95)), "queue p95"
    for stage, values in want["latency"].items():
        got = figures["latency_ms"][stage]
        assert within_histogram(got["p50"], nearest_rank(values, 0.5)), stage
        assert within_histogram(got["p95"], nearest_rank(values, 0.95)), stage
