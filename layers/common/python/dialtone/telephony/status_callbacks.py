"""Twilio's status callbacks: the URL the dialer hands Twilio, the signature that proves a
callback came from Twilio, and moving the call through its statuses.

The dialer gives every call `status_callback_url(base, tenant_id, call_id)`, i.e.
`<base>/v1/telephony/twilio/status?tenant_id=<tenant>&call_id=<call>`; Twilio (or the simulator)
POSTs form-encoded progress events there, signed with `X-Twilio-Signature`.

The signature is checked by `dialtone.telephony.signing`, which signs the simulator's callbacks
too; the secret it is keyed with comes from `dialtone.telephony.credentials`.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

from pydantic import Field

from dialtone import settings
from dialtone.endings import reason_from_provider
from dialtone.errors import (
    CallSidTaken,
    InvalidParameter,
    InvalidTwilioSignature,
    MalformedRequestBody,
)
from dialtone.model_types import FINAL_STATUSES, STATUS_RANK, CallStatus
from dialtone.models import Call
from dialtone.observability import logger
from dialtone.progress import advance
from dialtone.store import CallStore
from dialtone.telephony.base import PROVIDER_STATUS
from dialtone.telephony.credentials import TelephonySettings, callback_auth_token
from dialtone.telephony.signing import SIGNATURE_HEADER, Form, signature_is_valid


class TwilioStatusSettings(TelephonySettings):
    """`POST /v1/telephony/twilio/status`: the calls it moves, and the public URL Twilio called
    when it is not the request's own (a custom domain; empty: rebuilt from the request)."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    public_base_url: str = Field(alias="PUBLIC_BASE_URL", default="")


STATUS_CALLBACK_PATH = "/v1/telephony/twilio/status"


def status_callback_url(base_url: str, tenant_id: str, call_id: str) -> str:
    """The status callback URL the dialer gives Twilio for one call:
    `<base>/v1/telephony/twilio/status?tenant_id=<tenant>&call_id=<call>`.

    `base_url` is the API's public scheme and host (`https://api.example.com`, or
    `http://127.0.0.1:3000` locally), exactly as the callback's receiver will see it.
    """
    query = urlencode({"tenant_id": tenant_id, "call_id": call_id})
    return f"{base_url.rstrip('/')}{STATUS_CALLBACK_PATH}?{query}"


# The request


@dataclass(frozen=True)
class SignedRequest:
    """A callback as Twilio sent it: the public URL it called, its signature and its form."""

    url: str
    signature: str
    form: dict[str, list[str]]


def public_url(event: Mapping[str, Any], public_base_url: str = "") -> str:
    """The URL the caller requested, from an HTTP API (2.0) event: `public_base_url` (a custom
    domain) when given, else the request's own scheme and host, then the raw path and query."""
    context = event.get("requestContext") or {}
    path = str(event.get("rawPath") or context.get("http", {}).get("path", "/"))
    query = str(event.get("rawQueryString") or "")
    if public_base_url:
        base = public_base_url.rstrip("/")
    else:
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        # API Gateway says https here; SAM's local emulator says http.
        scheme = (headers.get("x-forwarded-proto") or "https").split(",")[0].strip()
        host = headers.get("host") or context.get("domainName", "")
        base = f"{scheme}://{host}"
    return base + path + (f"?{query}" if query else "")


def parse_form(body: str | None, is_base64: bool) -> dict[str, list[str]]:
    """The fields of an `application/x-www-form-urlencoded` body; MalformedRequestBody if the
    body is not one."""
    text = body or ""
    try:
        if is_base64:
            text = base64.b64decode(text, validate=True).decode("utf-8")
        return parse_qs(text, keep_blank_values=True, strict_parsing=True, max_num_fields=200)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise MalformedRequestBody() from error


