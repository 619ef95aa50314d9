"""The API's operations as data: the generated request builder and the generated model that reads
the answer. `Dialtone` and `AsyncDialtone` only differ in how they send them."""

from __future__ import annotations

import functools
import typing
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol, TypeVar

import httpx

from ._generated.api.calls import (
    export_calls,
    get_call,
    get_call_history,
    get_call_recording,
    get_call_stats,
    get_call_transcript,
    list_call_changes,
    list_calls,
    search_calls,
)
from ._generated.api.dialing import (
    cancel_call,
    create_call,
    create_call_batch,
    dialer_status,
    get_call_batch,
)
from ._generated.api.quality import (
    create_issue_report,
    get_call_grade,
    grade_call,
    list_call_issue_reports,
    list_issue_reports,
)
from ._generated.api.webhooks import (
    create_webhook,
    delete_webhook,
    get_webhook,
    list_webhook_deliveries,
    list_webhooks,
    retry_webhook_delivery,
    rotate_webhook_secret,
    send_test_event,
    update_webhook,
)
from ._generated.models import (
    BatchAccepted,
    BatchDialRequest,
    BatchDryRun,
    BatchStatus,
    Call,
    CallChanges,
    CallHistory,
    CallIssueReports,
    CallList,
    CallSearchResult,
    CallStats,
    Delivery,
    DeliveryList,
    DialAccepted,
    DialerStatus,
    DialRequest,
    Grade,
    IssueReport,
    IssueReportCreate,
    IssueReportFeed,
    PingQueued,
    RecordingLink,
    SearchCallsRequest,
    Subscription,
    TranscriptExchanges,
    TranscriptTurns,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookSecret,
    WebhookUpdate,
)
from ._generated.types import UNSET

T = TypeVar("T")
M = TypeVar("M", covariant=True)

SEARCH_MAX_IDS = 100  # POST /v1/calls/search takes 1-100 ids
BATCH_MAX_NUMBERS = 1000  # POST /v1/calls/batch takes 1-1,000 numbers
PAGE_MAX = 100  # the largest `limit` the list endpoints take


class _Model(Protocol[M]):
    @classmethod
    def from_dict(cls, src_dict: Any) -> M: ...


@dataclass(frozen=True)
class Op[T]:
    """One request (httpx keyword arguments) and how to read its successful answer."""

    kwargs: dict[str, Any]
    parse: Callable[[httpx.Response], T]
    extensions: dict[str, Any] = field(default_factory=dict)


def _model[T](model: type[_Model[T]]) -> Callable[[httpx.Response], T]:
    return lambda response: model.from_dict(response.json())


def _nothing(response: httpx.Response) -> None:
    return None


def _text(response: httpx.Response) -> str:
    return response.text


def _given(**values: Any) -> dict[str, Any]:
    """Keyword arguments without the ones left at None (the generator's UNSET)."""
    return {name: UNSET if value is None else value for name, value in values.items()}


@functools.cache
def _enums(builder: Callable[..., Any]) -> dict[str, type[Enum]]:
    """The builder's parameters typed with a generated enum, and that enum."""
    found: dict[str, type[Enum]] = {}
    for name, hint in typing.get_type_hints(builder).items():
        for option in typing.get_args(hint) or (hint,):
            if isinstance(option, type) and issubclass(option, Enum):
                found[name] = option
    return found


def _build(builder: Callable[..., dict[str, Any]], *args: Any, **params: Any) -> dict[str, Any]:
    """`builder(*args, **params)` with plain strings turned into the generated enums it expects
    (some builders read `.value` of a string otherwise); an unknown value raises ValueError."""
    for name, enum in _enums(builder).items():
        if isinstance(params.get(name), str):
            params[name] = enum(params[name])
    return builder(*args, **params)


def chunks[T](items: Sequence[T], size: int) -> list[list[T]]:
    """`items` cut into lists of at most `size`, in order."""
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


# Reading calls


