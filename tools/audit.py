"""`make audit`: the pinned requirements checked for known vulnerabilities with pip-audit.

Every pin of `requirements-dev.txt` and of each layer's `requirements.txt` is looked up as pinned
(`--no-deps`: each file lists every transitive package). The audit fails on a vulnerability
that a newer version fixes (bump the pin); one without a fix is printed and does not fail.

pip-audit reports a package its service cannot look up as skipped and still says "No known
vulnerabilities found"; here a skipped package, or a service that cannot be reached, fails the
audit with the reason, since nothing was checked. `--if-unreachable warn` (make's
`AUDIT_IF_UNREACHABLE=warn`) prints the same and passes, for machines without that service.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = (ROOT / "requirements-dev.txt", *sorted(ROOT.glob("layers/*/requirements.txt")))
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"


@dataclass
class Verdict:
    """What an audit report means: what to fix, what to know, what could not be checked."""

    fixable: list[str] = field(default_factory=list)
    unfixed: list[str] = field(default_factory=list)
    unaudited: list[str] = field(default_factory=list)
    audited: int = 0


def verdict(report: dict[str, Any]) -> Verdict:
    """Sort pip-audit's JSON report (`-f json`) into fixable, unfixed and unaudited findings."""
    found = Verdict()
    for dependency in report.get("dependencies", []):
        name = f"{dependency['name']} {dependency.get('version', '')}".strip()
        if "skip_reason" in dependency:
            found.unaudited.append(f"{name}: {dependency['skip_reason']}")
            continue
        found.audited += 1
        for vuln in dependency.get("vulns", []):
            fixes = vuln.get("fix_versions") or []
            line = f"{name}: {vuln['id']}" + (f" (fixed in {', '.join(fixes)})" if fixes else "")
            (found.fixable if fixes else found.unfixed).append(line)
    return found


def run_pip_audit(files: tuple[Path, ...]) -> tuple[dict[str, Any] | None, str]:
    """pip-audit's JSON report of the files, or None and why it gave none."""
    command = [str(PIP_AUDIT), "--no-deps", "--disable-pip", "--progress-spinner", "off"]
    command += ["-f", "json", *[arg for f in files for arg in ("-r", str(f))]]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    # 0: nothing found, 1: vulnerabilities found; anything else (a traceback) is a failure.
    if result.returncode not in (0, 1):
        lines = result.stderr.strip().splitlines()
        return None, lines[-1] if lines else f"exit status {result.returncode}"
    try:
        report: dict[str, Any] = json.loads(result.stdout)
    except json.JSONDecodeError:
        return None, f"pip-audit printed no JSON report: {result.stdout[:200]!r}"
    return report, ""


def main(argv: list[str] | None = None) -> int:
    """Run the audit; the exit status is make's verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--if-unreachable", choices=("fail", "warn"), default="fail")
    args = parser.parse_args(argv)
    unreachable_status = 1 if args.if_unreachable == "fail" else 0

    report, error = run_pip_audit(REQUIREMENTS)
    if report is None:
        print(f"AUDIT NOT RUN: pip-audit could not reach its vulnerability service: {error}")
        return unreachable_status
    found = verdict(report)
    for line in found.unfixed:
        print(f"known vulnerability without a fix yet: {line}")
    for line in found.fixable:
        print(f"VULNERABLE, bump the pin: {line}")
    if found.unaudited:
        print(
            f"AUDIT INCOMPLETE: {len(found.unaudited)} of "
            f"{len(found.unaudited) + found.audited} pins could not be looked up by the "
            f"vulnerability service (pip-audit says 'not found' when it cannot read "
            f"https://pypi.org/pypi/<name>/<version>/json), first: {found.unaudited[0]}"
        )
    if found.fixable:
        return 1
    if found.unaudited:
        return unreachable_status
    print(f"pip-audit: {found.audited} pins audited, none with a fixable known vulnerability")
    return 0


if __name__ == "__main__":
    sys.exit(main())
