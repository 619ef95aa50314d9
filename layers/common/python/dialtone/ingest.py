"""The voice runtime's writes: call records, transcript exchanges and history events.

`PUT /v1/calls/{id}` creates a call or merges a partial update into it. Fields the API owns
(timestamps of its own, counters, grades, recording fields, dialing state) cannot be written;
the status only moves forward; every write is conditional on the version that was read, so two
writers merging at once never lose each other's fields (the loser re-reads and merges again).

Exchanges and history events are items of their own under the call, each written once: a
repeat with the same content is a no-op, with different content a conflict (409). A call that
opted out of sensitive data storage has its text redacted before anything is stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError, to_jsonable_python

from dialtone import phones, retention, settings
from dialtone.accounts import AccountStore
from dialtone.auth import Principal, Scope
from dialtone.dynamo import check_storable
from dialtone.errors import (
    CallErasing,
    CallExpired,
    CallNotFound,
    ChildConflict,
    FieldNotWritable,
    InvalidParameter,
    WriteContention,
)
from dialtone.latency import derive_latency
from dialtone.model_types import (
    FINAL_STATUSES,
    STATUS_RANK,
    CallOutcome,
    CallStatus,
    Direction,
    DirectionIn,
    Flag,
    Integer,
    OptionalFlag,
    OptionalInteger,
    OptionalNumber,
    json_number,
    refuse_unix_seconds,
)
from dialtone.models import (
    LIFECYCLE_EVENTS,
    Call,
    CallAnalysis,
    CallCost,
    CallLatency,
    Exchange,
    HistoryEvent,
    HistoryEventType,
)
from dialtone.settings import EnvSettings
from dialtone.store import (
    MERGE_ATTEMPTS,
    CallStore,
    StoredCall,
    event_sk,
    exchange_sk,
)


class IngestSettings(EnvSettings):
    """The voice runtime's writes: calls (and their exchanges and history), and tenants for
    their retention and privacy settings. National-format phone numbers in redacted text are
    read as numbers of REDACTION_REGION."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)
    redaction_region: str = Field(alias="REDACTION_REGION", default="US", pattern=r"^[A-Z]{2}$")


# What one request may carry; each item stays far below DynamoDB's 400 KB item limit.
MAX_ITEMS_PER_REQUEST = 500
MAX_TEXT = 4000
MAX_JSON_BYTES = 16 * 1024
MAX_EVENT_JSON_BYTES = 8 * 1024
MAX_OFFSET_MS = 7 * 24 * 3600 * 1000
# Text one request may carry in all (characters): bounds the time a request takes to redact
# and store, far inside the functions' timeout, whatever the text holds.
MAX_REQUEST_TEXT = 256 * 1024

# Fields of the call object only the API writes.
OWNED_FIELDS = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "batch_id",
        "queued_at",
        "dial_slot_at",
        "dialed_at",
        "queue_time_ms",
        "call_sid",
        "queue_position",
        "dial_at_estimate",
        "grade_score",
        "grade_status",
        "grade_updated_at",
        "issue_count",
        "critical_issue_count",
        "recording_url",
        "recording_format",
        "recording_size_bytes",
        "recording_duration_seconds",
        "recording_channels",
        "recording_error",
    }
)


# What `Ingestor._merged_field` answers for a sent value that changes nothing.
_UNCHANGED = object()

# The moments a call's timestamps may name.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _utc(value: datetime | None) -> datetime | None:
    """A timestamp in UTC (one without a zone is UTC), so that the same moment sent with
    another offset compares equal to what is stored; from 1970 to 2099."""
    if value is None:
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
    except OverflowError:  # year 1 with a positive offset, year 9999 with a negative one
        value = EARLIEST - timedelta(days=1)
    if not EARLIEST <= value < LATEST:
        raise ValueError("must be a moment from 1970 to 2099")
    return value


UtcDateTime = Annotated[datetime, BeforeValidator(refuse_unix_seconds), AfterValidator(_utc)]


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, default=str).encode("utf-8"))


def _small_json(limit: int) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value is not None and _json_size(value) > limit:
            raise ValueError(f"must be at most {limit // 1024} KB of JSON")
        return value

    return check


