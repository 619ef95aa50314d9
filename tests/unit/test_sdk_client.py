"""The Python SDK's behaviour on the wire, against a mocked transport: retries, typed errors,
paging, chunking, downloads and webhook signatures."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import pytest_socket
import respx
from standardwebhooks.webhooks import Webhook

import dialtone_client
from dialtone_client import (
    APIConnectionError,
    APITimeoutError,
    AsyncDialtone,
    AuthenticationError,
    Dialtone,
    NotFoundError,
    RateLimitError,
    ServerError,
    ValidationError,
    WebhookVerificationError,
    _retry,
)

BASE = "http://api.test"


def _call(n: int = 0) -> dict[str, object]:
    return {
        "id": str(uuid.UUID(int=n)),
        "direction": "outbound",
        "status": "completed",
        "start_time": "2026-12-01T10:00:00Z",
        "created_at": "2026-12-01T10:00:00Z",
        "updated_at": "2026-12-01T10:00:00Z",
    }


def _page(calls: list[dict[str, object]], next_cursor: str | None) -> dict[str, object]:
    return {"calls": calls, "total": 5, "limit": 2, "offset": 0, "next_cursor": next_cursor}


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses the retries would have slept, without sleeping."""
    slept: list[float] = []
    monkeypatch.setattr(_retry, "_sleep", slept.append)

    async def record(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(_retry, "_async_sleep", record)
    return slept


@pytest.fixture
def client() -> Dialtone:
    return Dialtone(api_key="key-1", base_url=BASE, max_retries=2)


@respx.mock(base_url=BASE)
def test_a_get_is_retried_on_5xx_then_succeeds(
    respx_mock: respx.MockRouter, client: Dialtone, waits: list[float]
) -> None:
    route = respx_mock.get("/v1/calls/" + str(uuid.UUID(int=1)))
    route.side_effect = [
        httpx.Response(503),
        httpx.Response(502),
        httpx.Response(200, json=_call(1)),
    ]

    call = client.get_call(str(uuid.UUID(int=1)))

    assert call.id == str(uuid.UUID(int=1))
    assert route.call_count == 3
    assert len(waits) == 2
    # Exponential backoff with jitter: the second pause is drawn from a doubled range.
    assert 0.25 <= waits[0] <= 0.5
    assert 0.5 <= waits[1] <= 1.0
    assert route.calls.last.request.headers["X-API-Key"] == "key-1"


@respx.mock(base_url=BASE)
def test_retries_stop_at_max_retries_with_a_typed_server_error(
    respx_mock: respx.MockRouter, client: Dialtone, waits: list[float]
) -> None:
    route = respx_mock.get("/v1/calls").respond(500, json={"detail": "Internal error"})

    with pytest.raises(ServerError) as raised:
        client.get_calls()

    assert route.call_count == 3
    assert raised.value.status_code == 500
    assert raised.value.detail == "Internal error"


@respx.mock(base_url=BASE)
def test_retry_after_sets_the_pause(
    respx_mock: respx.MockRouter, client: Dialtone, waits: list[float]
) -> None:
    route = respx_mock.get("/v1/calls/stats")
    route.side_effect = [
        httpx.Response(429, headers={"Retry-After": "7"}, json={"detail": "Too many requests"}),
        httpx.Response(429, headers={"Retry-After": "3"}, json={"detail": "Too many requests"}),
        httpx.Response(429, headers={"Retry-After": "1"}, json={"detail": "Too many requests"}),
    ]

    with pytest.raises(RateLimitError) as raised:
        client.stats()

    assert waits == [7.0, 3.0]
    assert raised.value.status_code == 429


@respx.mock(base_url=BASE)
def test_a_post_without_idempotency_key_is_not_retried(
    respx_mock: respx.MockRouter, client: Dialtone, waits: list[float]
) -> None:
    route = respx_mock.post("/v1/calls/batch").respond(
        503, json={"detail": "Dial queue unavailable"}
    )

    with pytest.raises(ServerError):
        client.dry_run_batch(["+15550100001"])  # a dry run takes no Idempotency-Key

    assert route.call_count == 1
    assert waits == []


@respx.mock(base_url=BASE)
def test_create_batch_retries_each_request_with_its_own_stable_key(
    respx_mock: respx.MockRouter, client: Dialtone, waits: list[float]
) -> None:
    keys: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers["idempotency-key"])
        if len(keys) == 1:
            return httpx.Response(503, json={"detail": "Dial queue unavailable"})
        total = len(json.loads(request.content)["to_numbers"])
        return httpx.Response(
            202, json={"batch_id": str(uuid.uuid4()), "total": total, "status": "queued"}
        )

    respx_mock.post("/v1/calls/batch").mock(side_effect=answer)

    batches = client.create_batch(
        [f"+1555{n:07d}" for n in range(1500)], idempotency_key="campaign-7"
    )

    # The first request failed once and was sent again with the same key; the second chunk
    # has a key of its own.
    assert [batch.total for batch in batches] == [1000, 500]
    assert keys == ["campaign-7-1", "campaign-7-1", "campaign-7-2"]
    assert len(waits) == 1


