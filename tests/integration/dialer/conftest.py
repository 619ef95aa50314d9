"""Fixtures of the dialer's tests: the template's dial queues (fresh for each test), a tenant
that dials fast, queued calls, a recording fake provider and dialers wired to all of them."""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dialtone.accounts import AccountStore, TenantSettingsUpdate
from dialtone.agents import AgentStore
from dialtone.dialing.dialer import Dialer
from dialtone.dialing.limiter import RateLimiter
from dialtone.dialing.suppressions import SuppressionStore
from dialtone.model_types import CallStatus, Direction
from dialtone.models import Call
from dialtone.store import CallStore
from dialtone.telephony.base import DialOrder, ProviderCall, ProviderError
from local.endpoint import EmbeddedAws
from local.provision import Stack, load_template, provision

FROM_NUMBER = "+14155550100"
TO_NUMBER = "+14155550123"


@dataclass
class DialQueues:
    """The template's DialQueue and its dead-letter queue."""

    sqs: Any
    stack: Stack

    @property
    def url(self) -> str:
        return self.stack.urls["DialQueue"]

    @property
    def dlq_url(self) -> str:
        return self.stack.urls["DialDeadLetterQueue"]

    def counts(self, url: str | None = None) -> dict[str, int]:
        """Visible, in flight and delayed messages of a queue (the dial queue by default)."""
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=url or self.url, AttributeNames=["All"]
        )["Attributes"]
        return {
            "visible": int(attributes["ApproximateNumberOfMessages"]),
            "in_flight": int(attributes["ApproximateNumberOfMessagesNotVisible"]),
            "delayed": int(attributes["ApproximateNumberOfMessagesDelayed"]),
        }

    def receive(self, url: str | None = None, wait: int = 0) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = self.sqs.receive_message(
            QueueUrl=url or self.url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait,
            MessageSystemAttributeNames=["All"],
        ).get("Messages", [])
        return messages


@pytest.fixture(scope="session")
def dial_queue_template() -> dict[str, Any]:
    """The template's DialQueue and DialDeadLetterQueue, and nothing else."""
    resources = load_template()["Resources"]
    return {"Resources": {k: resources[k] for k in ("DialQueue", "DialDeadLetterQueue")}}


@pytest.fixture
def dial_queues(
    embedded_aws: EmbeddedAws, dial_queue_template: dict[str, Any]
) -> Iterator[DialQueues]:
    """A fresh copy of the template's dial queue and dead-letter queue, for this test only."""
    prefix = f"dialq-{uuid.uuid4().hex[:8]}"
    stack = provision(embedded_aws.session(), prefix, dial_queue_template)
    sqs = embedded_aws.session().client("sqs")
    yield DialQueues(sqs, stack)
    for url in stack.urls.values():
        sqs.delete_queue(QueueUrl=url)


class FakeProvider:
    """A provider that records every call it is asked to place (thread-safe), fails as told
    (`failures`: errors raised by the next calls, in order) and remembers what it placed."""

    account_id = "fake-account"

    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.failures = list(failures or [])
        self.attempts: list[tuple[float, DialOrder]] = []
        self.placed: dict[str, tuple[float, DialOrder, ProviderCall]] = {}
        self.status: dict[str, CallStatus] = {}
        self.prepared: list[tuple[float, DialOrder]] = []
        self._lock = threading.Lock()

    def prepare(self, order: DialOrder) -> None:
        with self._lock:
            self.prepared.append((time.time(), order))

    def place_call(self, order: DialOrder) -> ProviderCall:
        with self._lock:
            self.attempts.append((time.time(), order))
            if self.failures:
                raise self.failures.pop(0)
            placed = ProviderCall(sid="CA" + secrets.token_hex(16), status=CallStatus.INITIATED)
            self.placed[placed.sid] = (time.time(), order, placed)
            return placed

    def find_call(self, order: DialOrder, placed_after: datetime) -> ProviderCall | None:
        for at, placed_order, placed in self.placed.values():
            if placed_order.call_id == order.call_id and at >= placed_after.timestamp():
                return self.get_call(placed.sid)
        return None

    def get_call(self, sid: str) -> ProviderCall | None:
        if sid not in self.placed:
            return None
        status = self.status.get(sid, CallStatus.INITIATED)
        final = status in (CallStatus.COMPLETED, CallStatus.BUSY, CallStatus.NO_ANSWER)
        return ProviderCall(
            sid=sid,
            status=status,
            end_time=datetime.now(UTC) if final else None,
            duration_seconds=42.0 if status is CallStatus.COMPLETED else None,
        )

    def calls_placed_for(self, call_id: str) -> int:
        return sum(1 for _, order, _ in self.placed.values() if order.call_id == call_id)