def _end_reason(value: str | None) -> str | None:
    """A reason of the published vocabulary (an alias becomes its reason); anything else is
    refused, naming the vocabulary."""
    if value is None:
        return None
    from dialtone import endings

    reason = endings.normalize(value)
    if reason is None:
        raise PydanticCustomError(
            "end_reason", "{message}", {"message": endings.unknown_reason_message(value)}
        )
    return reason


def _refuse_unstorable(value: Any) -> None:
    """A `not_storable` validation error (422) unless DynamoDB can store `value` as it is."""
    try:
        check_storable(value)
    except ValueError as error:
        raise PydanticCustomError("not_storable", str(error)) from None


class CallUpdate(BaseModel):
    """`PUT /v1/calls/{call_id}`: the fields the runtime reports; only those sent change.

    `metadata`, `provider_usage` and `analysis` merge key by key (a key sent as null is
    removed); other fields are replaced, or cleared by an explicit null.
    """

    model_config = ConfigDict(defer_build=True, extra="forbid")

    direction: DirectionIn | None = None
    status: CallStatus | None = None
    outcome: CallOutcome | None = None
    end_reason: Annotated[str | None, AfterValidator(_end_reason)] = Field(
        default=None, max_length=200
    )
    from_number: phones.PhoneNumber | None = None
    to_number: phones.PhoneNumber | None = None
    phone_number: phones.PhoneNumber | None = None
    agent_id: str | None = Field(default=None, min_length=1, max_length=128)
    agent_name: str | None = Field(default=None, max_length=200)
    twilio_call_sid: str | None = Field(default=None, max_length=64)
    livekit_room_id: str | None = Field(default=None, max_length=256)
    start_time: UtcDateTime | None = None
    end_time: UtcDateTime | None = None
    duration_seconds: OptionalNumber = Field(default=None, ge=0, le=7 * 24 * 3600)
    metadata: Annotated[dict[str, Any] | None, AfterValidator(_small_json(MAX_JSON_BYTES))] = None
    analysis: CallAnalysis | None = None
    cost: CallCost | None = None
    latency: CallLatency | None = None
    provider_usage: Annotated[
        dict[str, Any] | None, AfterValidator(_small_json(MAX_JSON_BYTES))
    ] = None
    is_test_call: OptionalFlag = None
    error_reason: str | None = Field(default=None, max_length=500)
    opt_out_sensitive_data_storage: OptionalFlag = None
    # The telephony side's own codes, for a runtime that talks to the network itself.
    sip_response_code: OptionalInteger = Field(default=None, ge=100, le=699)
    q850_cause: OptionalInteger = Field(default=None, ge=0, le=127)
    answered_by: str | None = Field(default=None, min_length=1, max_length=32)

    @model_validator(mode="before")
    @classmethod
    def _api_owned(cls, data: Any) -> Any:
        if isinstance(data, dict):
            owned = sorted(OWNED_FIELDS & set(data))
            if owned:
                raise PydanticCustomError(
                    "read_only",
                    "{fields} set by the API and cannot be written",
                    {"fields": ", ".join(owned) + (" is" if len(owned) == 1 else " are")},
                )
        return data

    @field_validator("status")
    @classmethod
    def _not_queued(cls, value: CallStatus | None) -> CallStatus | None:
        if value is CallStatus.QUEUED:
            raise PydanticCustomError(
                "read_only", "queued is set by the API when it accepts an outbound call"
            )
        return value

    @model_validator(mode="after")
    def _storable(self) -> CallUpdate:
        # Python mode keeps NaN and infinity (JSON mode would turn them into null); the times
        # are stored as ISO strings, so they are left out of the check.
        values = self.model_dump(exclude_none=True, exclude={"start_time", "end_time"})
        _refuse_unstorable(values)
        return self