@respx.mock(base_url=BASE)
def test_create_call_sends_one_idempotency_key_on_every_attempt(
    respx_mock: respx.MockRouter, client: Dialtone, waits: list[float]
) -> None:
    accepted = {"call_id": str(uuid.UUID(int=9)), "call_sid": "queued-ab", "status": "queued"}
    route = respx_mock.post("/v1/calls")
    route.side_effect = [
        httpx.ConnectError("reset"),
        httpx.Response(503),
        httpx.Response(202, json=accepted),
    ]

    result = client.create_call("+15550100001", agent_id="agent-1")

    assert result.call_id == accepted["call_id"]
    keys = {call.request.headers["Idempotency-Key"] for call in route.calls}
    assert route.call_count == 3
    assert len(keys) == 1
    assert json.loads(route.calls.last.request.content) == {
        "to_number": "+15550100001",
        "agent_id": "agent-1",
    }


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, {"message": "Unauthorized"}, AuthenticationError),
        (403, {"detail": "Missing scope calls:read"}, AuthenticationError),
        (404, {"detail": "Call not found"}, NotFoundError),
        (
            422,
            {"detail": [{"loc": ["path", "call_id"], "msg": "bad uuid", "type": "uuid"}]},
            ValidationError,
        ),
    ],
)
@respx.mock(base_url=BASE)
def test_failures_raise_typed_errors_with_status_and_detail(
    respx_mock: respx.MockRouter,
    client: Dialtone,
    status: int,
    body: dict[str, object],
    error: type[Exception],
) -> None:
    respx_mock.get("/v1/calls/x").respond(status, json=body)

    with pytest.raises(error) as raised:
        client.get_call("x")

    assert isinstance(raised.value, dialtone_client.DialtoneError)
    assert raised.value.status_code == status  # type: ignore[attr-defined]
    assert raised.value.detail == body.get("detail", body.get("message"))  # type: ignore[attr-defined]
    assert str(status) in str(raised.value)


@respx.mock(base_url=BASE)
def test_timeouts_and_connection_errors_are_typed_after_the_retries(
    respx_mock: respx.MockRouter, client: Dialtone, waits: list[float]
) -> None:
    slow = respx_mock.get("/v1/calls").mock(side_effect=httpx.ReadTimeout("slow"))
    down = respx_mock.get("/v1/dialer/status").mock(side_effect=httpx.ConnectError("refused"))

    with pytest.raises(APITimeoutError):
        client.get_calls()
    with pytest.raises(APIConnectionError) as raised:
        client.dialer_status()

    assert slow.call_count == 3
    assert down.call_count == 3
    assert raised.value.status_code is None


@respx.mock(base_url=BASE)
def test_iter_calls_follows_the_cursor_to_the_end(
    respx_mock: respx.MockRouter, client: Dialtone
) -> None:
    route = respx_mock.get("/v1/calls")
    route.side_effect = [
        httpx.Response(200, json=_page([_call(1), _call(2)], "c2")),
        httpx.Response(200, json=_page([_call(3), _call(4)], "c3")),
        httpx.Response(200, json=_page([_call(5)], None)),
    ]

    ids = [call.id for call in client.iter_calls(status="completed")]

    assert ids == [str(uuid.UUID(int=n)) for n in range(1, 6)]
    cursors = [call.request.url.params.get("cursor") for call in route.calls]
    assert cursors == [None, "c2", "c3"]
    assert all(call.request.url.params["status"] == "completed" for call in route.calls)


