"""Accepting outbound calls: one call or a batch, stored and then queued for the dialer (through
`dialtone.dialing.queue`), batch progress and cancelation.

A call is stored `queued` before it is enqueued; if the queue refuses it, the call ends
`failed` with `error_reason: "enqueue_failed"` (and a single call's request fails with 503),
so no call is ever left queued with no message to dial it. A batch stores its calls before the
batch item that counts them, and sends no message until both are stored; if storing fails, the
calls already written are removed and the request fails with 503.
"""

from __future__ import annotations

import functools
import json
import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict, Field, field_validator

from dialtone import aws, phones, retention, settings
from dialtone.auth import Principal, Scope
from dialtone.dialing.config import CreateCallSettings, DialingSettings
from dialtone.dialing.queue import DialQueue
from dialtone.dynamo import check_storable
from dialtone.errors import (
    AgentNotFound,
    BatchNotStored,
    CallNotCancelable,
    DialQueueUnavailable,
    IdempotencyKeyReused,
    IdempotentRequestInProgress,
    InvalidParameter,
)
from dialtone.model_types import BATCH_BUCKET, CallStatus, Direction
from dialtone.models import Call
from dialtone.observability import logger
from dialtone.store import BATCH_BUCKETS, BatchRecord, CallStore, StoredCall, stored_call

MAX_BATCH = 1000
INVALID_NUMBER = "Invalid number"
ENQUEUE_FAILED = "enqueue_failed"


class DialRequest(BaseModel):
    """`POST /v1/calls`."""

    model_config = ConfigDict(defer_build=True)

    to_number: phones.PhoneText = Field(min_length=1)
    from_number: phones.PhoneText | None = None
    agent_id: str | None = Field(default=None, min_length=1, max_length=64)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("to_number", "from_number")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        return None if value is None else phones.to_e164(value)

    @field_validator("metadata")
    @classmethod
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        """At most 4 KB of JSON, and nothing the calls table could not store as it is."""
        check_storable(value)
        if len(json.dumps(value, default=str)) > 4096:
            raise ValueError("metadata must be at most 4 KB of JSON")
        return value


class BatchDialRequest(BaseModel):
    """`POST /v1/calls/batch`: numbers are checked one by one, not rejected as a whole."""

    model_config = ConfigDict(defer_build=True)

    to_numbers: list[str] = Field(min_length=1, max_length=MAX_BATCH)
    from_number: phones.PhoneText | None = None
    agent_id: str | None = Field(default=None, min_length=1, max_length=64)
    metadata: dict[str, Any] = Field(default_factory=dict)

    _e164 = field_validator("from_number")(DialRequest._e164.__func__)  # type: ignore[attr-defined]
    _small = field_validator("metadata")(DialRequest._small.__func__)  # type: ignore[attr-defined]


class DialAccepted(BaseModel):
    model_config = ConfigDict(defer_build=True)
    call_id: str
    call_sid: str
    status: CallStatus = CallStatus.QUEUED


class BatchAccepted(BaseModel):
    model_config = ConfigDict(defer_build=True)
    batch_id: str
    total: int
    status: str = "queued"
    duplicates: list[str] = Field(
        default_factory=list,
        description="Numbers given more than once (E.164), once per repeat: each number of "
        "a batch is called once, so a repeat is not stored",
    )


class BatchSkipped(BaseModel):
    """The numbers a batch would not dial, by reason."""

    model_config = ConfigDict(defer_build=True)
    invalid_number: list[str] = Field(
        description="Not valid E.164, as given: kept as failed entries, never dialed"
    )
    duplicate: list[str] = Field(
        description="A number given again (E.164), once per repeat: not stored"
    )
    suppressed: list[str] = Field(
        description="On the do-not-call list (E.164): the dialer cancels them "
        "(`end_reason: suppressed`)"
    )


class BatchDeferred(BaseModel):
    """Numbers the batch would dial later than now."""

    model_config = ConfigDict(defer_build=True)
    outside_calling_window: list[str] = Field(
        description="Numbers (E.164) whose calling window is closed now: dialed when it "
        "opens, so counted in `will_dial`"
    )


class BatchDryRun(BaseModel):
    """`POST /v1/calls/batch?dry_run=true`: what the batch would do, storing and dialing
    nothing."""

    model_config = ConfigDict(defer_build=True)
    will_dial: int = Field(
        description="Numbers the batch would dial, now or when their calling window opens"
    )
    skipped: BatchSkipped
    deferred: BatchDeferred


