"""Rollups of calls (dialtone.analytics): the histogram's error bound, what a call contributes,
how a range is covered by periods, and that applying stream records in any order, any number of
times, leaves totals equal to a count of the calls themselves."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialtone.analytics import histogram, rollups
from dialtone.analytics.consumer import with_failures
from dialtone.analytics.rollup_store import MAX_ATTRIBUTES, RollupStore
from dialtone.analytics.stream import apply_records, build_from_items, call_change, insert_record
from dialtone.analytics.totals import DAY, HOUR, TotalCounter, cover, selection
from dialtone.dynamo import from_item
from dialtone.listing import CallFilters
from dialtone.model_types import CallOutcome, CallStatus, Direction
from dialtone.models import Call
from dialtone.store import _call_item
from tests.fake_dynamodb import FakeDynamoDB

T0 = datetime(2026, 3, 10, tzinfo=UTC)
TENANT = "tenant-a"


# The histogram


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.floats(min_value=0.001, max_value=1e8), min_size=1, max_size=300),
    q=st.sampled_from([0.0, 0.5, 0.9, 0.95, 0.99, 1.0]),
)
def test_a_quantile_read_from_the_histogram_is_within_its_relative_accuracy(
    values: list[float], q: float
) -> None:
    # Given any positive values counted in a histogram
    counted = Counter(histogram.bucket_of(v) for v in values)

    # When a quantile is read from it
    estimate = histogram.quantile(counted, q)

    # Then it is within the documented relative accuracy of the true (nearest-rank) quantile
    true = nearest_rank(values, q)
    assert estimate is not None
    assert abs(estimate - true) <= histogram.RELATIVE_ACCURACY * true * (1 + 1e-9)


def test_histograms_merge_by_adding_counts_and_read_like_one() -> None:
    # Given two sets of durations counted apart
    rng = random.Random(3)
    a = [rng.lognormvariate(11, 1) for _ in range(500)]
    b = [rng.lognormvariate(12, 0.5) for _ in range(300)]
    ha, hb = Counter(map(histogram.bucket_of, a)), Counter(map(histogram.bucket_of, b))

    # When merged
    merged = histogram.merge([ha, hb])

    # Then they read as the histogram of all the values
    assert merged == dict(Counter(map(histogram.bucket_of, a + b)))
    assert histogram.quantile(merged, 0.95) == histogram.quantile(
        Counter(map(histogram.bucket_of, a + b)), 0.95
    )


def test_zero_and_an_empty_histogram() -> None:
    assert histogram.bucket_of(0) == histogram.ZERO_BUCKET
    assert histogram.quantile({histogram.ZERO_BUCKET: 3}, 0.5) == 0.0
    assert histogram.quantile({}, 0.5) is None
    with pytest.raises(ValueError, match="between 0 and 1"):
        histogram.quantile({"1": 1}, 1.5)


# What a call contributes


def call(**overrides: Any) -> Call:
    values: dict[str, Any] = {
        "id": "0b6f3b5e-2d55-4a58-8d8a-000000000001",
        "direction": Direction.OUTBOUND,
        "status": CallStatus.QUEUED,
        "from_number": "+14155550100",
        "to_number": "+14155550123",
        "agent_id": "agent-1",
        "batch_id": "batch-1",
        "start_time": T0 + timedelta(hours=13, minutes=5),
        "created_at": T0,
        "updated_at": T0,
    }
    values.update(overrides)
    return Call.model_validate(values)


def facts(c: Call) -> rollups.CallFacts:
    result = rollups.facts_of(from_item(_call_item(TENANT, c, None)))
    assert result is not None
    return result


def test_a_call_counts_in_its_hour_and_day_shard_and_its_remote_number_day() -> None:
    # Given a queued outbound call of an agent and a batch
    contribution = rollups.contribution(facts(call()))

    # Then it counts once in its hour's and its day's call shard (its agent's), and under the
    # customer's number
    hour_shard = rollups.shard_sk(rollups.agent_shard("agent-1", rollups.SHARDS))
    day_shard = rollups.shard_sk(rollups.agent_shard("agent-1", rollups.DAY_SHARDS))
    hour = (f"T#{TENANT}#R#H2026-03-10T13", hour_shard)
    day = (f"T#{TENANT}#R#D2026-03-10", day_shard)
    assert set(contribution) == {hour, day, (f"T#{TENANT}#R#D2026-03-10", "P#+14155550123")}
    counts = contribution[hour]
    for name in ("n", "d:outbound", "s:queued", "t:0", "ds:outbound|queued", "a:agent-1"):
        assert counts[name] == 1
    assert counts["as:agent-1|queued"] == counts["bs:batch-1|queued"] == 1
    assert counts["lf:+14155550100"] == 1  # the tenant's own line, on the from side
    assert contribution[day] == counts
    assert contribution[(f"T#{TENANT}#R#D2026-03-10", "P#+14155550123")] == Counter({"t": 1})


def test_a_grown_layout_counts_calls_in_new_items_after_the_earlier_layouts_ones() -> None:
    # Given a tenant whose days grew twice (16 shards, then 32, then 64) and hours once
    layout = rollups.DEFAULT_LAYOUT
    for period in ("D", "D", "H"):
        grown = layout.grown(period)
        assert grown is not None
        layout = grown
    assert layout == rollups.Layout(day=64, hour=8)

    # When calls of many agents are counted in it
    day_shards, hour_shards = set(), set()
    for n in range(200):
        counted = layout.counted(facts(call(agent_id=f"agent-{n}")))
        assert counted is not None
        assert (counted.day_shards, counted.hour_shards) == (64, 8)
        for pk, sk in rollups.contribution(counted):
            if sk.startswith("S#"):
                (day_shards if "#R#D" in pk else hour_shards).add(int(sk[2:]))

    # Then they count in the newest layout's own items only, numbered after the 16 + 32 day
    # and 4 hour items of the layouts before, all of which readers still read
    assert day_shards <= set(range(48, 112))
    assert len(day_shards) > 32
    assert hour_shards <= set(range(4, 12))
    assert rollups.shard_keys("D2026-03-10", layout) == [f"S#{n}" for n in range(112)]
    assert rollups.shard_keys("H2026-03-10T13", layout) == [f"S#{n}" for n in range(12)]
    # and a call counted in the first layout still counts where it was counted
    first = rollups.contribution(facts(call()))
    assert {sk for _, sk in first if sk.startswith("S#")} == {
        rollups.shard_sk(rollups.agent_shard("agent-1", rollups.DAY_SHARDS)),
        rollups.shard_sk(rollups.agent_shard("agent-1", rollups.SHARDS)),
    }


def test_a_layout_grows_to_the_most_shards_a_hash_byte_can_spread_over() -> None:
    # Given the first layout
    layout: rollups.Layout | None = rollups.DEFAULT_LAYOUT
    days = []
    # When its days grow until they cannot
    while layout is not None:
        days.append(layout.day)
        layout = layout.grown("D2026-03-10")

    # Then they doubled up to MAX_SHARDS, its hours unchanged
    assert days == [16, 32, 64, 128, 256]
    assert rollups.MAX_SHARDS == 256
    # and the layout is read back from its item as written (the default without one)
    assert rollups.Layout.of_item(None) == rollups.DEFAULT_LAYOUT
    item = {"day": {"N": "32"}, "hour": {"N": "4"}}
    assert rollups.Layout.of_item(item) == rollups.Layout(day=32, hour=4)


def test_a_status_change_moves_counts_in_the_call_shards_only() -> None:
    # Given a call that goes from queued to completed with a duration
    before = facts(call())
    after = facts(
        call(
            status=CallStatus.COMPLETED,
            duration_seconds=120.5,
            outcome=CallOutcome.RESOLVED,
        )
    )

    # When the difference of its contributions is taken
    delta = rollups.difference(rollups.contribution(after), rollups.contribution(before))

    # Then only its call shards change (not its numbers), queued → completed
    assert all(sk.startswith("S#") for _, sk in delta)
    change = next(iter(delta.values()))
    assert change["s:queued"] == -1
    assert change["s:completed"] == 1
    assert change["m#dur"] == 120_500
    assert change["m#durn"] == 1
    assert change["m#ans"] == 1
    assert change[f"m#hd{histogram.bucket_of(120_500)}"] == 1
    assert change["so:completed|resolved"] == 1
    assert "n" not in change


def test_an_erased_call_contributes_nothing() -> None:
    item = from_item(_call_item(TENANT, call(), None))
    assert rollups.facts_of({**item, "erasing": True}) is None
    assert rollups.contribution(None) == {}


_KEYS = st.sampled_from([("T#t#R#D20260310", "S#0"), ("T#t#R#H2026031009", "S#0")])
_DELTAS = st.lists(
    st.dictionaries(
        _KEYS,
        st.dictionaries(st.sampled_from("abcd"), st.integers(-2, 2)).map(Counter),
        max_size=2,
    ),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(deltas=_DELTAS)
def test_added_deltas_are_their_sums_without_a_zero_counter_or_an_empty_item(
    deltas: list[dict[tuple[str, str], Counter[str]]],
) -> None:
    # Given deltas whose counters may cancel out
    total: rollups.Contribution = {}

    # When they are added one after another
    for delta in deltas:
        rollups.add_into(total, delta)

    # Then each item holds the sums that are not zero, and an item without any is gone
    sums: dict[tuple[str, str], dict[str, int]] = {}
    for delta in deltas:
        for key, counts in delta.items():
            for name, value in counts.items():
                sums.setdefault(key, {})[name] = sums.get(key, {}).get(name, 0) + value
    expected = {
        key: {name: value for name, value in counts.items() if value}
        for key, counts in sums.items()
    }
    assert {key: dict(counts) for key, counts in total.items()} == {
        key: counts for key, counts in expected.items() if counts
    }


# Covering a range


@settings(max_examples=300, deadline=None)
@given(
    start=st.integers(min_value=0, max_value=10 * 86400 * 1000),
    length=st.integers(min_value=0, max_value=5 * 86400 * 1000),
    hours=st.booleans(),
)
def test_periods_and_edge_pieces_cover_a_range_exactly_once(
    start: int, length: int, hours: bool
) -> None:
    # Given any range (millisecond edges)
    low = T0 + timedelta(milliseconds=start)
    high = low + timedelta(milliseconds=length)
    units = (DAY, HOUR) if hours else (DAY,)

    # When it is covered
    periods, pieces = cover(low, high, units)

    # Then periods and pieces tile it without overlap, and what is left to count directly is
    # less than two of the smallest unit (the two partial ones at the edges)
    spans = sorted([(s, s + u) for u, s in periods] + pieces)
    assert sum(((b - a) for a, b in spans), timedelta()) == high - low
    assert all(a < b for a, b in spans)
    assert all(spans[i][1] == spans[i + 1][0] for i in range(len(spans) - 1))
    if spans:
        assert (spans[0][0], spans[-1][1]) == (low, high)
    assert sum(((b - a) for a, b in pieces), timedelta()) < 2 * (HOUR if hours else DAY)
    assert len(pieces) <= 2


def test_which_filters_the_rollups_answer() -> None:
    assert selection(CallFilters()) is not None
    assert selection(CallFilters(agent_id="a", status=CallStatus.BUSY)) is not None
    assert selection(CallFilters(phone_number="+14155550123")) is not None
    # Three filters, an unsupported pair, a number with another filter, a call-id search
    assert selection(CallFilters(agent_id="a", status=CallStatus.BUSY, batch_id="b")) is None
    assert selection(CallFilters(outcome=CallOutcome.ERROR, agent_id="a")) is None
    assert selection(CallFilters(phone_number="+14155550123", agent_id="a")) is None
    assert selection(CallFilters(call_id_prefix="0b6f")) is None


# Stream records


def record(
    seq: int, new: Call | None, old: Call | None = None, erasing: bool = False
) -> dict[str, Any]:
    image = _call_item(TENANT, new, None) if new else None
    if image is not None and erasing:
        image["erasing"] = {"BOOL": True}
    base = new or old
    assert base is not None
    data: dict[str, Any] = {
        "Keys": {"pk": {"S": f"T#{TENANT}#C#{base.id}"}, "sk": {"S": "CALL"}},
        "SequenceNumber": str(seq),
        "ApproximateCreationDateTime": 1_770_000_000 + seq,
    }
    if image is not None:
        data["NewImage"] = image
    if old is not None:
        data["OldImage"] = _call_item(TENANT, old, None)
    name = "MODIFY" if new and old else ("INSERT" if new else "REMOVE")
    return {"eventName": name, "dynamodb": data}


def test_records_of_other_items_or_of_the_apis_bookkeeping_are_skipped() -> None:
    c = call()
    exchange = {"dynamodb": {"Keys": {"pk": {"S": "x"}, "sk": {"S": "EX#0000000001"}}}}
    assert call_change(exchange) is None
    # A change no client sees (a dialer's claim) is skipped
    claimed = record(2, c, c)
    claimed["dynamodb"]["NewImage"]["claim_token"] = {"S": "abc"}
    assert call_change(claimed) is None
    # A change of a field no rollup counts (the issue count) is for the feed only
    issue = call_change(record(3, c.model_copy(update={"issue_count": 2}), c))
    assert issue is not None
    assert issue.new == issue.old
    assert issue.feed is not None
    assert call_change(record(4, c)) is not None


def test_a_change_the_rollups_do_not_count_writes_the_calls_item_only() -> None:
    # Given a call applied once
    table = FakeDynamoDB()
    store = RollupStore("analytics", dynamodb=table)
    c = call()
    assert apply_records(store, [record(1, c)]).writes == 4  # its item, 2 shards, its number

    # When a change only the feed shows comes, twice
    reported = c.model_copy(update={"issue_count": 1})
    first = apply_records(store, [record(2, reported, c)])
    again = apply_records(store, [record(2, reported, c)])

    # Then it writes the call's item alone, once, and the feed shows it
    assert (first.call_writes, first.rollup_writes, again.writes) == (1, 0, 0)
    item = from_item(table.items[(f"T#{TENANT}#C#{c.id}", "CHANGE")])
    assert Call.model_validate_json(item["call"]).issue_count == 1


def test_failed_rollup_records_join_the_batch_item_failures_once() -> None:
    response = {"batchItemFailures": [{"itemIdentifier": "5"}]}
    merged = with_failures(response, ["5", "7"])
    assert merged["batchItemFailures"] == [{"itemIdentifier": "5"}, {"itemIdentifier": "7"}]


# Applying records: any order, any repetition, same totals


NUMBERS = ("+14155550100", "+14155550101", "+14155550102")
STATUSES = (CallStatus.QUEUED, CallStatus.IN_PROGRESS, CallStatus.COMPLETED, CallStatus.BUSY)


@st.composite
def call_versions(draw: st.DrawFn, index: int) -> list[Call | None]:
    """A call's successive versions (None: removed, by an erasure or its expiry)."""
    direction = draw(st.sampled_from([Direction.INBOUND, Direction.OUTBOUND, Direction.WEB]))
    first = call(
        id=f"0b6f3b5e-2d55-4a58-8d8a-{index:012d}",
        direction=direction,
        status=draw(st.sampled_from(STATUSES)),
        from_number=draw(st.sampled_from(NUMBERS)),
        to_number=draw(st.sampled_from(NUMBERS)),
        agent_id=draw(st.sampled_from(["agent-1", "agent-2", None])),
        batch_id=draw(st.sampled_from(["batch-1", None])),
        is_test_call=draw(st.booleans()),
        start_time=T0 + timedelta(minutes=draw(st.integers(0, 3 * 24 * 60))),
    )
    versions: list[Call | None] = [first]
    for _ in range(draw(st.integers(0, 3))):
        previous = versions[-1]
        if previous is None:
            break
        if draw(st.integers(0, 5)) == 0:
            versions.append(None)
            continue
        versions.append(
            previous.model_copy(
                update={
                    "status": draw(st.sampled_from(STATUSES)),
                    "outcome": draw(st.sampled_from([None, *CallOutcome])),
                    "duration_seconds": draw(st.sampled_from([None, 0.0, 12.5, 300.0])),
                    "agent_id": draw(st.sampled_from([previous.agent_id, "agent-2"])),
                }
            )
        )
    return versions


