"""The web console (console/) in headless Chromium against the local stack, and the API's CORS.

One browser for the module; each test signs in on a fresh page and leaves a screenshot of the
page it ends on in tests/e2e/artifacts/ (ignored by git).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from local.stack import LocalStack

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).parent / "artifacts"
# Debian's chromium (`make browser` installs it): Playwright cannot download its own here.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--autoplay-policy=no-user-gesture-required",
]
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: `make browser` installs it")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def console(browser: Any, local_stack: LocalStack) -> Iterator[Any]:
    """A page of the console, signed in with the demo key."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{local_stack.info['api_url']}/console/")
    page.get_by_label("API key").fill(local_stack.info["api_key"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Calls").wait_for()
    yield page
    context.close()


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def api_get(stack: LocalStack, path: str, **params: Any) -> Any:
    response = requests.get(
        f"{stack.info['api_url']}{path}",
        params=params,
        headers={"X-API-Key": stack.info["api_key"]},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def test_console_is_served_beside_the_api(local_stack: LocalStack) -> None:
    url = local_stack.info["api_url"]

    # When the console's folder, one of its modules and a missing file are asked for
    bare = requests.get(f"{url}/console", timeout=30, allow_redirects=False)
    index = requests.get(f"{url}/console/", timeout=30)
    module = requests.get(f"{url}/console/js/app.js", timeout=30)
    missing = requests.get(f"{url}/console/nothing.js", timeout=30)

    # Then the index and its modules are served, with no key, and the API still answers
    assert bare.status_code == 301
    assert bare.headers["Location"].endswith("/console/")
    assert index.status_code == 200
    assert index.headers["Content-Type"].startswith("text/html")
    assert 'src="js/app.js"' in index.text
    assert module.status_code == 200
    assert "javascript" in module.headers["Content-Type"]
    assert missing.status_code == 404
    assert api_get(local_stack, "/v1/calls", limit=1)["calls"]


def test_a_browser_on_another_origin_may_call_the_api(local_stack: LocalStack) -> None:
    url = local_stack.info["api_url"]
    origin = "http://console.example.test"

    # When a browser asks before calling with the key, then calls
    preflight = requests.options(
        f"{url}/v1/calls",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-api-key",
        },
        timeout=30,
    )
    call = requests.get(
        f"{url}/v1/calls",
        params={"limit": 1},
        headers={"Origin": origin, "X-API-Key": local_stack.info["api_key"]},
        timeout=30,
    )
    no_origin = requests.get(
        f"{url}/v1/calls",
        params={"limit": 1},
        headers={"X-API-Key": local_stack.info["api_key"]},
        timeout=30,
    )

    # Then the preflight is answered without a key, allowing the template's headers
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] in (origin, "*")
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower().split(",")
    assert {"x-api-key", "authorization", "content-type", "idempotency-key"} <= set(allowed)
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    # And the answer carries the origin and the headers the console may read
    assert call.status_code == 200
    assert call.headers["Access-Control-Allow-Origin"] in (origin, "*")
    assert "Location" in call.headers["Access-Control-Expose-Headers"]
    # And a request from no browser gets no CORS headers
    assert "Access-Control-Allow-Origin" not in no_origin.headers


def test_sign_in_and_filter_the_calls(browser: Any, local_stack: LocalStack) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{local_stack.info['api_url']}/console/")

    # When a wrong key is given
    page.get_by_label("API key").fill("dt_wrong_key")
    page.get_by_role("button", name="Sign in").click()

    # Then it is refused, and nothing is kept
    page.get_by_role("alert").filter(has_text="refused").wait_for()
    assert page.evaluate("sessionStorage.getItem('dialtone.apiKey')") is None

    # When the demo key is given, and the list filtered to completed calls
    page.get_by_label("API key").fill(local_stack.info["api_key"])
    page.get_by_role("button", name="Sign in").click()
    page.locator("#calls-table").wait_for()
    page.get_by_label("Status").select_option("completed")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"status=completed"))
    page.locator("#calls-table tbody tr").first.wait_for()

    # Then the key is in this tab's session storage only, and every row is a completed call
    assert page.evaluate("sessionStorage.getItem('dialtone.apiKey')") == local_stack.info["api_key"]
    assert page.evaluate("localStorage.length") == 0
    statuses = page.locator("#calls-table tbody tr td:nth-child(2)").all_inner_texts()
    expected = api_get(local_stack, "/v1/calls", status="completed", limit=25)
    assert expected["calls"]
    assert statuses
    assert set(statuses) == {"completed"}
    assert len(statuses) == len(expected["calls"])
    # (the total comes from rollups that still count the suite's calls: a number, not a fixed one)
    matched = re.match(r"(\d+) calls? match", page.locator("#calls-summary").inner_text())
    assert matched is not None
    assert int(matched.group(1)) >= len(statuses)
    screenshot(page, "calls")
    context.close()