class BatchNumbers(NamedTuple):
    """A batch's numbers sorted out: what is stored (number, error) and what is dropped."""

    entries: list[tuple[str, str | None]]
    invalid: list[str]
    duplicates: list[str]

    @property
    def valid(self) -> list[str]:
        """The distinct valid numbers, in order."""
        return [number for number, error in self.entries if error is None]


def sort_numbers(raw_numbers: list[str]) -> BatchNumbers:
    """A batch's numbers in E.164: an invalid one is kept as a failed entry, a repeat of one
    already in the batch is dropped (the first is dialed, once)."""
    entries: list[tuple[str, str | None]] = []
    invalid: list[str] = []
    duplicates: list[str] = []
    seen: set[str] = set()
    for raw in raw_numbers:
        try:
            number = phones.to_e164(raw)
        except ValueError:
            invalid.append(raw)
            entries.append((raw[:32], INVALID_NUMBER))
            continue
        if number in seen:
            duplicates.append(number)
            continue
        seen.add(number)
        entries.append((number, None))
    return BatchNumbers(entries, invalid, duplicates)


class BatchCallEntry(BaseModel):
    model_config = ConfigDict(defer_build=True)
    call_id: str
    to_number: str | None
    status: CallStatus
    call_sid: str | None = None
    error: str | None = None


class BatchStatus(BaseModel):
    model_config = ConfigDict(defer_build=True)
    batch_id: str
    status: str
    total: int
    queued: int
    initiated: int
    completed: int
    failed: int
    canceled: int
    created_at: datetime
    calls: list[BatchCallEntry]


def queued_sid() -> str:
    """The placeholder SID a call carries until the provider gives it a real one."""
    return f"queued-{secrets.token_hex(16)}"


# (tenant_id, distinct E.164 numbers, now) -> (suppressed, outside the calling window now)
Screen = Callable[[str, list[str], datetime], tuple[set[str], set[str]]]


def _screen_nothing(tenant_id: str, numbers: list[str], now: datetime) -> tuple[set[str], set[str]]:
    return set(), set()


class Origin(NamedTuple):
    """Where a new outbound call comes from, and what its tenant keeps of it."""

    from_number: str | None
    agent_name: str | None = None
    retention_days: int | None = None
    opt_out_sensitive_data_storage: bool = False


