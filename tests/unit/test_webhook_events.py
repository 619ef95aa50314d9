"""Which webhook events a stream record of the calls table stands for (`dialtone.webhooks.
events`): one per transition of a call or batch, none for anything else, the same ids however
often and in whatever order the records come."""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialtone import store
from dialtone.dialing.accept import BatchStatus
from dialtone.model_types import CallOutcome, CallStatus
from dialtone.models import Call, CallAnalysis
from dialtone.webhooks.events import (
    EVENT_DOCS,
    PAYLOAD_LIMIT_BYTES,
    BatchEventData,
    event_id,
    events_of,
)
from dialtone.webhooks.models import SUBSCRIBABLE_EVENTS, EventType
from local.seed import make_call

TENANT = "tenant-hooks"
NOW = datetime(2026, 3, 10, 12, 0, 0, 123456, tzinfo=UTC)


def a_call(**overrides: Any) -> Call:
    values: dict[str, Any] = {
        "start_time": NOW - timedelta(minutes=5),
        "outcome": None,
        **overrides,
    }
    return make_call(random.Random(5), **values)


def image(call: Call, recording_key: str | None = None, **internal: Any) -> dict[str, Any]:
    """The call item as the calls table stores it (and its stream shows it)."""
    return store._call_item(TENANT, call, recording_key, internal)


def record(
    sequence: int,
    new: dict[str, Any] | None,
    old: dict[str, Any] | None = None,
    event: str | None = None,
) -> dict[str, Any]:
    """A stream record as Lambda hands it over."""
    some_image = new or old or {}
    data: dict[str, Any] = {
        "Keys": {"pk": some_image["pk"], "sk": some_image["sk"]},
        "SequenceNumber": str(sequence),
        "StreamViewType": "NEW_AND_OLD_IMAGES",
        "ApproximateCreationDateTime": NOW.timestamp(),
    }
    if new is not None:
        data["NewImage"] = new
    if old is not None:
        data["OldImage"] = old
    name = event or ("MODIFY" if old and new else "INSERT" if new else "REMOVE")
    return {"eventName": name, "eventSource": "aws:dynamodb", "dynamodb": data}


def moved(call: Call, **changes: Any) -> Call:
    return call.model_copy(update={"updated_at": call.updated_at + timedelta(seconds=1), **changes})


def types_of(rec: dict[str, Any]) -> list[str]:
    return [e.type.value for e in events_of(rec)]


# Calls: one event per transition


def test_a_call_answered_is_started_with_the_call_object_its_sequence_and_links() -> None:
    # Given a ringing call that is answered
    before = a_call(status=CallStatus.RINGING)
    after = moved(before, status=CallStatus.IN_PROGRESS)
    # When its MODIFY record is read
    [event] = events_of(record(9 * 10**20, image(after), image(before)))
    # Then it is call.started, for the tenant, dated when the call changed
    assert (event.type, event.tenant_id) == (EventType.CALL_STARTED, TENANT)
    assert event.timestamp == after.updated_at
    # And the payload is the call object as the API shows it (no presigned link), its sequence
    # (40 digits) and links instead of a transcript
    payload = event.payload()
    assert set(payload) == {"type", "timestamp", "data"}
    assert payload["type"] == "call.started"
    assert payload["timestamp"] == after.updated_at.isoformat().replace("+00:00", "Z")
    data = payload["data"]
    assert Call.model_validate(data) == after.model_copy(update={"recording_url": None})
    assert {k: v for k, v in data.items() if k not in Call.model_fields} == {
        "sequence": str(9 * 10**20).zfill(40),
        "links": {
            "call": f"/v1/calls/{after.id}",
            "transcript": f"/v1/calls/{after.id}/transcript",
            "recording": None,
        },
    }
    assert "transcript" not in data


def test_a_call_that_ends_completed_is_completed_once_and_not_started_again() -> None:
    before = a_call(status=CallStatus.IN_PROGRESS)
    after = moved(before, status=CallStatus.COMPLETED, outcome=CallOutcome.RESOLVED)
    assert types_of(record(2, image(after), image(before))) == ["call.completed"]


def test_a_call_answered_and_ended_between_two_writes_is_started_then_completed() -> None:
    before = a_call(status=CallStatus.RINGING)
    after = moved(before, status=CallStatus.COMPLETED)
    assert types_of(record(2, image(after), image(before))) == ["call.started", "call.completed"]


def test_a_call_stored_in_progress_or_finished_tells_what_it_went_through() -> None:
    assert types_of(record(1, image(a_call(status=CallStatus.IN_PROGRESS)))) == ["call.started"]
    assert types_of(record(1, image(a_call(status=CallStatus.COMPLETED)))) == [
        "call.started",
        "call.completed",
    ]
    assert types_of(record(1, image(a_call(status=CallStatus.QUEUED)))) == []
    # A batch's invalid number is stored failed: its end is told too
    assert types_of(record(1, image(a_call(status=CallStatus.FAILED)))) == ["call.failed"]


