"""`make dev` as a user runs it, twice: Ctrl-C stops it quickly and quietly, the second run
serves what the first one held, and `python -m local invoke` runs a function against it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from local.invoke import api_event
from local.provision import ROOT

pytestmark = pytest.mark.e2e

START_TIMEOUT = 180  # a busy CI machine; `make dev` prints its own start time


def start(directory: Path) -> tuple[subprocess.Popen[str], str]:
    """`python -m local` in its own process group (as a terminal runs it), with a small demo;
    it and what it printed once ready. Its stderr (the functions' logs) goes to a file, read
    by `ctrl_c`."""
    command = ["-m", "local", "--port", "0", "--aws-port", "0", "--demo-calls", "3"]
    with (directory / "stderr.txt").open("a") as stderr:  # the child holds its own copy
        process = subprocess.Popen(
            [sys.executable, *command, "--dir", str(directory)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            process_group=0,
        )
    assert process.stdout is not None
    printed = ""
    deadline = time.monotonic() + START_TIMEOUT
    while "Ctrl-C stops it." not in printed and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        printed += line
    assert "Ctrl-C stops it." in printed, printed
    return process, printed


def ctrl_c(process: subprocess.Popen[str], directory: Path) -> tuple[float, str]:
    """Ctrl-C in the terminal: SIGINT to the process group. Seconds to exit, and stderr."""
    started = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    process.communicate(timeout=30)
    took = time.monotonic() - started
    return took, (directory / "stderr.txt").read_text()


def test_a_restarted_stack_serves_what_it_held_and_ctrl_c_is_quick_and_quiet(
    tmp_path: Path,
) -> None:
    # Given a stack that made its demo data, and a call read through it
    first, _ = start(tmp_path)
    try:
        info = json.loads((tmp_path / "local.json").read_text())
        call_url = f"{info['api_url']}/v1/calls/{info['example_call_id']}"
        headers = {"X-API-Key": info["api_key"]}
        before = requests.get(call_url, headers=headers, timeout=60)
        assert before.status_code == 200
    finally:
        # When Ctrl-C stops it
        took, stderr = ctrl_c(first, tmp_path)

    # Then it stops within 3 s, with no traceback
    assert first.returncode == 0
    assert took <= 3.0
    assert "Traceback" not in stderr

    # And a second run restores the state instead of making a new demo
    second, printed = start(tmp_path)
    try:
        assert "from the saved state" in printed
        again = json.loads((tmp_path / "local.json").read_text())
        assert again["api_key"] == info["api_key"]
        after = requests.get(
            f"{again['api_url']}/v1/calls/{info['example_call_id']}", headers=headers, timeout=60
        )
        assert after.status_code == 200
        # (the same call; only its recording's link is presigned anew, for the new endpoint)
        unsigned = {k: v for k, v in before.json().items() if k != "recording_url"}
        assert {k: v for k, v in after.json().items() if k != "recording_url"} == unsigned
        assert after.json()["recording_url"].startswith(again["aws_endpoint_url"])

        # And `python -m local invoke` runs a function against it, printing its result
        event = api_event(
            "get_call",
            "GET /v1/calls/{call_id}",
            f"/v1/calls/{info['example_call_id']}",
            path_parameters={"call_id": info["example_call_id"]},
            authorizer={"tenant_id": info["tenant_id"], "key_id": "k", "scopes": "calls:read"},
        )
        event_file = tmp_path / "event.json"
        event_file.write_text(json.dumps(event))
        arguments = ["-e", str(event_file), "--dir", str(tmp_path)]
        invoked = subprocess.run(
            [sys.executable, "-m", "local", "invoke", "GetCallFunction", *arguments],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert invoked.returncode == 0, invoked.stderr
        result = json.loads(invoked.stdout)
        assert result["statusCode"] == 200
        assert json.loads(result["body"])["id"] == info["example_call_id"]
    finally:
        ctrl_c(second, tmp_path)
