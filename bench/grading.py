"""Grading: the rubric grade of a long call through the grader's code path.

**Rubric grade** (`grade_rubric_ms`): a completed call of 200 exchanges and its history
(the spans and completions a runtime reports for each turn) is graded by the `grader` handler
in process (warm), from an SQS event of one grade request: it reads the pending grade, the call,
its exchanges and its history, grades with the rubric and stores the grade with the call's grade
fields in one transaction. Before each run a new pending grade is stored (outside the timing),
so every run does the whole work. Interleaved with the rubric alone on the same subject (the
detail), medians.

`python -m bench.grading` measures this figure alone.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bench.fixture import (
    activated,
    captured_handler_logs,
    deploy,
    drop_tables,
    handler_environment,
    last_logged_error,
    running_endpoint,
)
from bench.report import Figure
from dialtone.model_types import CallOutcome, CallStatus
from dialtone.models import HistoryEvent
from dialtone.quality.graders.base import GradingSubject
from dialtone.quality.graders.rubric import RubricGrader
from dialtone.quality.grading import GradeRequest
from dialtone.quality.store import QualityStore, StoredGrade
from dialtone.store import event_sk, exchange_sk
from local.endpoint import REGION, EmbeddedAws
from local.invoke import invoke, load_handler
from local.seed import make_call, make_exchanges, make_history

EXCHANGES = 200
RUNS = 11
WARMUP = 2
TENANT = "bench-grading"
GOAL = "no goal; reported"


def run(endpoint: EmbeddedAws, notes: list[str], emit: Callable[[Figure], None]) -> list[Figure]:
    """The figure, on a stack of its own whose tables are dropped afterwards."""
    stack = deploy(endpoint, "grading")
    values = handler_environment(endpoint, stack)
    try:
        with activated(values), captured_handler_logs() as logs:
            load_handler("grader")
            try:
                figure = _measure(QualityStore(values["CALLS_TABLE"]))
            except RuntimeError as error:
                notes.append(f"`grade_rubric_ms` not measured: {last_logged_error(logs) or error}")
                figure = Figure("grade_rubric_ms", "error", GOAL, None)
    finally:
        drop_tables(endpoint, stack)
    emit(figure)
    return [figure]


def _measure(store: QualityStore) -> Figure:
    rng = random.Random(2026)
    start = datetime.now(UTC) - timedelta(hours=2)
    call = make_call(
        rng, start_time=start, status=CallStatus.COMPLETED, outcome=CallOutcome.RESOLVED
    )
    call = call.model_copy(
        update={"end_time": start + timedelta(minutes=30), "duration_seconds": 1800.0}
    )
    exchanges = make_exchanges(call, EXCHANGES)
    events = [
        HistoryEvent.model_validate({**event.model_dump(mode="json"), "event_id": uuid.uuid4().hex})
        for event in make_history(rng, call, exchanges)
    ]
    store.put_call(TENANT, call)
    children = [(exchange_sk(e.sequence_number), e.model_dump(mode="json")) for e in exchanges]
    children += [(event_sk(e.event_id), e.model_dump(mode="json")) for e in events]
    store.append_children(TENANT, call.id, children)
    subject = GradingSubject.of(call, exchanges, events)
    handler_ms: list[float] = []
    rubric_ms: list[float] = []
    for attempt in range(WARMUP + RUNS):
        event = _pending(store, call.id)
        began = time.perf_counter()
        result = invoke("grader", event)
        elapsed = (time.perf_counter() - began) * 1000
        if result != {"batchItemFailures": []}:
            raise RuntimeError(f"the grader failed the request: {result}")
        began = time.perf_counter()
        RubricGrader().grade(subject)
        rubric = (time.perf_counter() - began) * 1000
        if attempt >= WARMUP:
            handler_ms.append(elapsed)
            rubric_ms.append(rubric)
    grade = store.get_grade(TENANT, call.id)
    if grade is None or grade.grade.status.value != "completed":
        raise RuntimeError("the grade was not completed")
    return Figure(
        "grade_rubric_ms",
        f"{statistics.median(handler_ms):.1f}",
        GOAL,
        None,
        f"{EXCHANGES} exchanges, {len(events)} history events; the rubric alone "
        f"{statistics.median(rubric_ms):.1f} ms; median of {RUNS}",
    )


def _pending(store: QualityStore, call_id: str) -> dict[str, object]:
    """A new pending grade of the call, and the grader's SQS event asking for it."""
    current = store.get_grade(TENANT, call_id)
    pending = StoredGrade(
        grade=RubricGrader().pending(call_id),
        grade_id=str(uuid.uuid4()),
        requested_at=datetime.now(UTC),
    )
    store.start_grade(TENANT, pending, current.grade_id if current else None, None)
    request = GradeRequest(tenant_id=TENANT, call_id=call_id, grade_id=pending.grade_id)
    now_ms = str(int(time.time() * 1000))
    record = {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": "bench",
        "body": request.model_dump_json(),
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": now_ms,
            "SenderId": "bench",
            "ApproximateFirstReceiveTimestamp": now_ms,
        },
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:bench-GradeQueue",
        "awsRegion": REGION,
    }
    return {"Records": [record]}


def main() -> int:
    with running_endpoint() as endpoint:
        notes: list[str] = []
        run(endpoint, notes, lambda figure: print(figure.line(), flush=True))
    for note in notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
