"""GET /v1/calls/export through the export_calls handler: CSV and JSON attachments of the most
recent completed calls, and the presigned link of an export too large for a response."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from dialtone import settings
from dialtone.auth import Scope
from dialtone.exports import MAX_CALLS, csv_columns
from dialtone.model_types import CallStatus, Direction
from dialtone.models import Exchange
from dialtone.store import CALL_SK, call_pk
from local.endpoint import environment
from local.invoke import api_event, invoke

ROUTE = "GET /v1/calls/export"
T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
COMPLETED = CallStatus.COMPLETED


def export(authorizer: dict[str, str] | None, **query: str) -> dict[str, Any]:
    """The Lambda result of GET /v1/calls/export?<query>."""
    event = api_event("export_calls", ROUTE, "/v1/calls/export", query=query, authorizer=authorizer)
    return invoke("export_calls", event)


def list_calls(authorizer: dict[str, str], **query: str) -> dict[str, Any]:
    event = api_event(
        "list_calls", "GET /v1/calls", "/v1/calls", query=query, authorizer=authorizer
    )
    return invoke("list_calls", event)


def header(result: dict[str, Any], name: str) -> str:
    headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    return str(headers.get(name.lower(), ""))


def exported(tenant: Any, **query: str) -> dict[str, Any]:
    """A 200 export of the tenant's calls with a read-only key."""
    result = export(tenant.authorizer(Scope.CALLS_READ), **query)
    assert result["statusCode"] == 200, result["body"]
    return result


def csv_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    """The CSV body parsed back as a spreadsheet would: BOM first, then a header row."""
    text = result["body"]
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def csv_ids(tenant: Any, **query: str) -> list[str]:
    return [row["id"] for row in csv_rows(exported(tenant, export_format="csv", **query))]


def newest_first(calls: list[Any]) -> list[str]:
    return [c.id for c in sorted(calls, key=lambda c: (c.start_time, c.id), reverse=True)]


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def forget_calls(tenant: Any, calls: list[Any]) -> None:
    """Delete calls that have no item but their own, 25 at a time (the tenant fixture's
    call-by-call cleanup takes half a minute for a thousand)."""
    dynamodb, table = tenant.store.dynamodb, tenant.store.table_name
    for start in range(0, len(calls), 25):
        pending: dict[str, Any] = {
            table: [
                {
                    "DeleteRequest": {
                        "Key": {"pk": {"S": call_pk(tenant.tenant_id, c.id)}, "sk": {"S": CALL_SK}}
                    }
                }
                for c in calls[start : start + 25]
            ]
        }
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    forgotten = {c.id for c in calls}
    tenant.call_ids[:] = [i for i in tenant.call_ids if i not in forgotten]


@pytest.fixture
def small_inline_limit(handler_environment: dict[str, str]) -> Iterator[None]:
    """Exports of more than 2,000 bytes are stored in S3 and linked to."""
    with environment({"EXPORT_INLINE_MAX_BYTES": "2000"}):
        settings.reset()
        yield
    settings.reset()


# CSV


def test_csv_is_a_utf8_attachment_with_one_header_row_and_every_completed_call(
    tenant: Any,
) -> None:
    # Given: four completed calls
    calls = [tenant.add_call(status=COMPLETED, start_time=at(m)) for m in (2, 0, 3, 1)]

    # When: the tenant exports them as CSV
    result = exported(tenant, export_format="csv")

    # Then: a dated attachment, UTF-8 with a BOM, the documented header, one row a call
    assert header(result, "Content-Type") == "text/csv; charset=utf-8"
    assert header(result, "Content-Disposition") == (
        f'attachment; filename="calls-export-{today()}.csv"'
    )
    body = result["body"]
    assert body.startswith('\ufeff"id","direction","status"')
    rows = list(csv.reader(io.StringIO(body[1:], newline="")))
    assert tuple(rows[0]) == csv_columns()
    assert [row[0] for row in rows[1:]] == newest_first(calls)
    assert "transcript" not in rows[0]
    assert "recording_url" not in rows[0]


