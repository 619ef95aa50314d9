"""A call written the way a voice runtime writes one, over real HTTP on the local stack: the
record, its transcript in pieces and out of order, its history, its recording uploaded to a
presigned link and read by the indexer (S3 -> SQS -> the indexer's poller); then read back
whole, and erased."""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from dialtone import retention
from dialtone.accounts import AccountStore
from dialtone.auth import Scope
from dialtone.store import CallStore
from local.pollers import wait_until
from local.stack import LocalStack
from tests.audio_files import make_audio

pytestmark = pytest.mark.e2e

START = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
DIALOGUE = [
    ("Hi, is my order on its way?", "Let me check. What is the order number?"),
    ("It's 10442.", "Order 10442 shipped yesterday and arrives Friday."),
    ("Can it come to my office instead?", "Done: it will go to your office address."),
    ("Great, thanks.", "You're welcome, goodbye!"),
]
# Per turn: speech-to-text, first token and first audio (ms), as the runtime measured them.
STT = [180.0, 210.0, 150.0, 240.0]
LLM = [420.0, 380.0, 510.0, 450.0]
TTS = [150.0, 170.0, 130.0, 160.0]


def at(ms: float) -> str:
    return (START + timedelta(milliseconds=ms)).isoformat().replace("+00:00", "Z")


def exchange(n: int) -> dict[str, Any]:
    user, agent = DIALOGUE[n]
    offset = 500 + n * 7000
    return {
        "sequence_number": n,
        "user_transcript": user,
        "agent_response": agent,
        "exchange_timestamp": at(offset),
        "user_start_ms": offset,
        "user_end_ms": offset + 2000,
        "agent_start_ms": offset + 3000,
        "agent_end_ms": offset + 6000,
    }


def turn_events(n: int) -> list[dict[str, Any]]:
    """The spans of one turn (time to first byte and duration) and the model's completion."""
    heard = 500 + n * 7000 + 2000
    first_audio = STT[n] + LLM[n] + TTS[n] + 20
    return [
        {
            "event_id": f"t{n}-stt",
            "type": "span",
            "name": "stt",
            "timestamp": at(heard),
            "ttfb_ms": STT[n],
            "duration_ms": STT[n] + 10,
        },
        {
            "event_id": f"t{n}-llm",
            "type": "span",
            "name": "llm",
            "timestamp": at(heard + 1),
            "ttfb_ms": LLM[n],
            "duration_ms": LLM[n] + 600,
        },
        {
            "event_id": f"t{n}-completion",
            "type": "completion",
            "name": "gpt-4o-mini",
            "timestamp": at(heard + 2),
            "duration_ms": LLM[n] + 600,
            "text": DIALOGUE[n][1],
            "attributes": {"completion_tokens": 14},
        },
        {
            "event_id": f"t{n}-tts",
            "type": "span",
            "name": "tts",
            "timestamp": at(heard + 3),
            "ttfb_ms": TTS[n],
            "duration_ms": 3000.0,
        },
        {
            "event_id": f"t{n}-e2e",
            "type": "span",
            "name": "e2e",
            "timestamp": at(heard + 4),
            "ttfb_ms": first_audio,
            "duration_ms": first_audio + 3000,
        },
    ]


class Http:
    """Requests to the local stack's API with one key."""

    def __init__(self, base_url: str, key: str) -> None:
        self.base_url = base_url
        self.key = key

    def __call__(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"X-API-Key": self.key, **kwargs.pop("headers", {})}
        return requests.request(method, self.base_url + path, headers=headers, timeout=30, **kwargs)


