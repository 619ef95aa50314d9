"""TwilioProvider, through the real twilio SDK, against a local stand-in of Twilio's REST API:
what it asks Twilio for, how Twilio's refusals become ProviderErrors, and finding calls again.
Credentials come from Secrets Manager or SSM on the embedded endpoint."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from dialtone import settings
from dialtone.model_types import CallStatus
from dialtone.telephony import providers
from dialtone.telephony.base import Connection, DialOrder, ProviderError
from dialtone.telephony.credentials import load_twilio_credentials
from dialtone.telephony.status_callbacks import status_callback_url
from dialtone.telephony.twilio import TwilioProvider
from local.endpoint import EmbeddedAws
from tests.integration.fake_twilio import FakeTwilio, serve

ACCOUNT_SID = "AC" + "a1" * 16
AUTH_TOKEN = "secret-auth-token"
TO, FROM = "+14155550123", "+14155550100"
STREAM = Connection("media_stream", "wss://voice.example.com/agent")


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with serve(FakeTwilio(ACCOUNT_SID, AUTH_TOKEN)) as fake:
        yield fake


@pytest.fixture
def provider(twilio: FakeTwilio) -> TwilioProvider:
    return TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, base_url=twilio.base_url, timeout_seconds=2)


def order(
    connection: Connection | None = STREAM,
    to_number: str = TO,
) -> DialOrder:
    call_id = str(uuid.uuid4())
    return DialOrder(
        tenant_id="tenant-1",
        call_id=call_id,
        to_number=to_number,
        from_number=FROM,
        status_callback_url=status_callback_url("https://api.example.com", "tenant-1", call_id),
        connection=connection,
    )


def test_placing_a_call_asks_twilio_for_every_progress_event(
    twilio: FakeTwilio, provider: TwilioProvider
) -> None:
    # Given an order for a call that streams its audio to the agent
    dial = order()

    # When the call is placed
    placed = provider.place_call(dial)

    # Then Twilio was asked, with the account's credentials, to call the number and stream it
    (request,) = twilio.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"
    assert request.form["To"] == [TO]
    assert request.form["From"] == [FROM]
    assert request.form["Twiml"] == [
        '<Response><Connect><Stream url="wss://voice.example.com/agent" /></Connect></Response>'
    ]
    assert "Url" not in request.form
    # And to report every progress event to the call's own callback URL
    assert request.form["StatusCallback"] == [dial.status_callback_url]
    assert request.form["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    assert request.form["StatusCallbackMethod"] == ["POST"]
    # And the call is known by Twilio's SID, queued at Twilio
    assert placed.sid in twilio.calls
    assert placed.sid.startswith("CA")
    assert placed.status is CallStatus.INITIATED
    assert placed.extra["account_sid"] == ACCOUNT_SID
    assert provider.account_id == f"twilio-{ACCOUNT_SID}"


def test_a_twiml_url_or_sip_connection_reaches_twilio_as_such(
    twilio: FakeTwilio, provider: TwilioProvider
) -> None:
    provider.place_call(order(Connection("twiml_url", "https://agents.example.com/twiml")))
    provider.place_call(order(Connection("sip", "sip:agent@example.com")))
    twiml_url, sip = twilio.requests
    assert twiml_url.form["Url"] == ["https://agents.example.com/twiml"]
    assert "Twiml" not in twiml_url.form
    assert sip.form["Twiml"] == [
        "<Response><Dial><Sip>sip:agent@example.com</Sip></Dial></Response>"
    ]


def test_wrong_credentials_are_a_permanent_failure(twilio: FakeTwilio) -> None:
    provider = TwilioProvider(ACCOUNT_SID, "wrong-token", base_url=twilio.base_url)
    with pytest.raises(ProviderError) as raised:
        provider.place_call(order())
    assert raised.value.retryable is False
    assert raised.value.code == "20003"
    assert not twilio.calls


@pytest.mark.parametrize(
    ("status", "code", "message", "retryable"),
    [
        (429, 20429, "Too Many Requests", True),
        (500, 20500, "Internal Server Error", True),
        (503, None, "Service Unavailable", True),
        (400, 21211, "Invalid 'To' Phone Number: +15005550001", False),
        (400, 21215, "Account not authorized to call +15005550001", False),
    ],
)
def test_twilio_refusals_are_retryable_only_when_trying_again_can_help(
    twilio: FakeTwilio,
    provider: TwilioProvider,
    status: int,
    code: int | None,
    message: str,
    retryable: bool,
) -> None:
    # Given Twilio refuses the next call
    twilio.fail_next("POST", status, code, message)

    # When a call is placed, it fails with Twilio's reason
    with pytest.raises(ProviderError) as raised:
        provider.place_call(order())
    assert raised.value.retryable is retryable
    assert raised.value.code == str(code or f"http_{status}")
    assert message in str(raised.value)
    assert not twilio.calls

    # And the refusal was Twilio's answer to that request only: the next one goes through
    assert provider.place_call(order()).sid in twilio.calls


def test_twilios_own_validation_is_a_permanent_failure(provider: TwilioProvider) -> None:
    with pytest.raises(ProviderError) as raised:
        provider.place_call(order(to_number="+1 (415) 555"))
    assert raised.value.retryable is False
    assert raised.value.code == "21211"


def test_a_slow_twilio_is_a_retryable_timeout(twilio: FakeTwilio) -> None:
    twilio.delay_seconds = 1.0
    provider = TwilioProvider(
        ACCOUNT_SID, AUTH_TOKEN, base_url=twilio.base_url, timeout_seconds=0.2
    )
    with pytest.raises(ProviderError) as raised:
        provider.place_call(order())
    assert raised.value.retryable is True
    assert raised.value.code == "timeout"


def test_an_unreachable_twilio_is_retryable() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    provider = TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(ProviderError) as raised:
        provider.place_call(order())
    assert raised.value.retryable is True
    assert raised.value.code == "connection"


def test_prepare_opens_the_connection_the_call_then_leaves_on(
    twilio: FakeTwilio, provider: TwilioProvider
) -> None:
    # Given a provider that never spoke to Twilio
    dial = order()
    # When it prepares the call (before the dialer waits for its turn), then places it
    provider.prepare(dial)
    opened_by_prepare = twilio.connections
    provider.place_call(dial)
    # Then preparing opened the connection with a light request for the account, and the
    # call's own request went over that connection: it paid no connection set-up
    paths = [(r.method, r.path) for r in twilio.requests]
    assert paths == [
        ("GET", f"/2010-04-01/Accounts/{ACCOUNT_SID}.json"),
        ("POST", f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"),
    ]
    assert (opened_by_prepare, twilio.connections) == (1, 1)
    assert len(twilio.call_arrivals()) == 1


def test_a_connection_in_use_is_not_opened_again(
    twilio: FakeTwilio, provider: TwilioProvider
) -> None:
    # Given a provider that just placed a call
    provider.prepare(order())
    provider.place_call(order())
    # When it prepares the next one
    provider.prepare(order())
    # Then it asks Twilio nothing more: its connection is still open
    assert [r.method for r in twilio.requests] == ["GET", "POST"]


def test_prepare_never_raises() -> None:
    # Given a Twilio that cannot be reached
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    provider = TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, base_url=f"http://127.0.0.1:{port}")
    # Then preparing says nothing (nor for an order without a connection to the agent)...
    provider.prepare(order())
    provider.prepare(order(connection=None))
    # ...and placing the call says what is wrong
    with pytest.raises(ProviderError) as raised:
        provider.place_call(order())
    assert raised.value.code == "connection"


def test_a_call_is_fetched_by_sid(twilio: FakeTwilio, provider: TwilioProvider) -> None:
    # Given a call Twilio completed
    created = datetime(2026, 11, 21, 13, 37, tzinfo=UTC)
    known = twilio.add_call(TO, FROM, created, status="completed", duration="42")

    # Then it is fetched as completed, with its times and duration
    call = provider.get_call(known["sid"])
    assert call is not None
    assert call.sid == known["sid"]
    assert call.status is CallStatus.COMPLETED
    assert call.start_time == created
    assert call.duration_seconds == 42.0
    assert (
        twilio.requests[-1].path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{known['sid']}.json"
    )

    # And a SID Twilio does not know is no call at all
    assert provider.get_call("CA" + "0" * 32) is None


def test_fetching_fails_retryably_when_twilio_does(
    twilio: FakeTwilio, provider: TwilioProvider
) -> None:
    twilio.fail_next("GET", 500, 20500, "Internal Server Error")
    with pytest.raises(ProviderError) as raised:
        provider.get_call("CA" + "0" * 32)
    assert raised.value.retryable is True


def test_a_call_placed_for_an_order_is_found_again(
    twilio: FakeTwilio, provider: TwilioProvider
) -> None:
    # Given calls between the same numbers before the claim, one placed since, and other calls
    claimed_at = datetime.now(UTC) - timedelta(seconds=30)
    twilio.add_call(TO, FROM, claimed_at - timedelta(minutes=5))
    twilio.add_call("+14155550999", FROM, claimed_at + timedelta(seconds=1))
    twilio.add_call(TO, "+14155550998", claimed_at + timedelta(seconds=1))
    placed = twilio.add_call(TO, FROM, claimed_at + timedelta(seconds=2), status="ringing")
    twilio.add_call(TO, FROM, claimed_at + timedelta(seconds=20), status="queued")

    # When the dialer looks for the call placed since its claim
    found = provider.find_call(order(), claimed_at)

    # Then it is the first one placed between the order's numbers since then
    assert found is not None
    assert found.sid == placed["sid"]
    assert found.status is CallStatus.RINGING
    listing = twilio.requests[-1]
    assert listing.method == "GET"
    assert listing.query["To"] == [TO]
    assert listing.query["From"] == [FROM]

    # And nothing is found after the last call
    assert provider.find_call(order(), datetime.now(UTC) + timedelta(minutes=1)) is None


def test_finding_a_call_fails_retryably_when_twilio_throttles(
    twilio: FakeTwilio, provider: TwilioProvider
) -> None:
    twilio.fail_next("GET", 429, 20429, "Too Many Requests")
    with pytest.raises(ProviderError) as raised:
        provider.find_call(order(), datetime.now(UTC))
    assert raised.value.retryable is True


# Credentials


@pytest.fixture
def aws_clients(embedded_aws: EmbeddedAws, handler_environment: dict[str, str]) -> EmbeddedAws:
    return embedded_aws


def test_credentials_come_from_secrets_manager(aws_clients: EmbeddedAws) -> None:
    secretsmanager = aws_clients.session().client("secretsmanager")
    arn = secretsmanager.create_secret(
        Name=f"twilio-{uuid.uuid4().hex[:8]}",
        SecretString=json.dumps({"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN}),
    )["ARN"]
    try:
        credentials = load_twilio_credentials(arn)
        assert (credentials.account_sid, credentials.auth_token) == (ACCOUNT_SID, AUTH_TOKEN)
        assert AUTH_TOKEN not in repr(credentials)
        assert TwilioProvider.from_secret(arn).account_id == f"twilio-{ACCOUNT_SID}"
    finally:
        secretsmanager.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)


def test_credentials_come_from_an_ssm_securestring(aws_clients: EmbeddedAws) -> None:
    ssm = aws_clients.session().client("ssm")
    name = f"/dialtone/test-{uuid.uuid4().hex[:8]}/twilio"
    ssm.put_parameter(
        Name=name,
        Type="SecureString",
        Value=json.dumps({"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN}),
    )
    arn = ssm.get_parameter(Name=name)["Parameter"]["ARN"]
    try:
        assert arn.startswith("arn:aws:ssm:")
        credentials = load_twilio_credentials(arn)
        assert (credentials.account_sid, credentials.auth_token) == (ACCOUNT_SID, AUTH_TOKEN)
    finally:
        ssm.delete_parameter(Name=name)


def test_a_secret_without_the_credentials_is_a_configuration_error(
    aws_clients: EmbeddedAws,
) -> None:
    secretsmanager = aws_clients.session().client("secretsmanager")
    arn = secretsmanager.create_secret(
        Name=f"twilio-{uuid.uuid4().hex[:8]}", SecretString="not json"
    )["ARN"]
    try:
        with pytest.raises(ValueError, match="account_sid"):
            load_twilio_credentials(arn)
    finally:
        secretsmanager.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)


def test_the_environment_chooses_twilio(
    aws_clients: EmbeddedAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a stack configured for Twilio with its secret
    secretsmanager = aws_clients.session().client("secretsmanager")
    arn = secretsmanager.create_secret(
        Name=f"twilio-{uuid.uuid4().hex[:8]}",
        SecretString=json.dumps({"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN}),
    )["ARN"]
    monkeypatch.setenv("DIALTONE_TELEPHONY", "twilio")
    monkeypatch.setenv("TWILIO_SECRET_ARN", arn)
    settings.reset()
    try:
        # Then the provider is Twilio's, for the secret's account
        provider = providers.provider_from_environment()
        assert isinstance(provider, TwilioProvider)
        assert provider.account_id == f"twilio-{ACCOUNT_SID}"
    finally:
        settings.reset()
        secretsmanager.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