@pytest.mark.parametrize(
    "status", [CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.FAILED, CallStatus.CANCELED]
)
def test_a_call_that_ends_unanswered_or_canceled_has_failed(status: CallStatus) -> None:
    before = a_call(status=CallStatus.QUEUED)
    after = moved(before, status=status)
    [event] = events_of(record(2, image(after), image(before)))
    assert event.type is EventType.CALL_FAILED
    assert event.data["status"] == status.value


def test_an_escalation_is_told_once_when_the_outcome_becomes_escalated() -> None:
    before = a_call(status=CallStatus.IN_PROGRESS)
    escalated = moved(before, outcome=CallOutcome.ESCALATED)
    assert types_of(record(2, image(escalated), image(before))) == ["call.escalated"]
    # Ending the escalated call does not escalate it again
    ended = moved(escalated, status=CallStatus.COMPLETED)
    assert types_of(record(3, image(ended), image(escalated))) == ["call.completed"]


def test_a_recording_is_ready_when_the_call_gets_one_and_again_when_it_is_replaced() -> None:
    call = a_call(status=CallStatus.COMPLETED)
    key = f"{TENANT}/{call.id}.wav"
    with_audio = moved(call, recording_format="wav", recording_size_bytes=1000)
    first = events_of(record(2, image(with_audio, key, recording_etag="a"), image(call)))
    assert [e.type for e in first] == [EventType.CALL_RECORDING_READY]
    assert first[0].data["links"]["recording"] == f"/v1/calls/{call.id}/recording"
    assert first[0].data["recording_url"] is None
    # Another change of the call with the same recording: nothing
    later = moved(with_audio, metadata={"note": "x"})
    same = image(later, key, recording_etag="a")
    assert events_of(record(3, same, image(with_audio, key, recording_etag="a"))) == []
    # A new upload replacing it: ready again, another event
    replaced = events_of(
        record(4, image(later, key, recording_etag="b"), image(later, key, recording_etag="a"))
    )
    assert [e.type for e in replaced] == [EventType.CALL_RECORDING_READY]
    assert replaced[0].id != first[0].id


def test_a_call_is_graded_when_a_grade_completes_and_again_for_a_regrade() -> None:
    call = a_call(status=CallStatus.COMPLETED)
    pending = moved(call, grade_status="pending", grade_updated_at=NOW)
    graded = moved(pending, grade_status="completed", grade_score=0.8, grade_updated_at=NOW)
    assert types_of(record(2, image(pending), image(call))) == []
    [first] = events_of(record(3, image(graded), image(pending)))
    assert first.type is EventType.CALL_GRADED
    assert first.data["grade_score"] == 0.8
    # A failed grade is not a grade
    failed = moved(call, grade_status="failed", grade_updated_at=NOW)
    assert types_of(record(4, image(failed), image(call))) == []
    # A regrade that completes later is another event
    later = NOW + timedelta(hours=1)
    regraded = moved(graded, grade_score=0.9, grade_updated_at=later)
    [second] = events_of(record(5, image(regraded), image(graded)))
    assert second.type is EventType.CALL_GRADED
    assert second.id != first.id


# Calls: no event


def test_a_change_that_is_no_transition_makes_no_event() -> None:
    before = a_call(status=CallStatus.IN_PROGRESS, outcome=CallOutcome.ESCALATED)
    after = moved(before, metadata={"crm": "42"}, issue_count=2)
    assert events_of(record(2, image(after), image(before))) == []
    # Nor does the API's own bookkeeping (a dialer's claim)
    queued = a_call(status=CallStatus.QUEUED)
    assert events_of(record(3, image(queued, claim_token="t"), image(queued))) == []


def test_records_of_other_items_and_removals_make_no_event() -> None:
    call = a_call(status=CallStatus.COMPLETED)
    exchange = {"pk": {"S": store.call_pk(TENANT, call.id)}, "sk": {"S": store.exchange_sk(1)}}
    assert events_of(record(1, {**exchange, "user_transcript": {"S": "hi"}})) == []
    assert events_of(record(2, None, image(call))) == []
    claim = {"pk": {"S": store.sid_pk("CA1")}, "sk": {"S": store.SID_SK}}
    assert events_of(record(3, claim)) == []


def test_a_call_being_erased_or_past_its_retention_makes_no_event() -> None:
    before = a_call(status=CallStatus.IN_PROGRESS)
    after = moved(before, status=CallStatus.COMPLETED)
    erasing = record(2, image(after, erasing=True), image(before))
    expired = record(3, image(after, expires_at=int(NOW.timestamp()) - 1), image(before))
    assert events_of(erasing) == events_of(expired) == []


