"""Answers that grow with the data, over real HTTP on the local stack: a transcript read in
pages and gzip-compressed, captions compressed, the agents list cursor-paged."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from dialtone.accounts import AccountStore
from dialtone.auth import Scope
from dialtone.store import CallStore
from local.stack import LocalStack

pytestmark = pytest.mark.e2e

START = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
WORDS = "Could you tell me more about the delivery options for my order, please? " * 8


class Http:
    """Requests to the local stack's API with one key."""

    def __init__(self, base_url: str, key: str) -> None:
        self.base_url = base_url
        self.key = key

    def __call__(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"X-API-Key": self.key, **kwargs.pop("headers", {})}
        return requests.request(method, self.base_url + path, headers=headers, timeout=60, **kwargs)


@pytest.fixture
def call_id(local_stack: LocalStack) -> Iterator[str]:
    call_id = str(uuid.uuid4())
    yield call_id
    CallStore(
        local_stack.info["calls_table"], dynamodb=local_stack.aws.session().client("dynamodb")
    ).delete_call_items(local_stack.info["tenant_id"], call_id)


def exchange(n: int) -> dict[str, Any]:
    moment = START + timedelta(seconds=12 * n)
    return {
        "sequence_number": n,
        "user_transcript": f"{n}: {WORDS}",
        "agent_response": f"{n}: {WORDS}",
        "exchange_timestamp": moment.isoformat().replace("+00:00", "Z"),
    }


def test_a_long_transcript_comes_in_compressed_pages(local_stack: LocalStack, call_id: str) -> None:
    info = local_stack.info
    accounts = AccountStore(
        info["accounts_table"], dynamodb=local_stack.aws.session().client("dynamodb")
    )
    runtime = Http(
        info["api_url"],
        accounts.create_key(
            info["tenant_id"], (Scope.CALLS_INGEST, Scope.CALLS_READ), name="e2e pages"
        ).plaintext,
    )
    path = f"/v1/calls/{call_id}"

    # Given: a call with 240 exchanges of about 1.2 KB each
    created = runtime(
        "PUT",
        path,
        json={"direction": "web", "start_time": START.isoformat().replace("+00:00", "Z")},
    )
    assert created.status_code == 201, created.text
    for first in range(0, 240, 80):
        piece = [exchange(n) for n in range(first, first + 80)]
        sent = runtime("POST", f"{path}/exchanges", json={"exchanges": piece})
        assert sent.status_code in (200, 201), sent.text

    # When: it is read 100 exchanges at a time by a client that accepts gzip, then whole by
    # one that does not
    numbers: list[int] = []
    cursor: str | None = None
    encodings = []
    while True:
        page = runtime(
            "GET",
            f"{path}/transcript",
            params={"limit": 100, **({"cursor": cursor} if cursor else {})},
            headers={"Accept-Encoding": "gzip"},
        )
        assert page.status_code == 200, page.text
        encodings.append(page.headers.get("Content-Encoding"))
        numbers += [e["sequence_number"] for e in page.json()["exchanges"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    plain = runtime("GET", f"{path}/transcript", headers={"Accept-Encoding": "identity"})
    captions = runtime(
        "GET", f"{path}/transcript", params={"format": "vtt"}, headers={"Accept-Encoding": "gzip"}
    )

    # Then: three compressed pages with every exchange once, in order; the same exchanges
    # whole and plain; the captions compressed
    assert numbers == list(range(240))
    assert encodings == ["gzip", "gzip", "gzip"]
    assert plain.headers.get("Content-Encoding") is None
    assert [e["sequence_number"] for e in plain.json()["exchanges"]] == numbers
    assert plain.json()["next_cursor"] is None
    assert captions.status_code == 200
    assert captions.headers.get("Content-Encoding") == "gzip"
    assert captions.text.startswith("WEBVTT")
    assert captions.text.count(" --> ") == 480


@pytest.fixture
def three_agents(local_stack: LocalStack) -> Iterator[list[str]]:
    """Three agents of the demo tenant, removed afterwards."""
    api = Http(local_stack.info["api_url"], local_stack.info["api_key"])
    ids = [f"pages-e2e-{n}" for n in range(3)]
    for agent_id in ids:
        agent = {
            "agent_id": agent_id,
            "name": agent_id,
            "connection": {"type": "media_stream", "url": "wss://voice.example.com/a"},
        }
        assert api("POST", "/v1/agents", json=agent).status_code == 201
    yield ids
    for agent_id in ids:
        api("DELETE", f"/v1/agents/{agent_id}")


def test_the_agents_list_is_cursor_paged(local_stack: LocalStack, three_agents: list[str]) -> None:
    api = Http(local_stack.info["api_url"], local_stack.info["api_key"])
    whole = api("GET", "/v1/agents", params={"limit": 100}).json()
    assert set(three_agents) <= {a["agent_id"] for a in whole["agents"]}
    assert whole["next_cursor"] is None

    ids: list[str] = []
    cursor: str | None = None
    while True:
        page = api(
            "GET", "/v1/agents", params={"limit": 1, **({"cursor": cursor} if cursor else {})}
        )
        assert page.status_code == 200, page.text
        assert len(page.json()["agents"]) == 1
        ids += [a["agent_id"] for a in page.json()["agents"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break

    assert ids == [a["agent_id"] for a in whole["agents"]]
    assert api("GET", "/v1/agents", params={"cursor": "forged.cursor"}).status_code == 400
    assert api("GET", "/v1/suppressions", params={"limit": 0}).status_code == 422
