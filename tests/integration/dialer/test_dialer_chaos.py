"""A chaos run of the dialer: at least 1,000 seeded random trials, each one queued call's life
under faults, then the promise checked for every call: the provider created it at most once,
and it ended in a final status.

Each trial queues a call and delivers its dial message one to four times, each delivery with
random faults, in random combinations:

- the provider refuses (for good, or retryably), times out before or after it created the call
  (an ambiguous error), and its lookup of a call fails or does not see a new call yet;
- a DynamoDB write answers with throttling or an internal error (not applied), or is applied and
  then answers with an error (its answer lost; for a conditional write, botocore's retry of it
  is then refused by its own condition);
- the dialer is killed before any of its steps (every DynamoDB request, queue request and
  provider request is a step): `Killed` is a BaseException, so no cleanup runs, as when an
  execution environment vanishes; or killed after its last step, before the message is deleted;
- right before one of its steps, something else runs: the same message delivered to another
  dialer, a cancel from the API, or the sweeper;
- between deliveries, a message already deleted is delivered again, and the sweeper runs three
  minutes later (a claim left by a dead dialer is then old enough to be reconciled), itself
  killed before a step or given a write error by chance.

The dial queue is modelled in memory with SQS's at-least-once rules: a message is deleted only
when its delivery returns; one that fails, or whose dialer dies, comes back (after its
visibility timeout: here, whenever the trial picks it); a deleted message may still come again;
after the template's maxReceiveCount receives it goes to the dead-letter queue. DynamoDB is the
template's calls table on the embedded endpoint, answered in process (no HTTP round trip, the
same tables). The tenant read and the do-not-call check are fault-free stand-ins (they decide
nothing here), and the rate limiter hands out slots at once (pacing has its own tests).

After its chaos, each trial settles its call without faults, as time would: its pending
messages are delivered, the sweeper runs (three minutes later for a claim, an hour later for a
call whose message was lost), and, for a sample of the placed calls, the final status callback
arrives. Then, for every call of the run: at most one provider call was created for it (never
two); a created call holds that call's SID and is `initiated` (its end is the provider's
callbacks' business, found by that SID), or `completed` once called back; a call never created
ended `failed` or `canceled`.

CHAOS_SEED and CHAOS_TRIALS reproduce or lengthen a run; a failure names the seed and trial.
"""

from __future__ import annotations

import os
import random
import secrets
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto.core.botocore_stubber import BotocoreStubber

from dialtone.accounts import AccountStore, Tenant
from dialtone.agents import AgentStore
from dialtone.dialing.accept import Dialing
from dialtone.dialing.dialer import Dialer, DialRetryLater
from dialtone.dialing.queue import DialQueue, PoisonMessage
from dialtone.dialing.sweeper import Sweeper, SweepReport
from dialtone.dynamo import string_key
from dialtone.errors import CallNotCancelable
from dialtone.model_types import FINAL_STATUSES, CallStatus
from dialtone.progress import advance
from dialtone.store import CALL_SK, SID_SK, CallStore, StoredCall, call_pk, sid_pk
from dialtone.telephony.base import DialOrder, ProviderCall, ProviderError
from local.endpoint import LOCAL_ENVIRONMENT, REGION
from local.provision import load_template
from tests.integration.dialer.conftest import DialTenant, queued_call

TRIALS = int(os.environ.get("CHAOS_TRIALS", "1000"))
SEED = int(os.environ.get("CHAOS_SEED", str(random.SystemRandom().randrange(2**32))))
# Calls are stored this many at a time (one transaction), before their trials.
POOL = 10
# A sweep "three minutes later": claims of dead dialers are past the sweeper's grace period.
SWEEP_LATER = timedelta(minutes=3)
# The settling sweep: claims reconciled, and calls whose message was lost sent again.
SETTLE_LATER = timedelta(hours=1)
SETTLE_ROUNDS = 12
# The share of placed calls whose final status callback is delivered; the others end at
# `initiated` with the provider's SID, which is what the callbacks find them by.
CALLBACK_SAMPLE = 0.1

