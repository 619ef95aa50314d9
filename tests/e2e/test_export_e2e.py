"""GET /v1/calls/export over real HTTP on the local stack: the static route reaches the export
function (not `/v1/calls/{call_id}`), and its attachments hold the demo tenant's completed calls."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.e2e.conftest import Client

pytestmark = pytest.mark.e2e


def completed_ids(api: Client) -> list[str]:
    """The demo tenant's completed calls, newest first, as the list walks them."""
    ids: list[str] = []
    params: dict[str, Any] = {"status": "completed", "limit": 100}
    while True:
        page = api.get("/v1/calls", params=params).json()
        ids += [call["id"] for call in page["calls"]]
        if not page["next_cursor"]:
            return ids
        params = {"status": "completed", "limit": 100, "cursor": page["next_cursor"]}


def test_csv_export_downloads_every_completed_call(api: Client) -> None:
    # When: the CSV export is downloaded
    response = api.get("/v1/calls/export", params={"export_format": "csv"})

    # Then: a dated UTF-8 attachment with a BOM, one row per completed call, newest first
    today = datetime.now(UTC).date().isoformat()
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="calls-export-{today}.csv"'
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:], newline="")))
    assert rows
    assert {row["status"] for row in rows} == {"completed"}
    assert [row["id"] for row in rows] == completed_ids(api)[:1000]


def test_json_export_carries_transcripts(api: Client) -> None:
    # Given: a completed demo call that has a transcript
    recent = api.get("/v1/calls", params={"status": "completed", "limit": 50}).json()["calls"]
    transcripts = (
        (call["id"], api.get(f"/v1/calls/{call['id']}/transcript").json()["exchanges"])
        for call in recent
    )
    call_id, transcript = next((i, t) for i, t in transcripts if t)

    # When: the JSON export is downloaded, searching for that call
    response = api.get("/v1/calls/export", params={"export_format": "json", "search": call_id[:8]})

    # Then: the call with its transcript
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    (call,) = response.json()["calls"]
    assert call["id"] == call_id
    assert call["transcript"] == transcript


def test_export_without_a_format_is_a_422_about_it(api: Client) -> None:
    response = api.get("/v1/calls/export")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "export_format"]
