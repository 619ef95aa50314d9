"""The end reason vocabulary: every mapping lands in it, the runtime's words are read into it,
and what the API publishes (the call object's description, the README's table) lists it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dialtone import endings
from dialtone.model_types import CallStatus
from dialtone.models import Call

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_mapping_lands_in_the_vocabulary() -> None:
    vocabulary = set(endings.END_REASONS)
    for table in (
        endings.RUNTIME_ALIASES,
        endings.TWILIO_ERRORS,
        endings.SIP_CODES,
        endings.Q850_CAUSES,
        endings.STATUS_REASONS,
    ):
        assert set(table.values()) <= vocabulary, table
    assert vocabulary >= endings.GENERIC_REASONS


@pytest.mark.parametrize(
    ("sent", "reason"),
    [
        ("caller_hangup", "caller_hangup"),
        ("CALLER_HANGUP", "caller_hangup"),
        ("caller hangup", "caller_hangup"),
        ("no-answer", "no_answer"),
        ("customer-ended-call", "caller_hangup"),
        ("Customer Ended Call", "caller_hangup"),
        (" user_hangup ", "caller_hangup"),
        ("cancelled", "canceled"),
    ],
)
def test_a_reason_or_an_alias_is_read_into_the_vocabulary(sent: str, reason: str) -> None:
    assert endings.normalize(sent) == reason


@pytest.mark.parametrize("sent", ["", "hung up", "sip 503", "failed", "completed"])
def test_anything_else_is_not_a_reason(sent: str) -> None:
    assert endings.normalize(sent) is None
    assert "caller_hangup, agent_hangup" in endings.unknown_reason_message(sent)


@pytest.mark.parametrize(
    ("status", "codes", "reason"),
    [
        (CallStatus.COMPLETED, {"sip_response_code": 487}, "hangup"),
        (CallStatus.NO_ANSWER, {"q850_cause": 19}, "no_answer"),
        (CallStatus.FAILED, {"q850_cause": 1}, "invalid_number"),
        (CallStatus.FAILED, {"q850_cause": 16}, "error"),
        (CallStatus.FAILED, {"sip_response_code": 404, "q850_cause": 17}, "invalid_number"),
        (CallStatus.BUSY, {"error_code": "13224", "sip_response_code": 486}, "invalid_number"),
        (CallStatus.FAILED, {"sip_response_code": 599}, "network_error"),
        (CallStatus.CANCELED, {"sip_response_code": 603}, "canceled"),
    ],
)
def test_the_provider_codes_decide_in_their_order(
    status: CallStatus, codes: dict[str, object], reason: str
) -> None:
    assert endings.reason_from_provider(status, **codes) == reason  # type: ignore[arg-type]


def test_the_call_object_describes_every_reason() -> None:
    description = Call.model_fields["end_reason"].description or ""
    for reason in endings.END_REASONS:
        assert re.search(rf"\b{reason}\b", description), reason


def test_the_readme_table_has_a_row_per_reason() -> None:
    rows = re.findall(r"^\| `([a-z_]+)` \|", README.read_text(), flags=re.MULTILINE)
    start = rows.index("caller_hangup")
    assert rows[start : start + len(endings.END_REASONS)] == list(endings.END_REASONS)