class ExchangeIn(BaseModel):
    """One transcript exchange as the runtime sends it."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    sequence_number: Integer = Field(ge=0, le=9_999_999_999)
    user_transcript: str | None = Field(default=None, max_length=MAX_TEXT)
    agent_response: str | None = Field(default=None, max_length=MAX_TEXT)
    error: Flag = False
    error_message: str | None = Field(default=None, max_length=1000)
    exchange_timestamp: UtcDateTime | None = None
    user_start_ms: OptionalInteger = Field(default=None, ge=0, le=MAX_OFFSET_MS)
    user_end_ms: OptionalInteger = Field(default=None, ge=0, le=MAX_OFFSET_MS)
    agent_start_ms: OptionalInteger = Field(default=None, ge=0, le=MAX_OFFSET_MS)
    agent_end_ms: OptionalInteger = Field(default=None, ge=0, le=MAX_OFFSET_MS)


def _one_or_many(key: str, marker: str) -> Callable[[Any], Any]:
    """Accept `{key: [...]}` or a single item (recognised by its `marker` field)."""

    def wrap(data: Any) -> Any:
        if isinstance(data, dict) and key not in data and marker in data:
            return {key: [data]}
        return data

    return wrap


class ExchangesRequest(BaseModel):
    """`POST /v1/calls/{call_id}/exchanges`: `{"exchanges": [...]}` or one exchange."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    exchanges: list[ExchangeIn] = Field(min_length=1, max_length=MAX_ITEMS_PER_REQUEST)

    _wrap = model_validator(mode="before")(_one_or_many("exchanges", "sequence_number"))

    @model_validator(mode="after")
    def _bounded(self) -> ExchangesRequest:
        texts = (
            len(text)
            for e in self.exchanges
            for text in (e.user_transcript, e.agent_response, e.error_message)
            if text
        )
        _check_request_text(sum(texts), "exchanges")
        return self


def _check_request_text(size: int, what: str) -> None:
    if size > MAX_REQUEST_TEXT:
        raise PydanticCustomError(
            "too_large",
            "the {what} of one request may hold at most {limit} characters of text in all; "
            "send them in several requests",
            {"what": what, "limit": f"{MAX_REQUEST_TEXT:,}"},
        )


EventId = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:-]{1,128}$")]


def _storable_number(value: float | None) -> float | None:
    """A number DynamoDB can store as it is: 0, or of magnitude 1e-130 to about 1e126 (a
    tiny positive float such as 1e-200 passes `ge=0` but is not one)."""
    if value is not None:
        _refuse_unstorable(value)
    return value


# An event's duration or time to first byte, in milliseconds.
Milliseconds = Annotated[
    float | None,
    Field(ge=0, le=MAX_OFFSET_MS),
    BeforeValidator(json_number),
    AfterValidator(_storable_number),
]


class PatchChanges(BaseModel):
    """What a `patch` event replaces in the event it corrects (only the fields sent)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    name: str | None = Field(default=None, max_length=128)
    text: str | None = Field(default=None, max_length=MAX_TEXT)
    arguments: dict[str, Any] | None = None
    result: Any = None
    duration_ms: Milliseconds = None
    ttfb_ms: Milliseconds = None
    attributes: dict[str, Any] | None = None


class EventIn(BaseModel):
    """One history or lifecycle event as the runtime sends it. `event_id` makes a retry a
    no-op; without one, an identical event is recognised by its content."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    event_id: EventId | None = None
    type: HistoryEventType
    timestamp: UtcDateTime
    name: str | None = Field(default=None, max_length=128)
    duration_ms: Milliseconds = None
    ttfb_ms: Milliseconds = None
    text: str | None = Field(default=None, max_length=MAX_TEXT)
    arguments: dict[str, Any] | None = None
    result: Any = None
    status: CallStatus | None = None
    outcome: CallOutcome | None = None
    reason: str | None = Field(default=None, max_length=200)
    attributes: dict[str, Any] = Field(default_factory=dict)
    # A patch only: the earlier event it corrects, and the fields it replaces there.
    target_event_id: EventId | None = None
    changes: PatchChanges | None = None

    @model_validator(mode="after")
    def _a_patch_names_its_target_and_changes(self) -> EventIn:
        is_patch = self.type is HistoryEventType.PATCH
        if is_patch and (self.target_event_id is None or not self.changes_sent()):
            raise PydanticCustomError(
                "patch", "a patch event needs target_event_id and at least one of changes"
            )
        if not is_patch and (self.target_event_id is not None or self.changes is not None):
            raise PydanticCustomError(
                "patch", "target_event_id and changes are only for a patch event"
            )
        return self

    def changes_sent(self) -> dict[str, Any]:
        """The fields a patch replaces, as sent (an explicit null clears a field)."""
        return self.changes.model_dump(exclude_unset=True) if self.changes else {}

    @model_validator(mode="after")
    def _consistent(self) -> EventIn:
        if self.status is not None and (
            self.type is not HistoryEventType.ENDED or self.status not in FINAL_STATUSES
        ):
            raise PydanticCustomError(
                "lifecycle", "status is only for an ended event, and must be a final status"
            )
        if self.outcome is not None and self.type not in LIFECYCLE_EVENTS:
            raise PydanticCustomError("lifecycle", "outcome is only for lifecycle events")
        if self.type is HistoryEventType.ENDED:
            # An ended event's reason is the call's end_reason: of the vocabulary.
            self.reason = _end_reason(self.reason)
        payload = self.payload()
        if _json_size(payload) > MAX_EVENT_JSON_BYTES:
            raise PydanticCustomError(
                "too_large", "arguments, result and attributes must be at most 8 KB of JSON"
            )
        _refuse_unstorable(payload)
        return self

    def payload(self) -> dict[str, Any]:
        """The event's free-form JSON: its arguments, result and attributes."""
        payload: dict[str, Any] = {
            "arguments": self.arguments,
            "result": self.result,
            "attributes": self.attributes,
        }
        if self.changes is not None:
            payload["changes"] = self.changes_sent()
        return payload

    def to_event(self) -> HistoryEvent:
        """The stored event; without an `event_id`, one derived from the content."""
        # Only a patch has these: an event of another type derives the id it always did.
        values = self.model_dump(mode="json", exclude={"changes", "target_event_id"})
        if self.target_event_id is not None:
            values["target_event_id"] = self.target_event_id
        if self.changes is not None:
            values["changes"] = self.changes.model_dump(mode="json", exclude_unset=True)
        if not self.event_id:
            canonical = json.dumps(values, sort_keys=True, separators=(",", ":"))
            values["event_id"] = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]
        return HistoryEvent.model_validate(values)