class Dialing:
    """Accepts outbound calls for a principal and hands them to the dial queue."""

    def __init__(
        self,
        store: CallStore,
        queue_url: str,
        resolve_from: Any = None,
        screen: Screen | None = None,
    ) -> None:
        self.store = store
        self.queue_url = queue_url
        self.queue = DialQueue(queue_url)
        # (principal, agent_id, requested from_number) -> Origin
        self.resolve_from = resolve_from or (lambda principal, agent_id, number: Origin(number))
        # (tenant_id, distinct E.164 numbers, now) -> (suppressed, outside the calling window):
        # the dialer's own rules, applied to numbers not yet stored.
        self.screen = screen or _screen_nothing

    def _new_call(
        self,
        principal: Principal,
        to_number: str,
        origin: Origin,
        agent_id: str | None,
        metadata: dict[str, Any],
        now: datetime,
        batch_id: str | None = None,
        error: str | None = None,
    ) -> Call:
        status = CallStatus.FAILED if error else CallStatus.QUEUED
        return Call(
            id=str(uuid.uuid4()),
            direction=Direction.OUTBOUND,
            status=status,
            end_reason="invalid_number" if error else None,
            error_reason=error,
            from_number=origin.from_number,
            to_number=to_number,
            phone_number=to_number,
            agent_id=agent_id,
            agent_name=origin.agent_name,
            opt_out_sensitive_data_storage=origin.opt_out_sensitive_data_storage,
            batch_id=batch_id,
            metadata=metadata,
            start_time=now,
            queued_at=now,
            call_sid=queued_sid(),
            created_at=now,
            updated_at=now,
        )

    def create_call(self, principal: Principal, request: DialRequest) -> DialAccepted:
        """Store one queued call and enqueue it; DialQueueUnavailable (503) if that fails."""
        principal.require(Scope.CALLS_WRITE)
        origin = self.resolve_from(principal, request.agent_id, request.from_number)
        now = datetime.now(UTC)
        call = self._new_call(
            principal, request.to_number, origin, request.agent_id, request.metadata, now
        )
        self.store.put_queued_calls(
            principal.tenant_id,
            [call],
            enqueued_at=now,
            expires_at=retention.expires_at(now, origin.retention_days),
        )
        try:
            self.queue.send(principal.tenant_id, call.id)
        except Exception as error:
            self._enqueue_failed(principal.tenant_id, call)
            raise DialQueueUnavailable() from error
        return DialAccepted(call_id=call.id, call_sid=call.call_sid or "")

    def _enqueue_failed(self, tenant_id: str, call: Call) -> None:
        self.store.change_call(
            tenant_id,
            call.id,
            CallStatus.QUEUED,
            {"status": CallStatus.FAILED, "error_reason": ENQUEUE_FAILED, "end_reason": "error"},
            batch_id=call.batch_id,
            dialed=True,  # stored queued by put_queued_calls: it has its dial_seq
        )

    def create_batch(self, principal: Principal, request: BatchDialRequest) -> BatchAccepted:
        """Store the calls of a batch (invalid numbers as failed entries), then the batch, and
        enqueue them. BatchNotStored (503) if they cannot be stored: nothing is kept or queued.
        """
        principal.require(Scope.CALLS_WRITE)
        origin = self.resolve_from(principal, request.agent_id, request.from_number)
        now = datetime.now(UTC)
        batch_id = str(uuid.uuid4())
        numbers = sort_numbers(request.to_numbers)
        calls = [
            self._new_call(
                principal,
                number,
                origin,
                request.agent_id,
                request.metadata,
                now,
                batch_id=batch_id,
                error=error,
            )
            for number, error in numbers.entries
        ]
        counts = dict.fromkeys(BATCH_BUCKETS, 0)
        for call in calls:
            counts[BATCH_BUCKET[call.status]] += 1
        # The calls first (all or none), then the batch that counts them: a batch never counts
        # a call that was not stored. Nothing is enqueued until both are.
        try:
            self.store.put_queued_calls(
                principal.tenant_id,
                calls,
                enqueued_at=now,
                expires_at=retention.expires_at(now, origin.retention_days),
            )
        except (BotoCoreError, ClientError) as error:
            raise BatchNotStored() from error
        try:
            self.store.put_batch(
                principal.tenant_id,
                BatchRecord(batch_id=batch_id, total=len(calls), created_at=now, counts=counts),
            )
        except (BotoCoreError, ClientError) as error:
            self._forget(principal.tenant_id, calls)
            raise BatchNotStored() from error
        queued = {c.id: c for c in calls if c.status is CallStatus.QUEUED}
        refused = [queued[i] for i in self.queue.send_many(principal.tenant_id, list(queued))]
        for call in refused:
            self._enqueue_failed(principal.tenant_id, call)
        return BatchAccepted(batch_id=batch_id, total=len(calls), duplicates=numbers.duplicates)

    def dry_run_batch(
        self, principal: Principal, request: BatchDialRequest, screen: Screen | None = None
    ) -> BatchDryRun:
        """What `create_batch` would do with this request, storing and dialing nothing: the
        same checks of the request (scope, agent, caller ID), the same sorting of its numbers,
        and the dialer's rules (`screen`: `dialtone.dialing.rules.screen_numbers`, the
        do-not-call list and the calling window) as they stand now."""
        principal.require(Scope.CALLS_WRITE)
        self.resolve_from(principal, request.agent_id, request.from_number)
        numbers = sort_numbers(request.to_numbers)
        valid = numbers.valid
        screen = screen or self.screen
        suppressed, closed = screen(principal.tenant_id, valid, datetime.now(UTC))
        later = [n for n in valid if n in closed and n not in suppressed]
        return BatchDryRun(
            will_dial=len(valid) - len(suppressed),
            skipped=BatchSkipped(
                invalid_number=numbers.invalid,
                duplicate=numbers.duplicates,
                suppressed=[n for n in valid if n in suppressed],
            ),
            deferred=BatchDeferred(outside_calling_window=later),
        )

    def _forget(self, tenant_id: str, calls: list[Call]) -> None:
        """Remove the calls of a batch that could not be stored whole (none was enqueued)."""
        try:
            self.store.delete_new_calls(tenant_id, calls)
        except (BotoCoreError, ClientError):
            # Left queued without a message, they would be found by the sweeper and dialed.
            logger.exception(
                "Calls of a batch that failed could not be removed",
                extra={"call_ids": [call.id for call in calls]},
            )

    def batch_status(self, principal: Principal, batch_id: str) -> BatchStatus:
        """A batch's counters and its calls; BatchNotFound for an unknown or foreign batch."""
        principal.require(Scope.CALLS_READ)
        batch = self.store.get_batch(principal.tenant_id, batch_id)
        from dialtone import listing

        streams = listing.plan_streams(
            principal.tenant_id, listing.CallFilters(batch_id=batch_id), ascending=True
        )
        entries = [
            BatchCallEntry(
                call_id=stored.call.id,
                to_number=stored.call.to_number,
                status=stored.call.status,
                call_sid=stored.call.twilio_call_sid or stored.call.call_sid,
                error=stored.call.error_reason,
            )
            for stored in (stored_call(item) for item in self.store.read_all(streams[0]))
        ]
        counts = batch.counts
        done = counts["queued"] == 0 and counts["initiated"] == 0
        return BatchStatus(
            batch_id=batch_id,
            status="completed"
            if done
            else ("queued" if counts["queued"] == batch.total else "in_progress"),
            total=batch.total,
            created_at=batch.created_at,
            calls=entries,
            **counts,
        )

    def cancel(self, principal: Principal, call_id: str) -> Call:
        """Cancel a call that is still queued and not yet claimed by a dialer; 409 otherwise."""
        principal.require(Scope.CALLS_WRITE)
        stored = self.store.get_call(principal.tenant_id, call_id, consistent=True)
        if stored.call.status is not CallStatus.QUEUED or stored.internal.claim_token is not None:
            raise _not_cancelable(stored)
        now = datetime.now(UTC)
        changed = self.store.change_call(
            principal.tenant_id,
            call_id,
            CallStatus.QUEUED,
            {"status": CallStatus.CANCELED, "end_reason": "canceled", "end_time": now},
            condition="attribute_not_exists(claim_token)",
            batch_id=stored.call.batch_id,
            dialed=stored.internal.dial_seq is not None,
        )
        if not changed:
            # A dialer claimed it, or it moved on, since it was read: say which.
            raise _not_cancelable(
                self.store.get_call(principal.tenant_id, call_id, consistent=True)
            )
        return self.store.get_call(principal.tenant_id, call_id, consistent=True).call


