"""POST /v1/calls/{call_id}/recording/upload through its handler: presigned PUT and POST uploads
to the call's own key in the recordings bucket, used for real against the embedded S3."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests

from dialtone.auth import Scope
from dialtone.recordings import delete_object_versions
from local.provision import Stack
from tests.audio_files import make_audio
from tests.call_routes import body, call_route, create_call

ROUTE = "POST /v1/calls/{call_id}/recording/upload"
CONTENT_TYPES = {"wav": "audio/wav", "ogg": "audio/ogg", "mp3": "audio/mpeg", "m4a": "audio/mp4"}


def request_upload(authorizer: dict[str, str] | None, call_id: str, payload: Any) -> dict[str, Any]:
    """The Lambda result of POST /v1/calls/<call_id>/recording/upload with `payload`."""
    return call_route("create_recording_upload", ROUTE, call_id, authorizer, payload)


def url_key(url: str, bucket: str) -> str:
    """The object key a path-style presigned URL of `bucket` points at."""
    path = unquote(urlsplit(url).path)
    assert path.startswith(f"/{bucket}/"), path
    return path.removeprefix(f"/{bucket}/")


def max_recording_bytes(stack: Stack) -> int:
    """The template's MaxRecordingBytes, which every function is given."""
    return int(stack.template["Parameters"]["MaxRecordingBytes"]["Default"])


@pytest.fixture
def bucket(handler_environment: dict[str, str], s3: Any, tenant: Any) -> Iterator[str]:
    """The recordings bucket; everything uploaded for the test's tenant is removed afterwards."""
    name = handler_environment["RECORDINGS_BUCKET"]
    yield name
    delete_object_versions(name, f"tenants/{tenant.tenant_id}/")


# The upload's key is the call's own


@pytest.mark.parametrize("fmt", ["wav", "ogg", "mp3", "m4a"])
def test_a_put_upload_is_presigned_for_the_calls_own_key(
    tenant: Any, bucket: str, stack: Stack, fmt: str
) -> None:
    # Given: a call the runtime created
    call_id = create_call(tenant)

    # When: the runtime asks where to upload its recording in this format
    result = request_upload(tenant.authorizer(Scope.CALLS_INGEST), call_id, {"format": fmt})

    # Then: a presigned PUT of tenants/<tenant>/calls/<call>/recording.<fmt>, sent with the
    # format's content type, for 15 minutes, and the largest size accepted
    assert result["statusCode"] == 200, result["body"]
    got = body(result)
    assert (got["call_id"], got["method"], got["recording_format"]) == (call_id, "PUT", fmt)
    assert url_key(got["upload_url"], bucket) == (
        f"tenants/{tenant.tenant_id}/calls/{call_id}/recording.{fmt}"
    )
    assert got["headers"] == {"Content-Type": CONTENT_TYPES[fmt]}
    assert got["fields"] == {}
    assert got["max_size_bytes"] == max_recording_bytes(stack)
    expires_in = datetime.fromisoformat(got["expires_at"].replace("Z", "+00:00")) - datetime.now(
        UTC
    )
    assert 890 <= expires_in.total_seconds() <= 905


def test_the_put_url_takes_the_recording(tenant: Any, bucket: str, s3: Any) -> None:
    # Given: a presigned PUT for a call's ogg recording
    call_id = create_call(tenant)
    upload = body(request_upload(tenant.authorizer(Scope.CALLS_INGEST), call_id, {"format": "ogg"}))
    audio = make_audio("ogg", channels=2, seconds=1.0)

    # When: the runtime PUTs the file there with the headers it was given
    response = requests.put(upload["upload_url"], data=audio, headers=upload["headers"], timeout=10)

    # Then: the bucket holds the very bytes under the call's key, typed as Ogg audio
    assert response.status_code == 200, response.text
    stored = s3.get_object(
        Bucket=bucket, Key=f"tenants/{tenant.tenant_id}/calls/{call_id}/recording.ogg"
    )
    assert stored["Body"].read() == audio
    assert stored["ContentType"] == "audio/ogg"


