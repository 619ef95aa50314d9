"""The stream consumer against moto: real records of the calls table's stream, through the
handler, into the rollups; `GET /v1/calls` totals then equal a count of the calls."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone.analytics import rollups
from dialtone.analytics.rollup_store import RollupStore
from dialtone.analytics.totals import TotalCounter
from dialtone.listing import CallFilters
from dialtone.model_types import CallOutcome, CallStatus, Direction
from dialtone.models import Call
from dialtone.store import CallStore
from local.invoke import api_event, invoke, sample_event
from tests.crash_points import Killed, aws_requests
from tests.integration.conftest import SAMPLE_CALL_ID, SAMPLE_TENANT_ID
from tests.streams import drain_calls_stream, take_calls_stream

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
LINE = "+14155550100"


def list_total(tenant: Any, **query: str) -> dict[str, Any]:
    event = api_event(
        "list_calls", "GET /v1/calls", "/v1/calls", query=query, authorizer=tenant.authorizer()
    )
    result = invoke("list_calls", event)
    assert result["statusCode"] == 200, result["body"]
    body: dict[str, Any] = json.loads(result["body"])
    return body


def test_the_sample_event_rolls_up_a_call_once_however_often_it_is_delivered(
    handler_environment: dict[str, str], call_store: CallStore
) -> None:
    # Given the sample batch: a call queued, answered, completed in 184.5 s (a call of its own,
    # so that no other test's records of the sample call are newer)
    call_id = str(uuid.uuid4())
    event = json.loads(json.dumps(sample_event("stream_consumer")).replace(SAMPLE_CALL_ID, call_id))
    rollups = RollupStore(handler_environment["ANALYTICS_TABLE"])
    counter = TotalCounter(call_store, rollups)
    day = CallFilters(
        start=datetime(2026, 12, 1, tzinfo=UTC), end=datetime(2026, 12, 1, 23, 59, tzinfo=UTC)
    )
    queries = {
        "all": day,
        "completed": day._replace(status=CallStatus.COMPLETED),
        "queued": day._replace(status=CallStatus.QUEUED),
    }

    def totals() -> dict[str, int]:
        answers = {name: counter.total(SAMPLE_TENANT_ID, f) for name, f in queries.items()}
        return {name: answer.total for name, answer in answers.items() if answer is not None}

    before = totals()

    # When it is delivered, then delivered again (a retry), and its first record once more
    first = invoke("stream_consumer", event)
    again = invoke("stream_consumer", event)
    late = invoke("stream_consumer", {"Records": event["Records"][:1]})

    # Then nothing failed, and the call counts once, completed, with its duration
    assert first == again == late == {"batchItemFailures": []}
    after = totals()
    assert {name: after[name] - before[name] for name in queries} == {
        "all": 1,
        "completed": 1,
        "queued": 0,
    }
    state = rollups.read_states([f"T#{SAMPLE_TENANT_ID}#C#{call_id}"])
    facts = next(iter(state.values())).facts
    assert facts is not None
    assert (facts.status, facts.duration_ms) == ("completed", 184_500)


def _brute(calls: list[Call], low: datetime, high: datetime, **match: Any) -> int:
    def matches(c: Call) -> bool:
        if not low <= c.start_time <= high:
            return False
        for name, value in match.items():
            if name == "phone_number":
                if value not in (c.from_number, c.to_number):
                    return False
            elif str(getattr(c, name)) != value:
                return False
        return True

    return sum(1 for c in calls if matches(c))


def test_list_totals_from_the_stream_equal_a_count_of_the_calls(
    tenant: Any, call_store: CallStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given calls over three days, then status changes, an erasure and a deletion (as TTL does)
    rng = random.Random(12)
    calls = [
        tenant.add_call(
            start_time=T0 + timedelta(minutes=rng.randint(0, 3 * 24 * 60)),
            direction=rng.choice([Direction.INBOUND, Direction.OUTBOUND]),
            status=CallStatus.IN_PROGRESS,
            customer=rng.choice(["+14155550181", "+14155550182"]),
        )
        for _ in range(30)
    ]
    for c in calls[:12]:
        fields = {"status": CallStatus.COMPLETED.value, "outcome": CallOutcome.RESOLVED.value}
        assert call_store.change_call(tenant.tenant_id, c.id, CallStatus.IN_PROGRESS, fields)
    call_store.begin_erasure(tenant.tenant_id, calls[12].id)
    call_store.delete_call_items(tenant.tenant_id, calls[13].id)
    finals = [
        c.model_copy(update={"status": CallStatus.COMPLETED, "outcome": CallOutcome.RESOLVED})
        if i < 12
        else c
        for i, c in enumerate(calls)
        if i not in (12, 13)
    ]

    # When the stream is drained through the consumer
    assert drain_calls_stream(tenant.tenant_id) > 0

    # Then every total (whole days, whole hours and partial hours at the edges) is exact
    low, high = T0 + timedelta(hours=5, minutes=17), T0 + timedelta(days=2, hours=3, minutes=41)
    dates = {"start_date": low.isoformat(), "end_date": high.isoformat()}
    far = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    agent = str(calls[0].agent_id)
    queries: list[dict[str, str]] = [
        {},
        {"status": "completed"},
        {"direction": "inbound"},
        {"agent_id": agent},
        {"agent_id": agent, "status": "in_progress"},
        {"status": "completed", "outcome": "resolved"},
        {"phone_number": "+14155550181"},
        {"to_number": "+14155550182"},
    ]
    for query in queries:
        assert list_total(tenant, **query)["total"] == _brute(finals, *far, **query), query
        in_range = list_total(tenant, **query, **dates)
        assert in_range["total"] == _brute(finals, low, high, **query), query
    assert list_total(tenant)["total_as_of"] is not None

    # ... and so is a total over centuries, which reads only the days that can hold calls
    keys_read: list[int] = []
    get_items = RollupStore.get_items

    def counted(store: RollupStore, keys: Any, *args: Any, **kwargs: Any) -> Any:
        keys_read.append(len(keys))
        return get_items(store, keys, *args, **kwargs)

    monkeypatch.setattr(RollupStore, "get_items", counted)
    widest = {"start_date": "0001-01-01", "end_date": "9999-12-31"}
    assert list_total(tenant, **widest)["total"] == len(finals)
    assert sum(keys_read) <= 5 * rollups.DAY_SHARDS  # the calls' 4 days (and a day of margin)
    ancient = {"start_date": "0906-11-18T15:49:29.000001Z", "end_date": "1085-02-02"}
    assert list_total(tenant, status="canceled", **ancient)["total"] == 0


def test_a_consumer_killed_before_any_of_its_requests_keeps_totals_exact_when_the_batch_comes_again(
    tenant: Any, call_store: CallStore
) -> None:
    rng = random.Random(7)
    calls: dict[str, Call] = {}

    def new_batch() -> list[dict[str, Any]]:
        """Three calls started, two of them completed: their records, as Lambda delivers them."""
        started = [
            tenant.add_call(
                start_time=T0 + timedelta(minutes=rng.randint(0, 24 * 60)),
                direction=rng.choice([Direction.INBOUND, Direction.OUTBOUND]),
                status=CallStatus.IN_PROGRESS,
            )
            for _ in range(3)
        ]
        calls.update({c.id: c for c in started})
        for c in started[:2]:
            done = {"status": CallStatus.COMPLETED.value, "outcome": CallOutcome.RESOLVED.value}
            assert call_store.change_call(tenant.tenant_id, c.id, CallStatus.IN_PROGRESS, done)
            calls[c.id] = c.model_copy(
                update={"status": CallStatus.COMPLETED, "outcome": CallOutcome.RESOLVED}
            )
        records = take_calls_stream(tenant.tenant_id)
        assert len(records) == 5
        return records

    def exact() -> None:
        far = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
        finals = list(calls.values())
        for query in (
            {},
            {"status": "completed"},
            {"status": "in_progress"},
            {"direction": "inbound"},
        ):
            assert list_total(tenant, **query)["total"] == _brute(finals, *far, **query), query

    # Given the AWS requests a clean run of such a batch makes
    first = new_batch()
    with aws_requests() as clean:
        assert invoke("stream_consumer", {"Records": first}) == {"batchItemFailures": []}
    exact()
    assert len(clean.made) >= 2

    for kill_at in range(1, len(clean.made) + 1):
        # When the consumer of another such batch is killed before its k-th request, and Lambda
        # delivers the batch again
        batch = new_batch()
        with aws_requests(kill_at) as killed, pytest.raises(Killed):
            invoke("stream_consumer", {"Records": batch})
        assert len(killed.made) == kill_at
        assert invoke("stream_consumer", {"Records": batch}) == {"batchItemFailures": []}

        # Then every total counts every call once, as it is in the end
        exact()
