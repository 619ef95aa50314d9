"""Latency percentiles of a call, derived from its history events (dialtone.latency)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone.latency import derive_latency, percentile, stats
from dialtone.models import HistoryEvent, HistoryEventType, LatencyStats

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def event(kind: str, name: str | None = None, n: int = 0, **measures: float) -> HistoryEvent:
    return HistoryEvent(
        event_id=f"{kind}-{name}-{n}-{sorted(measures.items())}",
        type=HistoryEventType(kind),
        name=name,
        timestamp=T0 + timedelta(seconds=n),
        **measures,
    )


def spans(name: str, **series: list[float]) -> list[HistoryEvent]:
    """Spans of a stage, the n-th taking the n-th value of each measure given."""
    count = len(next(iter(series.values())))
    return [
        event("span", name, n, **{measure: values[n] for measure, values in series.items()})
        for n in range(count)
    ]


# Percentiles


@pytest.mark.parametrize(
    ("samples", "fraction", "expected"),
    [
        # numpy.percentile(samples, 100 * fraction), its default linear method
        ([1, 2, 3, 4], 0.50, 2.5),
        ([1, 2, 3, 4], 0.90, 3.7),
        ([1, 2, 3, 4], 0.95, 3.85),
        ([1, 2, 3, 4], 0.99, 3.97),
        ([1, 2, 3, 4], 0.0, 1),
        ([1, 2, 3, 4], 1.0, 4),
        ([10, 20, 30, 40, 50], 0.50, 30),
        ([10, 20, 30, 40, 50], 0.90, 46),
        ([10, 20, 30, 40, 50], 0.95, 48),
        ([10, 20, 30, 40, 50], 0.99, 49.6),
        ([15, 20, 35, 40, 50], 0.40, 29),
        ([7], 0.99, 7),
        ([100, 100, 100], 0.5, 100),
    ],
)
def test_percentiles_interpolate_linearly_between_neighbours(
    samples: list[float], fraction: float, expected: float
) -> None:
    assert percentile(samples, fraction) == pytest.approx(expected)


def test_stats_of_samples_in_any_order() -> None:
    # Given / When: ten samples, not sorted
    got = stats([1000, 100, 900, 200, 800, 300, 700, 400, 600, 500])

    # Then: numpy's percentiles of them, rounded to a tenth of a millisecond, and their range
    assert got == LatencyStats(
        p50=550.0, p90=910.0, p95=955.0, p99=991.0, min=100, max=1000, num=10
    )


def test_stats_are_rounded_to_a_tenth_of_a_millisecond() -> None:
    got = stats([100.04, 200.06, 333.333])
    assert got is not None
    assert (got.p50, got.min, got.max) == (200.1, 100.0, 333.3)


def test_stats_of_one_sample_are_that_sample() -> None:
    assert stats([420.0]) == LatencyStats(
        p50=420.0, p90=420.0, p95=420.0, p99=420.0, min=420.0, max=420.0, num=1
    )


@pytest.mark.parametrize("samples", [[], (), iter([])])
def test_stats_of_no_samples_are_none(samples: Any) -> None:
    assert stats(samples) is None


# Deriving a call's latency


def test_each_stage_takes_its_spans_first_byte_times() -> None:
    # Given: spans of each stage with both a first-byte time and a duration
    events = [
        *spans("e2e", ttfb_ms=[800, 1400, 1000, 1200], duration_ms=[5000, 5000, 5000, 5000]),
        *spans("stt", ttfb_ms=[150, 250], duration_ms=[900, 900]),
        *spans("llm", ttfb_ms=[400], duration_ms=[2000]),
        *spans("tts", ttfb_ms=[90, 110, 130], duration_ms=[3000, 3000, 3000]),
    ]

    # When
    latency = derive_latency(events)

    # Then: every stage counts the first-byte time, never the duration
    assert latency is not None
    assert latency.e2e == LatencyStats(
        p50=1100.0, p90=1340.0, p95=1370.0, p99=1394.0, min=800, max=1400, num=4
    )
    assert latency.stt is not None
    assert (latency.stt.p50, latency.stt.max, latency.stt.num) == (200.0, 250, 2)
    assert latency.llm is not None
    assert (latency.llm.p50, latency.llm.num) == (400.0, 1)
    assert latency.tts is not None
    assert (latency.tts.p50, latency.tts.min, latency.tts.max) == (110.0, 90, 130)


def test_a_span_without_a_first_byte_time_counts_its_duration() -> None:
    latency = derive_latency([*spans("stt", duration_ms=[200, 300]), *spans("stt", ttfb_ms=[100])])
    assert latency is not None
    assert latency.stt is not None
    assert (latency.stt.min, latency.stt.p50, latency.stt.max, latency.stt.num) == (
        100,
        200,
        300,
        3,
    )


def test_stages_without_samples_are_none() -> None:
    latency = derive_latency(spans("e2e", ttfb_ms=[900]))
    assert latency is not None
    assert latency.e2e is not None
    assert (latency.stt, latency.llm, latency.tts) == (None, None, None)


@pytest.mark.parametrize(
    "events",
    [
        [],
        [event("started"), event("ended", n=60)],
        # spans without any measure
        [event("span", "e2e"), event("span", "llm")],
        # measures of spans that name no stage, and of events that are not spans
        [
            *spans("turn", duration_ms=[4000]),
            *spans("vad", ttfb_ms=[30]),
            event("function_call", "lookup", duration_ms=250),
            event("function_response", "lookup", duration_ms=250),
            event("interrupt", ttfb_ms=10),
        ],
    ],
)
def test_no_latency_when_nothing_measured_a_stage(events: list[HistoryEvent]) -> None:
    assert derive_latency(events) is None


def test_completions_stand_in_for_llm_when_there_are_no_llm_spans() -> None:
    # Given: a runtime that reports its model's answers as completions only
    events = [
        event("completion", "gpt-4o-mini", 1, ttfb_ms=400, duration_ms=1500),
        event("completion", "gpt-4o-mini", 2, duration_ms=600),
        event("completion", "gpt-4o-mini", 3),
        *spans("e2e", ttfb_ms=[900]),
    ]

    # When
    latency = derive_latency(events)

    # Then: the completions are the llm samples (first-byte time, else duration)
    assert latency is not None
    assert latency.llm is not None
    assert (latency.llm.min, latency.llm.p50, latency.llm.max, latency.llm.num) == (
        400,
        500.0,
        600,
        2,
    )


def test_completions_alone_give_a_latency() -> None:
    latency = derive_latency([event("completion", n=1, ttfb_ms=350)])
    assert latency is not None
    assert latency.llm is not None
    assert (latency.llm.p50, latency.llm.num) == (350.0, 1)
    assert latency.e2e is None


def test_llm_spans_and_completions_of_the_same_answers_are_not_counted_twice() -> None:
    # Given: a runtime that reports each answer both as an llm span and as a completion
    events = [
        *spans("llm", ttfb_ms=[400, 600]),
        event("completion", n=0, ttfb_ms=400),
        event("completion", n=1, ttfb_ms=600),
        event("completion", n=2, ttfb_ms=5000),
    ]

    # When
    latency = derive_latency(events)

    # Then: only the spans count
    assert latency is not None
    assert latency.llm is not None
    assert (latency.llm.num, latency.llm.p50, latency.llm.max) == (2, 500.0, 600)


def test_the_order_of_the_events_does_not_matter() -> None:
    events = [
        *spans("e2e", ttfb_ms=[800, 1400, 1000, 1200]),
        *spans("stt", duration_ms=[200, 300]),
        event("completion", n=5, ttfb_ms=450),
    ]
    assert derive_latency(events) == derive_latency(list(reversed(events)))
