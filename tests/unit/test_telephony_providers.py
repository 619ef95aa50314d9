"""The pure rules of the telephony providers: how a call reaches its agent, which Twilio errors
are worth retrying, the simulator's outcomes and schedule, and choosing a provider."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from pydantic import ValidationError
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.response import Response as TwilioResponse

from dialtone import settings
from dialtone.model_types import CallStatus
from dialtone.telephony import providers
from dialtone.telephony.base import Connection, ProviderError
from dialtone.telephony.credentials import _ssm_parameter_name
from dialtone.telephony.signing import signature_is_valid
from dialtone.telephony.simulator import (
    Placement,
    SimulatorProvider,
    parse_outcomes,
    simulator_account_sid,
)
from dialtone.telephony.twilio import call_instructions, provider_error


def test_a_twiml_url_connection_is_passed_as_url() -> None:
    instructions = call_instructions(Connection("twiml_url", "https://agents.example.com/twiml"))
    assert instructions == {"url": "https://agents.example.com/twiml"}


def test_a_media_stream_connection_connects_a_stream() -> None:
    instructions = call_instructions(
        Connection("media_stream", "wss://voice.example.com/s?a=1&b=2")
    )
    assert instructions == {
        "twiml": '<Response><Connect><Stream url="wss://voice.example.com/s?a=1&amp;b=2" />'
        "</Connect></Response>"
    }


def test_a_sip_connection_dials_the_sip_uri() -> None:
    instructions = call_instructions(Connection("sip", "sip:agent@example.com"))
    assert instructions == {
        "twiml": "<Response><Dial><Sip>sip:agent@example.com</Sip></Dial></Response>"
    }


@pytest.mark.parametrize("connection", [None, Connection("carrier_pigeon", "coo://")])
def test_a_call_without_a_usable_connection_is_refused_for_good(
    connection: Connection | None,
) -> None:
    with pytest.raises(ProviderError) as raised:
        call_instructions(connection)
    assert raised.value.retryable is False


@pytest.mark.parametrize(
    ("error", "retryable", "code"),
    [
        (TwilioRestException(429, "/Calls.json", "Too Many Requests", 20429), True, "20429"),
        (TwilioRestException(500, "/Calls.json", "Internal Server Error", 20500), True, "20500"),
        (TwilioRestException(503, "/Calls.json", "Service Unavailable"), True, "http_503"),
        (TwilioRestException(400, "/Calls.json", "Invalid 'To' number", 21211), False, "21211"),
        (TwilioRestException(401, "/Calls.json", "Authenticate", 20003), False, "20003"),
        (TwilioException("Unable to fetch page", TwilioResponse(502, "")), True, "http_502"),
        (requests.ReadTimeout("read timed out"), True, "timeout"),
        (requests.ConnectionError("connection refused"), True, "connection"),
    ],
)
def test_twilio_errors_are_retryable_only_when_trying_again_can_help(
    error: Exception, retryable: bool, code: str
) -> None:
    mapped = provider_error(error)
    assert mapped.retryable is retryable
    assert mapped.code == code


def test_a_permanent_refusal_keeps_twilios_message() -> None:
    mapped = provider_error(
        TwilioRestException(400, "/Calls.json", "The 'To' number +1555 is not valid", 21211)
    )
    assert "21211" in str(mapped)
    assert "The 'To' number +1555 is not valid" in str(mapped)


@pytest.mark.parametrize(
    ("arn", "name"),
    [
        ("arn:aws:ssm:us-east-1:123456789012:parameter/dialtone/twilio", "/dialtone/twilio"),
        ("arn:aws:ssm:us-east-1:123456789012:parameter/twilio", "twilio"),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:twilio-AbCdEf", None),
        ("twilio-secret-name", None),
    ],
)
def test_ssm_parameter_arns_are_told_from_secrets(arn: str, name: str | None) -> None:
    assert _ssm_parameter_name(arn) == name


def test_simulator_outcomes_are_parsed_and_checked() -> None:
    assert parse_outcomes("+15005550002=busy, +15005550003=no-answer,") == {
        "+15005550002": "busy",
        "+15005550003": "no-answer",
    }
    assert parse_outcomes("") == {}
    with pytest.raises(ValueError, match="exploded"):
        parse_outcomes("+15005550002=exploded")
    with pytest.raises(ValueError, match="number"):
        parse_outcomes("+15005550002")


def test_simulator_outcome_by_number(tmp_path: Path) -> None:
    simulator = SimulatorProvider(
        "token",
        state_dir=str(tmp_path),
        outcomes={"+15005550002": "busy", "+15550000486": "failed"},
    )
    assert simulator.outcome_for("+15005550002") == "busy"
    assert simulator.outcome_for("+15550000486") == "failed"  # configured beats built-in
    assert simulator.outcome_for("+14155550486") == "busy"
    assert simulator.outcome_for("+14155550487") == "no-answer"
    assert simulator.outcome_for("+14155550488") == "failed"
    assert simulator.outcome_for("+14155550123") == "completed"
    assert simulator.account_id == "simulator-local"
    assert simulator.account_sid == simulator_account_sid("local")
    assert len(simulator.account_sid) == 34
    assert simulator.account_sid.startswith("AC")


def placement(outcome: str) -> Placement:
    return Placement(
        sid="CA" + "0" * 32,
        account_sid="AC" + "0" * 32,
        tenant_id="t",
        call_id="c",
        to_number="+14155550123",
        from_number="+14155550100",
        status_callback_url="http://127.0.0.1:9/status",
        placed_at=1000.0,
        outcome=outcome,
        ring_seconds=1.0,
        talk_seconds=2.0,
    )


def test_a_simulated_answered_call_goes_through_every_status() -> None:
    call = placement("completed")
    assert [status for _, status in call.schedule()] == [
        "initiated",
        "ringing",
        "in-progress",
        "completed",
    ]
    assert call.provider_call(1000.5).status is CallStatus.RINGING
    assert call.provider_call(1001.5).status is CallStatus.IN_PROGRESS
    done = call.provider_call(1003.5)
    assert done.status is CallStatus.COMPLETED
    assert done.duration_seconds == 2.0
    assert done.start_time is not None
    assert done.end_time is not None
    assert (done.end_time - done.start_time).total_seconds() == 2.0


def test_the_simulators_callbacks_pass_the_receivers_signature_check(tmp_path: Path) -> None:
    # Given a simulator and the form of one of its callbacks
    simulator = SimulatorProvider("sim-token", state_dir=tmp_path)
    call = placement("completed")
    form = simulator.callback_form(call, "completed", 3)
    url = call.status_callback_url

    # When it signs the callback
    signature = simulator.sign(url, form)

    # Then the status callback receiver's check accepts it, with its token only
    as_received = {name: [value] for name, value in form.items()}
    assert signature_is_valid("sim-token", url, as_received, signature)
    assert not signature_is_valid("another-token", url, as_received, signature)
    assert not signature_is_valid(
        "sim-token", url, {**as_received, "CallStatus": ["busy"]}, signature
    )


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        ("busy", CallStatus.BUSY),
        ("no-answer", CallStatus.NO_ANSWER),
        ("failed", CallStatus.FAILED),
    ],
)
def test_a_simulated_unanswered_call_ends_without_talking(outcome: str, status: CallStatus) -> None:
    call = placement(outcome)
    assert "in-progress" not in [s for _, s in call.schedule()]
    ended = call.provider_call(1010.0)
    assert ended.status is status
    assert ended.start_time is None
    assert ended.duration_seconds == 0.0


SIMULATOR_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:simulator-AbCdEf"


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    for name in ("DIALTONE_TELEPHONY", "TWILIO_SECRET_ARN", "SIMULATOR_SECRET_ARN"):
        monkeypatch.delenv(name, raising=False)
    settings.reset()
    providers.provider_from_environment.cache_clear()
    yield monkeypatch
    settings.reset()
    providers.provider_from_environment.cache_clear()


def test_the_simulator_is_the_default_provider(
    clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_environment.setenv("SIMULATOR_SECRET_ARN", SIMULATOR_SECRET_ARN)
    clean_environment.setenv("SIMULATOR_ACCOUNT", "bench")
    clean_environment.setenv("DIALTONE_SIMULATOR_DIR", str(tmp_path))
    clean_environment.setenv("SIMULATOR_OUTCOMES", "+15005550002=busy")
    provider = providers.provider_from_environment()
    assert isinstance(provider, SimulatorProvider)
    assert provider.account_id == "simulator-bench"
    assert provider.outcome_for("+15005550002") == "busy"
    assert providers.provider_from_environment() is provider  # once per environment


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"DIALTONE_TELEPHONY": "twilio"}, "TWILIO_SECRET_ARN"),
        ({"DIALTONE_TELEPHONY": "simulator"}, "SIMULATOR_SECRET_ARN"),
        ({"DIALTONE_TELEPHONY": "vonage", "SIMULATOR_SECRET_ARN": "arn"}, "DIALTONE_TELEPHONY"),
    ],
)
def test_a_provider_without_its_secret_fails_loudly(
    clean_environment: pytest.MonkeyPatch, environment: dict[str, str], message: str
) -> None:
    for name, value in environment.items():
        clean_environment.setenv(name, value)
    with pytest.raises(ValidationError, match=message):
        providers.provider_from_environment()


def test_the_simulators_token_is_read_once_and_only_when_a_call_is_placed(tmp_path: Path) -> None:
    # Given a simulator whose token comes from a secret (counted reads; no network here)
    reads: list[str] = []

    def read_secret() -> str:
        reads.append("read")
        return "generated-token"

    simulator = SimulatorProvider(read_secret, state_dir=tmp_path, ring_seconds=0, talk_seconds=0)

    # Then building it reads nothing
    assert reads == []
    # And its callbacks are signed with the secret's value, read once however often it signs
    url = "http://127.0.0.1:9/v1/telephony/twilio/status?call_id=c"
    form = {"CallSid": "CA1", "CallStatus": "ringing"}
    assert simulator.sign(url, form) == simulator.sign(url, form)
    assert simulator.sign(url, form) != SimulatorProvider("local-simulator-token").sign(url, form)
    assert reads == ["read"]


def test_a_simulator_built_from_the_environment_has_not_read_its_secret(
    clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given the environment a deployed dialer gets: the ARN of the stack's simulator secret
    clean_environment.setenv("SIMULATOR_SECRET_ARN", SIMULATOR_SECRET_ARN)
    clean_environment.setenv("DIALTONE_SIMULATOR_DIR", str(tmp_path))

    # When the provider is built (sockets are off in unit tests: a read would fail)
    provider = providers.provider_from_environment()

    # Then it is the simulator, and nothing was read yet
    assert isinstance(provider, SimulatorProvider)
