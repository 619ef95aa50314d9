"""What the stream consumer function needs besides the records: its store, and its answer."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from dialtone import settings
from dialtone.analytics.rollup_store import RollupStore
from dialtone.settings import EnvSettings


class StreamConsumerSettings(EnvSettings):
    """The calls table's stream consumer: where it keeps rollups and its per-call state."""

    analytics_table: str = Field(alias="ANALYTICS_TABLE", min_length=1)


@settings.per_environment
def rollup_store() -> RollupStore:
    """The rollups of the stream consumer's analytics table."""
    config = settings.load(StreamConsumerSettings)
    return RollupStore(config.analytics_table)


def with_failures(response: dict[str, Any], sequence_numbers: list[str]) -> dict[str, Any]:
    """The batch response with these records (by sequence number) reported failed too."""
    failures = list(response.get("batchItemFailures") or [])
    known = {f["itemIdentifier"] for f in failures}
    for sequence in sequence_numbers:
        if sequence not in known:
            failures.append({"itemIdentifier": sequence})
            known.add(sequence)
    return {**response, "batchItemFailures": failures}
