"""The rules of Twilio status callbacks: signatures (held to the twilio SDK's own answers), the
public URL a callback was sent to, its form, and what each CallStatus means for a call."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from dialtone.endings import END_REASONS, STATUS_REASONS
from dialtone.errors import InvalidParameter, MalformedRequestBody
from dialtone.model_types import CallStatus
from dialtone.telephony.signing import signature_is_valid, twilio_signature
from dialtone.telephony.status_callbacks import (
    parse_form,
    parse_status,
    public_url,
    status_callback_url,
)
from local.invoke import sample_event

TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
# Twilio's documented example: this URL and form, signed with auth token 12345.
FORM = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}


def as_lists(form: dict[str, str]) -> dict[str, list[str]]:
    return {name: [value] for name, value in form.items()}


def test_signature_is_the_sdks_for_twilios_documented_example() -> None:
    # Given the SDK's signature of Twilio's documented request
    expected = RequestValidator(TOKEN).compute_signature(URL, FORM)

    # Then ours is the same, and it is the one Twilio documents
    assert twilio_signature(TOKEN, URL, as_lists(FORM)) == expected
    assert expected == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


@pytest.mark.parametrize(
    ("url", "form"),
    [
        ("https://api.example.com/v1/telephony/twilio/status?tenant_id=t1&call_id=c1", FORM),
        ("http://127.0.0.1:3000/v1/telephony/twilio/status?call_id=c&tenant_id=t", FORM),
        ("https://example.com/ünïcode?q=é", {"Name": "Zoë", "Empty": "", "Amp": "a&b=c"}),
        ("https://example.com/", {}),
    ],
)
def test_signature_matches_the_sdk_on_every_vector(url: str, form: dict[str, str]) -> None:
    expected = RequestValidator(TOKEN).compute_signature(url, form)
    assert twilio_signature(TOKEN, url, as_lists(form)) == expected
    assert RequestValidator(TOKEN).validate(url, form, expected)
    assert signature_is_valid(TOKEN, url, as_lists(form), expected)


def test_signature_is_accepted_with_or_without_the_default_port() -> None:
    # Given a request signed for the URL with its default port spelled out
    with_port = "https://api.example.com:443/v1/telephony/twilio/status?a=1"
    signature = RequestValidator(TOKEN).compute_signature(with_port, FORM)

    # Then the URL as received, without the port, is still valid (as the SDK decides too)
    plain = "https://api.example.com/v1/telephony/twilio/status?a=1"
    assert RequestValidator(TOKEN).validate(plain, FORM, signature)
    assert signature_is_valid(TOKEN, plain, as_lists(FORM), signature)


@pytest.mark.parametrize(
    ("url", "form", "signature_of"),
    [
        (URL, {**FORM, "To": "+18005550000"}, "tampered body"),
        (URL, {**FORM, "Extra": "1"}, "added field"),
        ("https://mycompany.com/myapp.php?foo=1&bar=3", FORM, "tampered query"),
        ("https://evil.example.com/myapp.php?foo=1&bar=2", FORM, "another host"),
        ("http://mycompany.com/myapp.php?foo=1&bar=2", FORM, "another scheme"),
    ],
)
def test_signature_of_another_request_is_rejected(
    url: str, form: dict[str, str], signature_of: str
) -> None:
    # Given the signature of the original request
    signature = RequestValidator(TOKEN).compute_signature(URL, FORM)

    # Then a request that differs anywhere is rejected, by the SDK and by us
    assert not RequestValidator(TOKEN).validate(url, form, signature), signature_of
    assert not signature_is_valid(TOKEN, url, as_lists(form), signature), signature_of


def test_wrong_token_empty_or_garbled_signature_is_rejected() -> None:
    signature = twilio_signature(TOKEN, URL, as_lists(FORM))
    assert not signature_is_valid("another-token", URL, as_lists(FORM), signature)
    assert not signature_is_valid(TOKEN, URL, as_lists(FORM), "")
    assert not signature_is_valid(TOKEN, URL, as_lists(FORM), signature[:-2] + "A=")
    assert not signature_is_valid("", URL, as_lists(FORM), signature)


def test_status_callback_url_carries_tenant_and_call() -> None:
    url = status_callback_url("https://api.example.com/", "tenant-1", "call-1")
    assert url == (
        "https://api.example.com/v1/telephony/twilio/status?tenant_id=tenant-1&call_id=call-1"
    )


def test_public_url_is_the_url_the_caller_requested() -> None:
    # Given the sample event, sent to the execute-api domain over https
    event = sample_event("twilio_status")
    query = event["rawQueryString"]

    # Then its URL is rebuilt from host, path and raw query
    assert public_url(event) == (
        f"https://abc123.execute-api.us-east-1.amazonaws.com/v1/telephony/twilio/status?{query}"
    )
    # And a configured public base (a custom domain) replaces scheme and host
    assert public_url(event, "https://voice.example.com/") == (
        f"https://voice.example.com/v1/telephony/twilio/status?{query}"
    )
    # And the local emulator's plain http is kept
    local = {**event, "headers": {"host": "127.0.0.1:3000", "x-forwarded-proto": "http"}}
    assert public_url(local).startswith("http://127.0.0.1:3000/v1/telephony/twilio/status?")


# The example token events/twilio_status.json is signed with. No stack signs with it: each
# generates its own SimulatorSecret, and tests sign the sample again with that.
SAMPLE_TOKEN = "example-auth-token"


def test_sample_event_is_validly_signed_for_its_example_token_only() -> None:
    event = sample_event("twilio_status")
    form = parse_form(event["body"], event["isBase64Encoded"])
    signature = event["headers"]["x-twilio-signature"]
    assert signature_is_valid(SAMPLE_TOKEN, public_url(event), form, signature)
    # Not for the token every stack once shared by default
    assert not signature_is_valid("local-simulator-token", public_url(event), form, signature)


def test_form_bodies_plain_and_base64() -> None:
    body = urlencode({"CallSid": "CA1", "CallStatus": "ringing", "Empty": ""})
    expected = {"CallSid": ["CA1"], "CallStatus": ["ringing"], "Empty": [""]}
    assert parse_form(body, is_base64=False) == expected
    assert parse_form(base64.b64encode(body.encode()).decode(), is_base64=True) == expected
    assert parse_form(None, is_base64=False) == {}


@pytest.mark.parametrize(
    ("body", "is_base64"),
    [
        ("CallSid&CallStatus", False),  # fields without values
        ("not base64 at all!", True),
        (base64.b64encode(b"CallSid=\xff\xfe").decode(), True),  # not UTF-8
        ("&".join(f"f{i}=1" for i in range(300)), False),  # absurdly many fields
    ],
)
def test_malformed_form_bodies_are_refused(body: str, is_base64: bool) -> None:
    with pytest.raises(MalformedRequestBody):
        parse_form(body, is_base64)


@pytest.mark.parametrize(
    ("twilio_status", "status"),
    [
        ("queued", CallStatus.INITIATED),
        ("initiated", CallStatus.INITIATED),
        ("ringing", CallStatus.RINGING),
        ("in-progress", CallStatus.IN_PROGRESS),
        ("completed", CallStatus.COMPLETED),
        ("busy", CallStatus.BUSY),
        ("no-answer", CallStatus.NO_ANSWER),
        ("failed", CallStatus.FAILED),
        ("canceled", CallStatus.CANCELED),
    ],
)
def test_every_twilio_call_status_maps_to_ours(twilio_status: str, status: CallStatus) -> None:
    update = parse_status({"CallSid": ["CA1"], "CallStatus": [twilio_status]})
    assert update.status is status
    assert update.call_sid == "CA1"


def test_final_statuses_name_their_end_reason_from_the_vocabulary() -> None:
    assert STATUS_REASONS == {
        CallStatus.COMPLETED: "hangup",
        CallStatus.BUSY: "busy",
        CallStatus.NO_ANSWER: "no_answer",
        CallStatus.FAILED: "error",
        CallStatus.CANCELED: "canceled",
    }
    assert set(STATUS_REASONS.values()) <= set(END_REASONS)


@pytest.mark.parametrize(
    ("form", "end_reason"),
    [
        ({"CallStatus": "completed", "SipResponseCode": "200"}, "hangup"),
        ({"CallStatus": "completed", "AnsweredBy": "machine_end_beep"}, "voicemail"),
        ({"CallStatus": "completed", "AnsweredBy": "human"}, "hangup"),
        ({"CallStatus": "busy", "SipResponseCode": "486"}, "busy"),
        ({"CallStatus": "busy", "SipResponseCode": "603"}, "declined"),
        ({"CallStatus": "no-answer", "SipResponseCode": "487"}, "no_answer"),
        ({"CallStatus": "no-answer"}, "no_answer"),
        ({"CallStatus": "failed", "SipResponseCode": "404"}, "invalid_number"),
        ({"CallStatus": "failed", "SipResponseCode": "503"}, "network_error"),
        ({"CallStatus": "failed", "SipResponseCode": "608"}, "blocked"),
        (
            {"CallStatus": "failed", "ErrorCode": "13224", "SipResponseCode": "500"},
            "invalid_number",
        ),
        ({"CallStatus": "failed", "ErrorCode": "13227"}, "blocked"),
        ({"CallStatus": "failed"}, "error"),
        ({"CallStatus": "canceled", "SipResponseCode": "487"}, "canceled"),
    ],
)
def test_a_final_callback_names_its_end_reason_from_its_codes(
    form: dict[str, str], end_reason: str
) -> None:
    update = parse_status(as_lists({"CallSid": "CA1", **form}))
    assert update.end_reason() == end_reason
    assert end_reason in END_REASONS


def test_the_raw_codes_are_read_as_sent() -> None:
    update = parse_status(
        as_lists(
            {
                "CallSid": "CA1",
                "CallStatus": "busy",
                "SipResponseCode": "486",
                "AnsweredBy": "unknown",
                "ErrorCode": "",
            }
        )
    )
    assert (update.sip_response_code, update.answered_by, update.error_code) == (
        486,
        "unknown",
        None,
    )
    assert update.codes() == {"sip_response_code": 486, "answered_by": "unknown"}


def test_a_sip_code_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(InvalidParameter) as refused:
        parse_status(as_lists({"CallSid": "CA1", "CallStatus": "busy", "SipResponseCode": "x"}))
    assert refused.value.location == ("body", "SipResponseCode")


def test_status_reads_timestamp_and_duration() -> None:
    update = parse_status(
        {
            "CallSid": ["CA1"],
            "CallStatus": ["completed"],
            "Timestamp": ["Sat, 21 Nov 2026 13:38:12 +0000"],
            "CallDuration": ["42"],
        }
    )
    assert update.timestamp == datetime(2026, 11, 21, 13, 38, 12, tzinfo=UTC)
    assert update.duration_seconds == 42


@pytest.mark.parametrize(
    ("form", "location"),
    [
        ({"CallStatus": ["ringing"]}, ["body", "CallSid"]),
        ({"CallSid": ["CA1"]}, ["body", "CallStatus"]),
        ({"CallSid": ["CA1"], "CallStatus": ["exploded"]}, ["body", "CallStatus"]),
        (
            {"CallSid": ["CA1"], "CallStatus": ["completed"], "CallDuration": ["-3"]},
            ["body", "CallDuration"],
        ),
    ],
)
def test_a_form_without_a_usable_status_is_invalid(
    form: dict[str, list[str]], location: list[str]
) -> None:
    with pytest.raises(InvalidParameter) as raised:
        parse_status(form)
    assert list(raised.value.location) == location