def stream_of(histories: list[list[Call | None]]) -> list[dict[str, Any]]:
    """The records the table's stream would hold for these histories (sequence increasing)."""
    records = []
    seq = 100
    for versions in histories:
        for old, new in zip([None, *versions], versions, strict=False):
            seq += 1
            records.append(record(seq, new, old))
    return records


def brute_total(finals: list[Call], **match: Any) -> int:
    def matches(c: Call) -> bool:
        for name, value in match.items():
            if name == "phone_number":
                if value not in (c.from_number, c.to_number):
                    return False
            elif getattr(c, name) != value:
                return False
        return True

    return sum(1 for c in finals if matches(c))


QUERIES: list[dict[str, Any]] = [
    {},
    {"direction": Direction.INBOUND},
    {"status": CallStatus.COMPLETED},
    {"outcome": CallOutcome.RESOLVED},
    {"agent_id": "agent-2"},
    {"batch_id": "batch-1"},
    {"is_test_call": True},
    {"direction": Direction.OUTBOUND, "status": CallStatus.BUSY},
    {"status": CallStatus.COMPLETED, "outcome": CallOutcome.ESCALATED},
    {"agent_id": "agent-1", "status": CallStatus.QUEUED},
    {"agent_id": "agent-2", "direction": Direction.INBOUND},
    {"batch_id": "batch-1", "status": CallStatus.IN_PROGRESS},
    *({side: n} for side in ("from_number", "to_number", "phone_number") for n in NUMBERS),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_rollup_totals_equal_a_count_of_the_calls_whatever_the_delivery(
    data: st.DataObject,
) -> None:
    # Given calls created, changed, erased or expired, as stream records
    histories = [data.draw(call_versions(i)) for i in range(data.draw(st.integers(1, 6)))]
    records = stream_of(histories)
    # ... delivered with duplicates, in any order, in batches of any size
    duplicates = data.draw(st.lists(st.sampled_from(records), max_size=len(records)))
    delivery = data.draw(st.permutations(records + duplicates))
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(delivery) - 1)), max_size=8)))
    batches = [delivery[a:b] for a, b in zip([0, *cuts], [*cuts, len(delivery)], strict=False)]

    # When the consumer applies each batch
    table = FakeDynamoDB()
    store = RollupStore("analytics", dynamodb=table)
    for batch in batches:
        assert apply_records(store, batch).failed == []

    # Then every rollup-backed total equals a count of the calls as they are in the end
    finals = [versions[-1] for versions in histories if versions[-1] is not None]
    counter = TotalCounter(calls=None, rollup_store=store)  # type: ignore[arg-type]
    first = data.draw(st.integers(0, 3 * 24 - 1))
    ranges = [(T0, T0 + 4 * DAY), (T0 + first * HOUR, T0 + 4 * DAY)]
    for low, high in ranges:
        in_range = [c for c in finals if low <= c.start_time < high]
        for query in QUERIES:
            filters = CallFilters(start=low, end=high - timedelta(microseconds=1), **query)
            if "number" in next(iter(query), "") and low.hour:
                continue  # a number's partial days are counted on the list index
            answer = counter.total(TENANT, filters)
            assert answer is not None
            assert answer.total == brute_total(in_range, **query), query


