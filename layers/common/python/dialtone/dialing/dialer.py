"""The dialer: takes one dial message `{"tenant_id", "call_id"}` and places the call, once.

For each message, in this order:

1. The call is read (strongly consistent). A call that is no longer `queued`, or is claimed by
   another dialer, needs nothing: the message is a duplicate, or the call was canceled.
2. A number on the tenant's do-not-call list is not dialed: the call ends `canceled` with
   `end_reason: "suppressed"`.
3. Outside the tenant's calling window (in the callee's local time, the zone guessed from the
   number) the call waits: a fresh message is sent with `DelaySeconds` (at most 900, so the
   wait is repeated until the window opens) and the call shows `dial_at_estimate`.
4. The claim: one conditional write, from `queued` without a `claim_token` to `queued` with
   this dialer's token. Of two deliveries of one message, or two dialers racing, exactly one
   wins; the other does nothing. From here on the call cannot be canceled.
5. The provider is made ready (`prepare`: its connection opened, what its first request would
   load loaded), then a slot from the telephony account's limiter (`dialtone.dialing.limiter`), and
   the account's send gate: the send promised for the slot shortly before it, a sleep until
   then, and the request leaves only if this dialer woke on time (else it promises again): the
   spacing holds where requests leave, not only where slots are reserved.
6. The provider call, with nothing done between the gate and it; its SID is saved at once
   (`initiated`, `twilio_call_sid`), with the dial figures: `dial_slot_at` (the limiter's
   slot), `dialed_at` (the moment the gate was passed) and `queue_time_ms` (`dialed_at` -
   `queued_at`). A SID that already belongs to another call is never attached to this one.

Why claim first, then reserve. A slot is worth 1/N of a second of the account's capacity; a
claim blocks cancelation and, if its dialer dies, waits for the sweeper. Reserving first would
waste a slot whenever the claim is then lost (duplicate deliveries, racing dialers, a cancel in
between). Claiming first never wastes a slot on a call someone else dials, and a claim is never
left without a dial: the slot is reserved only if it falls within this invocation's remaining
time (`RateLimiter.reserve(latest=...)`, which reserves nothing otherwise). When it does not,
the claim is released at once and the call goes back to the queue with a delay until that slot,
so neither a claim nor a slot is held by a dialer that cannot use it. The wait for a slot is
short in practice: each dialer holds at most one reservation at a time, so with C concurrent
dialers the wait is at most C/N seconds.

Failures. A retryable provider error is retried in process (0.5 s, 1 s, 2 s, each attempt on a
fresh slot); if it persists, the claim is released with `dial_attempts` + 1 and the message is
given back (reported as a batch item failure) after a visibility timeout that doubles with each
attempt. The fifth failed attempt, or a permanent error, ends the call `failed` with
`error_reason`. A message that can never be processed (not JSON, not a dial message, an unknown
tenant) is reported as failed every time, so it reaches the dead-letter queue.

A provider error that leaves it unknown whether the call was placed (a read timeout, a dropped
connection) is never retried blindly: the dialer looks the call up with `find_call`, and if it
cannot find it yet, it keeps the claim for the sweeper, exactly as after a crash.

A dialer that dies after the provider call and before the SID is saved leaves a claim without
a SID: redeliveries do nothing (step 1), and the sweeper (`dialtone.dialing.sweeper`) asks the
provider whether the call exists before anything is dialed again.
"""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import Field

from dialtone import settings
from dialtone.dialing.queue import (
    MAX_DELAY_SECONDS,
    DialMessage,
    DialQueueWriter,
    PoisonMessage,
)

# The calling window's rules, shared with a batch's dry run (and importable from here).
from dialtone.dialing.rules import callee_zone as callee_zone
from dialtone.dialing.rules import callee_zones as callee_zones
from dialtone.dialing.rules import window_closed_until
from dialtone.dialing.rules import window_opening as window_opening
from dialtone.dialing.rules import window_opening_everywhere as window_opening_everywhere
from dialtone.errors import AgentNotFound, CallNotFound, TenantNotFound
from dialtone.model_types import CallStatus, format_timestamp
from dialtone.models import Call
from dialtone.telephony.base import Connection, DialOrder, ProviderCall, ProviderError
from dialtone.telephony.credentials import TelephonySettings