def list_calls_op(filters: dict[str, Any]) -> Op[CallList]:
    kwargs = _build(list_calls._get_kwargs, **filters)
    if "page" in filters or "page_size" in filters:
        # The builder always sends limit/offset (their documented defaults), which the API
        # refuses beside page/page_size.
        kwargs["params"] = {
            k: v for k, v in kwargs["params"].items() if k not in ("limit", "offset")
        }
    return Op(kwargs, _model(CallList))


def get_call_op(call_id: str) -> Op[Call]:
    return Op(get_call._get_kwargs(call_id), _model(Call))  # type: ignore[arg-type]


def search_calls_op(call_ids: Sequence[str]) -> Op[CallSearchResult]:
    body = SearchCallsRequest.from_dict({"call_ids": [str(call_id) for call_id in call_ids]})
    # A search only reads, so it is as safe to repeat as a GET.
    return Op(
        search_calls._get_kwargs(body=body), _model(CallSearchResult), {"dialtone_retry": True}
    )


def transcript_op(call_id: str, fmt: str, cursor: str | None) -> Op[Any]:
    kwargs = _build(get_call_transcript._get_kwargs, call_id, **_given(format_=fmt, cursor=cursor))
    parse: Callable[[httpx.Response], Any]
    parse = {"exchanges": _model(TranscriptExchanges), "turns": _model(TranscriptTurns)}.get(
        fmt, _text
    )
    return Op(kwargs, parse)


def history_op(call_id: str, cursor: str | None) -> Op[CallHistory]:
    return Op(get_call_history._get_kwargs(call_id, **_given(cursor=cursor)), _model(CallHistory))  # type: ignore[arg-type]


def recording_op(call_id: str, expires_in: int | None) -> Op[RecordingLink]:
    kwargs = get_call_recording._get_kwargs(call_id, **_given(expires_in=expires_in))  # type: ignore[arg-type]
    return Op(kwargs, _model(RecordingLink))


def export_op(export_format: str, filters: dict[str, Any]) -> Op[httpx.Response]:
    kwargs = _build(export_calls._get_kwargs, export_format=export_format, **filters)
    return Op(kwargs, lambda response: response)


def stats_op(filters: dict[str, Any]) -> Op[CallStats]:
    return Op(_build(get_call_stats._get_kwargs, **filters), _model(CallStats))


def changes_op(cursor: str | None, since: Any, limit: int) -> Op[CallChanges]:
    return Op(
        list_call_changes._get_kwargs(**_given(cursor=cursor, since=since), limit=limit),
        _model(CallChanges),
    )


# Dialing