def _expired(record_: dict[str, Any], image: str, at: int) -> dict[str, Any]:
    record_["dynamodb"][image]["expires_at"] = {"N": str(at)}
    return record_


def test_a_call_leaves_the_totals_when_its_retention_passes_or_is_shortened() -> None:
    # Given two calls counted
    store = RollupStore("analytics", dynamodb=FakeDynamoDB())
    a = call()
    b = call(id="0b6f3b5e-2d55-4a58-8d8a-000000000002")
    assert apply_records(store, [record(1, a), record(2, b)]).failed == []
    day = CallFilters(start=T0, end=T0 + DAY - timedelta(microseconds=1))
    counter = TotalCounter(calls=None, rollup_store=store)  # type: ignore[arg-type]
    assert getattr(counter.total(TENANT, day), "total", None) == 2

    # When DynamoDB's TTL removes the first after its expiry (the image unchanged), and the
    # second's retention is shortened to a time already past
    removed = _expired(record(3, None, old=a), "OldImage", 1_000)
    shortened = _expired(record(4, b, old=b), "NewImage", 1_000)
    assert apply_records(store, [removed, shortened]).failed == []

    # Then neither counts any more
    assert getattr(counter.total(TENANT, day), "total", None) == 0


def test_a_call_whose_every_slice_changes_at_once_fits_one_update_of_each_item() -> None:
    # Given a completed call with every metric, counted
    store = RollupStore("analytics", dynamodb=FakeDynamoDB())
    full: dict[str, Any] = {
        "duration_seconds": 300.0,
        "outcome": CallOutcome.RESOLVED,
        "queue_time_ms": 4_200,
        "latency": {s: {"p50": 800.0} for s in ("e2e", "stt", "llm", "tts")},
        "analysis": {"call_successful": True},
        "cost": {"total": 0.42},
    }
    before = call(status=CallStatus.COMPLETED, **full)
    assert apply_records(store, [record(1, before)]).failed == []

    # When its agent, batch, status, outcome, test flag and every metric change in one record
    after = call(
        status=CallStatus.IN_PROGRESS,
        agent_id="agent-9",
        batch_id="batch-9",
        is_test_call=True,
        **{
            **full,
            "duration_seconds": 12.0,
            "outcome": CallOutcome.ESCALATED,
            "queue_time_ms": 90,
            "latency": {s: {"p50": 90.0} for s in ("e2e", "stt", "llm", "tts")},
            "analysis": {"call_successful": False},
        },
    )
    delta = rollups.difference(
        rollups.contribution(facts(after)), rollups.contribution(facts(before))
    )

    # Then each item's update stays within what one update expression can carry (the fake
    # refuses an expression over 4 KB, as DynamoDB does), and it is applied
    assert max(len(counts) for counts in delta.values()) <= MAX_ATTRIBUTES
    assert apply_records(store, [record(2, after, old=before)]).failed == []
    counter = TotalCounter(calls=None, rollup_store=store)  # type: ignore[arg-type]
    moved = CallFilters(start=T0, end=T0 + DAY - timedelta(microseconds=1), agent_id="agent-9")
    assert getattr(counter.total(TENANT, moved), "total", None) == 1


