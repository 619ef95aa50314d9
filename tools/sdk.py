"""Generate the Python SDK's models and operations (`clients/python/dialtone_client/_generated`)
from openapi.json with openapi-python-client; `--check` fails when the committed copy differs.

    python -m tools.sdk           # regenerate
    python -m tools.sdk --check   # exit 1 when stale
"""

from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SDK = ROOT / "clients" / "python"
GENERATED = SDK / "dialtone_client" / "_generated"
CONFIG = SDK / "openapi-python-client.yaml"
DOCUMENT = ROOT / "openapi.json"


def generate(dest: Path) -> None:
    """Write the generated package into `dest` (replaced if present)."""
    generator = Path(sys.executable).with_name("openapi-python-client")
    command = [str(generator), "generate", "--path", str(DOCUMENT), "--config", str(CONFIG)]
    command += ["--meta", "none", "--output-path", str(dest), "--overwrite"]
    subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603
    # The generator writes a .gitignore/py.typed depending on version; keep only the sources.
    for cache in dest.rglob("__pycache__"):
        shutil.rmtree(cache)


def differences(expected: Path, actual: Path) -> list[str]:
    """Relative paths that differ (missing, extra or changed) between two trees."""
    found: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(prefix + name for name in cmp.left_only + cmp.right_only + cmp.funny_files)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        found.extend(prefix + name for name in mismatch + errors)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(expected, actual, ignore=["__pycache__"]), "")
    return sorted(found)


def stale() -> list[str]:
    """What a fresh generation would change in the committed package."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "_generated"
        generate(fresh)
        return differences(fresh, GENERATED)


def main(argv: list[str]) -> int:
    if "--check" in argv:
        changed = stale()
        if changed:
            listed = ", ".join(changed[:5])
            print(f"{GENERATED.relative_to(ROOT)} is stale ({listed}): run `make openapi`")
            return 1
        return 0
    generate(GENERATED)
    print(f"wrote {GENERATED.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