# Size


def test_a_call_too_large_for_a_payload_leaves_its_largest_optional_fields_out() -> None:
    # Given a completed call whose metadata and provider usage are 12 KB each
    before = a_call(status=CallStatus.IN_PROGRESS)
    after = moved(
        before,
        status=CallStatus.COMPLETED,
        metadata={"notes": "m" * 12_000},
        provider_usage={"llm": "u" * 12_000},
        end_reason="caller_hangup",
    )
    # When its event is made
    [event] = events_of(record(2, image(after), image(before)))
    # Then the payload is under 20 KB, leaving out only what it had to, and saying so
    body = json.dumps(event.payload()).encode()
    assert len(body) < PAYLOAD_LIMIT_BYTES
    data = event.payload()["data"]
    assert data["omitted_fields"] == ["metadata"]
    assert (data["metadata"], data["provider_usage"]) == ({}, {"llm": "u" * 12_000})
    assert (data["status"], data["end_reason"]) == ("completed", "caller_hangup")
    # And with more, the next largest goes too
    bigger = moved(after, analysis=CallAnalysis(summary="s" * 12_000))
    [event] = events_of(record(3, image(bigger), image(before)))
    assert len(json.dumps(event.payload()).encode()) < PAYLOAD_LIMIT_BYTES
    assert event.payload()["data"]["omitted_fields"] == ["metadata", "provider_usage"]
    # And a call that fits says nothing of omitted fields
    [small] = events_of(record(3, image(moved(before, status=CallStatus.COMPLETED)), image(before)))
    assert "omitted_fields" not in small.payload()["data"]


# Batches


def batch_image(done: int, queued: int, initiated: int, **extra: Any) -> dict[str, Any]:
    values = {
        "pk": store.batch_pk(TENANT, "b-1"),
        "sk": store.BATCH_SK,
        "batch_id": "b-1",
        "total": 4,
        "created_at": "2026-03-10T11:00:00Z",
        "queued": queued,
        "initiated": initiated,
        "completed": done,
        "failed": 4 - done - queued - initiated,
        "canceled": 0,
        **extra,
    }
    from dialtone.dynamo import to_item

    return to_item(values)


def test_a_batch_whose_last_call_ends_is_completed_with_its_counters() -> None:
    # Given a batch with one call still in progress, whose call ends
    [event] = events_of(record(7, batch_image(3, 0, 0), batch_image(2, 0, 1)))
    # Then batch.completed, with the batch status (its calls are behind a link)
    assert (event.type, event.tenant_id) == (EventType.BATCH_COMPLETED, TENANT)
    assert event.id == event_id(TENANT, "b-1", EventType.BATCH_COMPLETED)
    assert event.payload()["data"] == {
        "batch_id": "b-1",
        "status": "completed",
        "total": 4,
        "queued": 0,
        "initiated": 0,
        "completed": 3,
        "failed": 1,
        "canceled": 0,
        "created_at": "2026-03-10T11:00:00Z",
        "sequence": "7".zfill(40),
        "links": {"batch": "/v1/calls/batch/b-1"},
    }


def test_a_batch_not_yet_done_or_already_done_makes_no_event() -> None:
    assert events_of(record(2, batch_image(1, 1, 1), batch_image(0, 2, 1))) == []
    assert events_of(record(3, batch_image(2, 0, 1), batch_image(1, 0, 2))) == []
    # Counters that arrived before the batch was stored (no total): not a batch yet
    early = batch_image(0, 0, 0)
    del early["total"]
    assert events_of(record(4, early)) == []


def test_a_batch_stored_already_done_is_completed() -> None:
    # Every number of the batch was invalid: it is done the moment it is stored
    assert types_of(record(1, batch_image(0, 0, 0))) == ["batch.completed"]


def test_batch_event_data_is_the_batch_status_without_its_calls() -> None:
    assert set(BatchEventData.model_fields) - {"sequence", "links"} == set(
        BatchStatus.model_fields
    ) - {"calls"}


# Redelivery and reordering