if TYPE_CHECKING:
    from dialtone.accounts import AccountStore, Tenant
    from dialtone.agents import AgentStore
    from dialtone.dialing.limiter import RateLimiter
    from dialtone.dialing.suppressions import SuppressionStore
    from dialtone.store import CallStore, StoredCall
    from dialtone.telephony.base import TelephonyProvider


class SweeperSettings(TelephonySettings):
    """The sweeper: calls, tenants, the dial queue (to hand a call back) and the provider."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)
    dial_queue_url: str = Field(alias="DIAL_QUEUE_URL", min_length=1)
    public_base_url: str = Field(alias="PUBLIC_BASE_URL", min_length=1)


class DialerSettings(SweeperSettings):
    """The dialer: the sweeper's needs, the limiter's table, and how long a call that could not
    be placed waits before its next attempt (doubling with each attempt)."""

    rate_limit_table: str = Field(alias="RATE_LIMIT_TABLE", min_length=1)
    # Calls per second of the deployment's telephony account (DESIGN's default: 1).
    account_dial_rate: int = Field(alias="DIAL_RATE_PER_SECOND", default=1, ge=1, le=100)
    dial_retry_seconds: float = Field(alias="DIAL_RETRY_SECONDS", default=30.0, ge=0, le=900)


# After this many failed attempts (each one a delivery that tried, in process, several times),
# a call ends failed.
MAX_DIAL_ATTEMPTS = 5
# In-process retries of a retryable provider error, before the message is given back.
RETRY_DELAYS = (0.5, 1.0, 2.0)
# What placing a call and saving its SID may take; a slot later than the deadline minus this
# is not worth reserving.
PLACE_BUDGET_SECONDS = 12.0
END_REASON_SUPPRESSED = "suppressed"


class Turn(NamedTuple):
    """A call's turn to leave: the limiter's slot, and the moment the send gate let it go
    (epoch seconds)."""

    slot: float
    sent_at: float


class DialRetryLater(Exception):
    """The call could not be placed this time; its message is given back to the queue."""


class DialOutcome(StrEnum):
    """What one message led to."""

    DIALED = "dialed"
    NOT_QUEUED = "not_queued"  # a duplicate, or the call was canceled or already dialed
    CLAIMED_ELSEWHERE = "claimed_elsewhere"  # another dialer holds (or won) the claim
    GONE = "gone"  # the call was erased
    SUPPRESSED = "suppressed"
    DEFERRED = "deferred"  # outside the calling window
    RESCHEDULED = "rescheduled"  # the next slot is later than this invocation can wait
    FAILED = "failed"
    UNCERTAIN = "uncertain"  # the provider may have placed it: the sweeper settles the claim


def _iso(moment: datetime) -> str:
    return format_timestamp(moment)


# The dialer


@dataclass
class Dialer:
    """Processes dial messages: claim, pace, place, record."""

    calls: CallStore
    accounts: AccountStore
    agents: AgentStore
    suppressions: SuppressionStore
    limiter: RateLimiter
    provider: TelephonyProvider
    queue_url: str
    callback_url: Callable[[str, str], str]
    metrics: Any = None
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    retry_delays: tuple[float, ...] = RETRY_DELAYS
    retry_visibility_seconds: float = 30.0
    max_attempts: int = MAX_DIAL_ATTEMPTS
    account_dial_rate: int = 1
    writer: DialQueueWriter = field(init=False)

    def __post_init__(self) -> None:
        self.writer = DialQueueWriter(self.calls, self.queue_url)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    # One message

    def handle(
        self, body: str, receipt_handle: str | None = None, deadline: float | None = None
    ) -> DialOutcome:
        """Process one message. Raises PoisonMessage (never processable) or DialRetryLater
        (give the message back); both are reported as batch item failures.

        `deadline` (epoch seconds) is when this invocation must be done; `receipt_handle`
        lets a message that is given back wait before its next delivery."""
        try:
            return self._handle(body, receipt_handle, deadline)
        except PoisonMessage:
            # Back soon rather than after the queue's long visibility timeout: a poison
            # message should reach the dead-letter queue (and its alarm) within minutes.
            self._give_back(receipt_handle, self.retry_visibility(1))
            raise

    def _give_back(self, receipt_handle: str | None, seconds: int) -> None:
        self.writer.queue.give_back(receipt_handle, seconds)

    def _handle(self, body: str, receipt_handle: str | None, deadline: float | None) -> DialOutcome:
        message = DialMessage.parse(body)
        try:
            tenant = self.accounts.get_tenant(message.tenant_id)
        except TenantNotFound as error:
            raise PoisonMessage(f"unknown tenant {message.tenant_id}") from error
        try:
            stored = self.calls.get_call(tenant.tenant_id, message.call_id, consistent=True)
        except CallNotFound:
            self._log("Dial message for a call that no longer exists", message.call_id)
            return DialOutcome.GONE
        not_now = self._not_to_dial_now(tenant, stored)
        if not_now is not None:
            return not_now
        token = secrets.token_hex(16)
        if not self._claim(tenant, stored, token):
            return self._claim_lost(tenant, stored)
        deadline = deadline if deadline is not None else self.clock() + 60
        return self._place(tenant, stored, token, receipt_handle, deadline)

    def _not_to_dial_now(self, tenant: Tenant, stored: StoredCall) -> DialOutcome | None:
        """What becomes of a call that is not to be dialed now (the rules before the claim),
        or None when it is."""
        call = stored.call
        if call.status is not CallStatus.QUEUED:
            return DialOutcome.NOT_QUEUED
        if stored.internal.claim_token is not None:
            return DialOutcome.CLAIMED_ELSEWHERE
        if not call.to_number or not call.from_number:
            self.writer.fail(stored, None, "no_number: the call has no to_number or from_number")
            self._count("CallsFailed")
            return DialOutcome.FAILED
        if self.suppressions.is_suppressed(tenant.tenant_id, call.to_number):
            return self._suppress(stored)
        opening = window_closed_until(tenant, call.to_number, self.now())
        if opening is not None:
            return self._defer(stored, opening)
        return None

    def _claim(self, tenant: Tenant, stored: StoredCall, token: str) -> bool:
        """From `queued` without a claim to `queued` claimed with `token`; False if another
        dialer (or a cancel, or an erasure) got there first."""
        return self.calls.change_call(
            tenant.tenant_id,
            stored.call.id,
            CallStatus.QUEUED,
            {
                "claim_token": token,
                "claimed_at": _iso(self.now()),
                "telephony_account_id": tenant.telephony_account,
            },
            condition="attribute_not_exists(claim_token)",
        )

    def _claim_lost(self, tenant: Tenant, stored: StoredCall) -> DialOutcome:
        try:
            self.calls.get_call(tenant.tenant_id, stored.call.id, consistent=True)
        except CallNotFound:
            self._log("Dial message for a call erased as it was claimed", stored.call.id)
            return DialOutcome.GONE
        return DialOutcome.CLAIMED_ELSEWHERE

    def _suppress(self, stored: StoredCall) -> DialOutcome:
        self.calls.change_call(
            stored.tenant_id,
            stored.call.id,
            CallStatus.QUEUED,
            {
                "status": CallStatus.CANCELED,
                "end_reason": END_REASON_SUPPRESSED,
                "end_time": self.now(),
                "dial_at_estimate": None,
            },
            condition="attribute_not_exists(claim_token)",
            batch_id=stored.call.batch_id,
        )
        return DialOutcome.SUPPRESSED

    def _defer(self, stored: StoredCall, opening: datetime) -> DialOutcome:
        """Come back when the window opens (or in 15 minutes, and check again)."""
        wait = (opening - self.now()).total_seconds()
        self.writer.enqueue(stored.tenant_id, stored.call.id, wait)
        self.calls.change_call(
            stored.tenant_id,
            stored.call.id,
            CallStatus.QUEUED,
            {"dial_at_estimate": opening},
            condition="attribute_not_exists(claim_token)",
        )
        return DialOutcome.DEFERRED

    def _order(self, tenant: Tenant, call: Call) -> DialOrder:
        connection = None
        if call.agent_id:
            try:
                agent = self.agents.get_agent(tenant.tenant_id, call.agent_id)
                connection = Connection(type=agent.connection.type.value, url=agent.connection.url)
            except AgentNotFound:
                self._log("The call's agent no longer exists", call.id)
        return DialOrder(
            tenant_id=tenant.tenant_id,
            call_id=call.id,
            to_number=call.to_number or "",
            from_number=call.from_number or "",
            status_callback_url=self.callback_url(tenant.tenant_id, call.id),
            connection=connection,
        )

    def _place(
        self,
        tenant: Tenant,
        stored: StoredCall,
        token: str,
        receipt_handle: str | None,
        deadline: float,
    ) -> DialOutcome:
        """Place the claimed call, retrying a retryable provider error in process; give the
        message back (DialRetryLater) when the retries are spent, fail the call when its
        attempts are."""
        order = self._order(tenant, stored.call)
        attempts = int(stored.internal.dial_attempts or 0) + 1
        last_error: ProviderError | None = None
        for delay in (0.0, *self.retry_delays):
            if delay:
                if self.clock() + delay + PLACE_BUDGET_SECONDS > deadline:
                    break
                self.sleep(delay)
            result = self._attempt(tenant, stored, token, order, deadline, attempts)
            if isinstance(result, DialOutcome):
                return result
            last_error = result
        return self._give_up(stored, token, receipt_handle, attempts, last_error)

    def _attempt(
        self,
        tenant: Tenant,
        stored: StoredCall,
        token: str,
        order: DialOrder,
        deadline: float,
        attempts: int,
    ) -> DialOutcome | ProviderError:
        """One placement on a fresh slot: the outcome, or the retryable error to retry."""
        from dialtone.dialing.limiter import SlotOutOfReach

        try:
            turn = self._await_turn(tenant, order, deadline)
        except SlotOutOfReach as busy:
            self.writer.release(stored, token)
            self.writer.enqueue(tenant.tenant_id, stored.call.id, busy.slot - self.clock())
            return DialOutcome.RESCHEDULED
        except Exception:
            # The provider was not asked: nothing to reconcile, the call is free again.
            self.writer.release(stored, token)
            raise
        # The send gate is passed: the request leaves now, nothing is done before it. From
        # here until the SID is saved, an error other than the provider's own leaves the claim
        # in place: the call may have been placed, and the sweeper will ask.
        try:
            placed = self.provider.place_call(order)
        except ProviderError as error:
            return self._provider_refused(stored, token, order, error, attempts, turn)
        return self._placed(stored, token, placed, turn)

    def _await_turn(self, tenant: Tenant, order: DialOrder, deadline: float) -> Turn:
        """The provider connection opened, a slot reserved, the send gate passed at the slot:
        the slot, and the moment (epoch seconds) the call may leave, and does."""
        account, rate = tenant.telephony_account, tenant.dial_rate(self.account_dial_rate)
        latest = deadline - PLACE_BUDGET_SECONDS
        # Before the slot: whatever a first request pays (a connection, a TLS handshake, the
        # SDK's imports) must not be paid between the gate and the request leaving.
        self.provider.prepare(order)
        slot = self.limiter.reserve(account, rate, latest=latest)
        wait = max(0.0, slot - self.clock())
        self._measure("LimiterWait", wait * 1000)
        # The send is promised shortly before the slot (in slot order), for the slot: early
        # enough that a late sleep or a stalled write still leaves the write's lead (a promise
        # later than the slot would delay every call after it).
        early = wait - self.limiter.promise_ahead(rate)
        if early > 0:
            self.sleep(early)
        return Turn(slot, self.limiter.pass_gate(account, rate, latest=latest, at=slot))

    def _provider_refused(
        self,
        stored: StoredCall,
        token: str,
        order: DialOrder,
        error: ProviderError,
        attempts: int,
        turn: Turn,
    ) -> DialOutcome | ProviderError:
        if error.ambiguous:
            return self._reconcile(stored, token, order, error, turn)
        if not error.retryable:
            return self._fail(stored, token, error, attempts)
        self._log(f"Retryable provider error: {error}", stored.call.id)
        return error

    def _give_up(
        self,
        stored: StoredCall,
        token: str,
        receipt_handle: str | None,
        attempts: int,
        last_error: ProviderError | None,
    ) -> DialOutcome:
        """This delivery could not place the call: fail it if that was its last attempt, else
        release the claim and give the message back for a later delivery."""
        reason = str(last_error) if last_error else "no time left to place the call"
        if attempts >= self.max_attempts:
            return self._fail(stored, token, last_error or ProviderError(reason, False), attempts)
        self.writer.release(stored, token, attempts=attempts)
        self._give_back(receipt_handle, self.retry_visibility(attempts))
        raise DialRetryLater(f"attempt {attempts} of call {stored.call.id} failed: {reason}")

    def _reconcile(
        self,
        stored: StoredCall,
        token: str,
        order: DialOrder,
        error: ProviderError,
        turn: Turn,
    ) -> DialOutcome:
        """The provider may have placed the call: look it up instead of dialing again. If it
        cannot be found yet, the claim stays and the sweeper settles it (found: its SID is
        saved; still unknown after a grace period: the call is queued again)."""
        claimed_at = stored.internal.claimed_at
        since = datetime.fromisoformat(str(claimed_at)) if claimed_at else self.now()
        try:
            found = self.provider.find_call(order, since - timedelta(seconds=5))
        except ProviderError:
            found = None
        if found is not None and self.writer.held_by_another(stored, found.sid):
            # The lookup matched another call's placement (same numbers, same minutes): this
            # call's own is not known yet.
            self._log(f"Lookup found another call's SID {found.sid}", stored.call.id)
            found = None
        if found is not None:
            return self._placed(stored, token, found, turn)
        self._log(f"Placement uncertain, left to the sweeper: {error}", stored.call.id)
        return DialOutcome.UNCERTAIN

    def retry_visibility(self, attempts: int) -> int:
        """How long a given-back message stays invisible after `attempts` failed attempts."""
        return int(min(MAX_DELAY_SECONDS, self.retry_visibility_seconds * 2 ** (attempts - 1)))

    def _placed(
        self, stored: StoredCall, token: str, placed: ProviderCall, turn: Turn
    ) -> DialOutcome:
        """Save the SID; `dialed_at` is when the request left (the send gate's moment),
        `dial_slot_at` the slot the limiter gave."""
        dialed_at = datetime.fromtimestamp(turn.sent_at, UTC)
        slot_at = datetime.fromtimestamp(turn.slot, UTC)
        if not self.writer.save_placement(stored, token, placed, dialed_at, slot_at):
            from dialtone.observability import logger

            logger.error(
                "Placed a call whose SID could not be saved",
                extra={"call_id": stored.call.id, "call_sid": placed.sid},
            )
        self._count("CallsDialed")
        queued_at = stored.call.queued_at or stored.call.created_at
        self._measure("DialLatency", (dialed_at - queued_at).total_seconds() * 1000)
        return DialOutcome.DIALED

    def _fail(
        self, stored: StoredCall, token: str, error: ProviderError, attempts: int
    ) -> DialOutcome:
        from dialtone.endings import TWILIO_ERRORS

        reason = f"{error.code}: {error}" if error.code else str(error)
        # A refusal the provider names (an invalid number, geo permissions) says why it ended.
        end_reason = TWILIO_ERRORS.get(error.code or "", "error")
        self.writer.fail(stored, token, reason, attempts=attempts, end_reason=end_reason)
        self._count("CallsFailed")
        return DialOutcome.FAILED

    # Observability

    def _count(self, name: str) -> None:
        if self.metrics is not None:
            from aws_lambda_powertools.metrics import MetricUnit

            self.metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)

    def _measure(self, name: str, milliseconds: float) -> None:
        if self.metrics is not None:
            from aws_lambda_powertools.metrics import MetricUnit

            self.metrics.add_metric(
                name=name, unit=MetricUnit.Milliseconds, value=max(0.0, milliseconds)
            )

    @staticmethod
    def _log(message: str, call_id: str) -> None:
        from dialtone.observability import logger

        logger.warning(message, extra={"call_id": call_id})


# Wiring for the dialer function: built on first use, once per execution environment.


@settings.per_environment
def dialer() -> Dialer:
    """The dialer of this execution environment, from the environment's settings."""
    from dialtone.accounts import AccountStore
    from dialtone.agents import AgentStore
    from dialtone.dialing.limiter import RateLimiter
    from dialtone.dialing.suppressions import SuppressionStore
    from dialtone.observability import metrics
    from dialtone.store import CallStore
    from dialtone.telephony.providers import provider_from_environment
    from dialtone.telephony.status_callbacks import status_callback_url

    config = settings.load(DialerSettings)
    return Dialer(
        calls=CallStore(config.calls_table),
        accounts=AccountStore(config.accounts_table),
        agents=AgentStore(config.accounts_table),
        suppressions=SuppressionStore(config.accounts_table),
        limiter=RateLimiter(config.rate_limit_table),
        provider=provider_from_environment(),
        queue_url=config.dial_queue_url,
        callback_url=functools.partial(status_callback_url, config.public_base_url),
        metrics=metrics,
        retry_visibility_seconds=config.dial_retry_seconds,
        account_dial_rate=config.account_dial_rate,
    )
