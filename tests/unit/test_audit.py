"""The dependency audit's verdict on pip-audit's report: what fails `make test`, and why."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from tools import audit

FIXABLE = {
    "name": "jinja2",
    "version": "3.1.0",
    "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}],
}
UNFIXED = {"name": "ecdsa", "version": "0.19.1", "vulns": [{"id": "GHSA-x", "fix_versions": []}]}
CLEAN = {"name": "requests", "version": "2.34.2", "vulns": []}
SKIPPED = {"name": "attrs", "skip_reason": "Dependency not found on PyPI and could not be audited"}


def run_with(report: dict[str, Any] | None, *args: str, error: str = "") -> int:
    with mock.patch.object(audit, "run_pip_audit", return_value=(report, error)):
        return audit.main(list(args))


def test_a_vulnerability_with_a_fix_fails_the_audit_naming_the_fix(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # When a pin has a known vulnerability that a newer version fixes
    status = run_with({"dependencies": [CLEAN, FIXABLE, UNFIXED]}, "--if-unreachable", "warn")

    # Then the audit fails and says which pin to bump to what
    assert status == 1
    out = capsys.readouterr().out
    assert "bump the pin: jinja2 3.1.0: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in out
    # And one without a fix is reported, without failing on its own
    assert "without a fix yet: ecdsa 0.19.1: GHSA-x" in out
    assert run_with({"dependencies": [CLEAN, UNFIXED]}) == 0


def test_pins_the_service_could_not_look_up_fail_the_audit_unless_told_to_warn(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # When pip-audit skips a pin it could not look up (it still says "no known vulnerabilities")
    report = {"dependencies": [CLEAN, SKIPPED]}

    # Then the audit says it is incomplete, and fails unless asked to warn
    assert run_with(report) == 1
    assert "AUDIT INCOMPLETE: 1 of 2 pins" in capsys.readouterr().out
    assert run_with(report, "--if-unreachable", "warn") == 0
    assert "AUDIT INCOMPLETE" in capsys.readouterr().out


def test_an_unreachable_service_is_said_plainly(capsys: pytest.CaptureFixture[str]) -> None:
    # When pip-audit cannot reach its service at all
    status = run_with(None, error="ConnectionError: Failed to resolve 'api.osv.dev'")

    # Then the audit fails saying so
    assert status == 1
    assert "AUDIT NOT RUN" in capsys.readouterr().out


def test_the_audit_covers_the_dev_pins_and_every_layer() -> None:
    # Given the files the audit reads
    audited = {str(p.relative_to(audit.ROOT)) for p in audit.REQUIREMENTS}

    # Then they are the toolchain's pins and each layer's runtime pins
    assert audited == {
        "requirements-dev.txt",
        *(str(p.relative_to(audit.ROOT)) for p in audit.ROOT.glob("layers/*/requirements.txt")),
    }
    assert {"layers/common/requirements.txt", "layers/telephony/requirements.txt"} <= audited