def test_csv_flattens_nested_fields_into_columns(tenant: Any) -> None:
    # Given: a completed call with analysis, cost, latency and metadata
    call = tenant.add_call(status=COMPLETED, metadata={"campaign": "renewals", "n": 2})

    # When: it is exported as CSV
    (row,) = csv_rows(exported(tenant, export_format="csv"))

    # Then: nested objects are columns of their own, key/values are JSON text
    assert row["analysis_summary"] == call.analysis.summary
    assert row["cost_total"] == str(call.cost.total)
    assert row["cost_currency"] == call.cost.currency
    assert json.loads(row["cost_breakdown"]) == call.cost.model_dump(mode="json")["breakdown"]
    assert row["latency_e2e_p50"] == str(call.latency.e2e.p50)
    assert json.loads(row["metadata"]) == {"campaign": "renewals", "n": 2}
    assert row["duration_seconds"] == str(call.duration_seconds)
    assert row["is_test_call"] == "false"
    assert row["start_time"] == call.start_time.isoformat().replace("+00:00", "Z")


def test_csv_quotes_commas_quotes_and_newlines(tenant: Any) -> None:
    # Given: text full of the CSV's own separators
    awkward = 'Smith, "Jo"\nline two\r\nand ; three'
    tenant.add_call(status=COMPLETED, agent_name=awkward, end_reason="a,b")

    # When: the export is parsed back
    result = exported(tenant, export_format="csv")
    (row,) = csv_rows(result)

    # Then: every field is quoted and each value comes back whole
    assert row["agent_name"] == awkward
    assert row["end_reason"] == "a,b"
    assert '"Smith, ""Jo""' in result["body"]
    lines = result["body"][1:].split("\r\n")
    assert all(line.startswith('"') for line in lines[:2])


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_neutralises_text_that_a_spreadsheet_would_run_as_a_formula(
    tenant: Any, start: str
) -> None:
    # Given: a call whose agent name and metadata-free text fields start like a formula
    formula = f'{start}HYPERLINK("http://evil.example","x")'
    tenant.add_call(status=COMPLETED, agent_name=formula, end_reason=f"{start}1+1")

    # When: it is exported as CSV
    (row,) = csv_rows(exported(tenant, export_format="csv"))

    # Then: each such cell is prefixed with ' and otherwise kept as it was
    assert row["agent_name"] == "'" + formula
    assert row["end_reason"] == f"'{start}1+1"


def test_csv_prefixes_phone_numbers_too_and_leaves_plain_text_alone(tenant: Any) -> None:
    # Given: an inbound call from an E.164 number, with plain text fields
    call = tenant.add_call(
        status=COMPLETED, direction=Direction.INBOUND, agent_name="Ava", customer="+14155550177"
    )

    # When: it is exported as CSV
    (row,) = csv_rows(exported(tenant, export_format="csv"))

    # Then: a leading + is neutralised like any other (documented), other text is untouched
    assert row["from_number"] == "'+14155550177"
    assert row["phone_number"] == "'+14155550177"
    assert row["agent_name"] == "Ava"
    assert row["id"] == call.id


def test_only_completed_calls_are_exported(tenant: Any) -> None:
    # Given: calls in every final status and one in progress
    completed = tenant.add_call(status=COMPLETED, start_time=at(0))
    for minute, status in enumerate(
        [
            CallStatus.BUSY,
            CallStatus.NO_ANSWER,
            CallStatus.FAILED,
            CallStatus.CANCELED,
            CallStatus.IN_PROGRESS,
        ],
        start=1,
    ):
        tenant.add_call(status=status, start_time=at(minute))

    # When / Then: only the completed call is exported, whatever the format
    assert csv_ids(tenant) == [completed.id]
    got = json.loads(exported(tenant, export_format="json")["body"])
    assert [c["id"] for c in got["calls"]] == [completed.id]
    # and asking for another status exports nothing
    assert csv_ids(tenant, status="busy") == []
    assert csv_ids(tenant, status="completed") == [completed.id]