def dial_fields(
    from_number: str | None, agent_id: str | None, metadata: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The optional fields of a call or batch request (None: not sent)."""
    return {
        "from_number": from_number,
        "agent_id": agent_id,
        "metadata": dict(metadata) if metadata else None,
    }


def create_call_op(
    to_number: str, extra: dict[str, Any], idempotency_key: str | None
) -> Op[DialAccepted]:
    body = DialRequest.from_dict(
        {"to_number": to_number, **{k: v for k, v in extra.items() if v is not None}}
    )
    # A key makes the POST safe to repeat: the server answers a repeat with the first call.
    kwargs = create_call._get_kwargs(
        body=body, idempotency_key=idempotency_key or str(uuid.uuid4())
    )
    return Op(kwargs, _model(DialAccepted))


def create_batch_op(
    to_numbers: list[str], extra: dict[str, Any], idempotency_key: str
) -> Op[BatchAccepted]:
    body = BatchDialRequest.from_dict(
        {"to_numbers": to_numbers, **{k: v for k, v in extra.items() if v is not None}}
    )
    # As for one call: the key makes the POST safe to repeat (the server answers a repeat with
    # the batch it queued the first time).
    kwargs = create_call_batch._get_kwargs(body=body, idempotency_key=idempotency_key)
    return Op(kwargs, _model(BatchAccepted))


def batch_keys(idempotency_key: str | None, count: int) -> list[str]:
    """One Idempotency-Key per batch request: `<key>-<n>` from the caller's key, else random."""
    if idempotency_key is None:
        return [str(uuid.uuid4()) for _ in range(count)]
    return [f"{idempotency_key}-{n}" for n in range(1, count + 1)]


def dry_run_batch_op(to_numbers: list[str], extra: dict[str, Any]) -> Op[BatchDryRun]:
    body = BatchDialRequest.from_dict(
        {"to_numbers": to_numbers, **{k: v for k, v in extra.items() if v is not None}}
    )
    return Op(create_call_batch._get_kwargs(body=body, dry_run=True), _model(BatchDryRun))


def batch_op(batch_id: str) -> Op[BatchStatus]:
    return Op(get_call_batch._get_kwargs(batch_id), _model(BatchStatus))  # type: ignore[arg-type]


def cancel_op(call_id: str) -> Op[Call]:
    return Op(cancel_call._get_kwargs(call_id), _model(Call))  # type: ignore[arg-type]


def dialer_status_op() -> Op[DialerStatus]:
    return Op(dialer_status._get_kwargs(), _model(DialerStatus))


# Quality


def grade_op(call_id: str, force: bool) -> Op[Grade]:
    return Op(grade_call._get_kwargs(call_id, force=force), _model(Grade))  # type: ignore[arg-type]


def get_grade_op(call_id: str) -> Op[Grade]:
    return Op(get_call_grade._get_kwargs(call_id), _model(Grade))  # type: ignore[arg-type]


def create_issue_report_op(call_id: str, fields: dict[str, Any]) -> Op[IssueReport]:
    body = IssueReportCreate.from_dict({k: v for k, v in fields.items() if v is not None})
    return Op(create_issue_report._get_kwargs(call_id, body=body), _model(IssueReport))  # type: ignore[arg-type]


def call_issue_reports_op(call_id: str) -> Op[CallIssueReports]:
    return Op(list_call_issue_reports._get_kwargs(call_id), _model(CallIssueReports))  # type: ignore[arg-type]


def issue_reports_op(filters: dict[str, Any]) -> Op[IssueReportFeed]:
    return Op(_build(list_issue_reports._get_kwargs, **filters), _model(IssueReportFeed))


# Webhooks


def create_webhook_op(fields: dict[str, Any]) -> Op[WebhookCreated]:
    body = WebhookCreate.from_dict({k: v for k, v in fields.items() if v is not None})
    return Op(create_webhook._get_kwargs(body=body), _model(WebhookCreated))


def list_webhooks_op(limit: int, cursor: str | None) -> Op[WebhookList]:
    return Op(list_webhooks._get_kwargs(limit=limit, **_given(cursor=cursor)), _model(WebhookList))


def get_webhook_op(webhook_id: str) -> Op[Subscription]:
    return Op(get_webhook._get_kwargs(webhook_id), _model(Subscription))


def update_webhook_op(webhook_id: str, fields: dict[str, Any]) -> Op[Subscription]:
    body = WebhookUpdate.from_dict({k: v for k, v in fields.items() if v is not None})
    return Op(update_webhook._get_kwargs(webhook_id, body=body), _model(Subscription))


def delete_webhook_op(webhook_id: str) -> Op[None]:
    return Op(delete_webhook._get_kwargs(webhook_id), _nothing)


def rotate_webhook_op(webhook_id: str) -> Op[WebhookSecret]:
    return Op(rotate_webhook_secret._get_kwargs(webhook_id), _model(WebhookSecret))


def test_webhook_op(webhook_id: str) -> Op[PingQueued]:
    return Op(send_test_event._get_kwargs(webhook_id), _model(PingQueued))


def deliveries_op(webhook_id: str, limit: int, cursor: str | None) -> Op[DeliveryList]:
    kwargs = list_webhook_deliveries._get_kwargs(webhook_id, limit=limit, **_given(cursor=cursor))
    return Op(kwargs, _model(DeliveryList))


def retry_delivery_op(webhook_id: str, delivery_id: str) -> Op[Delivery]:
    return Op(retry_webhook_delivery._get_kwargs(webhook_id, delivery_id), _model(Delivery))