def _at(record_: dict[str, Any], moment: float) -> dict[str, Any]:
    record_["dynamodb"]["ApproximateCreationDateTime"] = moment
    return record_


def test_the_watermark_is_the_stream_time_of_the_latest_change_and_costs_no_write() -> None:
    # Given a first batch of changes, the newest made at t
    store = RollupStore("analytics", dynamodb=FakeDynamoDB())
    t = 1_770_000_000.0
    now = datetime.fromtimestamp(t + 5, UTC)
    a, b = (call(id=f"0b6f3b5e-2d55-4a58-8d8a-00000000000{n}") for n in (1, 2))
    assert store.watermark(TENANT) is None
    first = apply_records(store, [_at(record(1, a), t - 3), _at(record(2, b), t)], now)
    # Two calls' items, the hour and day shards they share, the number they share: no more
    assert first.writes == 2 + 2 + 1
    assert store.watermark(TENANT) == datetime.fromtimestamp(t, UTC)

    # When a later batch completes a call: its own item and its two shards, no more
    done = a.model_copy(update={"status": CallStatus.COMPLETED})
    later = apply_records(store, [_at(record(3, done, old=a), t + 0.6)], now + timedelta(1))
    assert (later.call_writes, later.rollup_writes) == (1, 2)

    # Then the watermark is that change's stream time
    assert store.watermark(TENANT) == datetime.fromtimestamp(t + 0.6, UTC)
    assert store.watermark("another-tenant") is None


