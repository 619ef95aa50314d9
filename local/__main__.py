"""`make dev`: run the whole Dialtone API locally until Ctrl-C.

`python -m local invoke <function> -e events/<sample>.json` runs one function against the
running stack instead (see `local.invoke_cli`).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from local.api import PortInUse
from local.endpoint import REGION
from local.provision import ROOT
from local.stack import LocalStack

DIALTONE_DIR = ROOT / ".dialtone"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make dev", description=__doc__)
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("DIALTONE_API_PORT", "3000"))
    )
    parser.add_argument(
        "--aws-port", type=int, default=int(os.environ.get("DIALTONE_AWS_PORT", "4566"))
    )
    parser.add_argument(
        "--demo-calls", type=int, default=int(os.environ.get("DIALTONE_DEMO_CALLS", "300"))
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="forget the state saved by the last run and start afresh",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=DIALTONE_DIR,
        help="where local.json, env-vars.json and the state (state/) are kept (default: .dialtone)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["invoke"]:
        from local.invoke_cli import main as invoke

        return invoke(argv[1:])
    args = parse(argv)
    # The embedded endpoint and SAM's emulator log every request through werkzeug.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # Until the stack is up, Ctrl-C (or a SIGTERM) stops the start; afterwards it only asks
    # the loop below to stop, so no thread is interrupted mid-request.
    stopping = threading.Event()
    started = time.monotonic()
    directory: Path = args.dir.resolve()
    if args.reset:
        from local import state

        state.reset(directory / "state")
    stack = LocalStack(
        api_port=args.port,
        aws_port=args.aws_port,
        demo_calls=args.demo_calls,
        state_dir=directory / "state",
    )
    signal.signal(signal.SIGTERM, lambda *_: _interrupt())
    try:
        info = stack.start()
    except PortInUse as error:
        print(
            f"make dev: {error}; free it or choose another with --port/--aws-port "
            "(DIALTONE_API_PORT/DIALTONE_AWS_PORT)",
            file=sys.stderr,
        )
        stack.stop()
        return 1
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("\nStopping…", flush=True)
        stack.stop()
        return 130
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    stack.write_info(directory / "local.json")
    write_env_vars(stack, directory / "env-vars.json")
    print(banner(info, stack, directory, time.monotonic() - started), flush=True)
    while not stopping.wait(0.5):
        pass
    print("\nStopping…", flush=True)
    stack.stop()
    print(f"State kept in {_shown(directory / 'state')} (`make dev-reset` forgets it).")
    return 0


def _interrupt() -> None:
    raise KeyboardInterrupt


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def write_env_vars(stack: LocalStack, path: Path) -> None:
    """SAM's `--env-vars` file: each function's variables resolved to this stack's resources,
    with the endpoint it listens on (127.0.0.1: run `sam local invoke` with
    `--docker-network host`)."""
    import json

    functions = {
        name: {**variables, **stack.local_environment}
        for name, variables in stack.environments.items()
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(functions, indent=2) + "\n")


def banner(info: dict[str, Any], stack: LocalStack, directory: Path, took: float) -> str:
    """What `make dev` prints once the stack is up."""
    url = info["api_url"]
    info_file, env_vars = _shown(directory / "local.json"), _shown(directory / "env-vars.json")
    restored = " from the saved state" if stack.restored else ""
    if "api_key" in info:
        key = info["api_key"]
        demo = f"""
  API key        {key}   (every scope; tenant {info["tenant_id"]})
  AWS endpoint   {info["aws_endpoint_url"]}   ({info["demo_calls"]} demo calls)
  Saved to       {info_file}; SAM's --env-vars in {env_vars}

Try:
  curl -s -H "X-API-Key: {key}" "{url}/v1/calls?limit=3"
  curl -s -H "X-API-Key: {key}" "{url}/v1/calls/{info["example_call_id"]}/recording"
  python -m local invoke GetCallFunction -e events/get_call.json

More keys (the local endpoint takes any credentials):
  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION={REGION} \\
  .venv/bin/dialtone admin --endpoint-url {info["aws_endpoint_url"]} \\
      --table {info["accounts_table"]} create-key --tenant {info["tenant_id"]} --scope calls:read
"""
    else:  # --demo-calls 0: no demo tenant, so no key to show
        demo = f"""
  AWS endpoint   {info["aws_endpoint_url"]}   (no demo data)
  Saved to       {info_file}
"""
    state = _shown(stack.state_dir) if stack.state_dir is not None else "nowhere"
    return f"""
Dialtone is running locally ({took:.1f} s to start{restored}).

  API            {url}
  Console        {url}/console/   (sign in with the API key)
  API docs       {url}/v1/docs   (the contract: {url}/v1/openapi.json)
  Python SDK     clients/python (`import dialtone_client`; `make dev` installs it in .venv){demo}
State is kept in {state} across restarts; `make dev-reset` starts afresh.
Ctrl-C stops it."""


if __name__ == "__main__":
    code = main()
    # Everything is stopped (and the state saved by its own process): tearing down the
    # interpreter's copy of the state would only take seconds more.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
