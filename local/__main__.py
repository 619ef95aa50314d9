"""`make dev`: run the whole Dialtone API locally until Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time

from local.api import PortInUse
from local.endpoint import REGION
from local.provision import ROOT
from local.stack import LocalStack

INFO_FILE = ROOT / ".dialtone" / "local.json"


def main(argv: list[str] | None = None) -> int:
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
    args = parser.parse_args(argv)
    # The embedded endpoint and SAM's emulator log every request through werkzeug.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    started = time.monotonic()
    stack = LocalStack(api_port=args.port, aws_port=args.aws_port, demo_calls=args.demo_calls)
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
    stack.write_info(INFO_FILE)
    took = time.monotonic() - started
    url = info["api_url"]
    if "api_key" in info:
        key = info["api_key"]
        demo = f"""
  API key        {key}   (every scope; tenant {info["tenant_id"]})
  AWS endpoint   {info["aws_endpoint_url"]}   ({info["demo_calls"]} demo calls)
  Saved to       {INFO_FILE.relative_to(ROOT)}

Try:
  curl -s -H "X-API-Key: {key}" "{url}/v1/calls?limit=3"
  curl -s -H "X-API-Key: {key}" "{url}/v1/calls/{info["example_call_id"]}/recording"

More keys (the local endpoint takes any credentials):
  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION={REGION} \\
  .venv/bin/dialtone admin --endpoint-url {info["aws_endpoint_url"]} \\
      --table {info["accounts_table"]} create-key --tenant {info["tenant_id"]} --scope calls:read
"""
    else:  # --demo-calls 0: no demo tenant, so no key to show
        demo = f"""
  AWS endpoint   {info["aws_endpoint_url"]}   (no demo data)
  Saved to       {INFO_FILE.relative_to(ROOT)}
"""
    print(
        f"""
Dialtone is running locally ({took:.1f} s to start).

  API            {url}
  API docs       {url}/v1/docs   (the contract: {url}/v1/openapi.json)
  Console        {url}/console/   (sign in with the API key){demo}
Ctrl-C stops it.""",
        flush=True,
    )
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    print("\nStopping…", flush=True)
    stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
