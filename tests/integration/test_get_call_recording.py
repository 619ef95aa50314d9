"""GET /v1/calls/{call_id}/recording through the get_call_recording handler: presigned links
to a real WAV file in the recordings bucket, fetched back from the embedded S3."""

from __future__ import annotations

import json
import uuid
import wave
from datetime import UTC, datetime
from io import BytesIO
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from dialtone.auth import Scope
from local.invoke import api_event, invoke, sample_event

ROUTE = "GET /v1/calls/{call_id}/recording"
LINK_FIELDS = {
    "call_id",
    "recording_url",
    "recording_format",
    "recording_size_bytes",
    "recording_duration_seconds",
    "recording_channels",
    "expires_at",
}


def get_recording(authorizer: dict[str, str] | None, call_id: str, **query: str) -> dict[str, Any]:
    """The Lambda result of GET /v1/calls/<call_id>/recording?<query>."""
    event = api_event(
        "get_call_recording",
        ROUTE,
        f"/v1/calls/{call_id}/recording",
        query=query,
        path_parameters={"call_id": call_id},
        authorizer=authorizer,
    )
    return invoke("get_call_recording", event)


def body(result: dict[str, Any]) -> Any:
    return json.loads(result["body"])


def header(result: dict[str, Any], name: str) -> str:
    headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    return str(headers.get(name.lower(), ""))


def url_query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def seconds_from_now(timestamp: str) -> float:
    assert timestamp.endswith("Z"), timestamp
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return (moment - datetime.now(UTC)).total_seconds()


@pytest.fixture
def recorded_call(tenant: Any, upload_recording: Any, wav_bytes: bytes) -> Any:
    """A call whose one-second WAV recording is in the bucket, indexed as the indexer would."""
    call_id = str(uuid.uuid4())
    key = upload_recording(tenant.tenant_id, call_id)
    return tenant.add_call(
        id=call_id,
        recording_key=key,
        recording_format="wav",
        recording_size_bytes=len(wav_bytes),
        recording_duration_seconds=1.0,
        recording_channels=1,
    )


def test_the_wav_file_is_a_real_one_second_recording(wav_bytes: bytes) -> None:
    # Given / When: the recording the tests upload, read back as audio
    with wave.open(BytesIO(wav_bytes)) as audio:
        # Then: one second of 8 kHz mono 16-bit sound
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 2, 8000)
        assert audio.getnframes() == 8000
        assert len(set(audio.readframes(100))) > 2


def test_recording_link_downloads_the_uploaded_file(
    tenant: Any, recorded_call: Any, wav_bytes: bytes
) -> None:
    # Given: a call with a recording in the bucket
    # When: the tenant asks for the recording and fetches the link
    result = get_recording(tenant.authorizer(Scope.CALLS_READ), recorded_call.id)
    got = body(result)
    download = requests.get(got["recording_url"], timeout=10)

    # Then: 200 with the documented fields, and the link serves the very bytes uploaded
    assert result["statusCode"] == 200
    assert set(got) == LINK_FIELDS
    assert got["call_id"] == recorded_call.id
    assert got["recording_format"] == "wav"
    assert got["recording_size_bytes"] == len(wav_bytes)
    assert got["recording_duration_seconds"] == 1.0
    assert got["recording_channels"] == 1
    assert download.status_code == 200
    assert download.content == wav_bytes


def test_recording_link_is_sigv4_and_lasts_15_minutes_by_default(
    tenant: Any, recorded_call: Any
) -> None:
    # Given / When: the tenant asks for the recording without choosing a lifetime
    got = body(get_recording(tenant.authorizer(Scope.CALLS_READ), recorded_call.id))

    # Then: a SigV4 presigned GET of the call's own object, expiring in 15 minutes
    query = url_query(got["recording_url"])
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert query["X-Amz-Expires"] == "900"
    assert query["X-Amz-Signature"]
    assert urlsplit(got["recording_url"]).path.endswith(
        f"/{tenant.tenant_id}/{recorded_call.id}.wav"
    )
    assert 890 <= seconds_from_now(got["expires_at"]) <= 905


@pytest.mark.parametrize("expires_in", [60, 3600])
def test_expires_in_chooses_the_lifetime_of_the_link(
    tenant: Any, recorded_call: Any, wav_bytes: bytes, expires_in: int
) -> None:
    # Given / When: the tenant asks for a link of a given lifetime
    result = get_recording(
        tenant.authorizer(Scope.CALLS_READ), recorded_call.id, expires_in=str(expires_in)
    )

    # Then: the link and expires_at both say so, and the link works
    assert result["statusCode"] == 200
    got = body(result)
    assert url_query(got["recording_url"])["X-Amz-Expires"] == str(expires_in)
    assert expires_in - 10 <= seconds_from_now(got["expires_at"]) <= expires_in + 5
    assert requests.get(got["recording_url"], timeout=10).content == wav_bytes


