"""The rules of calls exports: spreadsheet-safe cells, the CSV's columns, and the size an
export takes in Lambda's response."""

from __future__ import annotations

import json
import random

import pytest

from dialtone.exports import FORMULA_STARTS, _Body, csv_columns, csv_row, spreadsheet_safe
from dialtone.model_types import CallStatus
from dialtone.recordings import EXPORTS_PREFIX, export_key
from local.provision import load_template
from local.seed import make_call


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_text_that_starts_a_formula_is_prefixed(start: str) -> None:
    assert spreadsheet_safe(f"{start}SUM(A1:A9)") == f"'{start}SUM(A1:A9)"


@pytest.mark.parametrize("text", ["", "Ava", "1+1", "a=b", "'quoted", " =padded", "{}"])
def test_other_text_is_left_alone(text: str) -> None:
    assert spreadsheet_safe(text) == text


def test_columns_flatten_nested_fields_and_leave_out_links_and_queue_fields() -> None:
    columns = csv_columns()

    assert columns[:3] == ("id", "direction", "status")
    assert {"analysis_summary", "cost_total", "cost_breakdown", "latency_e2e_p95"} <= set(columns)
    assert {"metadata", "provider_usage", "created_at", "updated_at"} <= set(columns)
    assert not {"recording_url", "queue_position", "dial_at_estimate", "analysis", "latency"} & set(
        columns
    )
    assert len(columns) == len(set(columns))


def test_numbers_are_never_prefixed_but_text_is() -> None:
    call = make_call(random.Random(1), status=CallStatus.COMPLETED, agent_name="-Bot")
    call = call.model_copy(update={"grade_score": -0.5})

    row = dict(zip(csv_columns(), csv_row(call), strict=True))

    assert row["grade_score"] == "-0.5"
    assert row["agent_name"] == "'-Bot"


def test_the_body_counts_what_it_costs_once_json_encoded() -> None:
    text = 'say "hi" — ok\n'
    with _Body(inline_max_bytes=1000) as body:
        body.write(text)
        body.write(text)

        assert body.encoded_size == 2 * (len(json.dumps(text)) - 2)
        assert body.fits
        assert body.text() == text * 2


def test_a_body_past_the_limit_no_longer_fits() -> None:
    with _Body(inline_max_bytes=10) as body:
        body.write("\u00e9" * 2)  # 4 bytes of UTF-8, 12 once encoded
        assert not body.fits


def test_stored_exports_expire_after_a_day_and_only_there_may_the_function_write() -> None:
    # Given: the template's recordings bucket and export function
    template = load_template()
    bucket = template["Resources"]["RecordingsBucket"]["Properties"]
    function = template["Resources"]["ExportCallsFunction"]["Properties"]
    key = export_key("tenant-1", "calls-export-2026-12-05.json")

    # Then: a lifecycle rule expires everything under the exports' prefix after a day
    (rule,) = [r for r in bucket["LifecycleConfiguration"]["Rules"] if r["Id"] == "expire-exports"]
    assert key.startswith(rule["Prefix"])
    assert rule["Status"] == "Enabled"
    assert rule["ExpirationInDays"] == 1
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    # And the recording indexer is never told of an export
    notified = bucket["NotificationConfiguration"]["QueueConfigurations"][0]["Filter"]
    assert not key.startswith(notified["S3Key"]["Rules"][0]["Value"])
    # And the function writes nothing but exports
    (write,) = [p["Statement"][0] for p in function["Policies"] if "Statement" in p]
    assert "s3:PutObject" in write["Action"]
    assert write["Resource"]["Fn::Sub"] == "${RecordingsBucket.Arn}/" + EXPORTS_PREFIX + "*"