def signed_request(event: Mapping[str, Any], public_base_url: str = "") -> SignedRequest:
    """The callback of an HTTP API event: its public URL, signature and form fields."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    return SignedRequest(
        url=public_url(event, public_base_url),
        signature=headers.get(SIGNATURE_HEADER, ""),
        form=parse_form(event.get("body"), bool(event.get("isBase64Encoded"))),
    )


# The status


@dataclass(frozen=True)
class StatusUpdate:
    """One progress event of a call, in our terms."""

    call_sid: str
    provider_status: str
    status: CallStatus
    timestamp: datetime
    duration_seconds: int | None = None
    sip_response_code: int | None = None
    # Twilio's error code of a failed call, and answering machine detection's verdict.
    error_code: str | None = None
    answered_by: str | None = None

    def codes(self) -> dict[str, Any]:
        """The provider's raw codes the update carries, as call fields."""
        codes = {"sip_response_code": self.sip_response_code, "answered_by": self.answered_by}
        return {name: value for name, value in codes.items() if value is not None}

    def end_reason(self) -> str:
        """The end reason of a final status, from the codes (`dialtone.endings`)."""
        return reason_from_provider(
            self.status,
            sip_response_code=self.sip_response_code,
            error_code=self.error_code,
            answered_by=self.answered_by,
        )


def _field(form: Form, name: str) -> str | None:
    values = form.get(name)
    return values[-1] if values else None


def _timestamp(value: str | None) -> datetime:
    """Twilio's `Timestamp` (RFC 2822); the time of receipt when it is absent or unreadable."""
    if value:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.now(UTC)


def parse_status(form: Form) -> StatusUpdate:
    """The status update a callback's form carries; InvalidParameter (422) if it carries none."""
    call_sid = _field(form, "CallSid")
    if not call_sid:
        raise InvalidParameter(("body", "CallSid"), "Field required", "missing")
    provider_status = _field(form, "CallStatus")
    if not provider_status:
        raise InvalidParameter(("body", "CallStatus"), "Field required", "missing")
    status = PROVIDER_STATUS.get(provider_status)
    if status is None:
        raise InvalidParameter(
            ("body", "CallStatus"),
            f"Unknown call status {provider_status!r}, expected one of "
            + ", ".join(sorted(PROVIDER_STATUS)),
            "enum",
        )
    duration = _whole_number(form, "CallDuration", "a whole number of seconds")
    sip = _whole_number(form, "SipResponseCode", "a SIP response code")
    return StatusUpdate(
        call_sid=call_sid,
        provider_status=provider_status,
        status=status,
        timestamp=_timestamp(_field(form, "Timestamp")),
        duration_seconds=duration,
        sip_response_code=sip,
        error_code=_field(form, "ErrorCode") or None,
        answered_by=(_field(form, "AnsweredBy") or "")[:32] or None,
    )


def _whole_number(form: Form, name: str, what: str) -> int | None:
    """A form field holding a whole number; None when absent; InvalidParameter otherwise."""
    value = _field(form, name)
    if value is None or value == "":
        return None
    if not value.isdigit() or len(value) > 9:
        raise InvalidParameter(("body", name), f"{name} must be {what}", "int_type")
    return int(value)


def apply_status(store: CallStore, tenant_id: str, call_id: str, update: StatusUpdate) -> bool:
    """Move the call forward to the update's status with what the update says about it.

    CallNotFound for an unknown call. Returns False for a status the call is already at or
    past (a late `ringing` after `completed`), only filling in the provider's codes and the end
    reason the call does not have yet; and, changing nothing, for a callback of another
    provider call than the one the call was placed as, or of a SID another call holds.
    """
    call = store.get_call(tenant_id, call_id, consistent=True).call
    if call.twilio_call_sid and call.twilio_call_sid != update.call_sid:
        logger.warning(
            "Status callback for another provider call ignored",
            extra={"call_id": call_id, "call_sid": update.call_sid, "known": call.twilio_call_sid},
        )
        return False
    fields = _status_fields(call, update)
    try:
        moved = advance(store, tenant_id, call_id, update.status, fields)
        if not moved:
            _fill_in(store, tenant_id, call_id, update)
    except CallSidTaken:
        logger.warning(
            "Status callback with a SID that belongs to another call ignored",
            extra={"call_id": call_id, "call_sid": update.call_sid},
        )
        return False
    logger.info(
        "Status callback",
        extra={
            "call_id": call_id,
            "call_sid": update.call_sid,
            "provider_status": update.provider_status,
            "moved": moved,
        },
    )
    return moved