@pytest.fixture
def call_id(local_stack: LocalStack) -> Iterator[str]:
    """A fresh call id of the demo tenant; whatever the test leaves of it is erased after."""
    call_id = str(uuid.uuid4())
    yield call_id
    session = local_stack.aws.session()
    tenant_id = local_stack.info["tenant_id"]
    s3 = session.client("s3")
    bucket = local_stack.info["recordings_bucket"]
    listed = s3.list_object_versions(
        Bucket=bucket, Prefix=retention.call_prefix(tenant_id, call_id)
    )
    for entry in [*listed.get("Versions", []), *listed.get("DeleteMarkers", [])]:
        s3.delete_object(Bucket=bucket, Key=entry["Key"], VersionId=entry["VersionId"])
    CallStore(
        local_stack.info["calls_table"], dynamodb=session.client("dynamodb")
    ).delete_call_items(tenant_id, call_id)


def test_a_runtime_writes_a_whole_call_then_an_admin_erases_it(
    local_stack: LocalStack, call_id: str
) -> None:
    info = local_stack.info
    accounts = AccountStore(
        info["accounts_table"], dynamodb=local_stack.aws.session().client("dynamodb")
    )
    runtime_key = accounts.create_key(
        info["tenant_id"], (Scope.CALLS_INGEST, Scope.CALLS_READ), name="e2e runtime"
    ).plaintext
    runtime = Http(info["api_url"], runtime_key)
    admin = Http(info["api_url"], info["api_key"])
    path = f"/v1/calls/{call_id}"

    # Given a call the runtime creates as it is answered
    created = runtime(
        "PUT",
        path,
        json={
            "direction": "inbound",
            "from_number": "+14155550142",
            "to_number": "+14155550100",
            "agent_id": "agent-support",
            "start_time": at(0),
            "metadata": {"campaign": "e2e"},
        },
    )
    assert created.status_code == 201, created.text
    assert (created.json()["status"], created.json()["phone_number"]) == (
        "in_progress",
        "+14155550142",
    )

    # When its transcript arrives in pieces, out of order (one piece twice, one on its own)
    pieces = [[exchange(2), exchange(3)], [exchange(0)], [exchange(0)]]
    receipts = [runtime("POST", f"{path}/exchanges", json={"exchanges": p}) for p in pieces]
    receipts.append(runtime("POST", f"{path}/exchanges", json=exchange(1)))
    assert [r.status_code for r in receipts] == [200] * 4, [r.text for r in receipts]
    assert [(r.json()["stored"], r.json()["unchanged"]) for r in receipts] == [
        (2, 0),
        (1, 0),
        (0, 1),
        (1, 0),
    ]

    # And its history, the later turns first, then a tool call, then the end
    started: dict[str, Any] = {"event_id": "started", "type": "started", "timestamp": at(0)}
    tool: list[dict[str, Any]] = [
        {
            "event_id": "lookup",
            "type": "function_call",
            "name": "lookup_order",
            "timestamp": at(7500 + 2100),
            "arguments": {"order_id": "10442"},
        },
        {
            "event_id": "lookup-result",
            "type": "function_response",
            "name": "lookup_order",
            "timestamp": at(7500 + 2300),
            "duration_ms": 200.0,
            "result": {"status": "shipped"},
        },
    ]
    ended: dict[str, Any] = {
        "event_id": "ended",
        "type": "ended",
        "timestamp": at(30_000),
        "reason": "hangup",
        "outcome": "resolved",
    }
    batches = [
        [*turn_events(2), *turn_events(3)],
        [started, *turn_events(0), *turn_events(1), *tool],
        [started],  # a retry: nothing new
    ]
    for batch in batches:
        answer = runtime("POST", f"{path}/events", json={"events": batch})
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "in_progress"
    finished = runtime("POST", f"{path}/events", json=ended)
    assert finished.status_code == 200, finished.text
    assert (finished.json()["status"], finished.json()["outcome"]) == ("completed", "resolved")

    # And its recording is uploaded to the link the API presigns
    audio = make_audio("mp3", channels=2, seconds=3.0)
    upload = runtime("POST", f"{path}/recording/upload", json={"format": "mp3"})
    assert upload.status_code == 200, upload.text
    link = upload.json()
    assert (link["method"], link["recording_format"]) == ("PUT", "mp3")
    put = requests.put(link["upload_url"], data=audio, headers=link["headers"], timeout=30)
    assert put.status_code == 200, put.text

    # Then the indexer reads it onto the call (S3 -> RecordingQueue -> indexer)
    def read() -> dict[str, Any]:
        body: dict[str, Any] = runtime("GET", path).json()
        return body

    assert wait_until(lambda: read()["recording_format"] is not None, timeout=30), read()
    call = read()
    assert call["recording_error"] is None
    assert (call["recording_format"], call["recording_channels"]) == ("mp3", 2)
    assert call["recording_size_bytes"] == len(audio)
    assert call["recording_duration_seconds"] == pytest.approx(3.0, abs=0.1)

    # And the call reads back complete: ended, timed, with latency derived from its spans
    assert (call["status"], call["outcome"], call["end_reason"]) == (
        "completed",
        "resolved",
        "hangup",
    )
    assert call["end_time"] == at(30_000)
    assert call["duration_seconds"] == 30.0
    assert call["metadata"] == {"campaign": "e2e"}
    latency = call["latency"]
    for stage, values in (("stt", STT), ("llm", LLM), ("tts", TTS)):
        assert latency[stage]["num"] == len(values)
        assert (latency[stage]["min"], latency[stage]["max"]) == (min(values), max(values))
        assert latency[stage]["p50"] == pytest.approx(statistics.median(values), abs=0.1)
    assert latency["e2e"]["num"] == 4

    # And its transcript is in order, as exchanges and as captions
    transcript = runtime("GET", f"{path}/transcript").json()["exchanges"]
    assert [e["sequence_number"] for e in transcript] == [0, 1, 2, 3]
    assert [e["user_transcript"] for e in transcript] == [user for user, _ in DIALOGUE]
    vtt = runtime("GET", f"{path}/transcript", params={"format": "vtt"})
    assert vtt.status_code == 200
    lines = [text for pair in DIALOGUE for text in pair]
    positions = [vtt.text.find(text) for text in lines]
    assert -1 not in positions, vtt.text
    assert positions == sorted(positions), vtt.text

    # And its history is in time order, each event once
    history = runtime("GET", f"{path}/history").json()["events"]
    sent: list[dict[str, Any]] = [
        started,
        *tool,
        ended,
        *(e for n in range(4) for e in turn_events(n)),
    ]
    sent.sort(key=lambda e: (datetime.fromisoformat(e["timestamp"]), e["event_id"]))
    assert [e["event_id"] for e in history] == [e["event_id"] for e in sent]
    assert (history[0]["type"], history[-1]["type"]) == ("started", "ended")

    # And its recording link downloads the very bytes uploaded
    recording = runtime("GET", f"{path}/recording").json()
    downloaded = requests.get(recording["recording_url"], timeout=30)
    assert downloaded.content == audio

    # When an admin erases the call
    assert admin("DELETE", path).status_code == 204

    # Then every endpoint of it answers 404, and its audio is gone from the bucket
    answers = {
        "GET": runtime("GET", path),
        "GET transcript": runtime("GET", f"{path}/transcript"),
        "GET vtt": runtime("GET", f"{path}/transcript", params={"format": "vtt"}),
        "GET history": runtime("GET", f"{path}/history"),
        "GET recording": runtime("GET", f"{path}/recording"),
        "POST exchanges": runtime("POST", f"{path}/exchanges", json=exchange(0)),
        "POST events": runtime("POST", f"{path}/events", json=ended),
        "POST upload": runtime("POST", f"{path}/recording/upload", json={"format": "mp3"}),
        "DELETE": admin("DELETE", path),
    }
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 404)
    assert all(r.json() == {"detail": "Call not found"} for r in answers.values())
    assert requests.get(recording["recording_url"], timeout=30).status_code == 404
    listed = admin("GET", "/v1/calls", params={"search": call_id[:8]}).json()
    assert call_id not in [c["id"] for c in listed["calls"]]