def test_a_lifecycle_costs_at_most_ten_writes_each_change_in_a_batch_of_its_own() -> None:
    # Given a call created, answered, then completed with a duration, each in its own batch
    store = RollupStore("analytics", dynamodb=FakeDynamoDB())
    queued = call()
    answered = queued.model_copy(update={"status": CallStatus.IN_PROGRESS})
    done = answered.model_copy(update={"status": CallStatus.COMPLETED, "duration_seconds": 95.0})
    batches = [[record(1, queued)], [record(2, answered, queued)], [record(3, done, answered)]]

    # When each is applied
    writes = [apply_records(store, batch).writes for batch in batches]

    # Then the three changes cost 10 items together: the call's item and its hour and day
    # shards each time, and its remote number's day item once
    assert writes == [4, 3, 3]


def test_a_call_rolled_up_before_the_pair_blocks_moves_without_negative_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a queued call rolled up by a consumer of the first layout (no pair metric blocks)
    table = FakeDynamoDB()
    store = RollupStore("analytics", dynamodb=table)
    queued = call()
    with monkeypatch.context() as old_consumer:
        old_consumer.setattr(rollups, "LAYOUT", 1)
        assert apply_records(store, [record(1, queued)]).failed == []
    assert not any("ds:outbound|queued#" in name for item in table.items.values() for name in item)

    # When today's consumer applies its completion
    done = queued.model_copy(update={"status": CallStatus.COMPLETED, "duration_seconds": 60.0})
    assert apply_records(store, [record(2, done, old=queued)]).failed == []

    # Then no count is negative, and the completed call is in its pairs' metric blocks
    counts = [
        (name, int(value["N"]))
        for (_, sk), item in table.items.items()
        if sk != "CHANGE"  # the call's own item: its feed entry and state, no counts
        for name, value in item.items()
        if isinstance(value, dict) and "N" in value and name not in ("as_of", "expires_at")
    ]
    assert all(value >= 0 for _, value in counts), [c for c in counts if c[1] < 0]
    assert ("ds:outbound|completed#s:completed", 1) in counts
    assert ("as:agent-1|completed#dur", 60_000) in counts