def _status_fields(call: Call, update: StatusUpdate) -> dict[str, Any]:
    """What the update sets on the call when it moves it."""
    fields: dict[str, Any] = {**update.codes()}
    if not call.twilio_call_sid:
        fields["twilio_call_sid"] = update.call_sid
    if update.status is CallStatus.IN_PROGRESS:
        fields["start_time"] = update.timestamp
    if update.status in FINAL_STATUSES:
        fields.update(_final_fields(call, update))
    return fields


def _final_fields(call: Call, update: StatusUpdate) -> dict[str, Any]:
    fields: dict[str, Any] = {"end_time": update.timestamp}
    if call.end_reason is None:
        fields["end_reason"] = update.end_reason()
    if update.duration_seconds is not None:
        fields["duration_seconds"] = update.duration_seconds
    answered = STATUS_RANK[call.status] >= STATUS_RANK[CallStatus.IN_PROGRESS]
    if update.status is CallStatus.COMPLETED and update.duration_seconds and not answered:
        # The `answered` callback was lost or is late: the call started this long ago.
        fields["start_time"] = update.timestamp - timedelta(seconds=update.duration_seconds)
    if update.status is CallStatus.FAILED:
        said = [f"SIP {update.sip_response_code}"] if update.sip_response_code else []
        said += [f"error {update.error_code}"] if update.error_code else []
        fields["error_reason"] = "provider_failed" + (f" ({', '.join(said)})" if said else "")
    return fields


def _fill_in(store: CallStore, tenant_id: str, call_id: str, update: StatusUpdate) -> None:
    """A callback that does not move the call (the runtime ended it first, or it repeats) still
    leaves the provider's codes, and an end reason where the call has none."""
    current = store.get_call(tenant_id, call_id, consistent=True).call
    fields = {k: v for k, v in update.codes().items() if getattr(current, k) is None}
    final = update.status in FINAL_STATUSES and current.status in FINAL_STATUSES
    if final and current.end_reason is None:
        fields["end_reason"] = update.end_reason()
    if fields:
        store.change_call(tenant_id, call_id, current.status, fields)


class StatusCallbacks:
    """Receives status callbacks: checks the signature, then moves the call."""

    def __init__(
        self, store: CallStore, auth_token: Callable[[], str], public_base_url: str = ""
    ) -> None:
        self.store = store
        self.auth_token = auth_token
        self.public_base_url = public_base_url

    def receive(self, tenant_id: str, call_id: str, event: Mapping[str, Any]) -> bool:
        """Handle one callback event: MalformedRequestBody (400), InvalidTwilioSignature (403),
        InvalidParameter (422) or CallNotFound (404); True when the call moved."""
        request = signed_request(event, self.public_base_url)
        if not signature_is_valid(self.auth_token(), request.url, request.form, request.signature):
            logger.warning("Invalid Twilio signature", extra={"url": request.url})
            raise InvalidTwilioSignature()
        return apply_status(self.store, tenant_id, call_id, parse_status(request.form))


@settings.per_environment
def receiver() -> StatusCallbacks:
    """The status callback receiver of this execution environment."""
    config = settings.load(TwilioStatusSettings)
    return StatusCallbacks(
        CallStore(config.calls_table),
        functools.partial(callback_auth_token, config),
        config.public_base_url,
    )
