"""`python -m local invoke <FunctionName|dir> -e events/<sample>.json`: `sam local invoke`
without Docker, against the running local stack.

The function runs in a worker of its own, as the stack runs it: its code and layers on the
path, its environment from the template resolved to the running stack's resources (the
`.dialtone/env-vars.json` that `make dev` wrote) and pointed at its endpoint (`.dialtone/
local.json`). The function's logs go to stderr, its result to stdout as JSON.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any

from local.provision import ROOT, TEMPLATE, load_template, resources_of

DIALTONE_DIR = ROOT / ".dialtone"


class InvokeError(RuntimeError):
    """Something the user can fix: said in one line."""


def function_id(name: str, template: dict[str, Any]) -> str:
    """The logical id of a function named by its id, or by its code's directory
    (`get_call`, `functions/get_call`)."""
    functions = resources_of(template, "AWS::Serverless::Function")
    if name in functions:
        return name
    wanted = Path(name.rstrip("/")).name
    for logical, properties in functions.items():
        if Path(str(properties.get("CodeUri", "")).rstrip("/")).name == wanted:
            return logical
    raise InvokeError(f"no function {name!r} in template.yaml (a logical id or a functions/ dir)")


def _read_json(path: Path, what: str) -> dict[str, Any]:
    if not path.is_file():
        raise InvokeError(f"{what} not found at {path}: start the local stack with `make dev`")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _running(info: dict[str, Any]) -> None:
    """InvokeError unless the stack's endpoint accepts connections."""
    import socket
    from urllib.parse import urlsplit

    endpoint = urlsplit(str(info["aws_endpoint_url"]))
    try:
        socket.create_connection((endpoint.hostname, endpoint.port or 80), timeout=2).close()
    except OSError:
        raise InvokeError(
            f"the local stack does not answer at {info['aws_endpoint_url']}: start it with "
            "`make dev`"
        ) from None


class _Collect:
    """SAM's stdout stream writer, keeping what the runtime writes."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def write_str(self, text: str) -> None:
        self.buffer.write(text)

    def flush(self) -> None:
        pass


def invoke(name: str, event: str, directory: Path = DIALTONE_DIR) -> str:
    """Run the function on the event against the running stack; its result as JSON text."""
    from local.api import LocalApi
    from local.runtime import WorkerRuntime

    info = _read_json(directory / "local.json", "the local stack's local.json")
    environments = _read_json(directory / "env-vars.json", "the local stack's env-vars.json")
    _running(info)
    logical = function_id(name, load_template())
    runtime = WorkerRuntime(ROOT, extra_env=info.get("local_environment", {}))
    api = LocalApi(ROOT, TEMPLATE, runtime, environments, port=0)
    output = _Collect()
    try:
        function = api.function_provider.get(logical)
        runtime.invoke(api.runner.get_invoke_config(function), event, stdout=output)
    finally:
        runtime.stop()
    return output.buffer.getvalue()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m local invoke",
        description="Run one function against the running local stack (sam local invoke "
        "without Docker).",
    )
    parser.add_argument("function", help="a logical id (GetCallFunction) or a functions/ dir")
    parser.add_argument("-e", "--event", type=Path, help="the event (JSON); {} when omitted")
    parser.add_argument(
        "--dir", type=Path, default=DIALTONE_DIR, help="the running stack's --dir (.dialtone)"
    )
    args = parser.parse_args(argv)
    try:
        event = args.event.read_text() if args.event else "{}"
        json.loads(event)
        result = invoke(args.function, event, args.dir)
    except (InvokeError, OSError, json.JSONDecodeError) as error:
        print(f"python -m local invoke: {error}", file=sys.stderr)
        return 1
    print(result, flush=True)
    body = json.loads(result) if result else None
    failed = isinstance(body, dict) and "errorType" in body and "errorMessage" in body
    return 1 if failed else 0