def _not_cancelable(stored: StoredCall) -> CallNotCancelable:
    """Why this call cannot be canceled: a dialer holds it, or it is no longer queued."""
    if stored.call.status is CallStatus.QUEUED:
        return CallNotCancelable("Call is already being dialed")
    return CallNotCancelable(
        f"Call is {stored.call.status.value}; only a queued call can be canceled"
    )


# Wiring for the handlers: built on first use, once per execution environment.


def _from_number_resolver(accounts_table: str) -> Any:
    """(principal, agent_id, requested) -> Origin: the number from the request, then the
    agent's first number, then the tenant's default, which must be a caller ID the tenant owns
    (`agents.check_caller_id`); the tenant's retention and privacy. The accounts and agents
    modules are loaded when a call is first accepted: a batch's progress or a cancel never
    needs them."""

    @functools.cache
    def stores() -> tuple[Any, Any]:
        from dialtone import agents
        from dialtone.accounts import AccountStore

        return AccountStore(accounts_table), agents.AgentStore(accounts_table)

    def resolve(principal: Principal, agent_id: str | None, requested: str | None) -> Any:
        from dialtone import agents

        accounts, agent_store = stores()
        tenant = accounts.get_tenant(principal.tenant_id)
        agent = None
        if agent_id:
            try:
                agent = agent_store.get_agent(principal.tenant_id, agent_id)
            except AgentNotFound as error:
                # A field of the body names something that does not exist: a bad request
                # (422 on that field), not a missing resource at the URL (404).
                raise InvalidParameter(
                    ("body", "agent_id"), f"Agent {agent_id} not found"
                ) from error
        number = agents.resolve_from_number(tenant, agent, requested)
        agents.check_caller_id(
            tenant,
            agent,
            number,
            lambda: agent_store.agent_numbers(principal.tenant_id),
        )
        return Origin(
            number,
            agent.name if agent else None,
            tenant.retention_days,
            tenant.opt_out_sensitive_data_storage,
        )

    return resolve


@settings.per_environment
def dialing() -> Dialing:
    config = settings.load(DialingSettings)
    return Dialing(
        CallStore(config.calls_table),
        config.dial_queue_url,
        resolve_from=_from_number_resolver(config.accounts_table),
    )