def test_a_put_link_for_a_stated_size_is_signed_for_exactly_that_size(
    tenant: Any, bucket: str, s3: Any
) -> None:
    # Given: the runtime states the size of the recording it will upload
    call_id = create_call(tenant)
    audio = make_audio("wav", seconds=1.0)
    payload = {"format": "wav", "size_bytes": len(audio)}
    upload = body(request_upload(tenant.authorizer(Scope.CALLS_INGEST), call_id, payload))

    # Then: the link signs the Content-Length it was given (S3 refuses any other size), and
    # the headers to send carry it
    signed = parse_qs(urlsplit(upload["upload_url"]).query)["X-Amz-SignedHeaders"][0]
    assert "content-length" in signed.split(";")
    assert upload["headers"] == {"Content-Type": "audio/wav", "Content-Length": str(len(audio))}
    # And the file of that size goes up with those headers
    response = requests.put(upload["upload_url"], data=audio, headers=upload["headers"], timeout=10)
    assert response.status_code == 200, response.text
    stored = s3.get_object(
        Bucket=bucket, Key=f"tenants/{tenant.tenant_id}/calls/{call_id}/recording.wav"
    )
    assert stored["Body"].read() == audio


def test_a_post_upload_takes_the_recording_as_a_form(tenant: Any, bucket: str, s3: Any) -> None:
    # Given: a call, and the runtime asks for a browser-style POST upload (method in any case)
    call_id = create_call(tenant)
    result = request_upload(
        tenant.authorizer(Scope.CALLS_INGEST), call_id, {"format": "mp3", "method": "post"}
    )
    assert result["statusCode"] == 200, result["body"]
    upload = body(result)
    key = f"tenants/{tenant.tenant_id}/calls/{call_id}/recording.mp3"
    audio = make_audio("mp3", seconds=1.0)

    # Then: the form's fields name the call's key and the content type, and carry a policy
    assert upload["method"] == "POST"
    assert upload["headers"] == {}
    assert upload["fields"]["key"] == key
    assert upload["fields"]["Content-Type"] == "audio/mpeg"
    assert upload["fields"]["policy"]

    # When: the file is posted with those fields, as a multipart form
    response = requests.post(
        upload["upload_url"],
        data=upload["fields"],
        files={"file": ("recording.mp3", audio, "audio/mpeg")},
        timeout=10,
    )

    # Then: S3 took it, under the call's key
    assert response.status_code in (200, 201, 204), response.text
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == audio


