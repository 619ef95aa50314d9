"""GET /v1/calls/{call_id} through the get_call handler, against the template's tables on moto."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from dialtone.auth import Scope
from dialtone.model_types import CallStatus, Direction
from dialtone.models import Exchange
from local.invoke import api_event, invoke, sample_event

ROUTE = "GET /v1/calls/{call_id}"
T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

# Every field of the call object, as DESIGN.md lists them.
CALL_FIELDS = {
    "id",
    "direction",
    "status",
    "outcome",
    "end_reason",
    "from_number",
    "to_number",
    "phone_number",
    "agent_id",
    "agent_name",
    "batch_id",
    "twilio_call_sid",
    "livekit_room_id",
    "start_time",
    "end_time",
    "duration_seconds",
    "recording_url",
    "recording_duration_seconds",
    "recording_size_bytes",
    "recording_format",
    "metadata",
    "analysis",
    "cost",
    "latency",
    "provider_usage",
    "grade_score",
    "grade_status",
    "issue_count",
    "critical_issue_count",
    "is_test_call",
    "queued_at",
    "dialed_at",
    "error_reason",
    "created_at",
    "updated_at",
}
LATENCY_FIELDS = {"p50", "p90", "p95", "p99", "min", "max", "num"}


def get_call(authorizer: dict[str, str] | None, call_id: str, **query: str) -> dict[str, Any]:
    """The Lambda result of GET /v1/calls/<call_id>?<query>."""
    event = api_event(
        "get_call",
        ROUTE,
        f"/v1/calls/{call_id}",
        query=query,
        path_parameters={"call_id": call_id},
        authorizer=authorizer,
    )
    return invoke("get_call", event)


def body(result: dict[str, Any]) -> Any:
    return json.loads(result["body"])


def exchanges(count: int, start: datetime = T0) -> list[Exchange]:
    return [
        Exchange(
            sequence_number=n,
            user_transcript=f"question {n}",
            agent_response=f"answer {n}",
            exchange_timestamp=start + timedelta(seconds=10 * n),
        )
        for n in range(count)
    ]


def test_a_call_is_returned_with_every_field_of_the_call_object(tenant: Any) -> None:
    # Given: a completed inbound call with analysis, cost and latency
    call = tenant.add_call(
        start_time=T0,
        direction=Direction.INBOUND,
        status=CallStatus.COMPLETED,
        customer="+14155550177",
        batch_id="batch-7",
        twilio_call_sid="CA0123456789abcdef0123456789abcdef",
        metadata={"crm_id": "42"},
    )

    # When: the tenant gets it
    result = get_call(tenant.authorizer(Scope.CALLS_READ), call.id)

    # Then: 200 with the whole call object, as stored
    assert result["statusCode"] == 200
    got = body(result)
    assert set(got) >= CALL_FIELDS
    assert "transcript" not in got
    assert got["id"] == call.id
    assert (got["direction"], got["status"]) == ("inbound", "completed")
    assert (got["from_number"], got["phone_number"]) == ("+14155550177", "+14155550177")
    assert got["to_number"] == call.to_number
    assert (got["agent_id"], got["batch_id"]) == (call.agent_id, "batch-7")
    assert got["twilio_call_sid"] == "CA0123456789abcdef0123456789abcdef"
    assert got["metadata"] == {"crm_id": "42"}
    assert got["start_time"] == "2026-03-10T12:00:00Z"
    assert got["duration_seconds"] == call.duration_seconds
    assert set(got["analysis"]) >= {"summary", "user_sentiment", "call_successful", "in_voicemail"}
    assert set(got["cost"]) >= {"total", "currency", "billable_minutes"}
    assert got["cost"]["total"] == call.cost.total
    assert {p["provider"] for p in got["cost"]["breakdown"]} == {"twilio", "openai"}
    assert set(got["latency"]) >= {"e2e", "stt", "llm", "tts"}
    for stage in ("e2e", "stt", "llm", "tts"):
        assert set(got["latency"][stage]) >= LATENCY_FIELDS
    for name in ("start_time", "end_time", "created_at", "updated_at"):
        assert got[name].endswith("Z"), name
    assert got["recording_url"] is None


def test_a_recorded_call_carries_a_url_that_downloads_the_recording(
    tenant: Any, upload_recording: Any, wav_bytes: bytes
) -> None:
    # Given: a call whose recording is in the bucket
    call_id = str(uuid.uuid4())
    key = upload_recording(tenant.tenant_id, call_id)
    tenant.add_call(id=call_id, recording_key=key, recording_format="wav")

    # When: the tenant gets the call and follows its recording_url
    got = body(get_call(tenant.authorizer(Scope.CALLS_READ), call_id))
    download = requests.get(got["recording_url"], timeout=10)

    # Then: the URL serves the recording's bytes
    assert download.status_code == 200
    assert download.content == wav_bytes


@pytest.mark.parametrize("call_id", ["not-a-uuid", "12345", "0b7e2c1a-5d4f-4e3b-9a8c-1f2e3d4c5b6"])
def test_a_call_id_that_is_not_a_uuid_is_rejected(tenant: Any, call_id: str) -> None:
    # Given / When: an id that cannot be a call id
    result = get_call(tenant.authorizer(Scope.CALLS_READ), call_id)

    # Then: 422 names the path parameter
    assert result["statusCode"] == 422
    assert [e["loc"] for e in body(result)["detail"]] == [["path", "call_id"]]


def test_a_call_id_in_upper_case_finds_the_call(tenant: Any) -> None:
    # Given: a call
    call = tenant.add_call()

    # When: the tenant writes its id in upper case
    result = get_call(tenant.authorizer(Scope.CALLS_READ), call.id.upper())

    # Then: the same call
    assert result["statusCode"] == 200
    assert body(result)["id"] == call.id


def test_an_unknown_call_is_not_found(tenant: Any) -> None:
    # Given: a tenant with a call
    tenant.add_call()

    # When: it gets a call id it never had
    result = get_call(tenant.authorizer(Scope.CALLS_READ), str(uuid.uuid4()))

    # Then: 404 Call not found
    assert result["statusCode"] == 404
    assert body(result) == {"detail": "Call not found"}


def test_another_tenants_call_is_not_found(make_tenant: Any) -> None:
    # Given: a call of tenant A
    tenant_a, tenant_b = make_tenant(seed=1), make_tenant(seed=2)
    call = tenant_a.add_call()

    # When: tenant B, with every scope, asks for it
    result = get_call(tenant_b.authorizer(), call.id)

    # Then: exactly what an unknown call gives: 404 Call not found, never 403
    assert result["statusCode"] == 404
    assert body(result) == {"detail": "Call not found"}


def test_include_transcript_adds_the_exchanges_in_sequence_order(tenant: Any) -> None:
    # Given: a call whose exchanges were stored out of order
    stored = exchanges(4)
    call = tenant.add_call(start_time=T0, exchanges=[stored[2], stored[0], stored[3], stored[1]])

    # When: the tenant gets the call with its transcript
    result = get_call(tenant.authorizer(Scope.CALLS_READ), call.id, include="transcript")

    # Then: the call object plus its exchanges, in sequence order
    assert result["statusCode"] == 200
    got = body(result)
    assert set(got) >= CALL_FIELDS | {"transcript"}
    assert got["id"] == call.id
    assert [e["sequence_number"] for e in got["transcript"]] == [0, 1, 2, 3]
    assert [e["user_transcript"] for e in got["transcript"]] == [
        "question 0",
        "question 1",
        "question 2",
        "question 3",
    ]
    assert got["transcript"][1]["agent_response"] == "answer 1"
    assert got["transcript"][1]["exchange_timestamp"] == "2026-03-10T12:00:10Z"


def test_include_transcript_of_a_call_without_one_is_an_empty_list(tenant: Any) -> None:
    # Given: a call with no exchanges
    call = tenant.add_call()

    # When: the tenant gets it with its transcript
    got = body(get_call(tenant.authorizer(Scope.CALLS_READ), call.id, include="transcript"))

    # Then: an empty transcript
    assert got["transcript"] == []


@pytest.mark.parametrize("include", ["bogus", "transcripts", "history"])
def test_an_unknown_include_is_rejected(tenant: Any, include: str) -> None:
    # Given: a call
    call = tenant.add_call()

    # When: the tenant asks to include something that does not exist
    result = get_call(tenant.authorizer(Scope.CALLS_READ), call.id, include=include)

    # Then: 422 names include
    assert result["statusCode"] == 422
    assert [e["loc"] for e in body(result)["detail"]] == [["query", "include"]]


def test_a_key_without_calls_read_is_refused(tenant: Any) -> None:
    # Given: a call and a key that may only ingest call data
    call = tenant.add_call()

    # When: the key gets the call
    result = get_call(tenant.authorizer(Scope.CALLS_INGEST, Scope.CALLS_WRITE), call.id)

    # Then: 403 names the missing scope
    assert result["statusCode"] == 403
    assert body(result) == {"detail": "Missing scope calls:read"}


def test_the_sample_event_returns_the_call_with_its_transcript(sample_tenant: Any) -> None:
    # Given: the sample's tenant has the sample's call, with two exchanges
    sample_tenant.add_call(id=sample_tenant.call_id, start_time=T0, exchanges=exchanges(2))

    # When: events/get_call.json (include=transcript) is handled as it is
    result = invoke("get_call", sample_event("get_call"))

    # Then: 200 with the call and its transcript
    assert result["statusCode"] == 200
    got = body(result)
    assert got["id"] == sample_tenant.call_id
    assert [e["sequence_number"] for e in got["transcript"]] == [0, 1]


class _Body:
    """The raw body of a made-up AWS answer."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Any:
        yield self.data


