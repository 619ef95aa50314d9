"""Grading through the handlers: POST /v1/calls/{call_id}/grade stores a pending grade and
queues it on the stack's GradeQueue; the message read from that queue is handed to
functions/grader as an SQS event; GET .../grade and the call then show the outcome. The rubric
by default, Bedrock (stubbed with botocore's Stubber) when the deployment names a model; the
issue report a low grade files; redelivery, force, freshness, scopes and other tenants."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from dialtone import aws, settings
from dialtone.accounts import AccountStore, TenantSettingsUpdate
from dialtone.auth import Scope
from dialtone.model_types import CallOutcome, CallStatus
from dialtone.quality.graders.base import GradingSubject
from dialtone.quality.graders.rubric import RubricGrader
from dialtone.quality.store import GRADE_SK, QualityStore
from dialtone.store import CallStore, call_pk
from local.endpoint import REGION, EmbeddedAws
from local.invoke import invoke
from local.pollers import sqs_record
from local.seed import make_exchanges
from tests.call_routes import body, call_route
from tests.crash_points import Killed, aws_requests
from tests.tenants import TenantFixture

GRADE = "POST /v1/calls/{call_id}/grade"
GET_GRADE = "GET /v1/calls/{call_id}/grade"
REPORTS = "GET /v1/calls/{call_id}/issue-reports"
MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:123456789012:dialtone-GradeQueue"


@dataclass
class GradeQueue:
    """The stack's GradeQueue, read as the grader's event source mapping reads it; every
    message received is deleted and kept by the call it names. Tests' tenants draw the same
    call ids from the same seeds, so what earlier tests left in the queue is dropped first."""

    sqs: Any
    url: str
    by_call: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def take(self, call_id: str) -> list[dict[str, Any]]:
        """The messages queued for the call since the last take."""
        while True:
            messages = self.sqs.receive_message(
                QueueUrl=self.url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=0,
                MessageSystemAttributeNames=["All"],
            ).get("Messages", [])
            if not messages:
                break
            for message in messages:
                self.by_call[json.loads(message["Body"]).get("call_id", "")].append(message)
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        return self.by_call.pop(call_id, [])


@pytest.fixture
def grade_queue(embedded_aws: EmbeddedAws, handler_environment: dict[str, str]) -> GradeQueue:
    queue = GradeQueue(embedded_aws.session().client("sqs"), handler_environment["GRADE_QUEUE_URL"])
    queue.take("")
    queue.by_call.clear()
    return queue


def run_grader(*messages: dict[str, Any]) -> dict[str, Any]:
    """The grader's answer to one SQS event of these messages."""
    return invoke("grader", {"Records": [sqs_record(m, QUEUE_ARN, REGION) for m in messages]})


def request_grade(tenant: TenantFixture, call_id: str, **query: str) -> dict[str, Any]:
    return call_route(
        "grade_call", GRADE, call_id, tenant.authorizer(Scope.CALLS_WRITE), query=query or None
    )


def read_grade(tenant: TenantFixture, call_id: str) -> dict[str, Any]:
    return call_route("get_call_grade", GET_GRADE, call_id, tenant.authorizer(Scope.CALLS_READ))


def read_call(tenant: TenantFixture, call_id: str) -> dict[str, Any]:
    result = call_route(
        "get_call", "GET /v1/calls/{call_id}", call_id, tenant.authorizer(Scope.CALLS_READ)
    )
    assert result["statusCode"] == 200
    call: dict[str, Any] = body(result)
    return call


def call_reports(tenant: TenantFixture, call_id: str) -> list[dict[str, Any]]:
    result = call_route(
        "list_call_issue_reports", REPORTS, call_id, tenant.authorizer(Scope.CALLS_READ)
    )
    assert result["statusCode"] == 200
    reports: list[dict[str, Any]] = body(result)["issue_reports"]
    return reports


