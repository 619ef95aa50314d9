"""GET /v1/calls/changes over real HTTP on the local stack: the static route reaches the change
feed's function (not `/v1/calls/{call_id}`), answers a page with a cursor to poll with, and
refuses a bad limit."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Client

pytestmark = pytest.mark.e2e


def test_the_change_feed_answers_a_page_and_a_cursor_to_poll_with(api: Client) -> None:
    # When: the feed is read, then polled with the cursor it handed out
    first = api.get("/v1/calls/changes", params={"limit": 5})
    assert first.status_code == 200, first.text
    page = first.json()
    polled = api.get("/v1/calls/changes", params={"cursor": page["next_cursor"]})

    # Then: both are pages of the feed, each with a cursor to go on from
    assert set(page) == {"changes", "next_cursor", "has_more"}
    assert len(page["changes"]) <= 5
    assert polled.status_code == 200, polled.text
    assert polled.json()["next_cursor"]


def test_a_limit_beyond_the_bounds_is_422(api: Client) -> None:
    response = api.get("/v1/calls/changes", params={"limit": 1001})

    assert response.status_code == 422, response.text
    assert [error["loc"] for error in response.json()["detail"]] == [["query", "limit"]]