class EventsRequest(BaseModel):
    """`POST /v1/calls/{call_id}/events`: `{"events": [...]}` or one event."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    events: list[EventIn] = Field(min_length=1, max_length=MAX_ITEMS_PER_REQUEST)

    _wrap = model_validator(mode="before")(_one_or_many("events", "type"))

    @model_validator(mode="after")
    def _bounded(self) -> EventsRequest:
        size = sum(
            len(e.text or "") + len(e.reason or "") + _json_size(e.payload()) for e in self.events
        )
        _check_request_text(size, "events")
        return self


class AppendReceipt(BaseModel):
    """What an append did: how many items came, how many were new, how many were repeats."""

    model_config = ConfigDict(defer_build=True)

    call_id: str
    received: int
    stored: int
    unchanged: int


class EventsReceipt(AppendReceipt):
    """An events append also tells where the call's lifecycle now stands."""

    status: CallStatus
    outcome: CallOutcome | None = None


class Ingestor:
    """The runtime's writes for one principal (scope `calls:ingest`)."""

    def __init__(
        self, store: CallStore, accounts: AccountStore, redaction_region: str = "US"
    ) -> None:
        self.store = store
        self.accounts = accounts
        self.redaction_region = redaction_region

    # Call records

    def upsert_call(
        self, principal: Principal, call_id: str, update: CallUpdate
    ) -> tuple[Call, bool]:
        """Create the call or merge `update` into it; the call as stored, and whether it was
        created."""
        principal.require(Scope.CALLS_INGEST)
        tenant_id = principal.tenant_id
        for _ in range(MERGE_ATTEMPTS):
            try:
                existing = self.store.get_call(tenant_id, call_id, consistent=True)
            except CallErasing:
                raise _being_erased() from None
            except CallNotFound as missing:
                if isinstance(missing, CallExpired):
                    # Past its retention, waiting for TTL: what is left of it goes first.
                    self.store.purge_expired_call(tenant_id, call_id)
                call, internal = self._new_call(tenant_id, call_id, update)
                if self.store.create_call(tenant_id, call, internal):
                    return call, True
                continue  # created meanwhile by another request: merge into it
            try:
                before, after = self.store.merge_call(
                    tenant_id, call_id, lambda s: self._merge(s, update), current=existing
                )
                moved_to_final = (
                    after.call.status in FINAL_STATUSES and before.call.status not in FINAL_STATUSES
                )
                if moved_to_final:
                    after = self.refresh_latency(tenant_id, call_id, current=after) or after
            except CallErasing:
                raise _being_erased() from None
            return after.call, False
        raise WriteContention()

    def _new_call(
        self, tenant_id: str, call_id: str, update: CallUpdate
    ) -> tuple[Call, dict[str, Any]]:
        sent = update.model_dump(exclude_unset=True)
        if sent.get("direction") is None:
            raise InvalidParameter(("body", "direction"), "direction is required to create a call")
        tenant = self.accounts.get_tenant(tenant_id)
        now = datetime.now(UTC)
        values: dict[str, Any] = {k: v for k, v in sent.items() if v is not None}
        values.setdefault("start_time", now)
        values.setdefault("status", CallStatus.IN_PROGRESS)
        values.setdefault("opt_out_sensitive_data_storage", tenant.opt_out_sensitive_data_storage)
        values.update(id=call_id, created_at=now, updated_at=now)
        values.update(_derived(values, sent))
        call = Call.model_validate(values)
        if call.opt_out_sensitive_data_storage and call.analysis and call.analysis.summary:
            call = call.model_copy(
                update={"analysis": self._redacted_analysis(call.analysis.model_dump())}
            )
        # Kept for the tenant's retention from its start, or from now for a start yet to come.
        expires_at = retention.expires_at(min(call.start_time, now), tenant.retention_days)
        if expires_at is not None and expires_at <= now.timestamp():
            raise InvalidParameter(
                ("body", "start_time"),
                f"start_time is older than this tenant's retention of {tenant.retention_days} "
                "days: the call would expire at once",
            )
        internal: dict[str, Any] = {
            "expires_at": expires_at,
            "latency_from_runtime": True if call.latency is not None else None,
        }
        return call, {k: v for k, v in internal.items() if v is not None}

    def _merge(self, stored: StoredCall, update: CallUpdate) -> dict[str, Any]:
        """The fields `update` changes on the call as it is now."""
        current = stored.call
        sent = update.model_dump(exclude_unset=True)
        fields: dict[str, Any] = {}
        for name, value in sent.items():
            merged = self._merged_field(current, update, name, value)
            if merged is not _UNCHANGED:
                fields[name] = merged
        if "latency" in sent:
            fields["latency_from_runtime"] = True if sent["latency"] is not None else None
        # The fields as values (times as datetimes), not as serialised by the API model.
        values = {**dict(current), **fields}
        fields.update(_derived(values, sent))
        # Only what differs is written: a repeated update is a no-op.
        now_json = to_jsonable_python({**current.model_dump(), **stored.internal.stored_values()})
        return {
            name: value
            for name, value in fields.items()
            if to_jsonable_python(value) != now_json.get(name)
        }

    def _merged_field(self, current: Call, update: CallUpdate, name: str, value: Any) -> Any:
        """The value a field takes when `value` is sent for it, `_UNCHANGED` when the update
        leaves it as it is."""
        if name in ("direction", "start_time", "is_test_call") and value is None:
            raise InvalidParameter(("body", name), f"{name} cannot be cleared")
        if name == "status":
            # Forward only: a late or repeated status changes nothing.
            forward = value is not None and STATUS_RANK[value] > STATUS_RANK[current.status]
            return value if forward else _UNCHANGED
        if name in ("metadata", "provider_usage"):
            return _merged_json(name, getattr(current, name), value)
        if name == "analysis" and value is not None:
            base = current.analysis.model_dump() if current.analysis else {}
            value = {**base, **value}
            if current.opt_out_sensitive_data_storage:
                value = self._redacted_analysis(value).model_dump()
            return value
        if name in ("cost", "latency") and value is not None:
            # Replaced whole, as stored (with its defaults), so a repeat compares equal.
            return getattr(update, name).model_dump()
        if name == "opt_out_sensitive_data_storage":
            if value is None or value == current.opt_out_sensitive_data_storage:
                return _UNCHANGED
            raise FieldNotWritable(
                "opt_out_sensitive_data_storage is chosen when a call is created and cannot change"
            )
        return value

    def _redacted_analysis(self, values: dict[str, Any]) -> CallAnalysis:
        from dialtone.redaction import redact_text

        summary = values.get("summary")
        if summary:
            values = {**values, "summary": redact_text(summary, self.redaction_region)}
        return CallAnalysis.model_validate(values)

    # Transcript exchanges

    def append_exchanges(
        self, principal: Principal, call_id: str, request: ExchangesRequest
    ) -> AppendReceipt:
        """Store new exchanges of a call; repeats with the same content change nothing, and
        repeats with different content are refused (409) while the rest are stored."""
        principal.require(Scope.CALLS_INGEST)
        stored = self.store.get_call(principal.tenant_id, call_id, consistent=True)
        exchanges = _unique(
            [Exchange.model_validate(e.model_dump()) for e in request.exchanges],
            key=lambda e: e.sequence_number,
            location="exchanges",
            what="sequence_number",
        )
        if stored.call.opt_out_sensitive_data_storage:
            exchanges = [self._redacted_exchange(e) for e in exchanges]
        result = self.store.append_children(
            principal.tenant_id,
            call_id,
            [(exchange_sk(e.sequence_number), e.model_dump(mode="json")) for e in exchanges],
            expires_at=stored.internal.expires_at,
        )
        if result.conflicts:
            numbers = [str(int(sk.split("#", 1)[1])) for sk in result.conflicts]
            raise ChildConflict("Exchanges with sequence_number", numbers)
        return AppendReceipt(
            call_id=call_id,
            received=len(request.exchanges),
            stored=len(result.stored),
            unchanged=len(request.exchanges) - len(result.stored),
        )

    def _redacted_exchange(self, exchange: Exchange) -> Exchange:
        from dialtone.redaction import redact_text

        texts = ("user_transcript", "agent_response", "error_message")
        return exchange.model_copy(
            update={
                name: redact_text(getattr(exchange, name), self.redaction_region)
                for name in texts
                if getattr(exchange, name)
            }
        )

    # History events

    def append_events(
        self, principal: Principal, call_id: str, request: EventsRequest
    ) -> EventsReceipt:
        """Store new history events of a call and apply its lifecycle events (`started`,
        `ended`, `escalated`) to its status and outcome."""
        principal.require(Scope.CALLS_INGEST)
        tenant_id = principal.tenant_id
        stored = self.store.get_call(tenant_id, call_id, consistent=True)
        events = _unique(
            [e.to_event() for e in request.events],
            key=lambda e: e.event_id,
            location="events",
            what="event_id",
        )
        if stored.call.opt_out_sensitive_data_storage:
            events = [self._redacted_event(e) for e in events]
        result = self.store.append_children(
            tenant_id,
            call_id,
            [(event_sk(e.event_id), e.model_dump(mode="json")) for e in events],
            expires_at=stored.internal.expires_at,
        )
        refused = {sk.split("#", 1)[1] for sk in result.conflicts}
        lifecycle = sorted(
            (e for e in events if e.type in LIFECYCLE_EVENTS and e.event_id not in refused),
            key=lambda e: e.timestamp,
        )
        # Appending events leaves the call item as it was read, and each merge answers with a
        # strongly consistent read of it: the next merge starts from that, not a read of its
        # own (merges are conditional on the item's version, so a stale start is read again).
        after = stored
        for event in lifecycle:
            _, after = self.store.merge_call(
                tenant_id, call_id, _lifecycle_of(event), current=after
            )
        measured = any(e.ttfb_ms is not None or e.duration_ms is not None for e in events)
        ended = any(e.type is HistoryEventType.ENDED for e in lifecycle)
        if ended or (measured and after.call.status in FINAL_STATUSES):
            after = self.refresh_latency(tenant_id, call_id, current=after) or after
        if refused:
            raise ChildConflict("Events with event_id", sorted(refused))
        return EventsReceipt(
            call_id=call_id,
            received=len(request.events),
            stored=len(result.stored),
            unchanged=len(request.events) - len(result.stored),
            status=after.call.status,
            outcome=after.call.outcome,
        )

    def _redacted_event(self, event: HistoryEvent) -> HistoryEvent:
        from dialtone.redaction import redact_text, redact_value

        region = self.redaction_region
        return event.model_copy(
            update={
                "text": redact_text(event.text, region) if event.text else event.text,
                "reason": redact_text(event.reason, region) if event.reason else event.reason,
                "arguments": redact_value(event.arguments, region),
                "result": redact_value(event.result, region),
                "attributes": redact_value(event.attributes, region),
                "changes": redact_value(event.changes, region),
            }
        )

    def refresh_latency(
        self, tenant_id: str, call_id: str, current: StoredCall | None = None
    ) -> StoredCall | None:
        """Derive the call's latency from its history, unless the runtime reported it; the
        call as it is afterwards, or None when nothing changed. `current`: a strongly
        consistent read of the call the caller just made (as `merge_call` takes it)."""
        events = self.store.list_events(tenant_id, call_id)
        latency = derive_latency(events)
        if latency is None:
            return None

        def compute(stored: StoredCall) -> dict[str, Any]:
            if stored.internal.latency_from_runtime or stored.call.latency == latency:
                return {}
            return {"latency": latency.model_dump(mode="json")}

        before, after = self.store.merge_call(tenant_id, call_id, compute, current=current)
        return None if after is before else after