def test_a_call_rolled_up_while_its_state_had_an_item_of_its_own_is_taken_over() -> None:
    # Given a call counted by a consumer that kept its rollup state in an item of its own
    # (sk ROLLUP) beside its feed-only item
    table = FakeDynamoDB()
    store = RollupStore("analytics", dynamodb=table)
    queued = call()
    assert apply_records(store, [record(1, queued)]).failed == []
    pk = f"T#{TENANT}#C#{queued.id}"
    item = table.items[(pk, "CHANGE")]
    table.items[(pk, "ROLLUP")] = {
        "pk": {"S": pk},
        "sk": {"S": "ROLLUP"},
        "seq": {"S": "1"},
        "facts": item.pop("facts"),
    }

    # When today's consumer applies its completion
    done = queued.model_copy(update={"status": CallStatus.COMPLETED, "duration_seconds": 60.0})
    result = apply_records(store, [record(2, done, old=queued)])

    # Then the call counts once, completed; the old state item is gone, its facts moved over
    assert result.failed == []
    counter = TotalCounter(calls=None, rollup_store=store)  # type: ignore[arg-type]
    day = CallFilters(start=T0, end=T0 + DAY - timedelta(microseconds=1))
    for status, expected in ((CallStatus.COMPLETED, 1), (CallStatus.QUEUED, 0)):
        answer = counter.total(TENANT, day._replace(status=status))
        assert getattr(answer, "total", None) == expected
    assert (pk, "ROLLUP") not in table.items
    assert from_item(table.items[(pk, "CHANGE")])["facts"]["status"] == "completed"


