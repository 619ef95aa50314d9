"""The dial queue counters (`GET /v1/dialer/status`, `queue_position`) and a batch's counters
(`GET /v1/calls/batch/{id}`) move with every status change, in the same transactions, and
always equal a brute-force count of the calls: through acceptance, dialing (messages delivered
twice), status callbacks (delivered twice), cancelation, erasure and the sweeper."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone import settings
from dialtone.auth import Scope
from dialtone.dialing.counters import SHARDS, read_counts
from dialtone.dialing.dialer import Dialer, DialOutcome
from dialtone.dialing.sweeper import Sweeper
from dialtone.model_types import BATCH_BUCKET, CallStatus
from dialtone.store import StoredCall, stored_call
from dialtone.telephony.status_callbacks import StatusUpdate, apply_status
from local.endpoint import environment
from tests.integration.dialer.conftest import DialQueues, DialTenant, FakeProvider, later
from tests.integration.dialer.test_dial_queue import dialer_status, get_call
from tests.integration.dialer.test_dialing_api import cancel, create_batch, create_call, get_batch

IN_FLIGHT = (CallStatus.INITIATED, CallStatus.RINGING, CallStatus.IN_PROGRESS)


@pytest.fixture(autouse=True)
def _handlers_on_this_tests_queue(dial_queues: DialQueues) -> Iterator[None]:
    """The dialing handlers send to this test's own dial queue."""
    with environment({"DIAL_QUEUE_URL": dial_queues.url}):
        settings.reset()
        yield
    settings.reset()


@pytest.fixture
def make_sweeper(
    handler_environment: dict[str, str], dial_queues: DialQueues
) -> Callable[..., Sweeper]:
    from dialtone.store import CallStore

    def factory(provider: Any, minutes_later: float = 0) -> Sweeper:
        return Sweeper(
            calls=CallStore(handler_environment["CALLS_TABLE"]),
            accounts_table=handler_environment["ACCOUNTS_TABLE"],
            provider=provider,
            queue_url=dial_queues.url,
            callback_url=lambda tenant, call: "http://127.0.0.1:9/status",
            clock=later(minutes_later * 60),
            requeue_delay_seconds=1,
        )

    return factory


def every_call(tenant: DialTenant) -> list[StoredCall]:
    """Every call item of the tenant, read whole (the brute force), remembered for clean-up."""
    found = []
    for page in tenant.calls.dynamodb.get_paginator("query").paginate(
        TableName=tenant.calls.table_name,
        IndexName="ByTenantTime",
        KeyConditionExpression="tenant_id = :t",
        ExpressionAttributeValues={":t": {"S": tenant.tenant_id}},
    ):
        found += [item for item in page["Items"] if "erasing" not in item]
    calls = [stored_call(item) for item in found]
    tenant.fixture.call_ids.extend(
        s.call.id for s in calls if s.call.id not in tenant.fixture.call_ids
    )
    return calls


class Ledger:
    """The test's own record of erased calls, which the brute force can no longer read."""

    def __init__(self, tenant: DialTenant) -> None:
        self.tenant = tenant
        self.erased_batch_calls: Counter[str] = Counter()

    def erase(self, call_id: str) -> None:
        stored = self.tenant.call(call_id)
        self.tenant.calls.begin_erasure(self.tenant.tenant_id, call_id)
        self.tenant.calls.begin_erasure(self.tenant.tenant_id, call_id)  # run again: no change
        self.tenant.calls.delete_call_items(self.tenant.tenant_id, call_id)
        if stored.call.batch_id:
            self.erased_batch_calls[stored.call.batch_id] += 1

    def check(self, batch_id: str | None = None) -> dict[str, int]:
        """Every counter against the brute force; the brute-force counts."""
        calls = every_call(self.tenant)
        dialed = [s.call for s in calls if s.internal.dial_seq is not None]
        queued = sum(1 for c in dialed if c.status is CallStatus.QUEUED)
        in_flight = sum(1 for c in dialed if c.status in IN_FLIGHT)
        counts = read_counts(
            self.tenant.calls.dynamodb, self.tenant.calls.table_name, self.tenant.tenant_id
        )
        assert (counts.queued, counts.in_flight) == (queued, in_flight)
        _, body = dialer_status(self.tenant.fixture.authorizer(Scope.CALLS_READ))
        assert (body["backlog"], body["in_flight"]) == (queued, in_flight)
        if batch_id is not None:
            buckets = Counter(
                BATCH_BUCKET[c.call.status] for c in calls if c.call.batch_id == batch_id
            )
            # An erased call that had not ended counts as canceled in its batch.
            buckets["canceled"] += self.erased_batch_calls[batch_id]
            status, batch = get_batch(self.tenant, batch_id)
            assert status == 200
            assert {
                b: batch[b] for b in ("queued", "initiated", "completed", "failed", "canceled")
            } == {b: buckets[b] for b in ("queued", "initiated", "completed", "failed", "canceled")}
        return {"queued": queued, "in_flight": in_flight}