WRITES = frozenset(
    {"update_item", "put_item", "delete_item", "transact_write_items", "batch_write_item"}
)
READS = frozenset({"get_item", "query", "batch_get_item", "transact_get_items", "scan"})
ERRORS_NOT_APPLIED = (
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "InternalServerError",
)
PROVIDER_PLANS = ("accept", "refuse", "busy", "timeout_before", "timeout_after")
PROVIDER_WEIGHTS = (10, 1, 2, 1, 2)


class Killed(BaseException):
    """The execution environment vanished at this step: no except clause runs, no cleanup."""


# Faults of one delivery


@dataclass
class Faults:
    """What goes wrong during one delivery. Steps (requests to DynamoDB, the queue and the
    provider) are numbered from 1, writes to DynamoDB separately."""

    kill_before: int | None = None  # the dialer dies right before this step
    error_write: int | None = None  # this DynamoDB write answers with `error_code`
    error_code: str = ERRORS_NOT_APPLIED[0]
    error_applied: bool = False  # ... after it was applied
    race_before: int | None = None  # right before this step, `race` runs (fault-free)
    race: Callable[[], None] | None = None
    race_name: str = ""
    killed_before_delete: bool = False  # dies after its last step, the message not deleted
    steps: list[str] = field(default_factory=list)
    writes: int = 0

    def describe(self) -> str:
        parts = []
        if self.kill_before:
            parts.append(f"killed before step {self.kill_before}")
        if self.error_write:
            applied = " (applied)" if self.error_applied else ""
            parts.append(f"write {self.error_write} -> {self.error_code}{applied}")
        if self.race_before:
            parts.append(f"{self.race_name} before step {self.race_before}")
        if self.killed_before_delete:
            parts.append("killed before the delete")
        return ", ".join(parts) or "none"


class Chaos:
    """Counts the steps of the delivery in hand and injects its faults (none when disarmed:
    what a race runs is fault-free)."""

    def __init__(self) -> None:
        self.faults: Faults | None = None
        self.deliveries = 0
        self.delivery = 0  # the delivery in hand (0: none)

    @contextmanager
    def armed(self, faults: Faults) -> Iterator[Faults]:
        outer = self.delivery
        self.deliveries += 1
        self.delivery, self.faults = self.deliveries, faults
        try:
            yield faults
        finally:
            self.delivery, self.faults = outer, None

    @contextmanager
    def disarmed(self) -> Iterator[None]:
        faults, self.faults = self.faults, None
        try:
            yield
        finally:
            self.faults = faults

    def step(self, name: str) -> Faults | None:
        """Before a step: run the race due here, or die here."""
        faults = self.faults
        if faults is None:
            return None
        faults.steps.append(name)
        number = len(faults.steps)
        if faults.race_before == number and faults.race is not None:
            race, faults.race = faults.race, None
            with self.disarmed():
                race()
        if faults.kill_before == number:
            raise Killed(f"killed before step {number}: {name}")
        return faults


class FaultyDynamoDB:
    """A DynamoDB client whose requests are steps of the chaos, and one of whose writes may
    answer with an error."""

    def __init__(self, client: Any, chaos: Chaos) -> None:
        self._client = client
        self._chaos = chaos

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name not in WRITES and name not in READS:
            return attribute

        def request(**kwargs: Any) -> Any:
            faults = self._chaos.step(f"dynamodb.{name}")
            if faults is None or name not in WRITES:
                return attribute(**kwargs)
            faults.writes += 1
            if faults.error_write != faults.writes:
                return attribute(**kwargs)
            code = faults.error_code
            if faults.error_applied:
                attribute(**kwargs)
                # The answer was lost; botocore's retry of a conditional write is refused by
                # the very change it made (a transaction's retry is idempotent: throttled).
                conditional = "ConditionExpression" in kwargs and name != "transact_write_items"
                code = "ConditionalCheckFailedException" if conditional else code
            error = self._client.exceptions.from_code(code)
            raise error({"Error": {"Code": code, "Message": "injected"}}, name)

        return request


