"""A call's latency percentiles (e2e, stt, llm, tts), derived from its history events when the
voice runtime does not report them itself.

Each `span` event named after a stage (`e2e`, `stt`, `llm`, `tts`) is one sample of it: its
first-byte latency (`ttfb_ms`) when it has one, else its duration. `completion` events (a
language model's answers) count as `llm` samples when the call has no `llm` spans, so a runtime
that reports either is covered and one that reports both is not counted twice.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from dialtone.models import CallLatency, HistoryEvent, HistoryEventType, LatencyStats

STAGES = ("e2e", "stt", "llm", "tts")


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of the sorted samples fall, interpolated linearly
    between neighbours (numpy's default method)."""
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def stats(samples: Iterable[float]) -> LatencyStats | None:
    """p50/p90/p95/p99/min/max/num of some latencies in milliseconds; None for no samples."""
    ordered = sorted(samples)
    if not ordered:
        return None
    return LatencyStats(
        p50=round(percentile(ordered, 0.50), 1),
        p90=round(percentile(ordered, 0.90), 1),
        p95=round(percentile(ordered, 0.95), 1),
        p99=round(percentile(ordered, 0.99), 1),
        min=round(ordered[0], 1),
        max=round(ordered[-1], 1),
        num=len(ordered),
    )


def _sample(event: HistoryEvent) -> float | None:
    return event.ttfb_ms if event.ttfb_ms is not None else event.duration_ms


def derive_latency(events: Iterable[HistoryEvent]) -> CallLatency | None:
    """The call's latency from its history events; None when no event measures any stage."""
    samples: dict[str, list[float]] = {stage: [] for stage in STAGES}
    completions: list[float] = []
    for event in events:
        value = _sample(event)
        if value is None:
            continue
        if event.type is HistoryEventType.SPAN and event.name in samples:
            samples[event.name].append(value)
        elif event.type is HistoryEventType.COMPLETION:
            completions.append(value)
    if not samples["llm"]:
        samples["llm"] = completions
    derived = {stage: stats(values) for stage, values in samples.items()}
    if not any(derived.values()):
        return None
    return CallLatency(**derived)