def graded_call(tenant: TenantFixture, turns: int = 6, poor: bool = False) -> str:
    """A completed call with a transcript of `turns` exchanges: resolved, or (`poor`) left
    unresolved after an error in every other turn, which the rubric scores below 0.6."""
    outcome = CallOutcome.UNRESOLVED if poor else CallOutcome.RESOLVED
    call = tenant.add_call(status=CallStatus.COMPLETED, outcome=outcome)
    exchanges = make_exchanges(call, turns)
    if poor:
        exchanges = [
            e.model_copy(update={"error": True, "error_message": "tool timed out"})
            if e.sequence_number % 2
            else e
            for e in exchanges
        ]
    tenant.store.put_exchanges(tenant.tenant_id, call.id, exchanges)
    return call.id


def set_threshold(accounts: AccountStore, tenant: TenantFixture, threshold: float) -> None:
    accounts.update_settings(
        tenant.tenant_id, TenantSettingsUpdate(grade_issue_threshold=threshold)
    )


def grade_through_queue(tenant: TenantFixture, queue: GradeQueue, call_id: str) -> dict[str, Any]:
    """POST grade, hand the queued message to the grader, GET the grade."""
    assert request_grade(tenant, call_id)["statusCode"] == 200
    (message,) = queue.take(call_id)
    assert run_grader(message) == {"batchItemFailures": []}
    result = read_grade(tenant, call_id)
    assert result["statusCode"] == 200
    grade: dict[str, Any] = body(result)
    return grade


# Asking for a grade, and the grader giving it


def test_a_grade_is_pending_then_completed_with_the_rubric_result(
    tenant: TenantFixture, grade_queue: GradeQueue, call_store: CallStore
) -> None:
    # Given a completed call with a transcript, never graded
    call_id = graded_call(tenant)
    assert read_grade(tenant, call_id)["statusCode"] == 404
    assert body(read_grade(tenant, call_id)) == {"detail": "Call not graded"}
    shown = read_call(tenant, call_id)
    assert (shown["grade_status"], shown["grade_score"], shown["grade_updated_at"]) == (
        "not_graded",
        None,
        None,
    )
    # When a grade is asked for
    result = request_grade(tenant, call_id)
    # Then it is pending, the call says so, and one request is queued
    assert result["statusCode"] == 200
    pending = body(result)
    assert (pending["call_id"], pending["status"], pending["score"]) == (call_id, "pending", None)
    assert body(read_grade(tenant, call_id))["status"] == "pending"
    shown = read_call(tenant, call_id)
    assert (shown["grade_status"], shown["grade_score"]) == ("pending", None)
    assert shown["grade_updated_at"] is not None
    (message,) = grade_queue.take(call_id)
    # When the grader takes it
    assert run_grader(message) == {"batchItemFailures": []}
    # Then the grade is the rubric's, on the call too
    grade = body(read_grade(tenant, call_id))
    stored = call_store.get_call(tenant.tenant_id, call_id).call
    expected = RubricGrader().grade(
        GradingSubject.of(stored, call_store.list_exchanges(tenant.tenant_id, call_id))
    )
    assert grade["status"] == "completed"
    assert (grade["grader"], grade["rubric_version"]) == ("rubric", expected.rubric_version)
    assert grade["score"] == expected.score
    assert grade["criteria"] == [c.model_dump(mode="json") for c in expected.criteria]
    assert grade["summary"] == expected.summary
    assert grade["graded_at"]
    shown = read_call(tenant, call_id)
    assert (shown["grade_status"], shown["grade_score"]) == ("completed", expected.score)
    assert shown["grade_updated_at"] == grade["graded_at"]


def test_the_list_shows_the_grade_fields(tenant: TenantFixture, grade_queue: GradeQueue) -> None:
    call_id = graded_call(tenant)
    grade = grade_through_queue(tenant, grade_queue, call_id)
    result = invoke_list(tenant)
    (listed,) = [c for c in result if c["id"] == call_id]
    assert (listed["grade_status"], listed["grade_score"], listed["grade_updated_at"]) == (
        "completed",
        grade["score"],
        grade["graded_at"],
    )