def test_a_call_counted_in_its_id_shard_moves_to_its_agents_shard_without_negative_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a call whose agent and id hash to different shards, rolled up by a consumer of the
    # second layout (shards by call id)
    table = FakeDynamoDB()
    store = RollupStore("analytics", dynamodb=table)
    queued = next(
        c
        for n in range(100)
        if (c := call(id=f"0b6f3b5e-2d55-4a58-8d8a-{n:012d}"))
        and rollups.shard_of(c.id) != rollups.agent_shard("agent-1", rollups.DAY_SHARDS)
    )
    with monkeypatch.context() as old_consumer:
        old_consumer.setattr(rollups, "LAYOUT", 2)
        assert apply_records(store, [record(1, queued)]).failed == []

    # When today's consumer applies its completion
    done = queued.model_copy(update={"status": CallStatus.COMPLETED, "duration_seconds": 60.0})
    assert apply_records(store, [record(2, done, old=queued)]).failed == []

    # Then its counts left the id's shard whole and are in the agent's shard
    day = rollups.rollup_pk(TENANT, rollups.day_period(queued.start_time))
    old_shard = from_item(table.items[(day, rollups.shard_sk(rollups.shard_of(queued.id)))])
    new_shard = rollups.shard_sk(rollups.agent_shard("agent-1", rollups.DAY_SHARDS))
    assert all(v == 0 for k, v in old_shard.items() if isinstance(v, int) and k != "as_of")
    assert from_item(table.items[(day, new_shard)])["s:completed"] == 1


