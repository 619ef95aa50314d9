"""Grading a demo call end to end over real HTTP on the local stack: POST the grade, which
queues it on the template's GradeQueue; the grader's poller hands it to the grader; GET polls
until the grade is given, and the call and the issue report routes show it."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from local.pollers import wait_until
from local.stack import LocalStack

pytestmark = pytest.mark.e2e


def _request(stack: LocalStack, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"X-API-Key": stack.info["api_key"]}
    url = f"{stack.info['api_url']}{path}"
    return requests.request(method, url, headers=headers, timeout=30, **kwargs)


def test_a_demo_call_is_graded_through_the_queue(local_stack: LocalStack) -> None:
    # Given a completed demo call with a transcript
    listed = _request(local_stack, "GET", "/v1/calls", params={"status": "completed"})
    assert listed.status_code == 200
    call_id = next(
        call["id"]
        for call in listed.json()["calls"]
        if _request(local_stack, "GET", f"/v1/calls/{call['id']}/transcript").json()["exchanges"]
    )
    # When a grade is asked for
    asked = _request(local_stack, "POST", f"/v1/calls/{call_id}/grade", params={"force": "true"})
    assert asked.status_code == 200
    assert asked.json()["status"] == "pending"
    # Then the grader gives it, through the queue
    grade: dict[str, Any] = {}

    def graded() -> bool:
        grade.update(_request(local_stack, "GET", f"/v1/calls/{call_id}/grade").json())
        return grade.get("status") != "pending"

    assert wait_until(graded, timeout=30), grade
    assert grade["status"] == "completed"
    assert 0.0 <= grade["score"] <= 1.0
    assert grade["grader"] == "rubric"
    call = _request(local_stack, "GET", f"/v1/calls/{call_id}").json()
    assert (call["grade_status"], call["grade_score"]) == ("completed", grade["score"])
    # And an issue report filed on it is counted and in the tenant's feed
    filed = _request(
        local_stack,
        "POST",
        f"/v1/calls/{call_id}/issue-reports",
        json={"title": "Agent talked over the caller", "severity": "warning"},
    )
    assert filed.status_code == 201
    feed = _request(local_stack, "GET", "/v1/issue-reports", params={"severity": "warning"})
    assert filed.json()["id"] in [r["id"] for r in feed.json()["issue_reports"]]
    after = _request(local_stack, "GET", f"/v1/calls/{call_id}").json()
    assert after["issue_count"] == call["issue_count"] + 1