def test_the_lists_filters_apply(tenant: Any) -> None:
    # Given: completed calls of two directions, two agents and several start times
    inbound = tenant.add_call(
        status=COMPLETED, direction=Direction.INBOUND, agent_id="agent-a", start_time=at(0)
    )
    outbound = tenant.add_call(
        status=COMPLETED, direction=Direction.OUTBOUND, agent_id="agent-b", start_time=at(60)
    )
    late = tenant.add_call(
        status=COMPLETED,
        direction=Direction.INBOUND,
        agent_id="agent-b",
        customer="+14155550177",
        start_time=at(60 * 24 * 3),
    )

    # When / Then: each filter narrows the export as it narrows the list
    assert csv_ids(tenant, direction="inbound") == [late.id, inbound.id]
    assert csv_ids(tenant, agent_id="agent-b") == [late.id, outbound.id]
    assert csv_ids(tenant, direction="inbound", agent_id="agent-b") == [late.id]
    assert csv_ids(tenant, start_date="2026-03-10", end_date="2026-03-10") == [
        outbound.id,
        inbound.id,
    ]
    assert csv_ids(tenant, phone_number="+1 (415) 555-0177") == [late.id]
    assert csv_ids(tenant, search=late.id[:8]) == [late.id]


def test_paging_parameters_do_not_apply(tenant: Any) -> None:
    # Given: three completed calls
    calls = [tenant.add_call(status=COMPLETED, start_time=at(m)) for m in range(3)]

    # When: the export is asked with the list's paging parameters (even out of their range)
    ids = csv_ids(tenant, limit="1", offset="2", limit_extra="x", order="asc")

    # Then: they are ignored: every call, newest first
    assert ids == newest_first(calls)


def test_at_most_the_1000_most_recent_completed_calls_are_exported(tenant: Any) -> None:
    # Given: more completed calls than an export holds
    calls = tenant.add_calls(MAX_CALLS + 5, status=COMPLETED)

    # When: they are exported
    ids = csv_ids(tenant)

    # Then: the 1,000 most recent, newest first
    assert len(ids) == MAX_CALLS
    assert ids == newest_first(calls)[:MAX_CALLS]
    forget_calls(tenant, calls)


# JSON


def test_json_gives_the_lists_call_objects_each_with_its_transcript(tenant: Any) -> None:
    # Given: two completed calls, one with a transcript
    exchanges = [
        Exchange(sequence_number=n, user_transcript=f"question {n}", agent_response=f"answer {n}")
        for n in range(3)
    ]
    talked = tenant.add_call(status=COMPLETED, start_time=at(1), exchanges=exchanges)
    silent = tenant.add_call(status=COMPLETED, start_time=at(0))

    # When: the tenant exports them as JSON
    result = exported(tenant, export_format="json")
    got = json.loads(result["body"])

    # Then: a dated JSON attachment; each call is the list's call object plus its transcript
    assert header(result, "Content-Type") == "application/json"
    assert header(result, "Content-Disposition") == (
        f'attachment; filename="calls-export-{today()}.json"'
    )
    listed = json.loads(list_calls(tenant.authorizer(Scope.CALLS_READ))["body"])["calls"]
    assert [c["id"] for c in got["calls"]] == [talked.id, silent.id]
    transcripts = [exported_call.pop("transcript") for exported_call in got["calls"]]
    assert got["calls"] == listed
    assert [e["sequence_number"] for e in transcripts[0]] == [0, 1, 2]
    assert transcripts[0][2]["agent_response"] == "answer 2"
    assert transcripts[1] == []


# The request


@pytest.mark.parametrize("query", [{}, {"export_format": "xlsx"}, {"export_format": ""}])
def test_export_format_is_required_and_must_be_csv_or_json(
    tenant: Any, query: dict[str, str]
) -> None:
    result = export(tenant.authorizer(Scope.CALLS_READ), **query)

    assert result["statusCode"] == 422
    assert [e["loc"] for e in json.loads(result["body"])["detail"]] == [["query", "export_format"]]


def test_a_bad_filter_is_a_422(tenant: Any) -> None:
    result = export(
        tenant.authorizer(Scope.CALLS_READ), export_format="csv", phone_number="not a number"
    )

    assert result["statusCode"] == 422
    assert json.loads(result["body"])["detail"][0]["loc"] == ["query", "phone_number"]


