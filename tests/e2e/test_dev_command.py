"""`make dev` as a user runs it: a port already taken is a one-line error naming the port."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from local.provision import ROOT

pytestmark = pytest.mark.e2e


def test_a_taken_port_is_a_one_line_error_naming_it() -> None:
    # Given a port something else listens on
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        # When the local stack is asked to serve there
        result = subprocess.run(
            [sys.executable, "-m", "local", "--port", str(port), "--aws-port", "0"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    # Then it stops at once with one line that names the port
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"port {port}" in lines[0]