def lifecycle(rng: random.Random) -> list[dict[str, Any]]:
    """The stream records of one call's life: queued, maybe rung, answered or not, maybe
    escalated, recorded, graded, with changes that are no transition in between."""
    call = a_call(status=CallStatus.QUEUED)
    images = [image(call)]
    steps: list[dict[str, Any]] = [{"status": CallStatus.INITIATED}]
    if rng.random() < 0.5:
        steps.append({"status": CallStatus.RINGING})
    if rng.random() < 0.7:
        steps.append({"status": CallStatus.IN_PROGRESS})
        if rng.random() < 0.5:
            steps.append({"outcome": CallOutcome.ESCALATED})
        steps.append({"status": CallStatus.COMPLETED})
    else:
        steps.append({"status": rng.choice([CallStatus.BUSY, CallStatus.NO_ANSWER])})
    steps.append({"metadata": {"n": rng.randint(0, 9)}})
    recording: dict[str, Any] = {}
    for step in steps:
        call = moved(call, **step)
        images.append(image(call))
    if rng.random() < 0.5:
        recording = {"recording_key": f"{TENANT}/{call.id}.wav", "recording_etag": "e1"}
        call = moved(call, recording_format="wav")
        images.append(image(call, recording["recording_key"], recording_etag="e1"))
    records = [record(1000, images[0])]
    for n, (old, new) in enumerate(itertools.pairwise(images), start=1):
        records.append(record(1000 + n, new, old))
    return records


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), extra=st.integers(0, 6))
def test_records_redelivered_and_reordered_produce_each_event_once(seed: int, extra: int) -> None:
    # Given a call's records delivered once in order (what the events should be)
    rng = random.Random(seed)
    records = lifecycle(rng)
    expected = [e for r in records for e in events_of(r)]
    # When they are delivered again, some twice, in another order
    again = records + [rng.choice(records) for _ in range(extra)]
    rng.shuffle(again)
    seen: dict[str, Any] = {}
    for rec in again:
        for event in events_of(rec):
            # (the fan-out's ledger keeps the first of each id)
            assert seen.setdefault(event.id, event) == event
    # Then the same events, once each: started at most once, exactly one end
    assert sorted(seen) == sorted(e.id for e in expected)
    types = [e.type for e in seen.values()]
    assert types.count(EventType.CALL_STARTED) <= 1
    assert types.count(EventType.CALL_COMPLETED) + types.count(EventType.CALL_FAILED) == 1
    # And their sequences put them back in the order the call went through them
    by_sequence = sorted(seen.values(), key=lambda e: (e.sequence, expected.index(e)))
    assert [e.id for e in by_sequence] == [e.id for e in expected]


def test_event_ids_tell_tenants_subjects_types_and_occurrences_apart() -> None:
    ids = {
        event_id("t1", "c1", EventType.CALL_STARTED),
        event_id("t2", "c1", EventType.CALL_STARTED),
        event_id("t1", "c2", EventType.CALL_STARTED),
        event_id("t1", "c1", EventType.CALL_COMPLETED),
        event_id("t1", "c1", EventType.CALL_GRADED, "2026-03-10T12:00:00Z"),
        event_id("t1", "c1", EventType.CALL_GRADED, "2026-03-10T13:00:00Z"),
    }
    assert len(ids) == 6
    assert all(i.startswith("evt_") and len(i) == 36 for i in ids)
    assert event_id("t1", "c1", EventType.CALL_STARTED) in ids


def test_every_payload_is_what_its_documented_model_describes() -> None:
    # Given one event of each type, produced from records
    call = a_call(status=CallStatus.RINGING)
    ended = moved(
        call,
        status=CallStatus.COMPLETED,
        outcome=CallOutcome.ESCALATED,
        grade_status="completed",
        grade_score=0.5,
        grade_updated_at=NOW,
    )
    records = [
        record(2, image(ended, "k.wav", recording_etag="e"), image(call)),
        record(3, image(moved(call, status=CallStatus.BUSY)), image(call)),
        record(4, batch_image(4, 0, 0), batch_image(3, 0, 1)),
    ]
    events = {e.type: e for r in records for e in events_of(r)}
    assert set(events) == set(EVENT_DOCS) == set(SUBSCRIBABLE_EVENTS)
    # Then each payload is valid for its type's documented model (which the OpenAPI document
    # shows), and reads back as it was sent
    for event_type, event in events.items():
        payload = event.payload()
        model = EVENT_DOCS[event_type].payload
        assert model.model_validate(payload).model_dump(mode="json") == payload


def test_a_payload_stays_under_the_limit_however_its_text_is_encoded() -> None:
    # Given a call whose metadata is 8,000 characters of non-ASCII text (8 KB as characters,
    # 24 KB as UTF-8, 48 KB with JSON's \u escapes)
    before = a_call(status=CallStatus.IN_PROGRESS)
    after = moved(before, status=CallStatus.COMPLETED, metadata={"notes": "é€" * 4_000})
    # When its event is made
    [event] = events_of(record(2, image(after), image(before)))
    # Then the body is under the limit as UTF-8 and with escapes alike
    payload = event.payload()
    assert len(json.dumps(payload).encode()) < PAYLOAD_LIMIT_BYTES
    assert len(json.dumps(payload, ensure_ascii=False).encode()) < PAYLOAD_LIMIT_BYTES
    assert payload["data"]["omitted_fields"] == ["metadata"]