def _being_erased() -> WriteContention:
    return WriteContention("An erasure of this call is in progress; the call cannot be written")


def _unique[T](items: list[T], key: Callable[[T], Any], location: str, what: str) -> list[T]:
    """Items with distinct keys: an identical repeat within the request is dropped, a
    different one with the same key is a 422."""
    seen: dict[Any, T] = {}
    for item in items:
        value = key(item)
        if value in seen and seen[value] != item:
            raise InvalidParameter(
                ("body", location), f"two different items of the request share {what} {value}"
            )
        seen.setdefault(value, item)
    return list(seen.values())


def _merged_json(name: str, stored: dict[str, Any], sent: dict[str, Any] | None) -> dict[str, Any]:
    """A JSON object field (metadata, provider_usage) with the keys sent merged in; a key sent
    as null is removed."""
    merged = {**stored, **(sent or {})}
    value = {k: v for k, v in merged.items() if v is not None}
    if _json_size(value) > MAX_JSON_BYTES:
        raise InvalidParameter(
            ("body", name), f"{name} must stay at most 16 KB of JSON once merged"
        )
    return value


def _derived(values: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
    """Fields that follow from others unless they were sent: the remote party's number from
    the direction, and the duration from the start and end times."""
    derived: dict[str, Any] = {}
    if "phone_number" not in sent and sent.keys() & {"direction", "from_number", "to_number"}:
        direction = values.get("direction")
        if direction == Direction.INBOUND:
            derived["phone_number"] = values.get("from_number")
        elif direction == Direction.OUTBOUND:
            derived["phone_number"] = values.get("to_number")
    start, end = values.get("start_time"), values.get("end_time")
    timed = sent.keys() & {"start_time", "end_time"}
    if "duration_seconds" not in sent and timed and start is not None and end is not None:
        derived["duration_seconds"] = round(max(0.0, (end - start).total_seconds()), 3)
    return derived


def _refines(current: str | None, reason: str) -> bool:
    """Whether the runtime's `reason` replaces the call's end reason: none yet, or one that
    says less (the provider's `hangup`, which does not say who hung up)."""
    from dialtone.endings import GENERIC_REASONS

    return reason != current and (current is None or current in GENERIC_REASONS)


def _lifecycle_of(event: HistoryEvent) -> Callable[[StoredCall], dict[str, Any]]:
    return lambda stored: _lifecycle(stored.call, event)


def _lifecycle(call: Call, event: HistoryEvent) -> dict[str, Any]:
    """How a lifecycle event changes the call as it is now (forward only; the first `ended`
    sets the end time)."""
    fields: dict[str, Any] = {}
    if event.type is HistoryEventType.STARTED:
        if STATUS_RANK[call.status] < STATUS_RANK[CallStatus.IN_PROGRESS]:
            fields["status"] = CallStatus.IN_PROGRESS
    elif event.type is HistoryEventType.ENDED:
        status = event.status or CallStatus.COMPLETED
        if STATUS_RANK[call.status] < STATUS_RANK[status]:
            fields["status"] = status
        if call.end_time is None:
            fields["end_time"] = event.timestamp
            if call.duration_seconds is None or call.duration_seconds == 0:
                elapsed = (event.timestamp - call.start_time).total_seconds()
                fields["duration_seconds"] = round(max(0.0, elapsed), 3)
        if event.reason and _refines(call.end_reason, event.reason):
            fields["end_reason"] = event.reason
        if event.outcome and call.outcome is None:
            fields["outcome"] = event.outcome
    elif event.type is HistoryEventType.ESCALATED and call.outcome is not CallOutcome.ESCALATED:
        fields["outcome"] = CallOutcome.ESCALATED
    return fields


# Wiring for the handlers: one ingestor per execution environment, built on first use.


@settings.per_environment
def ingestor() -> Ingestor:
    """The ingestor of the runtime's write endpoints."""
    config = settings.load(IngestSettings)
    return Ingestor(
        CallStore(config.calls_table), AccountStore(config.accounts_table), config.redaction_region
    )
