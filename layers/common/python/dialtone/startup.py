"""A Lambda function's init: the cyclic garbage collector paused while it loads and, for an
API function, while it answers its first request; then what was built frozen out of every
later collection.

Loading a handler and serving its first request (which imports botocore and builds the first
clients and models) builds over 100,000 objects that live as long as the process: modules,
classes, functions, pydantic's schemas. A collection finds almost no garbage among them (some
400 objects after a first request) but still traverses them: the collections that run while
they are built, and then every full collection of the warm function (about 20 ms each). So
inside a function (Lambda sets AWS_LAMBDA_FUNCTION_NAME, as the local stack does) `dialtone`'s
first import pauses collection, and the handler's decorator calls `init_done` (see
`dialtone.observability`): what exists by then is moved to the permanent generation
(`gc.freeze`) and collection resumes. Elsewhere (tests, the command line, the local stack's
own process) nothing changes.
"""

from __future__ import annotations

import gc
import os

_paused = False


def pause_collection() -> None:
    """Pause collection if this process is a function's (called by `dialtone`'s import)."""
    global _paused
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") and gc.isenabled():
        gc.disable()
        _paused = True


def init_done() -> None:
    """Freeze what the init built and resume collection, if it was paused; once."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
