"""A transcript or history larger than one response: pages (`limit`, `cursor`) that each fit
Lambda's 6 MB response, gzip for a client that accepts it, never a 5xx."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone import calls
from dialtone.auth import Scope
from dialtone.models import Exchange, HistoryEvent, HistoryEventType, apply_patches
from dialtone.store import event_sk
from local.invoke import api_event, invoke

# What Lambda returns synchronously at most; API Gateway answers 500 beyond it.
LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024
T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
# Quotes, backslashes and non-ASCII text take several bytes each in Lambda's response.
LINE = 'She said "fine" \\ ok \u2013 café 日本 ' * 70


def read(
    authorizer: dict[str, str],
    call_id: str,
    suffix: str = "transcript",
    headers: dict[str, str] | None = None,
    **query: str,
) -> dict[str, Any]:
    function = "get_call_transcript" if suffix == "transcript" else "get_call_history"
    event = api_event(
        function,
        f"GET /v1/calls/{{call_id}}/{suffix}",
        f"/v1/calls/{call_id}/{suffix}",
        query=query,
        path_parameters={"call_id": call_id},
        authorizer=authorizer,
        headers=headers,
    )
    return invoke(function, event)


def get_call(authorizer: dict[str, str], call_id: str, **query: str) -> dict[str, Any]:
    event = api_event(
        "get_call",
        "GET /v1/calls/{call_id}",
        f"/v1/calls/{call_id}",
        query=query,
        path_parameters={"call_id": call_id},
        authorizer=authorizer,
    )
    return invoke("get_call", event)


def text_of(result: dict[str, Any]) -> str:
    """The body as the client reads it: decompressed when it came gzip-compressed."""
    raw = result["body"]
    if result.get("isBase64Encoded"):
        data = base64.b64decode(raw)
        headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
        assert headers.get("content-encoding") == "gzip"
        return gzip.decompress(data).decode("utf-8")
    return str(raw)


def fits(result: dict[str, Any]) -> bool:
    """Whether Lambda can return this result (its JSON as the runtime writes it)."""
    return len(json.dumps(result)) < LAMBDA_RESPONSE_LIMIT


def all_pages(
    authorizer: dict[str, str], call_id: str, key: str, suffix: str = "transcript", **query: str
) -> tuple[list[Any], int]:
    """Every item of every page, following `next_cursor`, and how many pages there were."""
    items: list[Any] = []
    cursor: str | None = None
    pages = 0
    while True:
        extra = {"cursor": cursor} if cursor else {}
        result = read(authorizer, call_id, suffix, **query, **extra)
        assert result["statusCode"] == 200, result["body"][:300]
        assert fits(result)
        page = json.loads(text_of(result))
        items.extend(page[key])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return items, pages


def exchanges(count: int, text: str = LINE) -> list[Exchange]:
    return [
        Exchange(
            sequence_number=n,
            user_transcript=f"{n}: {text}",
            agent_response=f"{n}: {text}",
            exchange_timestamp=T0 + timedelta(seconds=10 * n),
        )
        for n in range(count)
    ]


@pytest.fixture(scope="module")
def big_transcript() -> list[Exchange]:
    # 1,400 exchanges of ~4.6 KB of text each: over 6 MB as JSON, more once escaped.
    return exchanges(1400)


@pytest.fixture
def big_call(tenant: Any, big_transcript: list[Exchange]) -> Any:
    call = tenant.add_call(start_time=T0, exchanges=big_transcript)
    size = sum(len(e.model_dump_json()) for e in big_transcript)
    assert size > LAMBDA_RESPONSE_LIMIT
    return call


# Exchanges


def test_a_transcript_larger_than_a_response_is_paged_and_each_page_fits(
    tenant: Any, big_call: Any
) -> None:
    # Given: a call whose transcript is larger than Lambda's 6 MB response
    reader = tenant.authorizer(Scope.CALLS_READ)

    # When: the client reads it without a limit, then follows next_cursor
    first = read(reader, big_call.id)
    items, pages = all_pages(reader, big_call.id, "exchanges")

    # Then: the first page is 200 and fits, with a cursor; all pages give every exchange
    # exactly once, in order
    assert first["statusCode"] == 200
    assert fits(first)
    assert json.loads(first["body"])["next_cursor"]
    assert pages >= 2
    assert [e["sequence_number"] for e in items] == list(range(1400))
    assert items[7]["user_transcript"] == f"7: {LINE}"


def test_a_limit_pages_by_count(tenant: Any) -> None:
    # Given: a call of 25 exchanges
    call = tenant.add_call(start_time=T0, exchanges=exchanges(25, "hello"))
    reader = tenant.authorizer(Scope.CALLS_READ)

    # When: it is read 10 at a time
    first = json.loads(read(reader, call.id, limit="10")["body"])
    items, pages = all_pages(reader, call.id, "exchanges", limit="10")

    # Then: pages of 10, 10 and 5, every exchange once, the last page without a cursor
    assert [e["sequence_number"] for e in first["exchanges"]] == list(range(10))
    assert pages == 3
    assert [e["sequence_number"] for e in items] == list(range(25))


def test_a_transcript_that_ends_at_the_limit_has_no_empty_last_page(tenant: Any) -> None:
    call = tenant.add_call(start_time=T0, exchanges=exchanges(10, "hello"))
    reader = tenant.authorizer(Scope.CALLS_READ)

    page = json.loads(read(reader, call.id, limit="10")["body"])

    assert len(page["exchanges"]) == 10
    assert page["next_cursor"] is None


def test_a_large_page_comes_gzip_compressed_when_the_client_accepts_it(tenant: Any) -> None:
    call = tenant.add_call(start_time=T0, exchanges=exchanges(100))
    reader = tenant.authorizer(Scope.CALLS_READ)

    plain = read(reader, call.id)
    packed = read(reader, call.id, headers={"Accept-Encoding": "gzip, deflate"})

    assert packed["statusCode"] == 200
    assert packed["isBase64Encoded"] is True
    assert packed["headers"]["Content-Encoding"] == "gzip"
    assert len(packed["body"]) < len(plain["body"]) / 3
    page, unpacked = json.loads(plain["body"]), json.loads(text_of(packed))
    # The same page (each cursor is signed anew, so only its position is compared).
    assert unpacked["exchanges"] == page["exchanges"]
    assert "Content-Encoding" not in plain["headers"]


def test_a_small_answer_is_not_compressed(tenant: Any) -> None:
    call = tenant.add_call(start_time=T0, exchanges=exchanges(2, "hi"))
    result = read(tenant.authorizer(Scope.CALLS_READ), call.id, headers={"Accept-Encoding": "gzip"})

    assert result["statusCode"] == 200
    assert not result.get("isBase64Encoded")
    assert len(json.loads(result["body"])["exchanges"]) == 2


# Turns


def tool_events(count: int) -> list[HistoryEvent]:
    """A tool call and its answer every few exchanges, and a patch of the first call."""
    events = []
    for n in range(count):
        moment = T0 + timedelta(seconds=35 * n + 3)
        events.append(
            HistoryEvent(
                event_id=f"call-{n}",
                type=HistoryEventType.FUNCTION_CALL,
                timestamp=moment,
                name="lookup",
                arguments={"n": n},
            )
        )
        events.append(
            HistoryEvent(
                event_id=f"answer-{n}",
                type=HistoryEventType.FUNCTION_RESPONSE,
                timestamp=moment + timedelta(milliseconds=400),
                name="lookup",
                result={"found": n},
            )
        )
    events.append(
        HistoryEvent(
            event_id="patch-0",
            type=HistoryEventType.PATCH,
            timestamp=T0 + timedelta(hours=2),
            target_event_id="call-0",
            changes={"arguments": {"n": "corrected"}},
        )
    )
    return events


def store_events(tenant: Any, call_id: str, events: list[HistoryEvent]) -> None:
    tenant.store.append_children(
        tenant.tenant_id,
        call_id,
        [(event_sk(e.event_id), e.model_dump(mode="json")) for e in events],
    )


@pytest.mark.parametrize("limit", ["1", "3", "7", "1000"])
def test_turns_in_pages_are_the_turns_of_the_whole_call(tenant: Any, limit: str) -> None:
    # Given: a call of 30 exchanges with tool calls between them, one of them patched, and a
    # tool call after the last speech
    spoken = exchanges(30, "words")
    call = tenant.add_call(start_time=T0, exchanges=spoken)
    events = tool_events(10)
    events.append(
        HistoryEvent(
            event_id="late",
            type=HistoryEventType.FUNCTION_CALL,
            timestamp=T0 + timedelta(hours=1),
            name="wrap_up",
            arguments={},
        )
    )
    store_events(tenant, call.id, events)

    # When: the turns are read `limit` exchanges at a time
    items, _ = all_pages(
        tenant.authorizer(Scope.CALLS_READ), call.id, "turns", format="turns", limit=limit
    )

    # Then: they are exactly the turns of the whole call, in the same order
    ordered = sorted(events, key=lambda e: (e.timestamp, e.event_id))
    expected = calls.to_turns(call, spoken, apply_patches(ordered))
    assert items == [json.loads(t.model_dump_json()) for t in expected]
    assert items[-1]["content"] == "{}"
    assert any('"corrected"' in t["content"] for t in items)


def test_turns_of_a_large_transcript_fit_each_page(tenant: Any, big_call: Any) -> None:
    items, pages = all_pages(
        tenant.authorizer(Scope.CALLS_READ), big_call.id, "turns", format="turns"
    )

    assert pages >= 2
    assert len(items) == 2 * 1400
    assert [t["content"].split(":")[0] for t in items[::2]] == [str(n) for n in range(1400)]


# Captions


def test_captions_larger_than_a_response_come_compressed(tenant: Any, big_call: Any) -> None:
    reader = tenant.authorizer(Scope.CALLS_READ)

    # When: a player that accepts gzip (every browser does) asks for the captions
    result = read(reader, big_call.id, headers={"Accept-Encoding": "gzip"}, format="vtt")

    # Then: the whole caption file, compressed, in one response that fits
    assert result["statusCode"] == 200
    assert fits(result)
    assert result["headers"]["Content-Type"].startswith("text/vtt")
    captions = text_of(result)
    assert captions.startswith("WEBVTT")
    assert f"\n{2 * 1400}\n" in captions


def test_captions_too_large_without_compression_are_a_413_not_a_5xx(
    tenant: Any, big_call: Any
) -> None:
    result = read(tenant.authorizer(Scope.CALLS_READ), big_call.id, format="vtt")

    assert result["statusCode"] == 413
    assert "Accept-Encoding: gzip" in json.loads(result["body"])["detail"]


# History


def test_history_in_pages_is_the_whole_history_in_time_order(tenant: Any) -> None:
    # Given: a call with 41 events (one a patch), stored in no particular order
    call = tenant.add_call(start_time=T0)
    events = tool_events(20)
    store_events(tenant, call.id, events)
    reader = tenant.authorizer(Scope.CALLS_READ)

    # When: the history is read 6 events at a time
    items, pages = all_pages(reader, call.id, "events", suffix="history", limit="6")
    whole = json.loads(read(reader, call.id, suffix="history")["body"])

    # Then: every event once, in time order, patched, as the unpaged answer gives them
    assert pages == 7
    assert items == whole["events"]
    assert whole["next_cursor"] is None
    assert [e["event_id"] for e in items][:3] == ["call-0", "answer-0", "call-1"]
    assert items[0]["arguments"] == {"n": "corrected"}


def test_a_history_larger_than_a_response_is_paged(tenant: Any) -> None:
    call = tenant.add_call(start_time=T0)
    events = [
        HistoryEvent(
            event_id=f"e{n:05d}",
            type=HistoryEventType.COMPLETION,
            timestamp=T0 + timedelta(seconds=n),
            text=LINE * 2,
        )
        for n in range(1000)
    ]
    store_events(tenant, call.id, events)

    items, pages = all_pages(tenant.authorizer(Scope.CALLS_READ), call.id, "events", "history")

    assert pages >= 2
    assert [e["event_id"] for e in items] == [e.event_id for e in events]


# A call with its transcript


def test_a_call_with_a_large_transcript_shows_what_fits_and_says_so(
    tenant: Any, big_call: Any
) -> None:
    result = get_call(tenant.authorizer(Scope.CALLS_READ), big_call.id, include="transcript")

    assert result["statusCode"] == 200
    assert fits(result)
    shown = json.loads(result["body"])
    assert shown["transcript_truncated"] is True
    numbers = [e["sequence_number"] for e in shown["transcript"]]
    assert numbers == list(range(len(numbers)))
    assert 100 < len(numbers) < 1400


def test_a_call_with_a_small_transcript_shows_it_whole(tenant: Any) -> None:
    call = tenant.add_call(start_time=T0, exchanges=exchanges(3, "hi"))

    shown = json.loads(
        get_call(tenant.authorizer(Scope.CALLS_READ), call.id, include="transcript")["body"]
    )

    assert shown["transcript_truncated"] is False
    assert [e["sequence_number"] for e in shown["transcript"]] == [0, 1, 2]


# Bad cursors and limits


def next_cursor(tenant: Any, call_id: str, suffix: str = "transcript", **query: str) -> str:
    page = json.loads(read(tenant.authorizer(Scope.CALLS_READ), call_id, suffix, **query)["body"])
    cursor: str = page["next_cursor"]
    assert cursor
    return cursor


@pytest.fixture
def paged_call(tenant: Any) -> Any:
    call = tenant.add_call(start_time=T0, exchanges=exchanges(5, "hi"))
    store_events(tenant, call.id, tool_events(3))
    return call


@pytest.mark.parametrize(
    ("suffix", "query"),
    [
        ("transcript", {}),
        ("transcript", {"format": "turns"}),
        ("history", {}),
    ],
)
def test_a_forged_or_foreign_cursor_is_refused(
    tenant: Any, make_tenant: Any, paged_call: Any, suffix: str, query: dict[str, str]
) -> None:
    reader = tenant.authorizer(Scope.CALLS_READ)
    cursor = next_cursor(tenant, paged_call.id, suffix, limit="2", **query)
    other_call = tenant.add_call(start_time=T0, exchanges=exchanges(5, "hi"))
    store_events(tenant, other_call.id, tool_events(3))
    other = make_tenant(seed=11)
    theirs = other.add_call(id=paged_call.id, start_time=T0, exchanges=exchanges(5, "x"))
    assert theirs.id == paged_call.id

    refusals = {
        "forged": read(reader, paged_call.id, suffix, cursor="forged.cursor", **query),
        "edited": read(reader, paged_call.id, suffix, cursor="x" + cursor, **query),
        "another call": read(reader, other_call.id, suffix, cursor=cursor, **query),
        "another tenant": read(
            other.authorizer(Scope.CALLS_READ), paged_call.id, suffix, cursor=cursor, **query
        ),
    }

    for case, result in refusals.items():
        assert (case, result["statusCode"], json.loads(result["body"])) == (
            case,
            400,
            {"detail": "Invalid cursor"},
        )


def test_a_cursor_of_one_format_is_refused_by_another(tenant: Any, paged_call: Any) -> None:
    cursor = next_cursor(tenant, paged_call.id, limit="2")

    result = read(tenant.authorizer(Scope.CALLS_READ), paged_call.id, format="turns", cursor=cursor)

    assert result["statusCode"] == 400


@pytest.mark.parametrize("suffix", ["transcript", "history"])
@pytest.mark.parametrize("limit", ["0", "1001", "-1", "many"])
def test_a_limit_out_of_range_is_a_422(
    tenant: Any, paged_call: Any, suffix: str, limit: str
) -> None:
    result = read(tenant.authorizer(Scope.CALLS_READ), paged_call.id, suffix, limit=limit)

    assert result["statusCode"] == 422
    assert [e["loc"] for e in json.loads(result["body"])["detail"]] == [["query", "limit"]]


class CountingClient:
    """A DynamoDB client that counts the items its Queries read."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.read = 0

    def query(self, **request: Any) -> Any:
        response = self.client.query(**request)
        self.read += response["ScannedCount"]
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def test_a_page_of_exchanges_reads_only_itself_and_one_more(
    tenant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given: a call of 300 exchanges, and the cursor of its first page of 10
    call = tenant.add_call(start_time=T0, exchanges=exchanges(300, "hello"))
    reader = tenant.authorizer(Scope.CALLS_READ)
    cursor = next_cursor(tenant, call.id, limit="10")
    store = calls.paged_reader().store
    counting = CountingClient(store.dynamodb)
    monkeypatch.setattr(store, "_dynamodb", counting)

    # When: the second page is read
    page = json.loads(read(reader, call.id, limit="10", cursor=cursor)["body"])

    # Then: exchanges 10-19, from 11 items read
    assert [e["sequence_number"] for e in page["exchanges"]] == list(range(10, 20))
    assert counting.read == 11
