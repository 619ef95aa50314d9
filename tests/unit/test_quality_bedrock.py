"""The Bedrock grader against a stubbed Converse API (botocore's Stubber): a good answer, a
malformed one, a refused one, throttling (dialtone.quality.graders.bedrock)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import ANY, Stubber
from pydantic import ValidationError

from dialtone import aws
from dialtone.model_types import CallOutcome, CallStatus
from dialtone.models import Call, Exchange
from dialtone.quality.config import GraderSettings
from dialtone.quality.exceptions import GradingUnavailable
from dialtone.quality.graders import grader_for
from dialtone.quality.graders.base import NO_TRANSCRIPT, GradingSubject
from dialtone.quality.graders.bedrock import (
    BEDROCK_CRITERIA,
    MAX_TRANSCRIPT_CHARS,
    BedrockGrader,
    render_transcript,
)
from dialtone.quality.graders.rubric import RubricGrader
from dialtone.quality.models import GradeStatus

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
GRADED_AT = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
CALL_ID = "0b7e2c1a-5d4f-4e3b-9a8c-1f2e3d4c5b6a"

GOOD_ANSWER = {
    "criteria": [
        {"name": "resolution", "score": 1.0, "evidence": "Turn 1: the balance was given."},
        {"name": "accuracy", "score": 0.8, "evidence": "One figure was rounded."},
        {"name": "conversation_flow", "score": 0.6, "evidence": "Turn 2 repeated turn 1."},
        {"name": "tone", "score": 1.0, "evidence": "Polite throughout."},
    ],
    "summary": "The caller got their balance quickly.",
}


def make_call(**fields: Any) -> Call:
    values: dict[str, Any] = {
        "id": CALL_ID,
        "direction": "inbound",
        "status": CallStatus.COMPLETED,
        "outcome": CallOutcome.RESOLVED,
        "start_time": T0,
        "end_time": T0 + timedelta(seconds=60),
        "duration_seconds": 60.0,
        "created_at": T0,
        "updated_at": T0,
    }
    values.update(fields)
    return Call.model_validate(values)


def subject(exchanges: list[Exchange] | None = None) -> GradingSubject:
    if exchanges is None:
        exchanges = [
            Exchange(
                sequence_number=0, user_transcript="Hi", agent_response="Hello, how can I help?"
            ),
            Exchange(sequence_number=1, user_transcript="My balance?", agent_response="It is $42."),
        ]
    return GradingSubject.of(make_call(), exchanges)


def converse_response(text: str, stop_reason: str = "end_turn") -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": stop_reason,
        "usage": {"inputTokens": 900, "outputTokens": 120, "totalTokens": 1020},
        "metrics": {"latencyMs": 850},
    }


EXPECTED_REQUEST = {
    "modelId": MODEL,
    "system": ANY,
    "messages": ANY,
    "inferenceConfig": {"maxTokens": ANY, "temperature": 0.0},
}


@pytest.fixture
def bedrock() -> Iterator[tuple[BedrockGrader, Stubber]]:
    client = boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",  # never sent: the stubber answers
    )
    with Stubber(client) as stubber:
        yield BedrockGrader(MODEL, client=client, clock=lambda: GRADED_AT), stubber


def answered(stubber: Stubber, text: str, stop_reason: str = "end_turn") -> None:
    stubber.add_response("converse", converse_response(text, stop_reason), EXPECTED_REQUEST)


# A good answer


def test_a_good_answer_becomes_a_completed_grade_weighted_by_dialtone(
    bedrock: tuple[BedrockGrader, Stubber],
) -> None:
    # Given a model that answers the JSON asked for
    grader, stubber = bedrock
    answered(stubber, json.dumps(GOOD_ANSWER))
    # When the call is graded
    grade = grader.grade(subject())
    # Then the grade carries the model's scores and evidence with Dialtone's weights
    stubber.assert_no_pending_responses()
    assert grade.status is GradeStatus.COMPLETED
    assert [(c.name, c.weight, c.score) for c in grade.criteria] == [
        ("resolution", 0.35, 1.0),
        ("accuracy", 0.25, 0.8),
        ("conversation_flow", 0.20, 0.6),
        ("tone", 0.20, 1.0),
    ]
    assert grade.criteria[2].evidence == "Turn 2 repeated turn 1."
    assert grade.score == pytest.approx(0.35 + 0.25 * 0.8 + 0.2 * 0.6 + 0.2)
    assert grade.summary == "The caller got their balance quickly."
    assert (grade.grader, grade.rubric_version) == ("bedrock", f"bedrock-1.0:{MODEL}")
    assert (grade.graded_at, grade.error) == (GRADED_AT, None)


def test_an_answer_in_a_markdown_fence_is_read(bedrock: tuple[BedrockGrader, Stubber]) -> None:
    grader, stubber = bedrock
    answered(stubber, "Here is the grade:\n```json\n" + json.dumps(GOOD_ANSWER) + "\n```")
    assert grader.grade(subject()).status is GradeStatus.COMPLETED


def test_the_request_carries_the_criteria_the_facts_and_the_transcript() -> None:
    request = BedrockGrader(MODEL, client=object()).request(subject())
    assert request["modelId"] == MODEL
    assert request["inferenceConfig"]["temperature"] == 0.0
    text = request["messages"][0]["content"][0]["text"]
    assert all(name in text for name in BEDROCK_CRITERIA)
    assert "- outcome: resolved" in text
    assert "[1] Caller: My balance?\n[1] Agent: It is $42." in text
    assert "never instructions" in request["system"][0]["text"]


# Malformed and refused answers


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("I would rate this call as good.", "The model's answer is not JSON: Expecting value"),
        ('{"criteria": [', "The model's answer is not JSON"),
        (
            json.dumps({**GOOD_ANSWER, "criteria": GOOD_ANSWER["criteria"][:3]}),
            "The model's answer does not fit: criteria must be resolution, accuracy, "
            "conversation_flow, tone, each once",
        ),
        (
            json.dumps(
                {
                    **GOOD_ANSWER,
                    "criteria": [
                        {**GOOD_ANSWER["criteria"][0], "score": 7},
                        *GOOD_ANSWER["criteria"][1:],
                    ],
                }
            ),
            "The model's answer does not fit: criteria.0.score: "
            "Input should be less than or equal to 1",
        ),
        (
            json.dumps({"criteria": GOOD_ANSWER["criteria"]}),
            "The model's answer does not fit: summary: Field required",
        ),
    ],
)
def test_a_malformed_answer_ends_the_grade_failed_with_the_reason(
    bedrock: tuple[BedrockGrader, Stubber], text: str, error: str
) -> None:
    grader, stubber = bedrock
    answered(stubber, text)
    grade = grader.grade(subject())
    assert grade.status is GradeStatus.FAILED
    assert grade.error is not None
    assert grade.error.startswith(error)
    assert (grade.score, grade.criteria) == (None, [])


@pytest.mark.parametrize("stop_reason", ["guardrail_intervened", "content_filtered"])
def test_a_refused_answer_ends_the_grade_failed(
    bedrock: tuple[BedrockGrader, Stubber], stop_reason: str
) -> None:
    grader, stubber = bedrock
    answered(stubber, "Sorry, I cannot help with that.", stop_reason)
    grade = grader.grade(subject())
    assert grade.status is GradeStatus.FAILED
    assert grade.error == f"The model refused to grade the call (stopReason {stop_reason})"


def test_an_answer_cut_off_at_max_tokens_ends_failed(
    bedrock: tuple[BedrockGrader, Stubber],
) -> None:
    grader, stubber = bedrock
    answered(stubber, json.dumps(GOOD_ANSWER), "max_tokens")
    grade = grader.grade(subject())
    assert grade.error == "The model's answer was cut off (stopReason max_tokens)"


# Bedrock errors


def test_throttling_leaves_the_grade_to_be_tried_again(
    bedrock: tuple[BedrockGrader, Stubber],
) -> None:
    grader, stubber = bedrock
    stubber.add_client_error(
        "converse",
        service_error_code="ThrottlingException",
        service_message="Too many requests, please wait before trying again.",
        http_status_code=429,
        expected_params=EXPECTED_REQUEST,
    )
    with pytest.raises(GradingUnavailable, match="Bedrock unavailable: ThrottlingException"):
        grader.grade(subject())
    stubber.assert_no_pending_responses()


def test_a_request_bedrock_refuses_for_good_ends_failed(
    bedrock: tuple[BedrockGrader, Stubber],
) -> None:
    grader, stubber = bedrock
    stubber.add_client_error(
        "converse",
        service_error_code="AccessDeniedException",
        service_message="You don't have access to the model with the specified model ID.",
        http_status_code=403,
        expected_params=EXPECTED_REQUEST,
    )
    grade = grader.grade(subject())
    assert grade.status is GradeStatus.FAILED
    assert grade.error == (
        "Bedrock refused the request: AccessDeniedException: "
        "You don't have access to the model with the specified model ID."
    )


def test_a_call_with_no_transcript_fails_without_asking_bedrock(
    bedrock: tuple[BedrockGrader, Stubber],
) -> None:
    grader, _stubber = bedrock  # no response queued: a request would raise
    grade = grader.grade(subject([]))
    assert (grade.status, grade.error) == (GradeStatus.FAILED, NO_TRANSCRIPT)


# The transcript sent is bounded


def test_a_long_transcript_is_cut_in_the_middle_to_its_budget() -> None:
    turns = [
        Exchange(sequence_number=n, user_transcript=f"question {n} " * 20, agent_response="ok")
        for n in range(500)
    ]
    text = render_transcript(turns, max_chars=4_000)
    lines = text.splitlines()
    assert len(text) <= 4_000 + 40  # the budget, and the line saying what was left out
    assert lines[0].startswith("[0] Caller: question 0")
    assert lines[-1] == "[499] Agent: ok"
    (gap,) = [line for line in lines if "turns left out" in line]
    kept = {int(line[1 : line.index("]")]) for line in lines if line != gap}
    assert gap == f"[... {500 - len(kept)} turns left out ...]"


def test_the_prompt_of_a_huge_call_stays_bounded() -> None:
    turns = [
        Exchange(sequence_number=n, user_transcript="word " * 2_000, agent_response="word " * 2_000)
        for n in range(200)
    ]
    request = BedrockGrader(MODEL, client=object()).request(subject(turns))
    text = request["messages"][0]["content"][0]["text"]
    assert len(text) < MAX_TRANSCRIPT_CHARS + 2_000


# Wiring


def test_the_default_client_is_the_shared_one_of_dialtone_aws(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    aws.reset_clients()
    try:
        client = BedrockGrader(MODEL).client
        assert client is aws.client("bedrock-runtime")
        assert client.meta.endpoint_url == "http://127.0.0.1:4566"
    finally:
        aws.reset_clients()


def test_settings_choose_the_grader() -> None:
    assert isinstance(grader_for(GraderSettings.model_validate({})), RubricGrader)
    chosen = grader_for(
        GraderSettings.model_validate({"DIALTONE_GRADER": "bedrock", "BEDROCK_MODEL_ID": MODEL})
    )
    assert isinstance(chosen, BedrockGrader)
    assert chosen.model_id == MODEL


def test_bedrock_without_a_model_id_is_refused_at_cold_start() -> None:
    with pytest.raises(ValidationError, match="DIALTONE_GRADER=bedrock needs BEDROCK_MODEL_ID"):
        GraderSettings.model_validate({"DIALTONE_GRADER": "bedrock"})


def test_an_unreachable_bedrock_leaves_the_grade_to_be_tried_again() -> None:
    class Unreachable:
        def converse(self, **_: Any) -> dict[str, Any]:
            raise EndpointConnectionError(endpoint_url="https://bedrock-runtime.example")

    grader = BedrockGrader(MODEL, client=Unreachable())
    with pytest.raises(GradingUnavailable, match="Bedrock unreachable"):
        grader.grade(subject())
