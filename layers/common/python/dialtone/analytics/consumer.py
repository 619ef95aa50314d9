"""What the stream consumer function needs besides the records: its store, and its answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialtone import settings
from dialtone.analytics import changes
from dialtone.analytics.rollup_store import RollupStore


@settings.per_environment
def rollup_store() -> RollupStore:
    """The rollups of the stream consumer's analytics table."""
    config = settings.load(settings.StreamConsumerSettings)
    return RollupStore(config.analytics_table)


def record_change(record: Mapping[str, Any]) -> None:
    """Bring the change feed (in the same analytics table) up to date with one stream record;
    idempotent, so a retried batch changes nothing twice."""
    store = rollup_store()
    changes.apply_change(store.dynamodb, store.table_name, record)


def with_failures(response: dict[str, Any], sequence_numbers: list[str]) -> dict[str, Any]:
    """The batch response with these records (by sequence number) reported failed too."""
    failures = list(response.get("batchItemFailures") or [])
    known = {f["itemIdentifier"] for f in failures}
    for sequence in sequence_numbers:
        if sequence not in known:
            failures.append({"itemIdentifier": sequence})
            known.add(sequence)
    return {**response, "batchItemFailures": failures}
