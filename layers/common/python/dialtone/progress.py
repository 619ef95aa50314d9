"""Moving a call through its statuses: forward only, with its batch counters, from any writer
(the dialer, provider status callbacks, the sweeper, the voice runtime)."""

from __future__ import annotations

import random
import time
from typing import Any

from dialtone.errors import CallNotFound
from dialtone.model_types import STATUS_RANK, CallStatus
from dialtone.store import CallStore


def advance(
    store: CallStore,
    tenant_id: str,
    call_id: str,
    status: CallStatus,
    fields: dict[str, Any] | None = None,
    attempts: int = 5,
) -> bool:
    """Move a call to `status` (with `fields`) if that is forward from where it is now.

    Returns False, changing nothing, when the call is already there or further on: a late
    `ringing` after `completed` is ignored. Concurrent writers are resolved by the status
    condition of each write; a lost race is re-read and retried.
    """
    for attempt in range(attempts):
        if attempt:
            time.sleep(random.uniform(0, 0.02 * attempt))  # noqa: S311 - jitter, not secrecy
        try:
            stored = store.get_call(tenant_id, call_id, consistent=True)
        except CallNotFound:
            return False
        current = stored.call
        if STATUS_RANK[current.status] >= STATUS_RANK[status]:
            return False
        changed = store.change_call(
            tenant_id,
            call_id,
            current.status,
            {**(fields or {}), "status": status},
            batch_id=current.batch_id,
            dialed=stored.internal.dial_seq is not None,
            current=current,  # the pair index keys are built from it, with no other read
        )
        if changed:
            return True
    return False