def callback(tenant: DialTenant, call_id: str, status: CallStatus) -> bool:
    """A provider status callback for the call (as the receiver applies it once verified)."""
    sid = tenant.call(call_id).call.twilio_call_sid
    update = StatusUpdate(
        call_sid=sid,
        provider_status=status.value,
        status=status,
        timestamp=datetime.now(UTC),
        duration_seconds=30 if status is CallStatus.COMPLETED else None,
    )
    return apply_status(tenant.calls, tenant.tenant_id, call_id, update)


def test_counters_equal_a_brute_force_count_through_every_step_of_dialing(
    make_dialer: Callable[..., Dialer],
    make_sweeper: Callable[..., Sweeper],
    dial_tenant: DialTenant,
    provider: FakeProvider,
) -> None:
    ledger = Ledger(dial_tenant)
    # Given a batch of 12 numbers (one invalid, one given twice) and 2 single calls
    numbers = [f"+1415555{n:04d}" for n in range(2000, 2010)] + ["not a number", "+14155552000"]
    status, accepted = create_batch(dial_tenant, {"to_numbers": numbers})
    assert status == 202
    assert (accepted["total"], accepted["duplicates"]) == (11, ["+14155552000"])
    batch_id = accepted["batch_id"]
    for n in (1, 2):
        assert create_call(dial_tenant, {"to_number": f"+1415555300{n}"})[0] == 202
    assert ledger.check(batch_id) == {"queued": 12, "in_flight": 0}

    # When 6 calls are dialed, each message delivered twice
    queued = sorted(
        (s for s in every_call(dial_tenant) if s.call.status is CallStatus.QUEUED),
        key=lambda s: s.internal.dial_seq or 0,
    )
    dialer = make_dialer()
    for stored in queued[:6]:
        assert dialer.handle(dial_tenant.message(stored.call.id)) is DialOutcome.DIALED
        assert dialer.handle(dial_tenant.message(stored.call.id)) is DialOutcome.NOT_QUEUED
    assert len(provider.placed) == 6
    assert ledger.check(batch_id) == {"queued": 6, "in_flight": 6}

    # When status callbacks come, some twice
    a, b, c, d, e, f = (s.call.id for s in queued[:6])
    for status in (CallStatus.RINGING, CallStatus.IN_PROGRESS, CallStatus.COMPLETED):
        assert callback(dial_tenant, a, status)
    assert not callback(dial_tenant, a, CallStatus.COMPLETED)  # a duplicate
    assert not callback(dial_tenant, a, CallStatus.RINGING)  # late
    assert callback(dial_tenant, b, CallStatus.BUSY)
    assert callback(dial_tenant, c, CallStatus.NO_ANSWER)
    assert not callback(dial_tenant, c, CallStatus.NO_ANSWER)
    assert callback(dial_tenant, d, CallStatus.IN_PROGRESS)
    assert ledger.check(batch_id) == {"queued": 6, "in_flight": 3}

    # When two queued calls are canceled (one of them twice)
    g, h = (s.call.id for s in queued[6:8])
    assert cancel(dial_tenant, g)[0] == 200
    assert cancel(dial_tenant, g)[0] == 409
    assert cancel(dial_tenant, h)[0] == 200
    assert ledger.check(batch_id) == {"queued": 4, "in_flight": 3}

    # When a queued call and a call in progress are erased
    ledger.erase(queued[8].call.id)
    ledger.erase(d)
    assert ledger.check(batch_id) == {"queued": 3, "in_flight": 2}

    # When the sweeper finds a call whose final callback was lost
    provider.status[dial_tenant.call(e).call.twilio_call_sid] = CallStatus.COMPLETED
    report = make_sweeper(provider, minutes_later=11).sweep_tenant(dial_tenant.tenant_id)
    assert report.resolved >= 1
    assert dial_tenant.call(e).call.status is CallStatus.COMPLETED
    assert ledger.check(batch_id)["in_flight"] == 1

    # Then when everything left is dialed and ends, nothing is queued or in flight
    for stored in queued[9:]:
        assert dialer.handle(dial_tenant.message(stored.call.id)) is DialOutcome.DIALED
    for stored in [*queued[9:], dial_tenant.call(f)]:
        assert callback(dial_tenant, stored.call.id, CallStatus.COMPLETED)
    assert ledger.check(batch_id) == {"queued": 0, "in_flight": 0}
    _, batch = get_batch(dial_tenant, batch_id)
    assert batch["status"] == "completed"


