"""The local voice runtime's report of a simulated call erased since it ended."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from local import voice


def test_a_call_erased_before_its_report_is_dropped_without_a_traceback(
    handler_environment: dict[str, str], tenant: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a simulated call that ended, and is no longer there (a client erased it)
    call_id = str(uuid.uuid4())

    # When the voice runtime reports its transcript, history and recording
    code = voice.main([tenant.tenant_id, call_id, str(time.time() - 60), "30"])

    # Then nothing is reported and it says why, in one line
    assert code == 0
    said = capsys.readouterr().err
    assert said == f"voice runtime: call {call_id} was erased, nothing reported\n"