def test_call_page_plays_the_recording_and_files_an_issue(
    console: Any, local_stack: LocalStack
) -> None:
    call_id = local_stack.info["example_call_id"]
    call = api_get(local_stack, f"/v1/calls/{call_id}")

    # When the example call is opened from the list, and its recording played
    console.goto(f"{local_stack.info['api_url']}/console/#/calls/{call_id}")
    audio = console.locator("audio#recording")
    audio.wait_for()
    console.wait_for_function("document.querySelector('audio#recording').readyState >= 1")
    audio.evaluate(
        "a => { a.addEventListener('playing', () => { a.dataset.played = 'yes'; }); a.play(); }"
    )

    # Then it plays, lasts as long as the call's recording, and the transcript follows it
    console.wait_for_function("document.querySelector('audio#recording').dataset.played")
    duration = audio.evaluate("a => a.duration")
    assert duration == pytest.approx(call["recording_duration_seconds"], abs=0.1)
    console.locator("ol.transcript li.active").first.wait_for()
    screenshot(console, "call")

    # When an issue is reported from the page
    console.get_by_label("Title").fill("Agent talked over the caller")
    console.get_by_label("Severity").select_option("critical")
    console.get_by_label("Category").select_option("interrupted_caller")
    console.get_by_role("button", name="Report issue").click()

    # Then it is listed on the page and stored by the API
    console.locator("#issue-reports").get_by_text("Agent talked over the caller").wait_for()
    reports = api_get(local_stack, f"/v1/calls/{call_id}/issue-reports")["issue_reports"]
    filed = [r for r in reports if r["title"] == "Agent talked over the caller"]
    assert filed
    assert filed[0]["severity"] == "critical"
    assert filed[0]["category"] == "interrupted_caller"


def test_stats_batches_and_webhooks_pages(console: Any, local_stack: LocalStack) -> None:
    url = local_stack.info["api_url"]

    # When the stats page is opened
    console.goto(f"{url}/console/#/stats")

    # Then calls per day are drawn by status, as many as the API counts
    chart = console.locator("#chart-calls-per-day-by-status")
    chart.wait_for()
    assert chart.locator("svg rect").count() > 0
    # (the console's default range: the last 30 days, by UTC date)
    today = datetime.now(UTC).date()
    stats = api_get(
        local_stack,
        "/v1/calls/stats",
        start_date=(today - timedelta(days=29)).isoformat(),
        end_date=today.isoformat(),
    )
    calls_figure = console.locator(".figure").filter(has_text="calls").first
    assert calls_figure.locator(".value").inner_text() == str(stats["summary"]["calls"])
    assert console.locator("figure.chart").count() == 3
    screenshot(console, "stats")

    # And the batch and webhook pages open
    console.get_by_role("link", name="Batches").click()
    console.get_by_role("heading", name="Start a batch").wait_for()
    screenshot(console, "batches")
    console.get_by_role("link", name="Webhooks").click()
    console.get_by_role("heading", name="Add a webhook").wait_for()
    screenshot(console, "webhooks")
