"""The sweeper: every minute, brings calls stuck in a non-final status to a final one.

Nothing else would move them: a dialer that died, a status callback that never came. For each
tenant, it reads only the calls that may be stuck, from the ByStatus index (partition
`<tenant>#<status>`, sorted by start time, so a query bounded by a cutoff time reads no fresh
call):

- `queued` with a claim and no SID, claimed more than 2 minutes ago (a dialer's invocation
  lasts at most 60 s): the dialer died after claiming, perhaps after placing the call. The
  provider is asked (`find_call`) before anything is dialed again: found, its SID and status are
  saved; not found, the claim is released and the call handed back to the dial queue (counting
  an attempt, so a call that keeps killing its dialer ends `failed`).
- `queued`, unclaimed, not waiting for its calling window, and untouched (no message sent, no
  claim, no change: `enqueued_at`, `updated_at`) for longer than a message can take to be
  delivered, tried `maxReceiveCount` times and moved to the dead-letter queue: its message may
  have been lost. It gets a new one (`enqueued_at` is set again). A call merely waiting in a
  long backlog gets a duplicate message, which is harmless: the claim dials a call once. Such a
  call is never failed for its age: a backlog of a day at 1 call/s is not a lost call.
- `initiated` or `ringing` 10 minutes after dialing, `in_progress` 4 hours after it was
  answered (Twilio's longest call): the provider is asked (`get_call`). A final status there is
  applied; no such call, or no SID at all, ends the call `failed` with `end_reason: "timeout"`.

Tenants: the accounts table is scanned for tenant items (one per tenant, among keys, agents and
do-not-call entries). That is cheap while the table is small; a deployment with very large
do-not-call lists would keep a list of tenants with outbound activity instead.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from dialtone import settings
from dialtone.dialing.dialer import MAX_DIAL_ATTEMPTS, SweeperSettings
from dialtone.dialing.queue import DialQueueWriter
from dialtone.model_types import FINAL_STATUSES, STATUS_RANK, CallStatus
from dialtone.progress import advance
from dialtone.store import INDEXES, QueryStream, StoredCall, partition, sort_timestamp, stored_call
from dialtone.telephony.base import DialOrder, provider_fields
from dialtone.telephony.status_callbacks import status_callback_url

if TYPE_CHECKING:
    from dialtone.store import CallStore
    from dialtone.telephony.base import TelephonyProvider

CLAIM_GRACE = timedelta(minutes=2)
RINGING_TIMEOUT = timedelta(minutes=10)
IN_PROGRESS_TIMEOUT = timedelta(hours=4)
# A dial message that is received claims (touches) its call, or is received again after the
# queue's VisibilityTimeout (360 s in template.yaml), up to maxReceiveCount (5) times before it
# moves to the dead-letter queue; it may first be delayed up to 900 s. A queued call untouched
# for longer than all that lost its message, or waits in a long backlog.
QUEUED_STALE_AFTER = timedelta(seconds=900 + 360 * 5)
# A reconciled call is looked for from a little before its claim (clocks differ slightly).
CLOCK_SKEW = timedelta(seconds=5)
END_REASON_TIMEOUT = "timeout"


@dataclass
class SweepReport:
    """What one sweep did."""

    tenants: int = 0
    examined: int = 0
    reconciled: int = 0  # a claim without SID whose call the provider had: SID saved
    requeued: int = 0  # a claim without SID the provider never saw: back in the dial queue
    reenqueued: int = 0  # an unclaimed queued call untouched for long: a new dial message
    resolved: int = 0  # the provider's final status applied
    timed_out: int = 0  # ended failed, end_reason "timeout"
    errors: int = 0
    complete: bool = True  # False when the time ran out before every tenant was swept

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _parse(value: Any) -> datetime | None:
    if not value:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def last_touched(stored: StoredCall) -> datetime:
    """When anything last happened to a queued call: its latest dial message (`enqueued_at`),
    or any change (a claim, its release, a deferral), or its creation."""
    call = stored.call
    moments = [call.queued_at or call.created_at, call.updated_at]
    enqueued_at = _parse(stored.internal.enqueued_at)
    if enqueued_at is not None:
        moments.append(enqueued_at)
    return max(moments)


@dataclass
class Sweeper:
    """Finds stuck calls and brings them to where the provider says they are."""

    calls: CallStore
    accounts_table: str
    provider: TelephonyProvider
    queue_url: str
    callback_url: Callable[[str, str], str]
    clock: Callable[[], float] = time.time
    max_attempts: int = MAX_DIAL_ATTEMPTS
    # A handed-back call's message is delayed this long, so that it cannot arrive before the
    # claim is released.
    requeue_delay_seconds: float = 5.0
    metrics: Any = None
    writer: DialQueueWriter = field(init=False)

    def __post_init__(self) -> None:
        self.writer = DialQueueWriter(self.calls, self.queue_url)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def tenants(self) -> Iterator[str]:
        """Every tenant id of the accounts table."""
        paginator = self.calls.dynamodb.get_paginator("scan")
        for page in paginator.paginate(
            TableName=self.accounts_table,
            FilterExpression="sk = :tenant",
            ExpressionAttributeValues={":tenant": {"S": "TENANT"}},
            ProjectionExpression="pk",
        ):
            for item in page["Items"]:
                yield str(item["pk"]["S"]).removeprefix("TENANT#")

    def sweep(self, deadline: float | None = None) -> SweepReport:
        """Sweep every tenant (until `deadline`, epoch seconds, if given)."""
        report = SweepReport()
        for tenant_id in self.tenants():
            if deadline is not None and self.clock() > deadline:
                report.complete = False
                break
            report.tenants += 1
            self.sweep_tenant(tenant_id, report)
        return report

    def sweep_tenant(self, tenant_id: str, report: SweepReport | None = None) -> SweepReport:
        """Sweep one tenant's stuck calls."""
        report = report or SweepReport()
        now = self.now()
        checks: list[tuple[CallStatus, timedelta, Callable[[StoredCall, datetime], bool]]] = [
            (CallStatus.QUEUED, CLAIM_GRACE, self._queued),
            (CallStatus.INITIATED, RINGING_TIMEOUT, self._dialed_long_ago),
            (CallStatus.RINGING, RINGING_TIMEOUT, self._dialed_long_ago),
            (CallStatus.IN_PROGRESS, IN_PROGRESS_TIMEOUT, self._answered_long_ago),
        ]
        for status, age, is_stuck in checks:
            for stored in self._older_than(tenant_id, status, now - age):
                if not is_stuck(stored, now):
                    continue
                report.examined += 1
                try:
                    self._settle(stored, now, report)
                except Exception as error:  # one call never stops the sweep
                    report.errors += 1
                    self._log_error(stored, error)
        return report

    # Finding stuck calls

    def _older_than(
        self, tenant_id: str, status: CallStatus, cutoff: datetime
    ) -> Iterator[StoredCall]:
        """The tenant's calls in `status` that started before `cutoff`, oldest first."""
        stream = QueryStream(
            index=INDEXES["status"],
            hash_value=partition(tenant_id, status.value),
            ascending=True,
            range_high=sort_timestamp(cutoff),
        )
        for item in self.calls.read_all(stream):
            yield stored_call(item)

    def _queued(self, stored: StoredCall, now: datetime) -> bool:
        if stored.internal.claim_token is not None:
            claimed_at = _parse(stored.internal.claimed_at)
            return claimed_at is None or claimed_at <= now - CLAIM_GRACE
        call = stored.call
        waiting = call.dial_at_estimate is not None and call.dial_at_estimate > now
        return last_touched(stored) <= now - QUEUED_STALE_AFTER and not waiting

    @staticmethod
    def _dialed_long_ago(stored: StoredCall, now: datetime) -> bool:
        call = stored.call
        return (call.dialed_at or call.updated_at) <= now - RINGING_TIMEOUT

    @staticmethod
    def _answered_long_ago(stored: StoredCall, now: datetime) -> bool:
        return stored.call.start_time <= now - IN_PROGRESS_TIMEOUT

    # Settling them

    def _settle(self, stored: StoredCall, now: datetime, report: SweepReport) -> None:
        call = stored.call
        if call.status is CallStatus.QUEUED:
            token = stored.internal.claim_token
            if token:
                self._reconcile_claim(stored, str(token), now, report)
            else:
                self.writer.enqueue(stored.tenant_id, call.id)
                report.reenqueued += 1
                self._count("CallsReenqueued")
            return
        remote = self.provider.get_call(call.twilio_call_sid) if call.twilio_call_sid else None
        if remote is None:
            self._timed_out(stored, report)
        elif remote.status in FINAL_STATUSES:
            if advance(
                self.calls, stored.tenant_id, call.id, remote.status, provider_fields(remote)
            ):
                report.resolved += 1
                self._count("CallsResolved")
        elif STATUS_RANK[remote.status] > STATUS_RANK[call.status]:
            advance(self.calls, stored.tenant_id, call.id, remote.status, {})

    def _reconcile_claim(
        self, stored: StoredCall, token: str, now: datetime, report: SweepReport
    ) -> None:
        """A claim without SID: was the call placed? Never dial again without asking."""
        call = stored.call
        claimed_at = _parse(stored.internal.claimed_at) or call.queued_at or now
        order = DialOrder(
            tenant_id=stored.tenant_id,
            call_id=call.id,
            to_number=call.to_number or "",
            from_number=call.from_number or "",
            status_callback_url=self.callback_url(stored.tenant_id, call.id),
        )
        found = self.provider.find_call(order, claimed_at - CLOCK_SKEW)
        if found is not None and self.writer.held_by_another(stored, found.sid):
            found = None  # another call's placement, matched by its numbers: not this one's
        if found is not None:
            if self.writer.save_placement(stored, token, found, dialed_at=claimed_at):
                report.reconciled += 1
                self._count("CallsReconciled")
            return
        attempts = int(stored.internal.dial_attempts or 0) + 1
        if attempts >= self.max_attempts:
            self.writer.fail(stored, token, "dial_lost: the dialer stopped before placing the call")
            self._count("CallsFailed")
            return
        # The message first (delayed, so it cannot arrive before the claim is released): if
        # sending fails, the claim stays and the next sweep tries again.
        self.writer.enqueue(stored.tenant_id, call.id, delay_seconds=self.requeue_delay_seconds)
        if self.writer.release(stored, token, attempts=attempts):
            report.requeued += 1
            self._count("CallsRequeued")

    def _timed_out(self, stored: StoredCall, report: SweepReport) -> None:
        if advance(
            self.calls,
            stored.tenant_id,
            stored.call.id,
            CallStatus.FAILED,
            {
                "end_reason": END_REASON_TIMEOUT,
                "error_reason": "timeout: the provider reported no final status",
                "end_time": self.now(),
            },
        ):
            report.timed_out += 1
            self._count("CallsTimedOut")

    # Observability

    def _count(self, name: str) -> None:
        if self.metrics is not None:
            from aws_lambda_powertools.metrics import MetricUnit

            self.metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)

    @staticmethod
    def _log_error(stored: StoredCall, error: Exception) -> None:
        from dialtone.observability import logger

        logger.exception(
            "Sweeping a call failed", extra={"call_id": stored.call.id, "error": str(error)}
        )


@settings.per_environment
def sweeper() -> Sweeper:
    """The sweeper of this execution environment, from the environment's settings."""
    from dialtone.observability import metrics
    from dialtone.store import CallStore
    from dialtone.telephony.providers import provider_from_environment

    config = settings.load(SweeperSettings)
    return Sweeper(
        calls=CallStore(config.calls_table),
        accounts_table=config.accounts_table,
        provider=provider_from_environment(),
        queue_url=config.dial_queue_url,
        callback_url=functools.partial(status_callback_url, config.public_base_url),
        metrics=metrics,
    )