def invoke_list(tenant: TenantFixture) -> list[dict[str, Any]]:
    from local.invoke import api_event

    event = api_event(
        "list_calls", "GET /v1/calls", "/v1/calls", authorizer=tenant.authorizer(Scope.CALLS_READ)
    )
    result = invoke("list_calls", event)
    assert result["statusCode"] == 200
    calls: list[dict[str, Any]] = body(result)["calls"]
    return calls


def test_a_fresh_grade_is_answered_as_it_is_and_force_grades_again(
    tenant: TenantFixture, grade_queue: GradeQueue
) -> None:
    # Given a call graded a moment ago
    call_id = graded_call(tenant)
    first = grade_through_queue(tenant, grade_queue, call_id)
    # When a grade is asked for again, without force
    again = request_grade(tenant, call_id)
    # Then the same grade comes back and nothing is queued
    assert (again["statusCode"], body(again)) == (200, first)
    assert grade_queue.take(call_id) == []
    # When force is given
    forced = request_grade(tenant, call_id, force="true")
    # Then a new grade is pending and queued
    assert body(forced)["status"] == "pending"
    assert len(grade_queue.take(call_id)) == 1


def test_an_old_grade_is_graded_again(
    tenant: TenantFixture,
    grade_queue: GradeQueue,
    account_store: AccountStore,
    call_store: CallStore,
) -> None:
    # Given a tenant whose grades stand one hour, and a grade given two hours ago
    account_store.update_settings(tenant.tenant_id, TenantSettingsUpdate(grade_refresh_hours=1))
    call_id = graded_call(tenant)
    grade_through_queue(tenant, grade_queue, call_id)
    two_hours_ago = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    call_store.dynamodb.update_item(
        TableName=call_store.table_name,
        Key={"pk": {"S": call_pk(tenant.tenant_id, call_id)}, "sk": {"S": GRADE_SK}},
        UpdateExpression="SET graded_at = :old",
        ExpressionAttributeValues={":old": {"S": two_hours_ago}},
    )
    # When a grade is asked for
    result = request_grade(tenant, call_id)
    # Then the call is graded again
    assert body(result)["status"] == "pending"
    assert len(grade_queue.take(call_id)) == 1


def test_a_pending_grade_is_queued_once_unless_forced(
    tenant: TenantFixture, grade_queue: GradeQueue
) -> None:
    call_id = graded_call(tenant)
    first = body(request_grade(tenant, call_id))
    second = body(request_grade(tenant, call_id))
    assert first == second
    assert first["status"] == "pending"
    assert len(grade_queue.take(call_id)) == 1
    request_grade(tenant, call_id, force="true")
    assert len(grade_queue.take(call_id)) == 1


def test_a_grade_replaced_by_force_ignores_the_old_request(
    tenant: TenantFixture, grade_queue: GradeQueue
) -> None:
    # Given a request, then a forced one before the grader ran
    call_id = graded_call(tenant)
    request_grade(tenant, call_id)
    (old,) = grade_queue.take(call_id)
    request_grade(tenant, call_id, force="true")
    (new,) = grade_queue.take(call_id)
    # When the old message is delivered
    assert run_grader(old) == {"batchItemFailures": []}
    # Then the grade is still the new pending one; the new message completes it
    assert body(read_grade(tenant, call_id))["status"] == "pending"
    run_grader(new)
    assert body(read_grade(tenant, call_id))["status"] == "completed"


def test_a_call_without_a_transcript_fails_with_the_reason(
    tenant: TenantFixture, grade_queue: GradeQueue
) -> None:
    call = tenant.add_call(status=CallStatus.COMPLETED, outcome=CallOutcome.RESOLVED)
    grade = grade_through_queue(tenant, grade_queue, call.id)
    assert (grade["status"], grade["score"], grade["error"]) == (
        "failed",
        None,
        "Call has no transcript",
    )
    shown = read_call(tenant, call.id)
    assert (shown["grade_status"], shown["grade_score"]) == ("failed", None)


