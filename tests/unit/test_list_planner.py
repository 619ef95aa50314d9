"""Which index answers a list query: a common pair's own index when the query has both filters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dialtone.listing import CallFilters, plan_streams
from dialtone.model_types import CallOutcome, CallStatus, Direction

TENANT = "tenant-1"


def plan(**filters: object) -> list[tuple[str, str, str]]:
    """(index, partition, filter expression or "") of each stream of the query's plan."""
    streams = plan_streams(TENANT, CallFilters(**filters), ascending=False)  # type: ignore[arg-type]
    return [(s.index.name, s.hash_value, s.filter_expression or "") for s in streams]


@pytest.mark.parametrize(
    ("filters", "index", "partition"),
    [
        (
            {"direction": Direction.OUTBOUND, "status": CallStatus.FAILED},
            "ByDirectionStatus",
            "tenant-1#outbound#failed",
        ),
        (
            {"agent_id": "agent-a", "status": CallStatus.COMPLETED},
            "ByAgentStatus",
            "tenant-1#agent-a#completed",
        ),
        (
            {"agent_id": "agent-a", "direction": Direction.INBOUND},
            "ByAgentDirection",
            "tenant-1#agent-a#inbound",
        ),
        (
            {"batch_id": "b-1", "status": CallStatus.NO_ANSWER},
            "ByBatchStatus",
            "tenant-1#b-1#no_answer",
        ),
        (
            {"status": CallStatus.COMPLETED, "outcome": CallOutcome.ESCALATED},
            "ByStatusOutcome",
            "tenant-1#completed#escalated",
        ),
    ],
)
def test_a_common_pair_reads_its_own_index_with_no_condition_left(
    filters: dict[str, object], index: str, partition: str
) -> None:
    assert plan(**filters) == [(index, partition, "")]


def test_a_date_range_on_a_pair_is_a_key_condition_of_the_same_index() -> None:
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 7, 23, 59, tzinfo=UTC)
    streams = plan_streams(
        TENANT,
        CallFilters(start=start, end=end, agent_id="a", status=CallStatus.FAILED),
        ascending=True,
    )
    assert [s.index.name for s in streams] == ["ByAgentStatus"]
    assert (streams[0].range_low or "").startswith("2026-03-01T00:00:00")
    assert (streams[0].range_high or "").startswith("2026-03-07T23:59:00")
    assert streams[0].filter_expression is None


def test_the_most_selective_pair_wins_and_the_other_filters_become_conditions() -> None:
    # batch+status and agent+status both apply: the batch is the more selective
    [(index, partition, conditions)] = plan(
        batch_id="b-1", agent_id="agent-a", status=CallStatus.FAILED, outcome=CallOutcome.ERROR
    )
    assert (index, partition) == ("ByBatchStatus", "tenant-1#b-1#failed")
    assert conditions.count("=") == 2  # agent and outcome


def test_agent_and_status_beats_agent_and_direction() -> None:
    [(index, _, _)] = plan(agent_id="a", direction=Direction.OUTBOUND, status=CallStatus.QUEUED)
    assert index == "ByAgentStatus"


def test_status_and_outcome_beats_direction_and_status() -> None:
    [(index, _, _)] = plan(
        direction=Direction.INBOUND, status=CallStatus.COMPLETED, outcome=CallOutcome.RESOLVED
    )
    assert index == "ByStatusOutcome"


def test_a_single_filter_more_selective_than_the_pair_keeps_its_own_index() -> None:
    # A number is more selective than direction and status together: its index, the pair filtered
    [(index, partition, conditions)] = plan(
        from_number="+14155550100", direction=Direction.OUTBOUND, status=CallStatus.FAILED
    )
    assert (index, partition) == ("ByFromNumber", "tenant-1#+14155550100")
    assert "#f1" in conditions


def test_a_batch_alone_beats_agent_and_direction() -> None:
    [(index, _, _)] = plan(batch_id="b-1", agent_id="a", direction=Direction.OUTBOUND)
    assert index == "ByBatch"


def test_an_uncommon_combination_keeps_the_single_filter_plan() -> None:
    [(index, _, conditions)] = plan(outcome=CallOutcome.ESCALATED, direction=Direction.INBOUND)
    assert index == "ByOutcome"
    assert conditions == "#f0 = :f0"


def test_phone_number_on_either_side_still_reads_two_streams_with_a_pair_present() -> None:
    streams = plan(phone_number="+14155550100", direction=Direction.INBOUND, status=CallStatus.BUSY)
    assert [index for index, _, _ in streams] == ["ByFromNumber", "ByToNumber"]


def test_phone_number_with_agent_and_status_reads_the_pair() -> None:
    [(index, _, conditions)] = plan(
        phone_number="+14155550100", agent_id="a", status=CallStatus.BUSY
    )
    assert index == "ByAgentStatus"
    assert "OR" in conditions


@pytest.mark.parametrize(
    ("prefix", "index", "partition", "condition"),
    [
        ("5eed", "ByCallIdPrefix4", "tenant-1#5eed", False),
        ("5eedca", "ByCallIdPrefix4", "tenant-1#5eed", True),
        ("5eedcafe", "ByCallIdPrefix8", "tenant-1#5eedcafe", False),
        ("5eedcafe-12", "ByCallIdPrefix8", "tenant-1#5eedcafe", True),
    ],
)
def test_a_call_id_prefix_reads_the_partition_of_its_first_8_or_4_characters(
    prefix: str, index: str, partition: str, condition: bool
) -> None:
    [(name, value, conditions)] = plan(call_id_prefix=prefix)
    assert (name, value) == (index, partition)
    assert ("begins_with" in conditions) is condition


def test_a_call_id_prefix_is_read_in_the_order_asked_for() -> None:
    for ascending in (True, False):
        [stream] = plan_streams(TENANT, CallFilters(call_id_prefix="abcd"), ascending=ascending)
        assert stream.ascending is ascending