def in_process_dynamodb() -> Any:
    """A DynamoDB client of the embedded endpoint's tables answered in this process by moto
    (the same backend the endpoint serves), skipping the HTTP round trip; never the network."""
    session = boto3.session.Session(
        aws_access_key_id=LOCAL_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    )
    client = session.client("dynamodb", endpoint_url=f"https://dynamodb.{REGION}.amazonaws.com")
    stubber = BotocoreStubber()
    stubber.enabled = True

    def answer(**kwargs: Any) -> Any:
        response = stubber(**kwargs)
        if response is None:
            raise RuntimeError("moto did not answer a DynamoDB request in process")
        return response

    client.meta.events.register("before-send", answer)
    return client


# The provider


class ChaosProvider:
    """A provider that creates calls (counted per call id) and fails as each call's plan says:
    one plan per placement attempt, then it accepts."""

    account_id = "chaos-account"

    def __init__(self, chaos: Chaos) -> None:
        self.chaos = chaos
        self.created: Counter[str] = Counter()
        self.sids: dict[str, str] = {}  # call id -> the SID of its (first) provider call
        self.placed: dict[str, tuple[float, DialOrder, int]] = {}
        self.plans: dict[str, list[str]] = {}
        # Lookups in the delivery that placed these calls do not see them yet (a provider's
        # list of calls lags its creations by seconds; the sweeper asks minutes later).
        self.lagging: set[str] = set()
        self.unreachable: set[str] = set()  # the next lookup fails

    def prepare(self, order: DialOrder) -> None:
        self.chaos.step("provider.prepare")

    def place_call(self, order: DialOrder) -> ProviderCall:
        self.chaos.step("provider.place_call")
        plans = self.plans.get(order.call_id) or ["accept"]
        plan = plans.pop(0)
        if plan == "refuse":
            raise ProviderError("Invalid 'To' Phone Number", retryable=False, code="21211")
        if plan == "busy":
            raise ProviderError("Twilio answered 503", retryable=True, code="http_503")
        if plan == "timeout_before":
            raise ProviderError("Twilio timed out", retryable=True, code="timeout", ambiguous=True)
        sid = "CA" + secrets.token_hex(16)
        self.created[order.call_id] += 1
        self.sids.setdefault(order.call_id, sid)
        self.placed[sid] = (time.time(), order, self.chaos.delivery)
        if plan == "timeout_after":
            raise ProviderError("Twilio timed out", retryable=True, code="timeout", ambiguous=True)
        return ProviderCall(sid=sid, status=CallStatus.INITIATED)

    def find_call(self, order: DialOrder, placed_after: datetime) -> ProviderCall | None:
        self.chaos.step("provider.find_call")
        if order.call_id in self.unreachable:
            self.unreachable.discard(order.call_id)
            raise ProviderError("Twilio answered 500", retryable=True, code="http_500")
        lagging = order.call_id in self.lagging
        for sid, (at, placed, delivery) in self.placed.items():
            if lagging and delivery == self.chaos.delivery:
                continue
            if placed.call_id == order.call_id and at >= placed_after.timestamp():
                return ProviderCall(sid=sid, status=CallStatus.INITIATED)
        return None

    def get_call(self, sid: str) -> ProviderCall | None:
        if sid not in self.placed:
            return None
        return ProviderCall(
            sid=sid, status=CallStatus.COMPLETED, end_time=datetime.now(UTC), duration_seconds=30
        )


# The dial queue


@dataclass
class Message:
    """One dial message (its receipt handle is its id)."""

    id: str
    body: str
    call_id: str
    receives: int = 0
    deleted: bool = False
    dead: bool = False  # moved to the dead-letter queue


class QueueModel:
    """The dial queue, in memory, with SQS's at-least-once rules (see the module docstring)."""

    def __init__(self, chaos: Chaos, max_receives: int) -> None:
        self.chaos = chaos
        self.max_receives = max_receives
        self.messages: list[Message] = []

    def send(self, tenant_id: str, call_id: str) -> None:
        self.chaos.step("sqs.send_message")
        body = f'{{"tenant_id": "{tenant_id}", "call_id": "{call_id}"}}'
        self.messages.append(Message(uuid.uuid4().hex, body, call_id))

    def pending(self, call_id: str) -> list[Message]:
        """The call's messages still in the queue (visible, or to be after their timeout)."""
        return [m for m in self.messages if m.call_id == call_id and not m.deleted and not m.dead]

    def deleted(self, call_id: str) -> list[Message]:
        return [m for m in self.messages if m.call_id == call_id and m.deleted]

    def receive(self, message: Message) -> bool:
        """Count a receive; False when the message goes to the dead-letter queue instead."""
        if not message.deleted and message.receives >= self.max_receives:
            message.dead = True
            return False
        message.receives += 1
        return True