@respx.mock(base_url=BASE)
def test_search_calls_splits_more_than_100_ids(
    respx_mock: respx.MockRouter, client: Dialtone
) -> None:
    ids = [str(uuid.UUID(int=n)) for n in range(250)]

    def answer(request: httpx.Request) -> httpx.Response:
        asked = json.loads(request.content)["call_ids"]
        return httpx.Response(
            200, json={"calls": [_call(int(uuid.UUID(asked[0])))], "not_found": asked[1:]}
        )

    route = respx_mock.post("/v1/calls/search").mock(side_effect=answer)

    result = client.search_calls(ids)

    sizes = [len(json.loads(call.request.content)["call_ids"]) for call in route.calls]
    assert sizes == [100, 100, 50]
    assert [call.id for call in result.calls] == [ids[0], ids[100], ids[200]]
    assert len(result.not_found) == 247


@respx.mock(base_url=BASE)
def test_create_batch_chunks_more_than_1000_numbers(
    respx_mock: respx.MockRouter, client: Dialtone
) -> None:
    numbers = [f"+1555{n:07d}" for n in range(2500)]

    def answer(request: httpx.Request) -> httpx.Response:
        total = len(json.loads(request.content)["to_numbers"])
        return httpx.Response(
            202, json={"batch_id": str(uuid.uuid4()), "total": total, "status": "queued"}
        )

    route = respx_mock.post("/v1/calls/batch").mock(side_effect=answer)

    batches = client.create_batch(numbers, agent_id="agent-1")

    assert [batch.total for batch in batches] == [1000, 1000, 500]
    sent = [json.loads(call.request.content)["to_numbers"] for call in route.calls]
    assert [n for chunk in sent for n in chunk] == numbers


def test_download_recording_streams_to_disk_without_the_api_key(
    client: Dialtone, tmp_path: Path
) -> None:
    audio = bytes(range(256)) * 1000
    url = "http://bucket.s3.test/recordings/1.wav?X-Amz-Signature=abc"
    seen: list[tuple[int, int | None]] = []
    with respx.mock(assert_all_called=True) as mock:
        mock.get(f"{BASE}/v1/calls/c1/recording").respond(
            200, json={"call_id": "c1", "recording_url": url, "expires_at": "2026-12-01T10:15:00Z"}
        )
        s3 = mock.get(url).respond(200, content=audio, headers={"Content-Length": str(len(audio))})
        path = client.download_recording(
            "c1", tmp_path / "call.wav", progress=lambda done, total: seen.append((done, total))
        )

    assert path.read_bytes() == audio
    assert seen[-1] == (len(audio), len(audio))
    assert len(seen) > 1
    assert "X-API-Key" not in s3.calls.last.request.headers
    assert not (tmp_path / "call.wav.part").exists()


@respx.mock(base_url=BASE)
def test_changes_resume_from_the_saved_cursor(
    respx_mock: respx.MockRouter, client: Dialtone
) -> None:
    def change(n: int) -> dict[str, object]:
        return {
            "sequence": str(n),
            "change": "created",
            "changed_at": "2026-12-01T10:00:00Z",
            "call": _call(n),
        }

    route = respx_mock.get("/v1/calls/changes")
    route.side_effect = [
        httpx.Response(
            200, json={"changes": [change(1), change(2)], "next_cursor": "k2", "has_more": True}
        ),
        httpx.Response(200, json={"changes": [change(3)], "next_cursor": "k3", "has_more": False}),
        httpx.Response(200, json={"changes": [], "next_cursor": "k3", "has_more": False}),
    ]

    feed = client.changes()
    first = next(feed)
    assert first.sequence == "1"
    rest = [c.sequence for c in feed]
    saved = feed.cursor
    again = list(client.changes(cursor=saved))

    assert rest == ["2", "3"]
    assert saved == "k3"
    assert again == []
    assert route.calls.last.request.url.params["cursor"] == "k3"


def test_verify_webhook_accepts_a_signed_delivery_and_refuses_a_tampered_one() -> None:
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = json.dumps({"type": "call.completed", "data": {"call_id": "c1"}})
    signer = Webhook(secret)
    now = datetime.now(UTC)
    headers = {
        "Webhook-Id": "msg_1",
        "Webhook-Timestamp": str(int(now.timestamp())),
        "Webhook-Signature": signer.sign("msg_1", now, body),
    }

    assert dialtone_client.verify_webhook(headers, body, secret)["type"] == "call.completed"
    with pytest.raises(WebhookVerificationError):
        dialtone_client.verify_webhook(headers, body.replace("c1", "c2"), secret)


