"""A mergeable histogram of positive values with a bounded relative error (fixed log buckets).

With relative accuracy `a` (RELATIVE_ACCURACY, 0.02) and `g = (1 + a) / (1 - a)`, bucket `i`
holds the values in (g^(i-1), g^i] and stands for the value 2·g^i / (g + 1). Every value of a
bucket is within `a` (relative) of that representative, so a quantile read from the buckets is
within `a` of the true quantile (the sample at the same rank): a p95 of 412 ms is read as
something in [403.8, 420.2] ms. Values ≤ 0
count in bucket `z` and read as 0.

A histogram is a map from bucket name to count, so two histograms merge by adding counts
(DynamoDB's `ADD` on the attributes of a rollup item), and removing a call subtracts its one
count: rollups can take a call back out, which a sketch that keeps samples could not.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

RELATIVE_ACCURACY = 0.02
GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
_LOG_GAMMA = math.log(GAMMA)
ZERO_BUCKET = "z"


def bucket_of(value: float) -> str:
    """The name of the bucket that counts `value`."""
    if value <= 0:
        return ZERO_BUCKET
    return str(math.ceil(math.log(value) / _LOG_GAMMA - 1e-12))


def bucket_value(bucket: str) -> float:
    """The value a bucket stands for (within RELATIVE_ACCURACY of each value it holds)."""
    if bucket == ZERO_BUCKET:
        return 0.0
    return 2 * GAMMA ** int(bucket) / (GAMMA + 1)


def merge(histograms: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """The histogram of all the values of several histograms."""
    merged: dict[str, int] = {}
    for histogram in histograms:
        for bucket, count in histogram.items():
            merged[bucket] = merged.get(bucket, 0) + count
    return {bucket: count for bucket, count in merged.items() if count}


def quantile(histogram: Mapping[str, int], q: float) -> float | None:
    """The q-quantile (0 ≤ q ≤ 1, nearest rank: the value at rank ⌈q·n⌉, at least 1) of the
    values counted, within RELATIVE_ACCURACY of the true one; None when nothing is counted."""
    if not 0 <= q <= 1:
        raise ValueError("q must be between 0 and 1")
    ordered = sorted(
        ((bucket_value(b), c) for b, c in histogram.items() if c > 0), key=lambda pair: pair[0]
    )
    total = sum(count for _, count in ordered)
    if total == 0:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for value, count in ordered:
        seen += count
        if seen >= rank:
            return value
    return ordered[-1][0]  # pragma: no cover - the ranks add up to total
