"""Erasing a call: the call, its transcript, history and recording, at the tenant's request.

The call is first marked (`CallStore.begin_erasure`), so that it reads as not found and nothing
more is written under it; then every version of its recording objects is deleted (by
`dialtone.recordings`, the one module that touches the bucket) and every item of the call, the
call item last, so an interrupted erasure can simply be run again. A call past its retention
that TTL has not yet removed is erased too.
"""

from __future__ import annotations

from dialtone import recordings, settings
from dialtone.auth import Principal, Scope
from dialtone.observability import logger
from dialtone.recordings import RecordingsSettings
from dialtone.store import CallStore


class CallEraser:
    """Erases the calls of one deployment's calls table and recordings bucket."""

    def __init__(self, store: CallStore, recordings_bucket: str) -> None:
        self.store = store
        self.recordings_bucket = recordings_bucket

    def erase_call(self, principal: Principal, call_id: str) -> None:
        """Erase a call: mark it so that nothing more is written under it, then remove its
        recording objects (every version) and all its items, the call item last."""
        principal.require(Scope.ADMIN)
        self.store.begin_erasure(principal.tenant_id, call_id)
        recordings.delete_call_recordings(self.recordings_bucket, principal.tenant_id, call_id)
        self.store.delete_call_items(principal.tenant_id, call_id)
        logger.info("Call erased", extra={"call_id": call_id})


@settings.per_environment
def eraser() -> CallEraser:
    """The eraser of this execution environment (`DELETE /v1/calls/{call_id}`)."""
    config = settings.load(RecordingsSettings)
    return CallEraser(CallStore(config.calls_table), config.recordings_bucket)
