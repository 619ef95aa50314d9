"""POST /v1/telephony/twilio/status through its handler, with callbacks signed by the twilio SDK
the way Twilio signs them, against the template's tables on the embedded endpoint."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from dialtone import settings
from dialtone.dialing.accept import BatchDialRequest, Dialing, DialRequest
from dialtone.model_types import CallStatus, Direction
from dialtone.models import Call
from dialtone.store import BATCH_SK, CallStore, batch_pk
from dialtone.telephony import signing, status_callbacks
from local.endpoint import EmbeddedAws
from local.invoke import api_event, invoke, sample_event
from tests.integration.conftest import SampleTenant

ROUTE = "POST /v1/telephony/twilio/status"
PATH = "/v1/telephony/twilio/status"
# The host and scheme of the sample event: where API Gateway received the callback.
PUBLIC_BASE = "https://abc123.execute-api.us-east-1.amazonaws.com"
ACCOUNT_SID = "AC" + "1" * 32
T0 = datetime(2026, 11, 21, 13, 37, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _public_url_from_the_request(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No PUBLIC_BASE_URL: the handler rebuilds the URL Twilio called from the request."""
    monkeypatch.setenv("PUBLIC_BASE_URL", "")
    settings.reset()
    yield
    settings.reset()


@pytest.fixture
def auth_token(handler_environment: dict[str, str], simulator_token: str) -> str:
    """The token the handler checks signatures with: the simulator's, as the template says,
    generated into the stack's own secret."""
    assert handler_environment["DIALTONE_TELEPHONY"] == "simulator"
    return simulator_token


def callback_url(tenant_id: str, call_id: str) -> str:
    return f"{PUBLIC_BASE}{PATH}?{urlencode({'tenant_id': tenant_id, 'call_id': call_id})}"


def twilio_form(
    call_sid: str, status: str, at: datetime = T0, sequence: int = 0, **extra: str
) -> dict[str, str]:
    """The fields Twilio posts for one progress event of an outbound API call."""
    return {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": status,
        "CallbackSource": "call-progress-events",
        "Direction": "outbound-api",
        "From": "+14155550100",
        "SequenceNumber": str(sequence),
        "Timestamp": format_datetime(at),
        "To": "+14155550123",
        **extra,
    }


def post_callback(
    tenant_id: str,
    call_id: str,
    form: dict[str, str],
    token: str,
    *,
    signed_url: str | None = None,
    signed_form: dict[str, str] | None = None,
    signature: str | None = None,
    body: str | None = None,
    base64_body: bool = False,
) -> dict[str, Any]:
    """The handler's result for a callback to this call, signed (unless told otherwise) with
    the twilio SDK over the URL and form it carries."""
    url = signed_url or callback_url(tenant_id, call_id)
    if signature is None:
        signature = RequestValidator(token).compute_signature(url, signed_form or form)
    encoded = urlencode(form) if body is None else body
    event = api_event(
        "twilio_status",
        ROUTE,
        PATH,
        query={"tenant_id": tenant_id, "call_id": call_id},
        authorizer=None,
        body=encoded,
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "x-twilio-signature": signature,
        },
    )
    if base64_body:
        event["body"] = base64.b64encode(encoded.encode()).decode()
        event["isBase64Encoded"] = True
    return invoke("twilio_status", event)


def detail(result: dict[str, Any]) -> Any:
    return json.loads(result["body"])["detail"]


