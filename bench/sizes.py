"""Each function's unzipped size as Lambda counts it: its code plus every layer it takes.

Measured on a `sam build` output directory (one per resource: `<FunctionLogicalId>/` holds the
function's code, `<LayerLogicalId>/` a layer's content), built here into a temporary
directory unless one is given (`python -m bench sizes --build-dir .aws-sam/build`). The
layers a function takes are the template's: the Globals' ones, then its own (SAM appends them).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.report import Figure
from local.provision import load_template, resources_of

ROOT = Path(__file__).resolve().parent.parent
# Lambda's limit for a function's code and layers, unzipped (250 MB).
GOAL_MB = 250
MB = 2**20


def tree_bytes(path: Path) -> int:
    """Bytes of every file under `path` (what Lambda unzips)."""
    return sum(
        (Path(folder) / name).stat().st_size
        for folder, _, names in os.walk(path)
        for name in names
        if not (Path(folder) / name).is_symlink()
    )


def function_layers(template: dict[str, Any]) -> dict[str, tuple[str, list[str]]]:
    """`functions/<dir>` name → (function logical id, its layers' logical ids, in order)."""
    shared = [ref["Ref"] for ref in template["Globals"]["Function"].get("Layers", [])]
    return {
        p["CodeUri"].strip("/").split("/")[-1]: (
            logical,
            shared + [ref["Ref"] for ref in p.get("Layers", [])],
        )
        for logical, p in resources_of(template, "AWS::Serverless::Function").items()
    }


def sam_build(build_dir: Path) -> None:
    """`sam build` of the template, without containers (as `make sam-build`)."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}"}
    env["SAM_CLI_TELEMETRY"] = "0"
    command = ["build", "--template-file", "template.yaml", "--build-dir", str(build_dir)]
    subprocess.run(
        [str(bin_dir / "sam"), *command],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=1200,
    )


def measure(build_dir: Path) -> list[Figure]:
    """`function_unzipped_mb_<name>` of every function, from a build directory."""
    layers_mb: dict[str, float] = {}
    figures = []
    for name, (logical, layers) in sorted(function_layers(load_template()).items()):
        code_mb = tree_bytes(build_dir / logical) / MB
        for layer in layers:
            if layer not in layers_mb:
                layers_mb[layer] = tree_bytes(build_dir / layer) / MB
        total = code_mb + sum(layers_mb[layer] for layer in layers)
        parts = ", ".join(f"{layer} {layers_mb[layer]:.1f}" for layer in layers)
        figures.append(
            Figure(
                f"function_unzipped_mb_{name}",
                f"{total:.1f}",
                f"goal ≤ {GOAL_MB}",
                total <= GOAL_MB,
                f"code {code_mb * 1024:.0f} KB + {parts} (MB)",
            )
        )
    return figures


def run(
    notes: list[str], emit: Callable[[Figure], None], build_dir: Path | None = None
) -> list[Figure]:
    """Build (unless given a build directory) and measure every function."""
    with tempfile.TemporaryDirectory(prefix="dialtone-build-") as scratch:
        if build_dir is None:
            build_dir = Path(scratch)
            try:
                sam_build(build_dir)
            except (OSError, subprocess.SubprocessError) as error:
                notes.append(f"Function sizes not measured: `sam build` failed ({error}).")
                return []
        figures = measure(build_dir)
    for figure in figures:
        emit(figure)
    return figures