def test_a_redelivered_message_changes_nothing(
    tenant: TenantFixture, grade_queue: GradeQueue
) -> None:
    # Given a call whose grade files a report
    call_id = graded_call(tenant, poor=True)
    request_grade(tenant, call_id)
    (message,) = grade_queue.take(call_id)
    run_grader(message)
    graded = body(read_grade(tenant, call_id))
    # When the same message comes again
    assert run_grader(message) == {"batchItemFailures": []}
    # Then the grade, the report and the counters are as they were
    assert body(read_grade(tenant, call_id)) == graded
    assert len(call_reports(tenant, call_id)) == 1
    assert read_call(tenant, call_id)["issue_count"] == 1


def test_a_message_that_is_no_grade_request_fails_alone(
    tenant: TenantFixture, grade_queue: GradeQueue
) -> None:
    # Given a poison message next to a good one
    call_id = graded_call(tenant)
    request_grade(tenant, call_id)
    (good,) = grade_queue.take(call_id)
    poison = {**good, "MessageId": "poison-1", "Body": "not json {"}
    # When both are delivered together
    result = run_grader(poison, good)
    # Then only the poison one fails (SQS redelivers it until the dead-letter queue takes it)
    assert result == {"batchItemFailures": [{"itemIdentifier": "poison-1"}]}
    assert body(read_grade(tenant, call_id))["status"] == "completed"


# The issue report a low grade files


def test_a_grade_below_the_threshold_files_one_report(
    tenant: TenantFixture, grade_queue: GradeQueue, account_store: AccountStore
) -> None:
    # Given a tenant with the default threshold (0.6) and a poor call
    call_id = graded_call(tenant, poor=True)
    # When it is graded
    grade = grade_through_queue(tenant, grade_queue, call_id)
    # Then the grade files one report
    assert grade["score"] < 0.6
    (report,) = call_reports(tenant, call_id)
    assert report["source"] == "grading"
    assert report["call_id"] == call_id
    assert report["title"].startswith(f"Grade {grade['score']:.2f} below")
    assert report["created_at"] == grade["graded_at"]
    shown = read_call(tenant, call_id)
    critical = 1 if report["severity"] == "critical" else 0
    assert (shown["issue_count"], shown["critical_issue_count"]) == (1, critical)


def test_a_grade_at_or_above_the_threshold_files_none(
    tenant: TenantFixture, grade_queue: GradeQueue, account_store: AccountStore
) -> None:
    # Given a tenant that is told only about grades below 0.2, and a poor call
    set_threshold(account_store, tenant, 0.2)
    call_id = graded_call(tenant, poor=True)
    # When it is graded above that
    grade = grade_through_queue(tenant, grade_queue, call_id)
    assert 0.2 <= grade["score"] < 0.6
    # Then no report is filed
    assert call_reports(tenant, call_id) == []
    assert read_call(tenant, call_id)["issue_count"] == 0


# Bedrock


@pytest.fixture
def bedrock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    """A deployment that grades with MODEL; its Converse API answered by a Stubber."""
    monkeypatch.setenv("DIALTONE_GRADER", "bedrock")
    monkeypatch.setenv("BEDROCK_MODEL_ID", MODEL)
    settings.reset()
    with Stubber(aws.client("bedrock-runtime")) as stubber:
        yield stubber
    monkeypatch.undo()
    settings.reset()


def converse(text: str) -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 900, "outputTokens": 120, "totalTokens": 1020},
        "metrics": {"latencyMs": 850},
    }


BEDROCK_REQUEST = {"modelId": MODEL, "system": ANY, "messages": ANY, "inferenceConfig": ANY}


