"""A fresh interpreter on the layer's code, for what only a new process shows (what importing
a module loads, how a function's init leaves the collector)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LAYER = ROOT / "layers" / "common" / "python"


def last_line(script: str, **env: str) -> Any:
    """Run `script` in a fresh interpreter (the layer on its path, `env` added to a bare
    environment); its last printed line, as JSON."""
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(LAYER), "PATH": "", **env},
        timeout=120,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])
