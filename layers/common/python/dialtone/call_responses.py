"""The responses of the call routes beside the call itself: a page of calls, a search's or an
export's calls, a transcript or history page, a recording's link or upload.

Apart from `dialtone.models` so that a function that stores or reads calls but answers none of
these (ingestion, dialing, grading, issue reports) does not build them at its cold start.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dialtone.model_types import ApiModel, Timestamp
from dialtone.models import Call, Exchange, HistoryEvent


class CallWithTranscript(Call):
    transcript: list[Exchange] = Field(default_factory=list)
    # More exchanges than one response carries beside the call: read them all, in pages,
    # from GET /v1/calls/{call_id}/transcript.
    transcript_truncated: bool = False


class CallList(ApiModel):
    calls: list[Call]
    total: int = Field(description="Calls that match the filters (all pages)")
    total_as_of: Timestamp | None = Field(
        default=None,
        description=(
            "`total` includes every change of the tenant's calls made up to this time (the "
            "rollups' watermark; changes since are counted once the stream consumer has "
            "applied them, usually within seconds). When `total` was counted on the calls "
            "themselves, the time of the count. Null when no change has been rolled up yet"
        ),
    )
    limit: int
    offset: int
    next_cursor: str | None = None
    # Only when the page was asked for with `page` and `page_size` (absent otherwise).
    page: int | None = Field(
        default=None, exclude_if=lambda v: v is None, description="With `page` paging only"
    )
    page_size: int | None = Field(
        default=None, exclude_if=lambda v: v is None, description="With `page` paging only"
    )


class CallSearchResult(ApiModel):
    """`POST /v1/calls/search`: the calls found, in the order asked, and the ids not found."""

    calls: list[Call]
    not_found: list[str]


class CallExport(ApiModel):
    """`GET /v1/calls/export?export_format=json`: the calls, newest first, each with its
    transcript."""

    calls: list[CallWithTranscript]


class TranscriptExchanges(ApiModel):
    call_id: str
    exchanges: list[Exchange]
    # Where the next page starts (`?cursor=`), or null on the last page.
    next_cursor: str | None = None


class Turn(ApiModel):
    """One turn of a call as the graded-calls document gives it: what the caller (`user`) or
    the agent (`assistant`) said, or a tool the agent used (`tool_call`, with its arguments as
    JSON text) and what the tool answered (`tool_response`, its result as JSON text), with
    offsets from the start of the recording."""

    role: Literal["user", "assistant", "tool_call", "tool_response"]
    content_type: Literal["text", "function", "function_response"] = "text"
    content: str
    start_ms: int | None = None
    end_ms: int | None = None
    # The tool's name, on tool turns only.
    name: str | None = Field(default=None, exclude_if=lambda v: v is None)


class TranscriptTurns(ApiModel):
    call_id: str
    turns: list[Turn]
    next_cursor: str | None = None


class RecordingLink(ApiModel):
    call_id: str
    recording_url: str
    recording_format: str | None = None
    recording_size_bytes: int | None = None
    recording_duration_seconds: float | None = None
    recording_channels: int | None = None
    expires_at: Timestamp


class CallHistory(ApiModel):
    call_id: str
    events: list[HistoryEvent]
    next_cursor: str | None = None


class RecordingUpload(ApiModel):
    """Where and how to upload a call's recording: a presigned PUT (send `headers` with the
    body) or a presigned POST (send `fields` then the file as a multipart form)."""

    call_id: str
    method: Literal["PUT", "POST"]
    upload_url: str
    headers: dict[str, str] = Field(default_factory=dict)
    fields: dict[str, str] = Field(default_factory=dict)
    recording_format: str
    max_size_bytes: int
    expires_at: Timestamp