def test_a_key_without_calls_read_is_refused(tenant: Any) -> None:
    tenant.add_call(status=COMPLETED)

    result = export(tenant.authorizer(Scope.CALLS_WRITE), export_format="csv")

    assert result["statusCode"] == 403
    assert json.loads(result["body"]) == {"detail": "Missing scope calls:read"}


def test_another_tenants_calls_are_never_exported(make_tenant: Any) -> None:
    # Given: two tenants with completed calls
    mine, theirs = make_tenant(1), make_tenant(2)
    own = [mine.add_call(status=COMPLETED, start_time=at(m)) for m in range(2)]
    theirs.add_call(status=COMPLETED, start_time=at(5))
    other = theirs.add_call(status=COMPLETED, start_time=at(6))

    # When: one tenant exports, even searching for the other's call
    ids = csv_ids(mine)
    searched = csv_ids(mine, search=other.id[:8])
    got = json.loads(exported(mine, export_format="json")["body"])

    # Then: only its own calls
    assert ids == newest_first(own)
    assert searched == []
    assert [c["id"] for c in got["calls"]] == newest_first(own)


# An export larger than a response


def test_an_export_too_large_for_a_response_is_a_303_to_a_presigned_download(
    tenant: Any, small_inline_limit: None
) -> None:
    # Given: an export larger than the (lowered) inline limit
    exchanges = [Exchange(sequence_number=n, user_transcript="word " * 200) for n in range(3)]
    calls = [
        tenant.add_call(status=COMPLETED, start_time=at(m), exchanges=exchanges) for m in range(3)
    ]

    # When: it is asked for and the redirect followed
    result = export(tenant.authorizer(Scope.CALLS_READ), export_format="json")
    location = header(result, "Location")
    download = requests.get(location, timeout=10)

    # Then: 303 to a 15-minute link to the tenant's export, which downloads the whole export
    assert result["statusCode"] == 303
    assert result["body"] == ""
    url = urlsplit(location)
    assert f"/exports/{tenant.tenant_id}/" in url.path
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["X-Amz-Expires"] == "900"
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="calls-export-{today()}.json"'
    )
    assert download.headers["Content-Type"] == "application/json"
    got = download.json()
    assert [c["id"] for c in got["calls"]] == newest_first(calls)
    assert all(len(c["transcript"]) == 3 for c in got["calls"])


def test_a_large_csv_export_downloads_exactly_as_it_would_have_been_answered(
    tenant: Any, handler_environment: dict[str, str]
) -> None:
    # Given: the CSV export of some calls, answered in the response
    for minute in range(12):
        tenant.add_call(status=COMPLETED, start_time=at(minute))
    inline = exported(tenant, export_format="csv")["body"]

    # When: the same export is asked with an inline limit below its size
    with environment({"EXPORT_INLINE_MAX_BYTES": str(len(inline) // 2)}):
        settings.reset()
        result = export(tenant.authorizer(Scope.CALLS_READ), export_format="csv")
    settings.reset()
    download = requests.get(header(result, "Location"), timeout=10)

    # Then: the stored file is the very same CSV, byte for byte
    assert result["statusCode"] == 303
    assert download.content == inline.encode("utf-8")
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_an_export_over_api_gateways_limit_is_stored_not_failed(tenant: Any) -> None:
    # Given: completed calls whose transcripts make more than 6 MB of JSON (the real limit)
    text = 'He said "yes" — ' * 600  # ~10 KB, quotes and a non-ASCII dash cost more once encoded
    exchanges = [Exchange(sequence_number=n, user_transcript=text) for n in range(16)]
    calls = [
        tenant.add_call(status=COMPLETED, start_time=at(m), exchanges=exchanges) for m in range(40)
    ]

    # When: the tenant exports them as JSON, with the deployment's default limit
    result = export(tenant.authorizer(Scope.CALLS_READ), export_format="json")
    download = requests.get(header(result, "Location"), timeout=30)

    # Then: a 303 to the whole export, which indeed would not have fitted in a response
    assert result["statusCode"] == 303
    assert len(json.dumps(download.text)) > 6 * 1024 * 1024
    got = download.json()
    assert [c["id"] for c in got["calls"]] == newest_first(calls)
    assert got["calls"][0]["transcript"][15]["user_transcript"] == text