def test_the_post_policy_bounds_the_size_and_type(tenant: Any, bucket: str, stack: Stack) -> None:
    # Given / When: a POST upload of a wav recording
    call_id = create_call(tenant)
    upload = body(
        request_upload(
            tenant.authorizer(Scope.CALLS_INGEST), call_id, {"format": "wav", "method": "POST"}
        )
    )

    # Then: its signed policy allows this key only, 1 byte up to the cap, and audio/wav
    import base64

    policy = json.loads(base64.b64decode(upload["fields"]["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, max_recording_bytes(stack)] in conditions
    assert {"Content-Type": "audio/wav"} in conditions
    assert {"bucket": bucket} in conditions
    assert {"key": f"tenants/{tenant.tenant_id}/calls/{call_id}/recording.wav"} in conditions


# The client cannot steer the upload


@pytest.mark.parametrize(
    "extra",
    [
        {"key": "tenants/other/calls/x/recording.wav"},
        {"path": "../../other/recording.wav"},
        {"bucket": "somebody-elses-bucket"},
        {"content_type": "text/html"},
    ],
)
def test_fields_naming_where_to_upload_are_refused(
    tenant: Any, bucket: str, extra: dict[str, str]
) -> None:
    # Given: a call
    call_id = create_call(tenant)

    # When: the request also tries to name the key, path, bucket or content type
    result = request_upload(
        tenant.authorizer(Scope.CALLS_INGEST), call_id, {"format": "wav", **extra}
    )

    # Then: 422 names the field, and no upload is offered
    assert result["statusCode"] == 422
    assert [e["loc"] for e in body(result)["detail"]] == [["body", next(iter(extra))]]


@pytest.mark.parametrize("fmt", ["flac", "exe", "wav/../../x", "", None])
def test_a_format_other_than_wav_ogg_mp3_or_m4a_is_refused(
    tenant: Any, bucket: str, fmt: str | None
) -> None:
    # Given / When: a format the API does not keep (or none)
    call_id = create_call(tenant)
    result = request_upload(tenant.authorizer(Scope.CALLS_INGEST), call_id, {"format": fmt})

    # Then: 422 names the format
    assert result["statusCode"] == 422
    assert [e["loc"] for e in body(result)["detail"]] == [["body", "format"]]


def test_a_request_without_a_format_is_refused(tenant: Any, bucket: str) -> None:
    call_id = create_call(tenant)
    result = request_upload(tenant.authorizer(Scope.CALLS_INGEST), call_id, {"method": "PUT"})
    assert result["statusCode"] == 422
    assert [e["loc"] for e in body(result)["detail"]] == [["body", "format"]]


@pytest.mark.parametrize("method", ["GET", "DELETE", "PATCH"])
def test_a_method_other_than_put_or_post_is_refused(tenant: Any, bucket: str, method: str) -> None:
    call_id = create_call(tenant)
    result = request_upload(
        tenant.authorizer(Scope.CALLS_INGEST), call_id, {"format": "wav", "method": method}
    )
    assert result["statusCode"] == 422
    assert [e["loc"] for e in body(result)["detail"]] == [["body", "method"]]


def test_a_size_over_the_cap_is_refused_before_the_upload(
    tenant: Any, bucket: str, stack: Stack
) -> None:
    # Given: a call, and the largest recording the deployment accepts
    call_id = create_call(tenant)
    cap = max_recording_bytes(stack)
    authorizer = tenant.authorizer(Scope.CALLS_INGEST)

    # When: the runtime announces a recording one byte over, exactly at, and of no size
    over = request_upload(authorizer, call_id, {"format": "wav", "size_bytes": cap + 1})
    at = request_upload(authorizer, call_id, {"format": "wav", "size_bytes": cap})
    empty = request_upload(authorizer, call_id, {"format": "wav", "size_bytes": 0})

    # Then: over the cap is 422 naming size_bytes and the cap; at the cap is fine; 0 is 422
    assert over["statusCode"] == 422
    detail = body(over)["detail"]
    assert [e["loc"] for e in detail] == [["body", "size_bytes"]]
    assert str(cap) in detail[0]["msg"]
    assert at["statusCode"] == 200
    assert empty["statusCode"] == 422
    assert [e["loc"] for e in body(empty)["detail"]] == [["body", "size_bytes"]]


# Whose call, and who may upload


def test_an_unknown_call_is_not_found(tenant: Any, bucket: str) -> None:
    # Given / When: an upload for a call id the tenant never had
    result = request_upload(
        tenant.authorizer(Scope.CALLS_INGEST), str(uuid.uuid4()), {"format": "wav"}
    )

    # Then: 404 and no URL
    assert result["statusCode"] == 404
    assert body(result) == {"detail": "Call not found"}


def test_another_tenants_call_is_not_found(make_tenant: Any, tenant: Any, bucket: str) -> None:
    # Given: tenant A's call, and tenant B
    call_id = create_call(tenant)
    other = make_tenant(seed=99)

    # When: tenant B asks to upload that call's recording
    result = request_upload(other.authorizer(Scope.CALLS_INGEST), call_id, {"format": "wav"})

    # Then: 404, as if the call did not exist
    assert result["statusCode"] == 404
    assert body(result) == {"detail": "Call not found"}


@pytest.mark.parametrize("scope", [Scope.CALLS_READ, Scope.CALLS_WRITE])
def test_a_key_without_calls_ingest_is_refused(tenant: Any, bucket: str, scope: Scope) -> None:
    # Given: a call
    call_id = create_call(tenant)

    # When: a key without calls:ingest asks for an upload
    result = request_upload(tenant.authorizer(scope), call_id, {"format": "wav"})

    # Then: 403 names the missing scope
    assert result["statusCode"] == 403
    assert body(result) == {"detail": "Missing scope calls:ingest"}


def test_a_request_without_a_principal_is_unauthenticated(tenant: Any, bucket: str) -> None:
    call_id = create_call(tenant)
    result = request_upload(None, call_id, {"format": "wav"})
    assert result["statusCode"] == 401


def test_a_call_that_keeps_no_sensitive_data_takes_no_recording(tenant: Any, bucket: str) -> None:
    # Given: a call created with the sensitive-data opt-out
    call_id = create_call(tenant, opt_out_sensitive_data_storage=True)

    # When: the runtime asks to upload its recording
    result = request_upload(tenant.authorizer(Scope.CALLS_INGEST), call_id, {"format": "wav"})

    # Then: 409 says why, and no URL is given
    assert result["statusCode"] == 409
    assert body(result) == {
        "detail": "Recordings are not kept for this call (opt_out_sensitive_data_storage)"
    }