def retryable(message: str = "Twilio answered 503") -> ProviderError:
    return ProviderError(message, retryable=True, code="http_503")


def permanent(message: str = "Invalid 'To' Phone Number") -> ProviderError:
    return ProviderError(message, retryable=False, code="21211")


class MetricsRecorder:
    """Stands in for powertools' Metrics: remembers every value added."""

    def __init__(self) -> None:
        self.values: dict[str, list[float]] = defaultdict(list)

    def add_metric(self, name: str, unit: Any, value: float) -> None:
        self.values[name].append(value)


def queued_call(to_number: str, now: datetime, **overrides: Any) -> Call:
    """An outbound call as the API accepts it, queued at `now` (not stored)."""
    return Call(
        id=str(uuid.uuid4()),
        direction=Direction.OUTBOUND,
        status=CallStatus.QUEUED,
        from_number=FROM_NUMBER,
        to_number=to_number,
        phone_number=to_number,
        start_time=now,
        queued_at=now,
        call_sid=f"queued-{secrets.token_hex(16)}",
        created_at=now,
        updated_at=now,
        **overrides,
    )


@dataclass
class DialTenant:
    """A tenant that dials fast (50 calls/s), with its queued calls."""

    fixture: Any  # tests.conftest.TenantFixture
    accounts: AccountStore
    calls: CallStore
    created: list[str] = field(default_factory=list)

    @property
    def tenant_id(self) -> str:
        return self.fixture.tenant_id

    def settings(self, **changes: Any) -> None:
        self.accounts.update_settings(self.tenant_id, TenantSettingsUpdate(**changes))

    def queued_call(
        self, to_number: str = TO_NUMBER, queued_at: datetime | None = None, **overrides: Any
    ) -> Call:
        now = queued_at or datetime.now(UTC)
        call = queued_call(to_number, now, **overrides)
        # As the API stores it: in the dial queue's sequence and counters.
        self.calls.put_queued_calls(self.tenant_id, [call], enqueued_at=now)
        self.fixture.call_ids.append(call.id)
        return call

    def call(self, call_id: str) -> Any:
        return self.calls.get_call(self.tenant_id, call_id, consistent=True)

    def message(self, call_id: str) -> str:
        return f'{{"tenant_id": "{self.tenant_id}", "call_id": "{call_id}"}}'


@pytest.fixture
def dial_tenant(tenant: Any, account_store: AccountStore, call_store: CallStore) -> Any:
    fixture = DialTenant(tenant, account_store, call_store)
    # A telephony account of its own: its rate is the tenant's, and no other test shares it.
    fixture.settings(
        dial_rate_per_second=50,
        default_from_number=FROM_NUMBER,
        telephony_account_id=f"acct-{tenant.tenant_id}",
    )
    return fixture


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
def metrics() -> MetricsRecorder:
    return MetricsRecorder()


@pytest.fixture
def rate_limit_table(stack: Stack) -> str:
    return stack.names["RateLimitTable"]


@pytest.fixture
def make_dialer(
    handler_environment: dict[str, str],
    rate_limit_table: str,
    dial_queues: DialQueues,
    provider: FakeProvider,
    metrics: MetricsRecorder,
) -> Callable[..., Dialer]:
    """A dialer on the test's queues and tables, with fast retries; anything can be replaced."""
    accounts_table = handler_environment["ACCOUNTS_TABLE"]

    def factory(**overrides: Any) -> Dialer:
        options: dict[str, Any] = {
            "calls": CallStore(handler_environment["CALLS_TABLE"]),
            "accounts": AccountStore(accounts_table),
            "agents": AgentStore(accounts_table),
            "suppressions": SuppressionStore(accounts_table),
            "limiter": RateLimiter(rate_limit_table),
            "provider": provider,
            "queue_url": dial_queues.url,
            "callback_url": lambda tenant, call: f"http://127.0.0.1:9/status?call_id={call}",
            "metrics": metrics,
            "retry_delays": (0.01, 0.01, 0.01),
            "retry_visibility_seconds": 0,
        }
        options.update(overrides)
        return Dialer(**options)

    return factory


def later(seconds: float) -> Callable[[], float]:
    """A clock running `seconds` ahead of the real one."""
    return lambda: time.time() + seconds


def ago(minutes: float) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)