def test_a_status_change_that_loses_its_race_moves_no_counter(dial_tenant: DialTenant) -> None:
    # Given a queued call
    call = dial_tenant.queued_call()
    calls = dial_tenant.calls
    # When two writers both try to move it on from queued, only the first does
    first = calls.change_call(
        dial_tenant.tenant_id, call.id, CallStatus.QUEUED, {"status": CallStatus.CANCELED}
    )
    second = calls.change_call(
        dial_tenant.tenant_id, call.id, CallStatus.QUEUED, {"status": CallStatus.FAILED}
    )
    # Then the counters moved once
    assert (first, second) == (True, False)
    counts = read_counts(calls.dynamodb, calls.table_name, dial_tenant.tenant_id)
    assert (counts.queued, counts.in_flight, counts.dequeued) == (0, 0, 1)


def test_calls_the_dialer_never_queued_are_not_counted(dial_tenant: DialTenant) -> None:
    # Given a call the voice runtime reported (never in the dial queue), in progress
    from dialtone.model_types import Direction
    from dialtone.models import Call

    now = datetime.now(UTC)
    call = Call(
        id="5f0f4a43-0000-4000-8000-000000000001",
        direction=Direction.INBOUND,
        status=CallStatus.IN_PROGRESS,
        start_time=now,
        created_at=now,
        updated_at=now,
    )
    dial_tenant.calls.create_call(dial_tenant.tenant_id, call, {})
    dial_tenant.fixture.call_ids.append(call.id)
    # When it completes (its writer does not say whether it was dialed)
    assert dial_tenant.calls.change_call(
        dial_tenant.tenant_id, call.id, CallStatus.IN_PROGRESS, {"status": CallStatus.COMPLETED}
    )
    # Then the dial queue never counted it
    assert dial_tenant.call(call.id).call.status is CallStatus.COMPLETED
    _, body = dialer_status(dial_tenant.fixture.authorizer(Scope.CALLS_READ))
    assert (body["backlog"], body["in_flight"]) == (0, 0)


def test_queue_position_is_the_place_in_the_sequence_less_the_calls_that_left(
    make_dialer: Callable[..., Dialer], dial_tenant: DialTenant
) -> None:
    # Given 5 queued calls
    calls = [dial_tenant.queued_call(to_number=f"+1415555400{n}") for n in range(5)]
    reader = dial_tenant.fixture.authorizer(Scope.CALLS_READ)

    def positions() -> list[int | None]:
        return [get_call(reader, call.id)["queue_position"] for call in calls]

    assert positions() == [1, 2, 3, 4, 5]
    # When the first two are dialed, in order: exact
    dialer = make_dialer()
    for call in calls[:2]:
        assert dialer.handle(dial_tenant.message(call.id)) is DialOutcome.DIALED
    assert positions() == [None, None, 1, 2, 3]
    # When the last one leaves first (canceled), the calls before it read one place too low,
    # never below 1 nor beyond the backlog, until they leave in turn
    assert cancel(dial_tenant, calls[4].id)[0] == 200
    assert positions() == [None, None, 1, 1, None]
    assert dialer.handle(dial_tenant.message(calls[2].id)) is DialOutcome.DIALED
    assert positions() == [None, None, None, 1, None]


def test_dialer_status_reads_the_same_few_items_whatever_the_backlog(
    dial_tenant: DialTenant,
) -> None:
    # Given a tenant with 150 queued calls
    from dialtone.model_types import Direction
    from dialtone.models import Call

    now = datetime.now(UTC) - timedelta(minutes=1)
    backlog = [
        Call(
            id=f"5f0f4a43-0000-4000-8000-{n:012d}",
            direction=Direction.OUTBOUND,
            status=CallStatus.QUEUED,
            from_number="+14155550100",
            to_number="+14155550123",
            phone_number="+14155550123",
            start_time=now,
            queued_at=now,
            created_at=now,
            updated_at=now,
        )
        for n in range(150)
    ]
    dial_tenant.calls.put_queued_calls(dial_tenant.tenant_id, backlog, enqueued_at=now)
    dial_tenant.fixture.call_ids.extend(c.id for c in backlog)
    # When its dialer status is read, counting what DynamoDB is asked
    reads: list[int] = []
    client = dial_tenant.calls.dynamodb
    original = client.batch_get_item

    def counting(**request: Any) -> Any:
        reads.append(sum(len(r["Keys"]) for r in request["RequestItems"].values()))
        return original(**request)

    client.batch_get_item = counting
    try:
        counts = read_counts(client, dial_tenant.calls.table_name, dial_tenant.tenant_id)
    finally:
        del client.batch_get_item
    # Then it reads its counter shards only
    assert counts.queued == 150
    assert sum(reads) == SHARDS
