"""Twilio's status callbacks over real HTTP, through SAM's API Gateway emulator with no API key:
the signature is checked over the URL the emulator was called on."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from twilio.request_validator import RequestValidator

from dialtone.accounts import AccountStore
from dialtone.auth import Scope
from dialtone.model_types import CallStatus, Direction
from dialtone.models import Call
from dialtone.store import CallStore
from dialtone.telephony.status_callbacks import status_callback_url
from local.stack import LocalStack

pytestmark = pytest.mark.e2e


@pytest.fixture
def outbound_call(local_stack: LocalStack) -> Any:
    """A tenant with one outbound call stored as queued (never enqueued, so no dialer takes
    it), its API key, and the call store; the call is removed afterwards."""
    session = local_stack.aws.session()
    dynamodb = session.client("dynamodb")
    accounts = AccountStore(local_stack.info["accounts_table"], dynamodb=dynamodb)
    tenant = accounts.create_tenant(name=f"Callbacks {uuid.uuid4().hex[:4]}")
    key = accounts.create_key(tenant.tenant_id, (Scope.CALLS_READ,)).plaintext
    store = CallStore(local_stack.info["calls_table"], dynamodb=dynamodb)
    now = datetime.now(UTC)
    call = Call(
        id=str(uuid.uuid4()),
        direction=Direction.OUTBOUND,
        status=CallStatus.QUEUED,
        from_number="+14155550100",
        to_number="+14155550123",
        phone_number="+14155550123",
        start_time=now,
        queued_at=now,
        created_at=now,
        updated_at=now,
    )
    store.put_call(tenant.tenant_id, call)
    yield tenant.tenant_id, call.id, key
    store.delete_call_items(tenant.tenant_id, call.id)


def test_signed_callbacks_over_http_move_the_call(
    local_stack: LocalStack, outbound_call: Any
) -> None:
    tenant_id, call_id, key = outbound_call
    api_url = local_stack.info["api_url"]
    # The stack's generated SimulatorSecret, found where the function is told to look
    secret_arn = local_stack.stack.function_environment("TwilioStatusFunction")[
        "SIMULATOR_SECRET_ARN"
    ]
    secretsmanager = local_stack.aws.session().client("secretsmanager")
    token = secretsmanager.get_secret_value(SecretId=secret_arn)["SecretString"]
    url = status_callback_url(api_url, tenant_id, call_id)
    sid = "CA" + uuid.uuid4().hex

    def post(form: dict[str, str], signature: str | None = None) -> requests.Response:
        signature = signature or RequestValidator(token).compute_signature(url, form)
        return requests.post(
            url,
            data=urlencode(form),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
            },
            timeout=30,
        )

    def form(status: str, **extra: str) -> dict[str, str]:
        return {
            "CallSid": sid,
            "AccountSid": "AC" + "0" * 32,
            "CallStatus": status,
            "Timestamp": format_datetime(datetime.now(UTC)),
            "To": "+14155550123",
            "From": "+14155550100",
            **extra,
        }

    # An unsigned callback (no API key either) reaches the function and is refused
    unsigned = requests.post(url, data=form("ringing"), timeout=30)
    assert unsigned.status_code == 403, unsigned.text
    assert unsigned.json() == {"detail": "Invalid Twilio signature"}
    # As is one whose body was changed after signing
    signature = RequestValidator(token).compute_signature(url, form("ringing"))
    tampered = post(form("completed", CallDuration="9"), signature=signature)
    assert tampered.status_code == 403
    # As is one signed with the token every stack once shared by default
    completed = form("completed", CallDuration="9")
    guessed = RequestValidator("local-simulator-token").compute_signature(url, completed)
    assert post(completed, signature=guessed).status_code == 403

    # Signed callbacks are accepted with an empty 204 and move the call
    for status in ("initiated", "ringing", "in-progress"):
        response = post(form(status))
        assert response.status_code == 204, response.text
        assert response.content == b""
    assert post(form("completed", CallDuration="9")).status_code == 204
    assert post(form("ringing")).status_code == 204  # late, ignored

    call = requests.get(
        f"{api_url}/v1/calls/{call_id}", headers={"X-API-Key": key}, timeout=30
    ).json()
    assert call["status"] == "completed"
    assert call["twilio_call_sid"] == sid
    assert call["duration_seconds"] == 9
    assert call["end_reason"] == "hangup"
