"""Lambda SnapStart: what each copy restored from one snapshot must not share with the others.

With the template's `SnapStart=true`, Lambda initialises a function once, snapshots its memory
and resumes every new execution environment from that snapshot, so whatever the module state
held at snapshot time is the same in every copy:

- `random`'s state: its jitter (retry pauses in the store and the limiter) would pause every
  copy for the same time, so they would retry in step. It is reseeded from the system.
- settings and what is built from them, secret values read from Secrets Manager (no expiry of
  their own: a snapshot may be resumed long after it was taken) and AWS clients with the
  credentials they resolved: forgotten, so each copy reads them again on first use.

Ids need nothing: `uuid.uuid4()` and `secrets` read `os.urandom` on every call, which the
kernel keeps unique per copy. The hook is registered with the runtime's `snapshot_restore_py`,
which exists only on Lambda's Python runtime; elsewhere registering does nothing.
"""

from __future__ import annotations

import random
import sys

from dialtone import aws


def renew_after_restore() -> None:
    """Give this copy its own random state, settings, secrets and clients."""
    random.seed()  # from os.urandom
    # Settings (and pydantic with them) are not loaded by every function: the authorizer has none.
    settings = sys.modules.get("dialtone.settings")
    if settings is not None:
        settings.reset()
    aws.reset_clients()


def register() -> bool:
    """Run `renew_after_restore` after every restore; False where there are no snapshots."""
    try:
        from snapshot_restore_py import register_after_restore  # type: ignore[import-not-found]
    except ImportError:
        return False
    register_after_restore(renew_after_restore)
    return True


register()