@pytest.fixture
def dynamodb_refusing() -> Any:
    """Once the test sets a `code`, every request of the shared DynamoDB client is answered with
    that AWS error (as the real service answers it: HTTP 400 and a JSON `__type`) instead of
    being sent; yields the settings, with the count of attempts botocore made."""
    from botocore.awsrequest import AWSResponse

    from dialtone import aws

    refusal: dict[str, Any] = {"code": None, "attempts": 0}

    def answer(request: Any, **_: Any) -> Any:
        if refusal["code"] is None:
            return None  # sent as usual
        refusal["attempts"] += 1
        data = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{refusal['code']}"})
        headers = {"Content-Type": "application/x-amz-json-1.0"}
        return AWSResponse(request.url, 400, headers, _Body(data.encode()))

    client = aws.client("dynamodb")
    client.meta.events.register_first("before-send.dynamodb", answer)
    yield refusal
    client.meta.events.unregister("before-send.dynamodb", answer)


@pytest.mark.parametrize(
    ("code", "status", "detail"),
    [
        # botocore retries a throttled request (standard mode: 4 attempts), then the client is
        # told to retry in a second
        ("ProvisionedThroughputExceededException", 503, "The service is busy; retry shortly"),
        ("ThrottlingException", 503, "The service is busy; retry shortly"),
        # any other refusal is not retried, and is a 500 that names nothing of it
        ("AccessDeniedException", 500, "Internal server error"),
    ],
)
def test_a_request_dynamodb_keeps_refusing_is_answered_by_why(
    tenant: Any, dynamodb_refusing: dict[str, Any], code: str, status: int, detail: str
) -> None:
    # Given a call, and DynamoDB refusing every request with `code`
    call = tenant.add_calls(1)[0]
    dynamodb_refusing["code"] = code

    # When the call is read
    result = get_call(tenant.authorizer(Scope.CALLS_READ), call.id)

    # Then the answer says whether to retry
    assert result["statusCode"] == status, result["body"]
    assert body(result) == {"detail": detail}
    if status == 503:
        assert dynamodb_refusing["attempts"] >= 4
        assert result["headers"]["Retry-After"] == "1"
    else:
        assert dynamodb_refusing["attempts"] == 1
        assert "Retry-After" not in result["headers"]