# The run


class CachedAccounts(AccountStore):
    """The tenant, read once: the dialer reads it first, and its read decides nothing here."""

    def __init__(self, table_name: str, tenant: Tenant) -> None:
        super().__init__(table_name)
        self.tenant = tenant

    def get_tenant(self, tenant_id: str) -> Tenant:
        return self.tenant


class NoSuppressions:
    def is_suppressed(self, tenant_id: str, e164: str) -> bool:
        return False


class InstantLimiter:
    """Hands out slots at once; its reservation is a step (it can fail or be died in)."""

    def __init__(self, chaos: Chaos) -> None:
        self.chaos = chaos

    def reserve(
        self, account_id: str, rate_per_second: float, latest: float | None = None
    ) -> float:
        self.chaos.step("limiter.reserve")
        return time.time()

    def promise_ahead(self, rate_per_second: float) -> float:
        return 0.0

    def pass_gate(
        self,
        account_id: str,
        rate_per_second: float,
        latest: float | None = None,
        at: float | None = None,
    ) -> float:
        self.chaos.step("limiter.pass_gate")
        return time.time()


@dataclass
class Tally:
    """What the run did, for its summary line."""

    faults: Counter[str] = field(default_factory=Counter)
    after_chaos: Counter[str] = field(default_factory=Counter)
    endings: Counter[str] = field(default_factory=Counter)
    deliveries: int = 0