@pytest.mark.parametrize("expires_in", ["59", "3601", "0", "soon"])
def test_expires_in_outside_60_to_3600_is_rejected(
    tenant: Any, recorded_call: Any, expires_in: str
) -> None:
    # Given / When: a lifetime outside 60-3600 seconds
    result = get_recording(
        tenant.authorizer(Scope.CALLS_READ), recorded_call.id, expires_in=expires_in
    )

    # Then: 422 names expires_in
    assert result["statusCode"] == 422
    assert [e["loc"] for e in body(result)["detail"]] == [["query", "expires_in"]]


def test_download_redirects_to_an_attachment_of_the_recording(
    tenant: Any, recorded_call: Any, wav_bytes: bytes
) -> None:
    # Given: a call with a recording
    # When: the tenant asks to download it and follows the redirect
    result = get_recording(tenant.authorizer(Scope.CALLS_READ), recorded_call.id, download="true")
    location = header(result, "Location")
    download = requests.get(location, timeout=10)

    # Then: 302 to a presigned URL that saves the very bytes as an attachment
    assert result["statusCode"] == 302
    disposition = url_query(location)["response-content-disposition"]
    assert disposition.startswith("attachment")
    assert f"call-{recorded_call.id}.wav" in disposition
    assert download.status_code == 200
    assert download.content == wav_bytes
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_download_with_expires_in_redirects_to_a_link_of_that_lifetime(
    tenant: Any, recorded_call: Any
) -> None:
    # Given / When: a download link asked to last an hour
    result = get_recording(
        tenant.authorizer(Scope.CALLS_READ),
        recorded_call.id,
        download="true",
        expires_in="3600",
    )

    # Then: the redirect's URL lasts an hour
    assert result["statusCode"] == 302
    assert url_query(header(result, "Location"))["X-Amz-Expires"] == "3600"


def test_download_false_answers_with_the_link(tenant: Any, recorded_call: Any) -> None:
    # Given / When: download explicitly off
    result = get_recording(tenant.authorizer(Scope.CALLS_READ), recorded_call.id, download="false")

    # Then: the JSON link, without an attachment disposition
    assert result["statusCode"] == 200
    assert "response-content-disposition" not in url_query(body(result)["recording_url"])


def test_a_call_without_a_recording_has_none_available(tenant: Any) -> None:
    # Given: a call that was never recorded
    call = tenant.add_call()

    # When: the tenant asks for its recording, as a link and as a download
    link = get_recording(tenant.authorizer(Scope.CALLS_READ), call.id)
    download = get_recording(tenant.authorizer(Scope.CALLS_READ), call.id, download="true")

    # Then: 404 Recording not available, both ways
    for result in (link, download):
        assert result["statusCode"] == 404
        assert body(result) == {"detail": "Recording not available"}


def test_another_tenants_recording_is_not_found(make_tenant: Any, recorded_call: Any) -> None:
    # Given: tenant A's recorded call (the `tenant` of recorded_call), and tenant B
    other = make_tenant(seed=99)

    # When: tenant B asks for that recording
    result = get_recording(other.authorizer(), recorded_call.id)

    # Then: 404 Call not found, and no link
    assert result["statusCode"] == 404
    assert body(result) == {"detail": "Call not found"}


def test_an_unknown_call_is_not_found(tenant: Any) -> None:
    # Given / When: a call id the tenant never had
    result = get_recording(tenant.authorizer(Scope.CALLS_READ), str(uuid.uuid4()))

    # Then: 404 Call not found
    assert result["statusCode"] == 404
    assert body(result) == {"detail": "Call not found"}


def test_a_call_id_that_is_not_a_uuid_is_rejected(tenant: Any) -> None:
    # Given / When: an id that cannot be a call id
    result = get_recording(tenant.authorizer(Scope.CALLS_READ), "recording.wav")

    # Then: 422 names the path parameter
    assert result["statusCode"] == 422
    assert [e["loc"] for e in body(result)["detail"]] == [["path", "call_id"]]


def test_a_key_without_calls_read_is_refused(tenant: Any, recorded_call: Any) -> None:
    # Given / When: a key that may only ingest asks for a recording
    result = get_recording(tenant.authorizer(Scope.CALLS_INGEST), recorded_call.id)

    # Then: 403 names the missing scope, and no link is given
    assert result["statusCode"] == 403
    assert body(result) == {"detail": "Missing scope calls:read"}


def test_the_sample_event_returns_a_link_of_15_minutes(
    sample_tenant: Any, upload_recording: Any, wav_bytes: bytes
) -> None:
    # Given: the sample's tenant has the sample's call, recorded
    key = upload_recording(sample_tenant.tenant_id, sample_tenant.call_id)
    sample_tenant.add_call(
        id=sample_tenant.call_id,
        recording_key=key,
        recording_format="wav",
        recording_size_bytes=len(wav_bytes),
    )

    # When: events/get_call_recording.json (expires_in=900) is handled as it is
    result = invoke("get_call_recording", sample_event("get_call_recording"))

    # Then: 200 with a 15-minute link to the recording
    assert result["statusCode"] == 200
    got = body(result)
    assert got["call_id"] == sample_tenant.call_id
    assert url_query(got["recording_url"])["X-Amz-Expires"] == "900"
    assert requests.get(got["recording_url"], timeout=10).content == wav_bytes
