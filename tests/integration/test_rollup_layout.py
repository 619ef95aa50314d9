"""A tenant with more agents active in one day than a day's call shards can hold: DynamoDB
(moto, answering a transaction as DynamoDB does) refuses the call shard that would pass 400 KB,
the consumer gives the tenant's days twice the shards, and totals and stats still count every
call, before and after the calls counted in the old layout change."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.rollups import item_kb
from dialtone.accounts import AccountStore
from dialtone.analytics import rollups
from dialtone.analytics.rollup_store import RollupStore
from dialtone.analytics.totals import TotalCounter
from dialtone.auth import Scope
from dialtone.dynamo import string_key
from dialtone.listing import CallFilters
from dialtone.model_types import CallStatus, Direction
from dialtone.models import Call
from dialtone.store import CallStore
from local.invoke import api_event, invoke
from tests.streams import drain_calls_stream
from tests.tenants import TenantFixture

DAY = datetime(2026, 4, 14, tzinfo=UTC)
AGENTS = 250
# Agents that all fall in day shard 0 of the default 16 (and so in hour shard 0 of 4 too):
# one call each, its hour spread over the day so that only the day's item outgrows the limit.
CROWDED = [
    agent
    for agent in (f"agent-{n:05d}" for n in range(20_000))
    if rollups.agent_shard(agent, rollups.DAY_SHARDS) == 0
][:AGENTS]


def _day_items(analytics: RollupStore, tenant_id: str, shards: int) -> dict[str, dict[str, Any]]:
    pk = rollups.rollup_pk(tenant_id, rollups.day_period(DAY))
    keys = [string_key(pk=pk, sk=rollups.shard_sk(n)) for n in range(shards)]
    return {item["sk"]["S"]: item for item in analytics.get_items(keys, consistent=True)}


def _counts(items: dict[str, dict[str, Any]], prefix: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for item in items.values():
        for name, value in item.items():
            if name.startswith(prefix) and "#" not in name:
                counts[name] += int(value["N"])
    return +counts


def _stats_calls(tenant: TenantFixture, **query: str) -> int:
    authorizer = tenant.authorizer(Scope.CALLS_READ)
    event = api_event(
        "get_call_stats",
        "GET /v1/calls/stats",
        "/v1/calls/stats",
        query={
            "start_date": DAY.isoformat(),
            "end_date": (DAY + timedelta(days=1, seconds=-1)).isoformat(),
            **query,
        },
        authorizer=authorizer,
    )
    result = invoke("get_call_stats", event)
    assert result["statusCode"] == 200, result["body"]
    calls: int = json.loads(result["body"])["summary"]["calls"]
    return calls


def test_a_day_of_many_agents_gets_more_shards_and_every_call_still_counts(
    handler_environment: dict[str, str],
) -> None:
    # Given a tenant whose 250 calls of one day each have an agent of their own, every agent
    # in the same day shard (past 400 KB for one item)
    store = CallStore(handler_environment["CALLS_TABLE"])
    analytics = RollupStore(handler_environment["ANALYTICS_TABLE"])
    accounts = AccountStore(handler_environment["ACCOUNTS_TABLE"])
    tenant_id = accounts.create_tenant(name="Many agents").tenant_id
    tenant = TenantFixture(tenant_id, store, random.Random(5))
    rng = random.Random(9)
    calls: list[Call] = [
        tenant.add_call(
            start_time=DAY + timedelta(minutes=rng.randrange(24 * 60)),
            agent_id=agent,
            direction=Direction.OUTBOUND,
            status=CallStatus.COMPLETED,
        )
        for agent in CROWDED
    ]

    # When the stream is rolled up
    drain_calls_stream(tenant_id)

    # Then the tenant's days have twice the shards, its hours as many as before
    layout = analytics.layout(tenant_id)
    assert layout == rollups.Layout(day=2 * rollups.DAY_SHARDS, hour=rollups.SHARDS)
    # and the day's calls are in the full shard and in new items of the new layout only
    # (numbered after the first layout's), none past DynamoDB's 400 KB, each agent's call
    # counted once
    keys = rollups.shard_keys(rollups.day_period(DAY), layout)
    assert len(keys) == 3 * rollups.DAY_SHARDS
    items = _day_items(analytics, tenant_id, len(keys))
    new_layout = {rollups.shard_sk(n) for n in range(rollups.DAY_SHARDS, 3 * rollups.DAY_SHARDS)}
    assert "S#0" in items
    assert set(items) - {"S#0"} <= new_layout
    assert len(items) > 1
    assert max(item_kb(item) for item in items.values()) <= 400
    assert max(item_kb(item) for sk, item in items.items() if sk != "S#0") < 100
    assert _counts(items, "a:") == Counter({f"a:{agent}": 1 for agent in CROWDED})
    # and the list's total and the stats count every call
    counter = TotalCounter(store, analytics)
    whole_day = CallFilters(start=DAY, end=DAY + timedelta(days=1, seconds=-1))
    total = counter.total(tenant_id, whole_day)
    assert total is not None
    assert total.total == AGENTS
    assert _stats_calls(tenant) == AGENTS

    # When calls counted before the layout grew (in shard 0 of the first layout) change
    states = analytics.read_states([f"T#{tenant_id}#C#{c.id}" for c in calls])
    early = [
        c
        for c in calls
        if (facts := states[f"T#{tenant_id}#C#{c.id}"].facts) is not None
        and facts.day_shards is None
    ][:20]
    assert len(early) == 20
    for call in early:
        changed = {"status": CallStatus.FAILED.value}
        assert store.change_call(tenant_id, call.id, CallStatus.COMPLETED, changed)
    drain_calls_stream(tenant_id)

    # Then their counts moved out of the shard they were counted in to their agents' new one,
    # none left negative
    items = _day_items(analytics, tenant_id, len(keys))
    left = _counts({"S#0": items["S#0"]}, "a:")
    assert not any(left[f"a:{c.agent_id}"] for c in early)
    assert _counts(items, "s:") == Counter({"s:failed": 20, "s:completed": AGENTS - 20})
    assert _counts(items, "a:") == Counter({f"a:{agent}": 1 for agent in CROWDED})
    assert all(int(v["N"]) >= 0 for item in items.values() for v in item.values() if "N" in v)
    failed = counter.total(tenant_id, whole_day._replace(status=CallStatus.FAILED))
    assert failed is not None
    assert failed.total == 20
    assert _stats_calls(tenant, status="failed") == 20