class World:
    """One tenant's calls, the dialer and the sweeper wired to the chaos."""

    def __init__(
        self, dial_tenant: DialTenant, handler_environment: dict[str, str], rng: random.Random
    ) -> None:
        self.rng = rng
        self.chaos = Chaos()
        self.tenant_id = dial_tenant.tenant_id
        self.principal = dial_tenant.fixture.principal()
        redrive = load_template()["Resources"]["DialQueue"]["Properties"]["RedrivePolicy"]
        self.queue = QueueModel(self.chaos, int(redrive["maxReceiveCount"]))
        self.provider = ChaosProvider(self.chaos)
        self.calls = CallStore(
            handler_environment["CALLS_TABLE"],
            dynamodb=FaultyDynamoDB(in_process_dynamodb(), self.chaos),
        )
        accounts_table = handler_environment["ACCOUNTS_TABLE"]
        self.dialer = Dialer(
            calls=self.calls,
            accounts=CachedAccounts(
                accounts_table, dial_tenant.accounts.get_tenant(self.tenant_id)
            ),
            agents=AgentStore(accounts_table),
            suppressions=NoSuppressions(),  # type: ignore[arg-type]
            limiter=InstantLimiter(self.chaos),  # type: ignore[arg-type]
            provider=self.provider,
            queue_url="chaos-dial-queue",
            callback_url=lambda tenant, call: f"http://127.0.0.1:9/status?call_id={call}",
            sleep=lambda seconds: None,
            retry_delays=(0.0, 0.0, 0.0),
            retry_visibility_seconds=0,
        )
        self.dialing = Dialing(self.calls, "chaos-dial-queue")
        self.pool: list[str] = []
        self.call_ids: list[str] = []
        self.unexpected: Counter[str] = Counter()  # errors out of the dialer, by type

    def sweeper(self, later: timedelta, call_id: str) -> Sweeper:
        return TrialSweeper(
            call_id=call_id,
            calls=self.calls,
            accounts_table="unused: one tenant is swept",
            provider=self.provider,
            queue_url="chaos-dial-queue",
            callback_url=lambda tenant, call: "http://127.0.0.1:9/status",
            clock=lambda: time.time() + later.total_seconds(),
        )

    def new_call(self) -> str:
        """A queued call with its dial message, as the API leaves it."""
        if not self.pool:
            now = datetime.now(UTC)
            calls = [
                queued_call(f"+1415555{self.rng.randrange(10_000):04d}", now) for _ in range(POOL)
            ]
            self.calls.put_queued_calls(self.tenant_id, calls, enqueued_at=now)
            self.pool = [call.id for call in calls]
        call_id = self.pool.pop()
        self.call_ids.append(call_id)
        self.queue.send(self.tenant_id, call_id)
        return call_id

    def stored(self, call_id: str) -> Any:
        return self.calls.get_call(self.tenant_id, call_id, consistent=True)

    # Deliveries

    def deliver(self, message: Message, faults: Faults | None = None) -> str:
        """One delivery of `message`, with `faults`: what became of it."""
        if not self.queue.receive(message):
            return "dead-lettered"
        try:
            with self.chaos.armed(faults or Faults()):
                self.dialer.handle(message.body, message.id, deadline=time.time() + 60)
        except Killed:
            return "killed"
        except (DialRetryLater, PoisonMessage) as error:
            return type(error).__name__  # a batch item failure: the message comes back
        except Exception as error:  # the same, for an error the dialer did not expect
            self.unexpected[type(error).__name__] += 1
            return f"{type(error).__name__}: {error}"
        if faults is not None and faults.killed_before_delete:
            return "killed before the delete"
        message.deleted = True
        return "done"

    def cancel(self, call_id: str) -> None:
        """The API's cancel, as a user would try it: refused once the call is claimed."""
        with suppress(CallNotCancelable):
            self.dialing.cancel(self.principal, call_id)

    def sweep(self, call_id: str, later: timedelta) -> None:
        self.sweeper(later, call_id).sweep_tenant(self.tenant_id)

    def status_callback(self, call_id: str) -> None:
        """The provider's final status callback for a placed call (as the receiver applies it)."""
        advance(
            self.calls,
            self.tenant_id,
            call_id,
            CallStatus.COMPLETED,
            {"end_time": datetime.now(UTC), "duration_seconds": 30, "end_reason": "hangup"},
        )


@dataclass(kw_only=True)
class TrialSweeper(Sweeper):
    """The sweeper, its index queries narrowed to the trial's call (one read of it per sweep,
    where a query of the status index reads every item of the embedded table): every other
    call of the run has ended. What it does with the call is the sweeper's own."""

    call_id: str
    _call: StoredCall | None = None

    def sweep_tenant(self, tenant_id: str, report: SweepReport | None = None) -> SweepReport:
        self._call = self.calls.get_call(tenant_id, self.call_id, consistent=True)
        return super().sweep_tenant(tenant_id, report)

    def _older_than(
        self, tenant_id: str, status: CallStatus, cutoff: datetime
    ) -> Iterator[StoredCall]:
        stored = self._call
        if stored is not None and stored.call.status is status and stored.call.start_time < cutoff:
            yield stored


