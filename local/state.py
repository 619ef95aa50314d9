"""The local stack's state kept across restarts: the embedded endpoint's tables, queues,
buckets and secrets, and what names them.

`save` pickles moto's in-memory backends (every account and region of the services the stack
provisions) next to a small JSON file naming the stack's resources and what `make dev` printed;
`load` puts them back into a fresh endpoint before anything talks to it. The state lives in
`.dialtone/state/` by default; `python -m local --reset` (`make dev-reset`) deletes it.
"""

from __future__ import annotations

import copyreg
import json
import os
import pickle
import shutil
import threading
import time
import warnings
from pathlib import Path
from typing import Any

from local.provision import Stack, load_template, resources_of

SERVICES = ("dynamodb", "dynamodbstreams", "s3", "sqs", "secretsmanager")
BACKENDS = "backends.pickle"
STACK = "stack.json"
SAVING = "saving.pid"
PROVISIONED = (
    "AWS::DynamoDB::Table",
    "AWS::SQS::Queue",
    "AWS::S3::Bucket",
    "AWS::SecretsManager::Secret",
)


def _fresh_lock(factory: Any) -> Any:
    return lambda _lock: (factory, ())


# moto's queues and a few other models hold locks; a lock is state of this process only, so it
# pickles as a new, released one.
copyreg.pickle(type(threading.Lock()), _fresh_lock(threading.Lock))
copyreg.pickle(type(threading.RLock()), _fresh_lock(threading.RLock))


def _limited_size_dict(items: dict[str, Any]) -> Any:
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict

    restored = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.update(restored, items)  # no size check per key: the item was checked when written
    return restored


def _register_item_reducer() -> None:
    """An item's attributes unpickle without re-measuring the item at each attribute (which
    made restoring a demo take a minute)."""
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict

    copyreg.pickle(LimitedSizeDict, lambda d: (_limited_size_dict, (dict(d),)))


class StaleState(RuntimeError):
    """The saved state was made from another version of the template."""


def exists(directory: Path) -> bool:
    _wait_for_save(directory)
    return (directory / BACKENDS).is_file() and (directory / STACK).is_file()


def save(directory: Path, stack: Stack, info: dict[str, Any]) -> None:
    """Write the endpoint's backends and the stack's names; a file is replaced only once its
    new version is complete, so an interrupted save leaves the previous state."""
    from moto.backends import get_backend

    _register_item_reducer()
    directory.mkdir(parents=True, exist_ok=True)
    backends = {
        service: {
            account: dict(regions.items())
            for account, regions in get_backend(service).items()  # type: ignore[call-overload]
        }
        for service in SERVICES
    }
    described = {
        "prefix": stack.prefix,
        "names": stack.names,
        "arns": stack.arns,
        "urls": stack.urls,
        "stream_arns": stack.stream_arns,
        "info": info,
    }
    partial = directory / f"{BACKENDS}.partial"
    with partial.open("wb") as file:
        pickle.dump(backends, file, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(directory / BACKENDS)
    (directory / f"{STACK}.partial").write_text(json.dumps(described, indent=2) + "\n")
    (directory / f"{STACK}.partial").replace(directory / STACK)


def save_in_background(directory: Path, stack: Stack, info: dict[str, Any]) -> None:
    """`save` in a forked copy of this process, which exits when done: the stack's process
    exits at once (pickling a demo's worth of state takes seconds). Call it once nothing runs
    but this thread. `load` waits for a save under way."""
    directory.mkdir(parents=True, exist_ok=True)
    marker = directory / SAVING
    with warnings.catch_warnings():  # the copy only pickles and writes files: no lock is taken
        warnings.simplefilter("ignore", DeprecationWarning)
        child = os.fork()
    if child == 0:  # pragma: no cover - the forked copy
        code = 1
        try:
            save(directory, stack, info)
            code = 0
        finally:
            marker.unlink(missing_ok=True)
            os._exit(code)
    marker.write_text(str(child))


def _wait_for_save(directory: Path, timeout: float = 60) -> None:
    """Wait while the previous run's background save is under way."""
    marker = directory / SAVING
    deadline = time.monotonic() + timeout
    while marker.is_file() and time.monotonic() < deadline:
        try:
            os.kill(int(marker.read_text() or 0), 0)
        except (ValueError, ProcessLookupError, PermissionError, FileNotFoundError):
            marker.unlink(missing_ok=True)  # a save that died: its partial files are ignored
            return
        time.sleep(0.2)


def load(directory: Path) -> tuple[Stack, dict[str, Any]]:
    """Put the saved backends into this process's endpoint and return the stack they hold and
    what `make dev` printed for it; StaleState when the template declares a resource the saved
    stack lacks (the state is then left untouched)."""
    from moto.backends import get_backend

    _wait_for_save(directory)
    described = json.loads((directory / STACK).read_text())
    template = load_template()
    declared = {logical for kind in PROVISIONED for logical in resources_of(template, kind)}
    missing = declared - set(described["names"])
    if missing:
        raise StaleState(
            f"the template declares resources the saved state lacks: {sorted(missing)}"
        )
    with (directory / BACKENDS).open("rb") as file:
        backends = pickle.load(file)  # noqa: S301 - our own file, written by `save`
    for service, accounts in backends.items():
        backend_dict = get_backend(service)
        for account, regions in accounts.items():
            for region, backend in regions.items():
                backend_dict[account][region] = backend
    stack = Stack(
        prefix=described["prefix"],
        names=described["names"],
        arns=described["arns"],
        urls=described["urls"],
        stream_arns=described["stream_arns"],
        template=template,
    )
    return stack, described["info"]


def reset(directory: Path) -> None:
    """Forget the saved state."""
    shutil.rmtree(directory, ignore_errors=True)