@pytest.fixture
def dial_queue(embedded_aws: EmbeddedAws) -> Iterator[str]:
    """A queue of this test's own, so no dialer ever sees its messages."""
    sqs = embedded_aws.session().client("sqs")
    url: str = sqs.create_queue(QueueName=f"test-dial-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    yield url
    sqs.delete_queue(QueueUrl=url)


@pytest.fixture
def dialing(call_store: CallStore, dial_queue: str) -> Dialing:
    return Dialing(call_store, dial_queue)


def queued_call(tenant: Any, dialing: Dialing, to_number: str = "+14155550123") -> str:
    """An outbound call accepted by POST /v1/calls and waiting in the dial queue."""
    accepted = dialing.create_call(
        tenant.principal(), DialRequest(to_number=to_number, from_number="+14155550100")
    )
    tenant.call_ids.append(accepted.call_id)
    return accepted.call_id


def stored(call_store: CallStore, tenant_id: str, call_id: str) -> Call:
    return call_store.get_call(tenant_id, call_id, consistent=True).call


def test_signed_callbacks_move_a_call_through_its_statuses(
    tenant: Any, dialing: Dialing, call_store: CallStore, auth_token: str
) -> None:
    # Given an outbound call waiting to be dialed
    call_id = queued_call(tenant, dialing)
    sid = "CA" + uuid.uuid4().hex
    answered = datetime(2026, 11, 21, 13, 37, 5, tzinfo=UTC)
    hung_up = datetime(2026, 11, 21, 13, 37, 47, tzinfo=UTC)

    # When Twilio reports it initiated, ringing, answered and completed
    steps = [
        (twilio_form(sid, "initiated", T0, 0), CallStatus.INITIATED),
        (twilio_form(sid, "ringing", T0, 1), CallStatus.RINGING),
        (twilio_form(sid, "in-progress", answered, 2), CallStatus.IN_PROGRESS),
        (
            twilio_form(sid, "completed", hung_up, 3, CallDuration="42", Duration="1"),
            CallStatus.COMPLETED,
        ),
    ]
    for form, expected in steps:
        result = post_callback(tenant.tenant_id, call_id, form, auth_token)

        # Then each is acknowledged with an empty 204 and the call follows
        assert result["statusCode"] == 204, result
        assert not result.get("body")
        assert stored(call_store, tenant.tenant_id, call_id).status is expected

    # And the call carries what Twilio said of it
    call = stored(call_store, tenant.tenant_id, call_id)
    assert call.twilio_call_sid == sid
    assert call.start_time == answered
    assert call.end_time == hung_up
    assert call.duration_seconds == 42
    assert call.end_reason == "hangup"
    assert call.direction is Direction.OUTBOUND


def test_a_callback_signed_with_a_token_known_outside_the_stack_is_refused(
    tenant: Any, dialing: Dialing, call_store: CallStore, auth_token: str
) -> None:
    # Given an outbound call waiting to be dialed
    call_id = queued_call(tenant, dialing)
    form = twilio_form("CA" + uuid.uuid4().hex, "completed", T0, 3, CallDuration="30")

    # When a callback arrives signed with the token every stack once shared by default
    forged = post_callback(tenant.tenant_id, call_id, form, "local-simulator-token")

    # Then it is refused, and the call has not moved
    assert forged["statusCode"] == 403
    assert detail(forged) == "Invalid Twilio signature"
    assert stored(call_store, tenant.tenant_id, call_id).status is CallStatus.QUEUED
    # And the same callback signed with this stack's generated secret moves the call
    assert post_callback(tenant.tenant_id, call_id, form, auth_token)["statusCode"] == 204
    assert stored(call_store, tenant.tenant_id, call_id).status is CallStatus.COMPLETED


def test_a_late_ringing_after_completed_is_ignored(
    tenant: Any, dialing: Dialing, call_store: CallStore, auth_token: str
) -> None:
    # Given a call Twilio already reported completed
    call_id = queued_call(tenant, dialing)
    sid = "CA" + uuid.uuid4().hex
    form = twilio_form(sid, "completed", T0, 3, CallDuration="30")
    assert post_callback(tenant.tenant_id, call_id, form, auth_token)["statusCode"] == 204
    before = stored(call_store, tenant.tenant_id, call_id)

    # When its `ringing` callback arrives late
    result = post_callback(
        tenant.tenant_id, call_id, twilio_form(sid, "ringing", T0, 1), auth_token
    )

    # Then Twilio is told it was delivered, and the call is unchanged
    assert result["statusCode"] == 204
    after = stored(call_store, tenant.tenant_id, call_id)
    assert after.status is CallStatus.COMPLETED
    assert after.updated_at == before.updated_at
    # The `answered` callback never came: the start is worked out from the duration.
    assert after.end_time is not None
    assert after.start_time is not None
    assert (after.end_time - after.start_time).total_seconds() == 30


@pytest.mark.parametrize(
    ("status", "end_reason", "expected"),
    [
        ("busy", "busy", CallStatus.BUSY),
        ("no-answer", "no_answer", CallStatus.NO_ANSWER),
        ("failed", "error", CallStatus.FAILED),
        ("canceled", "canceled", CallStatus.CANCELED),
    ],
)
def test_an_unanswered_call_ends_with_its_reason(
    tenant: Any,
    dialing: Dialing,
    call_store: CallStore,
    auth_token: str,
    status: str,
    end_reason: str,
    expected: CallStatus,
) -> None:
    call_id = queued_call(tenant, dialing)
    form = twilio_form("CA" + uuid.uuid4().hex, status, T0, 2, CallDuration="0")
    assert post_callback(tenant.tenant_id, call_id, form, auth_token)["statusCode"] == 204
    call = stored(call_store, tenant.tenant_id, call_id)
    assert call.status is expected
    assert call.end_reason == end_reason
    assert call.end_time == T0


@pytest.mark.parametrize(
    ("status", "codes", "expected", "end_reason"),
    [
        ("busy", {"SipResponseCode": "603"}, CallStatus.BUSY, "declined"),
        ("failed", {"SipResponseCode": "404"}, CallStatus.FAILED, "invalid_number"),
        ("failed", {"SipResponseCode": "503"}, CallStatus.FAILED, "network_error"),
        ("failed", {"ErrorCode": "13227"}, CallStatus.FAILED, "blocked"),
        ("completed", {"SipResponseCode": "200", "AnsweredBy": "machine_end_beep"},
         CallStatus.COMPLETED, "voicemail"),
    ],
)  # fmt: skip
def test_the_end_reason_comes_from_the_providers_codes_which_are_kept(
    tenant: Any,
    dialing: Dialing,
    call_store: CallStore,
    auth_token: str,
    status: str,
    codes: dict[str, str],
    expected: CallStatus,
    end_reason: str,
) -> None:
    # Given a queued call
    call_id = queued_call(tenant, dialing)

    # When Twilio reports its final status with the SIP code, error code or AMD verdict
    form = twilio_form("CA" + uuid.uuid4().hex, status, T0, 2, CallDuration="0", **codes)
    assert post_callback(tenant.tenant_id, call_id, form, auth_token)["statusCode"] == 204

    # Then the call ends with the vocabulary's reason, and keeps the raw codes beside it
    call = stored(call_store, tenant.tenant_id, call_id)
    assert (call.status, call.end_reason) == (expected, end_reason)
    sip = codes.get("SipResponseCode")
    assert call.sip_response_code == (int(sip) if sip else None)
    assert call.answered_by == codes.get("AnsweredBy")
    if "ErrorCode" in codes:
        assert call.error_reason == f"provider_failed (error {codes['ErrorCode']})"


def test_a_callback_after_the_runtime_ended_the_call_keeps_its_reason_and_adds_the_codes(
    tenant: Any, dialing: Dialing, call_store: CallStore, auth_token: str
) -> None:
    # Given a call the voice runtime already ended, saying the caller hung up
    call_id = queued_call(tenant, dialing)
    sid = "CA" + uuid.uuid4().hex
    post_callback(tenant.tenant_id, call_id, twilio_form(sid, "in-progress", T0, 2), auth_token)
    call_store.change_call(
        tenant.tenant_id,
        call_id,
        CallStatus.IN_PROGRESS,
        {"status": CallStatus.COMPLETED, "end_reason": "caller_hangup"},
    )

    # When Twilio's `completed` arrives afterwards, with its SIP code
    form = twilio_form(sid, "completed", T0, 3, CallDuration="30", SipResponseCode="200")
    assert post_callback(tenant.tenant_id, call_id, form, auth_token)["statusCode"] == 204

    # Then the runtime's reason stands, and the provider's code is kept beside it
    call = stored(call_store, tenant.tenant_id, call_id)
    assert (call.status, call.end_reason, call.sip_response_code) == (
        CallStatus.COMPLETED,
        "caller_hangup",
        200,
    )


def test_a_callback_carrying_another_calls_sid_attaches_nothing(
    tenant: Any, dialing: Dialing, call_store: CallStore, auth_token: str
) -> None:
    # Given a call that holds a provider SID
    owner = queued_call(tenant, dialing)
    sid = "CA" + uuid.uuid4().hex
    post_callback(tenant.tenant_id, owner, twilio_form(sid, "initiated", T0, 0), auth_token)
    assert stored(call_store, tenant.tenant_id, owner).twilio_call_sid == sid

    # When a callback for another call carries the same SID
    other = queued_call(tenant, dialing, to_number="+14155550124")
    result = post_callback(tenant.tenant_id, other, twilio_form(sid, "ringing", T0, 1), auth_token)

    # Then Twilio is answered, and the other call neither takes the SID nor moves
    assert result["statusCode"] == 204
    call = stored(call_store, tenant.tenant_id, other)
    assert (call.status, call.twilio_call_sid) == (CallStatus.QUEUED, None)
    assert call_store.sid_owner(sid) == (tenant.tenant_id, owner)


def altered(signature: str) -> str:
    """The signature with its last character changed (to another one, whatever it was)."""
    return signature[:-2] + ("B" if signature[-2] == "A" else "A") + signature[-1]


def test_tampering_with_body_url_or_signature_is_refused(
    tenant: Any, dialing: Dialing, call_store: CallStore, auth_token: str
) -> None:
    # Given a queued call and a genuine `completed` callback for it
    call_id = queued_call(tenant, dialing)
    other_call = queued_call(tenant, dialing)
    genuine = twilio_form("CA" + uuid.uuid4().hex, "completed", T0, 3, CallDuration="10")
    signature = RequestValidator(auth_token).compute_signature(
        callback_url(tenant.tenant_id, call_id), genuine
    )
    attempts = {
        "body changed after signing": post_callback(
            tenant.tenant_id,
            call_id,
            {**genuine, "CallStatus": "busy"},
            auth_token,
            signature=signature,
        ),
        "signed for another call's URL": post_callback(
            tenant.tenant_id,
            call_id,
            genuine,
            auth_token,
            signed_url=callback_url(tenant.tenant_id, other_call),
        ),
        "signed for another host": post_callback(
            tenant.tenant_id,
            call_id,
            genuine,
            auth_token,
            signed_url=callback_url(tenant.tenant_id, call_id).replace("abc123", "evil"),
        ),
        "signed with another token": post_callback(
            tenant.tenant_id, call_id, genuine, "not-the-token"
        ),
        "signature altered": post_callback(
            tenant.tenant_id, call_id, genuine, auth_token, signature=altered(signature)
        ),
        "no signature": post_callback(tenant.tenant_id, call_id, genuine, auth_token, signature=""),
    }

    # Then every one is refused with 403, and neither call moved
    for attempt, result in attempts.items():
        assert result["statusCode"] == 403, attempt
        assert detail(result) == "Invalid Twilio signature", attempt
    for refused in (call_id, other_call):
        assert stored(call_store, tenant.tenant_id, refused).status is CallStatus.QUEUED


def test_a_configured_public_base_url_is_the_url_twilio_signed(
    tenant: Any,
    dialing: Dialing,
    call_store: CallStore,
    auth_token: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the API behind a custom domain, configured as its public base URL
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://voice.example.com")
    settings.reset()
    call_id = queued_call(tenant, dialing)
    form = twilio_form("CA" + uuid.uuid4().hex, "ringing")
    query = urlencode({"tenant_id": tenant.tenant_id, "call_id": call_id})

    # When Twilio signs for the custom domain, the callback is accepted
    custom = f"https://voice.example.com{PATH}?{query}"
    result = post_callback(tenant.tenant_id, call_id, form, auth_token, signed_url=custom)
    assert result["statusCode"] == 204
    assert stored(call_store, tenant.tenant_id, call_id).status is CallStatus.RINGING

    # And one signed for the execute-api host it was forwarded to is not
    forwarded = twilio_form(form["CallSid"], "completed", T0, 3, CallDuration="3")
    result = post_callback(tenant.tenant_id, call_id, forwarded, auth_token)
    assert result["statusCode"] == 403


def test_a_base64_encoded_body_is_read(
    tenant: Any, dialing: Dialing, call_store: CallStore, auth_token: str
) -> None:
    call_id = queued_call(tenant, dialing)
    form = twilio_form("CA" + uuid.uuid4().hex, "ringing")
    result = post_callback(tenant.tenant_id, call_id, form, auth_token, base64_body=True)
    assert result["statusCode"] == 204
    assert stored(call_store, tenant.tenant_id, call_id).status is CallStatus.RINGING


def test_an_unknown_call_is_not_found(tenant: Any, make_tenant: Any, auth_token: str) -> None:
    # Given a signed callback for a call that does not exist, and one for another tenant's call
    form = twilio_form("CA" + uuid.uuid4().hex, "ringing")
    missing = post_callback(tenant.tenant_id, str(uuid.uuid4()), form, auth_token)
    other = make_tenant(seed=11)
    foreign = tenant.add_call(direction=Direction.OUTBOUND, status=CallStatus.QUEUED)
    elsewhere = post_callback(other.tenant_id, foreign.id, form, auth_token)

    # Then both are 404, Call not found
    for result in (missing, elsewhere):
        assert result["statusCode"] == 404
        assert detail(result) == "Call not found"


def test_a_callback_of_another_provider_call_is_ignored(
    tenant: Any, dialing: Dialing, call_store: CallStore, auth_token: str
) -> None:
    # Given a call placed as one Twilio call
    call_id = queued_call(tenant, dialing)
    placed = "CA" + uuid.uuid4().hex
    form = twilio_form(placed, "ringing")
    assert post_callback(tenant.tenant_id, call_id, form, auth_token)["statusCode"] == 204

    # When callbacks of another Twilio call name it
    stray = twilio_form("CA" + uuid.uuid4().hex, "completed", T0, 3, CallDuration="5")
    result = post_callback(tenant.tenant_id, call_id, stray, auth_token)

    # Then they are acknowledged but change nothing
    assert result["statusCode"] == 204
    call = stored(call_store, tenant.tenant_id, call_id)
    assert call.status is CallStatus.RINGING
    assert call.twilio_call_sid == placed


@pytest.mark.parametrize(
    ("form", "body", "status", "location"),
    [
        ({"CallSid": "CA1"}, None, 422, ["body", "CallStatus"]),
        ({"CallStatus": "ringing"}, None, 422, ["body", "CallSid"]),
        ({"CallSid": "CA1", "CallStatus": "exploded"}, None, 422, ["body", "CallStatus"]),
        ({}, "CallSid&CallStatus", 400, None),
    ],
)
def test_a_malformed_callback_is_a_client_error(
    tenant: Any,
    dialing: Dialing,
    call_store: CallStore,
    auth_token: str,
    form: dict[str, str],
    body: str | None,
    status: int,
    location: list[str] | None,
) -> None:
    call_id = queued_call(tenant, dialing)
    result = post_callback(tenant.tenant_id, call_id, form, auth_token, body=body)
    assert result["statusCode"] == status, result
    if location is not None:
        assert detail(result)[0]["loc"] == location
    else:
        assert detail(result) == "Malformed form body"
    assert stored(call_store, tenant.tenant_id, call_id).status is CallStatus.QUEUED


def test_a_callback_without_its_call_in_the_url_is_a_client_error(auth_token: str) -> None:
    result = post_callback("tenant-1", "not-a-uuid", twilio_form("CA1", "ringing"), auth_token)
    assert result["statusCode"] == 422
    assert detail(result)[0]["loc"] == ["query", "call_id"]


def test_batch_counters_follow_the_callbacks(
    tenant: Any, dialing: Dialing, call_store: CallStore, auth_token: str
) -> None:
    # Given a batch of three queued calls
    accepted = dialing.create_batch(
        tenant.principal(),
        BatchDialRequest(
            to_numbers=["+14155550121", "+14155550122", "+14155550123"],
            from_number="+14155550100",
        ),
    )
    batch = dialing.batch_status(tenant.principal(), accepted.batch_id)
    call_ids = [entry.call_id for entry in batch.calls]
    tenant.call_ids.extend(call_ids)
    try:
        assert (batch.queued, batch.initiated, batch.completed, batch.failed) == (3, 0, 0, 0)
        answered, busy, ringing = call_ids
        sids = {call_id: "CA" + uuid.uuid4().hex for call_id in call_ids}

        # When one is answered and completes, one is busy and one is still ringing
        for call_id, statuses in (
            (answered, ["initiated", "ringing", "in-progress", "completed"]),
            (busy, ["initiated", "ringing", "busy"]),
            (ringing, ["initiated", "ringing"]),
        ):
            for sequence, status in enumerate(statuses):
                form = twilio_form(sids[call_id], status, T0, sequence, CallDuration="7")
                result = post_callback(tenant.tenant_id, call_id, form, auth_token)
                assert result["statusCode"] == 204
        # And a late `ringing` of the completed call arrives
        late = twilio_form(sids[answered], "ringing", T0, 1)
        assert post_callback(tenant.tenant_id, answered, late, auth_token)["statusCode"] == 204

        # Then the batch counts one completed, one failed and one in flight
        batch = dialing.batch_status(tenant.principal(), accepted.batch_id)
        counts = (batch.queued, batch.initiated, batch.completed, batch.failed)
        assert counts == (0, 1, 1, 1)
        by_id = {entry.call_id: entry for entry in batch.calls}
        assert by_id[answered].call_sid == sids[answered]
        assert by_id[busy].status is CallStatus.BUSY
    finally:
        call_store.dynamodb.delete_item(
            TableName=call_store.table_name,
            Key={
                "pk": {"S": batch_pk(tenant.tenant_id, accepted.batch_id)},
                "sk": {"S": BATCH_SK},
            },
        )


def test_the_sample_event_completes_the_sample_call(
    sample_tenant: SampleTenant, call_store: CallStore, auth_token: str
) -> None:
    # Given the sample call, queued for dialing
    event = sample_event("twilio_status")
    sample_tenant.add_call(
        id=sample_tenant.call_id,
        direction=Direction.OUTBOUND,
        status=CallStatus.QUEUED,
        outcome=None,
        end_reason=None,
        end_time=None,
        duration_seconds=None,
        twilio_call_sid=None,
    )

    # When the sample callback arrives, signed (as the simulator would) with the stack's token
    form = status_callbacks.parse_form(event["body"], event["isBase64Encoded"])
    url = status_callbacks.public_url(event)
    event["headers"]["x-twilio-signature"] = signing.twilio_signature(auth_token, url, form)
    result = invoke("twilio_status", event)

    # Then the call is completed as it says
    assert result["statusCode"] == 204, result
    call = stored(call_store, sample_tenant.tenant_id, sample_tenant.call_id)
    assert call.status is CallStatus.COMPLETED
    assert call.duration_seconds == 42
    assert call.twilio_call_sid == "CA5f0c1b2a3d4e5f60718293a4b5c6d7e8"