class Trial:
    """One call's life under chaos, then settled without faults."""

    def __init__(self, world: World, rng: random.Random, tally: Tally) -> None:
        self.world = world
        self.rng = rng
        self.tally = tally
        self.log: list[str] = []
        # Whether the final status callback of a placed call is delivered here (a sample: it
        # costs a transaction, and its receiver has tests of its own).
        self.callback = rng.random() < CALLBACK_SAMPLE

    def run(self) -> tuple[str, StoredCall]:
        world, rng = self.world, self.rng
        call_id = world.new_call()
        world.provider.plans[call_id] = rng.choices(
            PROVIDER_PLANS, PROVIDER_WEIGHTS, k=rng.randint(0, 6)
        )
        if rng.random() < 0.3:
            world.provider.lagging.add(call_id)
        if rng.random() < 0.2:
            world.provider.unreachable.add(call_id)
        self.log.append(f"provider plans {world.provider.plans[call_id]}")
        for _ in range(rng.randint(1, 4)):
            self.event(call_id)
        return call_id, self.settle(call_id)

    def event(self, call_id: str) -> None:
        world, rng = self.world, self.rng
        kind = rng.choices(("deliver", "deliver again", "sweep"), (7, 1, 2))[0]
        if kind == "sweep":
            self.tally.faults["sweeper three minutes later"] += 1
            faults = self.step_faults(Faults())
            try:
                with world.chaos.armed(faults):
                    world.sweep(call_id, SWEEP_LATER)
            except Killed:
                pass
            self.log.append(f"sweep, three minutes later ({faults.describe()})")
            return
        pending, deleted = world.queue.pending(call_id), world.queue.deleted(call_id)
        messages = pending if kind == "deliver" else deleted or pending
        if not messages:
            return
        message = rng.choice(messages)
        if message.deleted:
            self.tally.faults["deleted message delivered again"] += 1
        elif message.receives:
            self.tally.faults["message delivered again after its visibility timeout"] += 1
        faults = self.faults(call_id, message)
        outcome = world.deliver(message, faults)
        self.tally.deliveries += 1
        self.log.append(
            f"deliver {message.id[:6]} ({faults.describe()}): {outcome}; "
            f"steps {' '.join(faults.steps)}"
        )

    def step_faults(self, faults: Faults) -> Faults:
        """A kill before a random step, and an error on a random write, each by chance."""
        rng = self.rng
        if rng.random() < 0.35:
            faults.kill_before = rng.randint(1, 10)
            self.tally.faults["killed before a step"] += 1
        if rng.random() < 0.35:
            faults.error_write = rng.randint(1, 3)
            faults.error_applied = rng.random() < 0.5
            faults.error_code = rng.choice(ERRORS_NOT_APPLIED)
            applied = "applied" if faults.error_applied else "not applied"
            self.tally.faults[f"DynamoDB write error ({applied})"] += 1
        return faults

    def faults(self, call_id: str, message: Message) -> Faults:
        rng, world = self.rng, self.world
        faults = self.step_faults(Faults())
        if rng.random() < 0.3:
            faults.race_before = rng.randint(1, 8)
            faults.race_name, faults.race = rng.choice(
                [
                    ("the same message to another dialer", lambda: world.deliver(message)),
                    ("a cancel", lambda: world.cancel(call_id)),
                    ("the sweeper", lambda: world.sweep(call_id, timedelta(0))),
                ]
            )
            self.tally.faults[f"race: {faults.race_name}"] += 1
        if rng.random() < 0.05:
            faults.killed_before_delete = True
            self.tally.faults["dialer killed before the delete"] += 1
        return faults

    def state(self, call_id: str, stored: StoredCall) -> str:
        """Where the call stands after the chaos."""
        status = stored.call.status
        if status in FINAL_STATUSES:
            return f"final ({status.value})"
        if status is not CallStatus.QUEUED:
            return f"{status.value}: awaiting the provider's callbacks"
        if stored.internal.claim_token is not None:
            return "queued, claimed: left to the sweeper"
        if self.world.queue.pending(call_id):
            return "queued, its message pending"
        return "queued, message gone: the sweeper sends it again"

    def settle(self, call_id: str) -> StoredCall:
        """Time passes, without faults: messages delivered, the sweeper, status callbacks; the
        call as it ends."""
        world = self.world
        for round_ in range(SETTLE_ROUNDS):
            stored = world.stored(call_id)
            if not round_:
                self.tally.after_chaos[self.state(call_id, stored)] += 1
            status = stored.call.status
            if status in FINAL_STATUSES:
                return stored
            pending = world.queue.pending(call_id)
            if status is CallStatus.QUEUED and pending and stored.internal.claim_token is None:
                for message in pending:
                    self.log.append(f"settle: deliver {message.id[:6]}: {world.deliver(message)}")
            elif status is not CallStatus.QUEUED and stored.call.twilio_call_sid:
                if not self.callback:
                    return stored  # placed, with its SID: the provider's callbacks end it
                self.log.append("settle: status callback")
                world.status_callback(call_id)
            elif stored.internal.claim_token is not None:
                self.log.append("settle: sweep, three minutes later")
                world.sweep(call_id, SWEEP_LATER)
            else:
                self.log.append("settle: sweep, an hour later")
                world.sweep(call_id, SETTLE_LATER)
        return world.stored(call_id)