def test_the_async_client_retries_and_raises_typed_errors(waits: list[float]) -> None:
    # An event loop needs its local self-pipe socket; respx answers every request (none leaves).
    pytest_socket.enable_socket()

    async def scenario() -> tuple[int, int]:
        with respx.mock(base_url=BASE) as mock:
            flaky = mock.get("/v1/calls/ok")
            flaky.side_effect = [httpx.Response(504), httpx.Response(200, json=_call(7))]
            missing = mock.get("/v1/calls/gone").respond(404, json={"detail": "Call not found"})
            async with AsyncDialtone(api_key="k", base_url=BASE) as client:
                call = await client.get_call("ok")
                assert call.id == str(uuid.UUID(int=7))
                with pytest.raises(NotFoundError):
                    await client.get_call("gone")
            return flaky.call_count, missing.call_count

    assert asyncio.run(scenario()) == (2, 1)
    assert len(waits) == 1


def test_a_key_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIALTONE_API_KEY", raising=False)

    with pytest.raises(dialtone_client.DialtoneError, match="API key"):
        Dialtone(base_url=BASE)


def test_an_export_too_large_follows_the_303_without_the_api_key(
    client: Dialtone, tmp_path: Path
) -> None:
    link = "http://bucket.s3.test/exports/calls.csv?X-Amz-Signature=abc"
    with respx.mock(assert_all_called=True) as mock:
        api = mock.get(f"{BASE}/v1/calls/export").respond(303, headers={"Location": link})
        s3 = mock.get(link).respond(200, content=b"id,status\n1,completed\n")

        content = client.export_calls("csv", path=tmp_path / "calls.csv", status="completed")

    assert content == b"id,status\n1,completed\n"
    assert (tmp_path / "calls.csv").read_bytes() == content
    assert api.calls.last.request.url.params["export_format"] == "csv"
    assert api.calls.last.request.url.params["status"] == "completed"
    assert "X-API-Key" not in s3.calls.last.request.headers


@respx.mock(base_url=BASE)
def test_wait_for_batch_polls_until_no_call_is_in_progress(
    respx_mock: respx.MockRouter, client: Dialtone
) -> None:
    def status(queued: int, completed: int, state: str) -> httpx.Response:
        counts = {"queued": queued, "initiated": 0, "completed": completed, "failed": 0}
        body = {"batch_id": "b1", "status": state, "total": 2, "canceled": 0, "calls": []}
        return httpx.Response(200, json={**body, **counts, "created_at": "2026-12-01T10:00:00Z"})

    route = respx_mock.get("/v1/calls/batch/b1")
    route.side_effect = [status(2, 0, "queued"), status(1, 1, "dialing"), status(0, 2, "completed")]
    seen: list[int] = []

    final = client.wait_for_batch(
        "b1", poll_interval=0, progress=lambda b: seen.append(b.completed)
    )

    assert final.completed == 2
    assert seen == [0, 1, 2]
    assert route.call_count == 3


@respx.mock(base_url=BASE)
def test_filters_given_as_strings_and_paging_by_page(
    respx_mock: respx.MockRouter, client: Dialtone
) -> None:
    route = respx_mock.get("/v1/calls").respond(200, json=_page([_call(1)], None))

    client.get_calls(status="completed", order="asc", page=2, page_size=10)

    assert dict(route.calls.last.request.url.params) == {
        "status": "completed",
        "order": "asc",
        "page": "2",
        "page_size": "10",
    }
    with pytest.raises(ValueError, match="sideways"):
        client.get_calls(order="sideways")


def test_the_async_change_feed_keeps_its_cursor() -> None:
    # An event loop needs its local self-pipe socket; respx answers every request (none leaves).
    pytest_socket.enable_socket()
    change = {"sequence": "1", "change": "created", "changed_at": "2026-12-01T10:00:00Z"}

    async def scenario() -> tuple[list[str], str | None, str | None]:
        with respx.mock(base_url=BASE) as mock:
            route = mock.get("/v1/calls/changes")
            route.side_effect = [
                httpx.Response(
                    200,
                    json={
                        "changes": [{**change, "call": _call(1)}],
                        "next_cursor": "k1",
                        "has_more": False,
                    },
                )
            ]
            async with AsyncDialtone(api_key="k", base_url=BASE) as client:
                feed = client.changes(since="2026-12-01T00:00:00Z")
                seen = [c.sequence async for c in feed]
            return seen, feed.cursor, route.calls.last.request.url.params.get("since")

    assert asyncio.run(scenario()) == (["1"], "k1", "2026-12-01T00:00:00Z")