def _idempotency(answer: type[BaseModel]) -> tuple[Callable[[Any], Any], Any]:
    """powertools' idempotency on the IdempotencyTable, keyed by (tenant, Idempotency-Key) and
    checked against the request body: the decorator for a function that answers `answer`, and
    its config. The stored record holds `answer` as JSON, so it must stay well under
    DynamoDB's 400 KB item limit."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )
    from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import (
        PydanticSerializer,
    )

    config = settings.load(CreateCallSettings)
    persistence = DynamoDBPersistenceLayer(
        table_name=config.idempotency_table, boto3_client=aws.client("dynamodb")
    )
    idempotency = IdempotencyConfig(
        event_key_jmespath="[tenant_id, key]",
        payload_validation_jmespath="request",
        expires_after_seconds=24 * 3600,
        raise_on_no_idempotency_key=True,
        # Called only when the stored answer is returned instead of running the function.
        response_hook=lambda answer, record: Replayed(answer),
    )
    decorator = idempotent_function(
        data_keyword_argument="idempotency",
        persistence_store=persistence,
        config=idempotency,
        output_serializer=PydanticSerializer(answer),
    )
    return decorator, idempotency


@settings.per_environment
def _idempotent_create_call() -> Any:
    idempotent, idempotency = _idempotency(DialAccepted)

    # The record's key holds this function's qualified name: it is kept as it was, so keys
    # stored before stay valid, and distinct from the batch's.
    @idempotent
    def create(principal: Principal, request: DialRequest, idempotency: dict[str, Any]) -> Any:
        return dialing().create_call(principal, request)

    return create, idempotency


@settings.per_environment
def _idempotent_create_batch() -> Any:
    idempotent, idempotency = _idempotency(BatchAccepted)

    @idempotent
    def create(principal: Principal, request: BatchDialRequest, idempotency: dict[str, Any]) -> Any:
        return dialing().create_batch(principal, request)

    return create, idempotency


class Replayed(NamedTuple):
    """The stored answer to an Idempotency-Key that was used before: nothing was done."""

    answer: Any


def _run_once(
    factory: Callable[[], Any],
    principal: Principal,
    request: BaseModel,
    idempotency_key: str,
    lambda_context: Any,
) -> tuple[Any, bool]:
    """Run the idempotent operation `factory` builds for (tenant, key): (its answer, whether it
    is the stored answer of an earlier request with this key)."""
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    principal.require(Scope.CALLS_WRITE)
    data = {
        "tenant_id": principal.tenant_id,
        "key": idempotency_key,
        "request": request.model_dump(mode="json"),
    }
    operation, idempotency = factory()
    if lambda_context is not None:
        # An in-progress record then expires with the invocation, not after 24 hours, so a
        # request that died mid-way can be retried with the same key.
        idempotency.register_lambda_context(lambda_context)
    try:
        answer = operation(principal, request, idempotency=data)
    except IdempotencyValidationError as error:
        raise IdempotencyKeyReused() from error
    except IdempotencyAlreadyInProgressError as error:
        raise IdempotentRequestInProgress() from error
    if isinstance(answer, Replayed):
        return answer.answer, True
    return answer, False


class CallCreated(NamedTuple):
    """What `POST /v1/calls` answers: the accepted call, and whether it is the stored answer of
    an earlier request with the same Idempotency-Key (None when no key was sent)."""

    accepted: DialAccepted
    replayed: bool | None = None


def create_call(
    principal: Principal,
    request: DialRequest,
    idempotency_key: str | None,
    lambda_context: Any = None,
) -> CallCreated:
    """`POST /v1/calls`; with an Idempotency-Key a retry gets the first answer (and says it is
    one, `replayed`), and the call is dialed once."""
    if not idempotency_key:
        return CallCreated(dialing().create_call(principal, request))
    accepted, replayed = _run_once(
        _idempotent_create_call, principal, request, idempotency_key, lambda_context
    )
    return CallCreated(accepted, replayed)


class BatchCreated(NamedTuple):
    """What `POST /v1/calls/batch` answers: the accepted batch, and whether it is the stored
    answer of an earlier request with the same Idempotency-Key (None when no key was sent)."""

    accepted: BatchAccepted
    replayed: bool | None = None


def create_batch(
    principal: Principal,
    request: BatchDialRequest,
    idempotency_key: str | None,
    lambda_context: Any = None,
) -> BatchCreated:
    """`POST /v1/calls/batch`; with an Idempotency-Key a retry gets the first answer (and says
    it is one, `replayed`), and the batch is stored and queued once. The stored answer is the
    batch id, its total and its repeated numbers: at most ~20 KB for 1,000 numbers."""
    if not idempotency_key:
        return BatchCreated(dialing().create_batch(principal, request))
    accepted, replayed = _run_once(
        _idempotent_create_batch, principal, request, idempotency_key, lambda_context
    )
    return BatchCreated(accepted, replayed)