def check_call(world: World, stored: Any, called_back: bool = False) -> list[str]:
    """What is wrong with a call at the end of the run (nothing, when the promise holds);
    `called_back`: its final status callback was delivered, if it was placed."""
    call = stored.call
    created = world.provider.created[call.id]
    problems = []
    if created and called_back and call.status is not CallStatus.COMPLETED:
        problems.append(f"placed and called back, yet {call.status.value}")
    if created > 1:
        problems.append(f"dialed {created} times")
    if created and call.twilio_call_sid != world.provider.sids[call.id]:
        problems.append(f"placed as {world.provider.sids[call.id]}, holds {call.twilio_call_sid}")
    if created and call.status not in (CallStatus.INITIATED, CallStatus.COMPLETED):
        problems.append(f"placed, yet {call.status.value}")
    if not created and call.status not in FINAL_STATUSES:
        problems.append(f"not final: {call.status.value}, claim {stored.internal.claim_token}")
    if not created and call.status not in (CallStatus.FAILED, CallStatus.CANCELED):
        problems.append(f"never placed, yet ended {call.status.value}")
    return problems


@pytest.fixture
def world(dial_tenant: DialTenant, handler_environment: dict[str, str]) -> Iterator[World]:
    world = World(dial_tenant, handler_environment, random.Random(SEED))
    yield world
    # The run's items: each call's item and the item binding its provider SID to it (nothing
    # else was stored under them), removed 25 at a time.
    keys = [string_key(pk=call_pk(world.tenant_id, c), sk=CALL_SK) for c in world.call_ids]
    keys += [string_key(pk=call_pk(world.tenant_id, c), sk=CALL_SK) for c in world.pool]
    keys += [string_key(pk=sid_pk(sid), sk=SID_SK) for sid in world.provider.sids.values()]
    world.calls._batch_write([{"DeleteRequest": {"Key": key}} for key in keys])


def test_chaos_every_call_dialed_at_most_once_and_ends_final(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the dialer and the sweeper on a dial queue that delivers at least once
    monkeypatch.setattr(
        DialQueue,
        "send",
        lambda q, tenant_id, call_id, delay_seconds=0: world.queue.send(tenant_id, call_id),
    )
    monkeypatch.setattr(
        DialQueue, "give_back", lambda q, handle, seconds: world.chaos.step("sqs.give_back")
    )
    rng, tally = random.Random(SEED), Tally()
    print(f"chaos: CHAOS_SEED={SEED}")  # shown with any failure, whatever raised
    started = time.monotonic()
    # When every trial's call goes through its faults, then is settled
    for number in range(TRIALS):
        trial = Trial(world, random.Random(rng.getrandbits(64)), tally)
        call_id, ended = trial.run()
        problems = check_call(world, ended, trial.callback)
        assert not problems, (
            f"CHAOS_SEED={SEED} trial {number}, call {call_id}: {problems}\n" + "\n".join(trial.log)
        )
    elapsed = time.monotonic() - started
    # Then, for every call of the run: dialed at most once, and ended final
    found = {}
    for start in range(0, len(world.call_ids), 100):
        found.update(world.calls.get_calls(world.tenant_id, world.call_ids[start : start + 100]))
    assert set(found) == set(world.call_ids), f"CHAOS_SEED={SEED}: calls missing"
    problems = {c: p for c, stored in found.items() if (p := check_call(world, stored))}
    assert not problems, f"CHAOS_SEED={SEED}: {problems}"
    assert max(world.provider.created.values()) == 1
    for stored in found.values():
        tally.endings[stored.call.status.value] += 1
    print(
        f"\nchaos: seed {SEED}, {TRIALS} trials, {tally.deliveries} deliveries in {elapsed:.1f} s"
        f"\n  faults: {dict(tally.faults)}\n  after the chaos: {dict(tally.after_chaos)}"
        f"\n  endings: {dict(tally.endings)}\n  errors out of the dialer: {dict(world.unexpected)}"
    )
