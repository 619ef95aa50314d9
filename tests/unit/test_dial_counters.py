"""The dial queue counters' rules: what each status change moves, and queue positions."""

from __future__ import annotations

import pytest

from dialtone.dialing.counters import SHARDS, DialQueueCounts, moves, shard_of
from dialtone.model_types import CallStatus

Q, INIT, R, P = CallStatus.QUEUED, CallStatus.INITIATED, CallStatus.RINGING, CallStatus.IN_PROGRESS


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (None, Q, {"queued": 1}),
        (Q, INIT, {"queued": -1, "dequeued": 1, "in_flight": 1}),
        (Q, CallStatus.CANCELED, {"queued": -1, "dequeued": 1}),
        (Q, None, {"queued": -1, "dequeued": 1}),
        (INIT, R, {}),
        (R, P, {}),
        (P, CallStatus.COMPLETED, {"in_flight": -1}),
        (R, CallStatus.NO_ANSWER, {"in_flight": -1}),
        (P, None, {"in_flight": -1}),
        (CallStatus.COMPLETED, None, {}),
    ],
)
def test_each_status_change_moves_the_counters_it_leaves_and_enters(
    old: CallStatus | None, new: CallStatus | None, expected: dict[str, int]
) -> None:
    assert moves(old, new) == expected


def test_a_whole_lifecycle_leaves_nothing_counted_but_the_call_that_left_the_queue() -> None:
    total: dict[str, int] = {}
    for old, new in [(None, Q), (Q, INIT), (INIT, R), (R, P), (P, CallStatus.COMPLETED)]:
        for name, value in moves(old, new).items():
            total[name] = total.get(name, 0) + value
    assert {k: v for k, v in total.items() if v} == {"dequeued": 1}


def test_a_position_is_the_sequence_less_the_calls_gone_kept_within_the_backlog() -> None:
    counts = DialQueueCounts(queued=3, in_flight=0, dequeued=7)
    assert [counts.position(seq) for seq in (8, 9, 10)] == [1, 2, 3]
    # a later call left first: the earlier ones read too low, never below 1 nor past the end
    assert DialQueueCounts(queued=2, dequeued=8).position(9) == 1
    assert DialQueueCounts(queued=2, dequeued=0).position(50) == 2


def test_calls_spread_over_every_shard() -> None:
    shards = {shard_of(f"5f0f4a43-0000-4000-8000-{n:012d}") for n in range(200)}
    assert shards == set(range(SHARDS))
