"""The dialer's status: the dial queue as a tenant sees it (its rate, its backlog, its calls in
flight, when the backlog will have been dialed) and where one queued call stands.

Everything comes from the dial queue counters (`dialtone.dialing.counters`), moved in the same
transactions as the statuses they count: one read of a fixed number of items, however long
the backlog. Only calls placed through the dial queue count (not inbound or web calls the
voice runtime reports). A queued call's position is its sequence number less the calls of the
tenant that have left the queue, kept between 1 and the backlog (1: the next to be dialed; see
`counters` for when it is approximate), and its estimate is the account's next free slot plus
one interval per call ahead of it.

These are estimates: the dial queue is not strictly first in, first out, a call waiting for its
calling window keeps the later time it showed, and tenants sharing a telephony account share
its slots.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import Field

from dialtone import settings
from dialtone.auth import Principal, Scope
from dialtone.dialing.counters import DialQueueCounts, read_counts
from dialtone.dialing.limiter import interval_us
from dialtone.dynamo import TableStore
from dialtone.model_types import ApiModel, CallStatus, Timestamp
from dialtone.settings import EnvSettings

if TYPE_CHECKING:
    from dialtone.accounts import AccountStore, Tenant
    from dialtone.dialing.limiter import RateLimiter
    from dialtone.models import Call


class DialQueueSettings(EnvSettings):
    """Reading the dial queue as a tenant sees it (`GET /v1/dialer/status`, a queued call's
    position): calls, tenants' dial rates and the limiter's next slots."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)
    rate_limit_table: str = Field(alias="RATE_LIMIT_TABLE", min_length=1)
    account_dial_rate: int = Field(alias="DIAL_RATE_PER_SECOND", default=1, ge=1, le=100)


class DialerStatus(ApiModel):
    """`GET /v1/dialer/status`."""

    rate_per_second: int
    backlog: int
    in_flight: int
    next_slot_at: Timestamp
    drains_at: Timestamp | None = None


class DialQueueView:
    """Reads a tenant's dial queue: counts, the limiter's next slot, estimates."""

    def __init__(
        self,
        calls: TableStore,
        accounts: AccountStore,
        limiter: RateLimiter,
        clock: Callable[[], float] = time.time,
        account_dial_rate: int = 1,
    ) -> None:
        self.calls = calls
        self.accounts = accounts
        self.limiter = limiter
        self.clock = clock
        self.account_dial_rate = account_dial_rate

    def counts(self, tenant_id: str) -> DialQueueCounts:
        """The tenant's dial queue counters (a fixed number of items read)."""
        return read_counts(self.calls.dynamodb, self.calls.table_name, tenant_id)

    def next_slot_at(self, tenant: Tenant) -> datetime:
        """When the tenant's telephony account may place its next call (now, if it is idle)."""
        now = self.clock()
        slot = self.limiter.next_slot(tenant.telephony_account)
        return datetime.fromtimestamp(max(now, slot or now), UTC)

    def status(self, principal: Principal) -> DialerStatus:
        """The tenant's dialer at a glance."""
        principal.require(Scope.CALLS_READ)
        tenant = self.accounts.get_tenant(principal.tenant_id)
        counts = self.counts(tenant.tenant_id)
        backlog, in_flight = counts.queued, counts.in_flight
        next_slot = self.next_slot_at(tenant)
        return DialerStatus(
            rate_per_second=tenant.dial_rate(self.account_dial_rate),
            backlog=backlog,
            in_flight=in_flight,
            next_slot_at=next_slot,
            drains_at=_after(next_slot, backlog - 1, tenant.dial_rate(self.account_dial_rate))
            if backlog
            else None,
        )

    def with_estimate(self, tenant_id: str, call: Call, dial_seq: int | None) -> Call:
        """A queued call with its `queue_position` and `dial_at_estimate` (from its place in
        the dial queue sequence, `dial_seq`); any other call, or one never put in the dial
        queue, as it is (neither field shows once a call has left the queue)."""
        if call.status is not CallStatus.QUEUED or dial_seq is None:
            return call.model_copy(update={"queue_position": None, "dial_at_estimate": None})
        tenant = self.accounts.get_tenant(tenant_id)
        position = self.counts(tenant_id).position(dial_seq)
        rate = tenant.dial_rate(self.account_dial_rate)
        estimate = _after(self.next_slot_at(tenant), position - 1, rate)
        if call.dial_at_estimate is not None and call.dial_at_estimate > estimate:
            estimate = call.dial_at_estimate  # waiting for its calling window
        return call.model_copy(update={"queue_position": position, "dial_at_estimate": estimate})


def _after(start: datetime, calls: int, rate_per_second: int) -> datetime:
    """When `calls` more calls will have been placed after `start`, at this rate."""
    step = interval_us(rate_per_second)
    return start + timedelta(microseconds=step * max(0, calls))


@settings.per_environment
def view() -> DialQueueView:
    """The dial queue view of this execution environment (dialer status, get_call)."""
    from dialtone.accounts import AccountStore
    from dialtone.dialing.limiter import RateLimiter

    config = settings.load(DialQueueSettings)
    return DialQueueView(
        TableStore(config.calls_table),
        AccountStore(config.accounts_table),
        RateLimiter(config.rate_limit_table),
        account_dial_rate=config.account_dial_rate,
    )