def test_a_seed_writes_the_items_the_consumer_would() -> None:
    # Given calls of several agents, hours and statuses, stored straight into the calls table
    rng = random.Random(11)
    calls = [
        call(
            id=f"0b6f3b5e-2d55-4a58-8d8a-{n:012d}",
            agent_id=rng.choice(["agent-1", "agent-2", None]),
            status=rng.choice(STATUSES),
            start_time=T0 + timedelta(minutes=rng.randrange(3 * 24 * 60)),
        )
        for n in range(60)
    ]
    items = [_call_item(TENANT, c, None) for c in calls]

    # When one table gets them through the consumer (an INSERT record each), the other seeded
    consumed, seeded = FakeDynamoDB(), FakeDynamoDB()
    assert (
        apply_records(RollupStore("a", dynamodb=consumed), map(insert_record, items)).failed == []
    )
    result = build_from_items(RollupStore("a", dynamodb=seeded), items)

    # Then both hold the same items, but for when they were written
    def comparable(table: FakeDynamoDB) -> dict[Any, dict[str, Any]]:
        stamps = ("as_of", "change_key", "changed_at", "stream_at")
        return {
            key: {name: value for name, value in item.items() if name not in stamps}
            for key, item in table.items.items()
        }

    assert comparable(seeded) == comparable(consumed)
    assert result.writes == len(seeded.items)


def test_a_total_the_rollups_answer_is_kept_while_the_watermark_stays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given two calls counted, and a counter that keeps totals for 30 s
    store = RollupStore("analytics", dynamodb=FakeDynamoDB())
    t = 1_770_000_000.0
    a, b, c = (call(id=f"0b6f3b5e-2d55-4a58-8d8a-00000000000{n}") for n in (1, 2, 3))
    assert apply_records(store, [_at(record(1, a), t), _at(record(2, b), t + 1)]).failed == []
    reads: list[int] = []
    get_items = store.get_items

    def counted(keys: Any, *args: Any, **kwargs: Any) -> Any:
        reads.append(len(keys))
        return get_items(keys, *args, **kwargs)

    monkeypatch.setattr(store, "get_items", counted)
    clock = [1000.0]
    monkeypatch.setattr("dialtone.analytics.totals.time.monotonic", lambda: clock[0])
    counter = TotalCounter(calls=None, rollup_store=store, keep_seconds=30)  # type: ignore[arg-type]
    days = CallFilters(start=T0, end=T0 + 2 * DAY - timedelta(microseconds=1))
    status = days._replace(status=CallStatus.QUEUED)

    # When the same totals are asked again, the watermark where it was
    first = [counter.total(TENANT, f) for f in (days, status)]
    again = [counter.total(TENANT, f) for f in (days, status)]

    # Then they are answered without reading a rollup item again
    assert [getattr(answer, "total", None) for answer in first] == [2, 2]
    assert again == first
    assert len(reads) == 2

    # When a third call is rolled up (the watermark moves), Then the next total is read anew
    assert apply_records(store, [_at(record(3, c), t + 2)]).failed == []
    reads.clear()
    assert getattr(counter.total(TENANT, days), "total", None) == 3
    assert len(reads) == 1

    # When 30 s pass with no change, Then it is read anew too
    clock[0] += 31
    assert getattr(counter.total(TENANT, days), "total", None) == 3
    assert len(reads) == 2

    # And a counter without keep_seconds reads every time
    plain = TotalCounter(calls=None, rollup_store=store)  # type: ignore[arg-type]
    assert plain.total(TENANT, days) == plain.total(TENANT, days)
    assert len(reads) == 4