def test_bedrock_grades_the_call_when_configured(
    tenant: TenantFixture, grade_queue: GradeQueue, bedrock: Stubber
) -> None:
    answer = {
        "criteria": [
            {"name": "resolution", "score": 1.0, "evidence": "Turn 2: the order was found."},
            {"name": "accuracy", "score": 1.0, "evidence": "Nothing invented."},
            {"name": "conversation_flow", "score": 0.5, "evidence": "Turn 3 repeated turn 2."},
            {"name": "tone", "score": 1.0, "evidence": "Polite."},
        ],
        "summary": "The caller's order was found.",
    }
    bedrock.add_response("converse", converse(json.dumps(answer)), BEDROCK_REQUEST)
    call_id = graded_call(tenant)
    grade = grade_through_queue(tenant, grade_queue, call_id)
    bedrock.assert_no_pending_responses()
    assert (grade["status"], grade["grader"]) == ("completed", "bedrock")
    assert grade["score"] == pytest.approx(0.35 + 0.25 + 0.2 * 0.5 + 0.2)
    assert grade["summary"] == "The caller's order was found."


def test_a_malformed_bedrock_answer_ends_failed_with_the_reason(
    tenant: TenantFixture, grade_queue: GradeQueue, bedrock: Stubber
) -> None:
    bedrock.add_response("converse", converse("I think the call went fine."), BEDROCK_REQUEST)
    call_id = graded_call(tenant)
    grade = grade_through_queue(tenant, grade_queue, call_id)
    assert (grade["status"], grade["grader"], grade["score"]) == ("failed", "bedrock", None)
    assert grade["error"].startswith("The model's answer is not JSON")
    assert read_call(tenant, call_id)["grade_status"] == "failed"


def test_bedrock_throttled_leaves_the_grade_pending_for_a_retry(
    tenant: TenantFixture, grade_queue: GradeQueue, bedrock: Stubber
) -> None:
    bedrock.add_client_error("converse", "ThrottlingException", "Too many requests")
    call_id = graded_call(tenant)
    request_grade(tenant, call_id)
    (message,) = grade_queue.take(call_id)
    result = run_grader(message)
    assert result == {"batchItemFailures": [{"itemIdentifier": message["MessageId"]}]}
    assert body(read_grade(tenant, call_id))["status"] == "pending"


# Scopes and tenants


def test_missing_scopes_are_403(tenant: TenantFixture) -> None:
    call_id = graded_call(tenant)
    post = call_route("grade_call", GRADE, call_id, tenant.authorizer(Scope.CALLS_READ))
    get = call_route("get_call_grade", GET_GRADE, call_id, tenant.authorizer(Scope.CALLS_INGEST))
    assert (post["statusCode"], body(post)) == (403, {"detail": "Missing scope calls:write"})
    assert (get["statusCode"], body(get)) == (403, {"detail": "Missing scope calls:read"})


def test_another_tenants_call_is_not_found(
    make_tenant: Any, grade_queue: GradeQueue, call_store: CallStore
) -> None:
    owner, other = make_tenant(1), make_tenant(2)
    call_id = graded_call(owner)
    grade_through_queue(owner, grade_queue, call_id)
    for result in (request_grade(other, call_id), read_grade(other, call_id)):
        assert (result["statusCode"], body(result)) == (404, {"detail": "Call not found"})
    assert grade_queue.take(call_id) == []
    unknown = "0b7e2c1a-5d4f-4e3b-9a8c-000000000000"
    assert body(request_grade(owner, unknown)) == {"detail": "Call not found"}
    assert QualityStore(call_store.table_name).get_grade(other.tenant_id, call_id) is None


# Nothing lost: a grade the queue did not take


def test_a_grade_the_queue_refuses_is_a_503_and_asking_again_grades(
    tenant: TenantFixture, grade_queue: GradeQueue
) -> None:
    # Given a call, and a grade queue that refuses the first message sent to it
    call_id = graded_call(tenant)
    sqs = aws.client("sqs")
    with Stubber(sqs) as stub:
        stub.add_client_error("send_message", "ServiceUnavailable", http_status_code=503)
        # When a grade is asked for
        refused = request_grade(tenant, call_id)
    # Then the answer says to try again, and the grade is not left pending
    assert refused["statusCode"] == 503
    assert "try again" in body(refused)["detail"]
    assert body(read_grade(tenant, call_id))["status"] == "failed"
    # And asking again queues the grade, which the grader then gives
    assert body(request_grade(tenant, call_id))["status"] == "pending"
    (message,) = grade_queue.take(call_id)
    assert run_grader(message) == {"batchItemFailures": []}
    assert body(read_grade(tenant, call_id))["status"] == "completed"


def test_a_grade_pending_for_too_long_is_queued_again(
    tenant: TenantFixture, grade_queue: GradeQueue, call_store: CallStore
) -> None:
    # Given a pending grade whose message was lost two hours ago
    call_id = graded_call(tenant)
    assert body(request_grade(tenant, call_id))["status"] == "pending"
    grade_queue.take(call_id)
    two_hours_ago = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    call_store.dynamodb.update_item(
        TableName=call_store.table_name,
        Key={"pk": {"S": call_pk(tenant.tenant_id, call_id)}, "sk": {"S": GRADE_SK}},
        UpdateExpression="SET requested_at = :old",
        ExpressionAttributeValues={":old": {"S": two_hours_ago}},
    )
    # When a grade is asked for again
    assert body(request_grade(tenant, call_id))["status"] == "pending"
    # Then a new request is queued, and the grader gives it
    (message,) = grade_queue.take(call_id)
    assert run_grader(message) == {"batchItemFailures": []}
    assert body(read_grade(tenant, call_id))["status"] == "completed"


# A grader killed between two of its steps


def rubric_grade(call_store: CallStore, tenant: TenantFixture, call_id: str) -> dict[str, Any]:
    """What the rubric makes of the call as stored: what any complete grading must give."""
    stored = call_store.get_call(tenant.tenant_id, call_id).call
    grade = RubricGrader().grade(
        GradingSubject.of(stored, call_store.list_exchanges(tenant.tenant_id, call_id))
    )
    return {
        "status": "completed",
        "score": grade.score,
        "criteria": [c.model_dump(mode="json") for c in grade.criteria],
        "summary": grade.summary,
    }


def test_a_grader_killed_before_any_of_its_requests_grades_once_when_the_message_comes_again(
    tenant: TenantFixture, grade_queue: GradeQueue, call_store: CallStore
) -> None:
    # Given the AWS requests a clean grading of a poor call makes
    first = graded_call(tenant, poor=True)
    request_grade(tenant, first)
    (message,) = grade_queue.take(first)
    with aws_requests() as clean:
        assert run_grader(message) == {"batchItemFailures": []}
    assert body(read_grade(tenant, first))["status"] == "completed"
    assert len(clean.made) >= 3

    for kill_at in range(1, len(clean.made) + 1):
        # When the grader of another such call is killed before its k-th request
        call_id = graded_call(tenant, poor=True)
        request_grade(tenant, call_id)
        (message,) = grade_queue.take(call_id)
        with aws_requests(kill_at) as killed, pytest.raises(Killed):
            run_grader(message)
        assert len(killed.made) == kill_at
        # ... and SQS delivers the message again
        assert run_grader(message) == {"batchItemFailures": []}

        # Then the call has the grade a clean run gives, and one report of it
        grade = body(read_grade(tenant, call_id))
        expected = rubric_grade(call_store, tenant, call_id)
        assert {k: grade[k] for k in expected} == expected, clean.made[kill_at - 1]
        assert len(call_reports(tenant, call_id)) == 1, clean.made[kill_at - 1]
        shown = read_call(tenant, call_id)
        assert (shown["grade_status"], shown["issue_count"]) == ("completed", 1)
