"""The dialer's distributed rate limiter: a "next free slot" and a send gate per telephony account.

One item per account in the rate-limit table (`ACCOUNT#<id>`) holds two instants, integer
microseconds since the epoch: `next_slot_us`, the first instant at which the account may place
its next call, and `last_sent_us`, the moment its last call was promised to leave.

**Slots** spread the callers out. Reserving one is a read and a conditional write:

    slot = max(now + lead, next_slot, last_sent + interval)
    write next_slot = slot + interval  if next_slot is still what was read (or still absent)

A lost race re-reads and tries again, so however many dialers reserve at once each gets its own
slot: a dialer sleeps until its slot, and the account is dialed as close to N a second as the
backlog allows. An idle account's slot is `SLOT_LEAD` ahead of the clock read before the write,
so that the caller, back from the write, still waits for its slot like every other caller does.

**The send gate** makes the spacing hold where the provider request leaves, whatever a slot's
owner did meanwhile: a dialer that wakes late for its slot, and another on time for the next
one, would otherwise place their calls closer than 1/N. Shortly before its slot (`GATE_LEAD`),
the caller promises the moment it will send, with a conditional write:

    last_sent = promise  if last_sent <= promise - interval (or it is absent)

then sleeps until its promise and sends at once, if it woke within a tolerance of it (the
moment it woke is recorded as the call's `dialed_at`). A caller that wakes later than that, or
whose write came back after its promise, does not send: it promises again, later (its own
promise is the one allowed to move on, and a later promise only makes the next caller wait).
A refused write says when the gate opens (the last promise and an interval); the caller
promises that moment instead. So two requests leave at least `interval - tolerance`
apart however late anyone woke, and the write's own latency is spent before the promised
moment, not between the gate and the request.

Instants are integer microseconds (no float rounding can bring two closer than the interval),
and the interval is 1/N stretched by `PACING_GUARD`: a third of it is the tolerance, two thirds
cover the time from the gate to the request's arrival at the provider (building the request,
the network), where the provider counts requests, and which varies by tens of milliseconds on
a busy machine.

On a busy machine a write can take hundreds of milliseconds, and a thread that sleeps long is
woken late. So the promise is written earlier when this caller's recent writes were slow
(`gate_lead`), and the sleep until it ends in short steps (`FINAL_STEPS`), which a scheduler
wakes on time more often than one long sleep: each miss costs a new promise, an interval lost.
"""

from __future__ import annotations

import collections
import math
import random
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from dialtone import aws
from dialtone.dynamo import condition_failed

# Slots and promises are 1/N stretched by this fraction apart (30 ms at 1 call/s): room for the
# gate's tolerance (a third of it) and for what happens between the gate and the request's
# arrival (two thirds: up to 20 ms more at one caller than at the next, at 1 call/s).
PACING_GUARD = 0.03
# A caller sends only if it woke within a third of the guard of the moment it promised, and
# never less than this: a sleeping thread cannot be relied on to wake more precisely (at more
# than 5 calls a second, the guard grows to three times this).
MIN_GATE_TOLERANCE = 0.002
# The sleep until a promise ends in steps of at most `FINAL_STEP` over its last `FINAL_STEPS`.
FINAL_STEPS = 0.02
FINAL_STEP = 0.001
# The promise is written this long before the moment it promises (more than a write takes),
# or twice as long as the slowest of the caller's last `LEAD_SAMPLES` gate writes took, when
# that is more (a busy machine, a slow table), and never more than `MAX_GATE_LEAD`.
GATE_LEAD = 0.1
MAX_GATE_LEAD = 0.5
LEAD_SAMPLES = 8
# An idle account's slot is this far ahead of the clock: more than the write takes.
SLOT_LEAD = 0.05
# Conflicts are resolved by retrying; this many in a row means something else is wrong.
MAX_CONFLICTS = 100


class SlotOutOfReach(Exception):
    """The account's next slot (or its send gate) opens later than the caller can wait; nothing
    was reserved."""

    def __init__(self, slot: float) -> None:
        super().__init__(f"the next slot is at {slot:.3f}")
        self.slot = slot


class LimiterContention(Exception):
    """Too many conflicting reservations in a row."""


def interval_us(rate_per_second: float) -> int:
    """The spacing of two slots, and of two promises of the send gate, at `rate_per_second`, in
    whole microseconds (rounded up): 1/N and the guard."""
    if rate_per_second <= 0:
        raise ValueError("rate_per_second must be positive")
    guard = max(PACING_GUARD / rate_per_second, 3 * MIN_GATE_TOLERANCE)
    return math.ceil(1_000_000 * (1 / rate_per_second + guard))


def gate_tolerance_us(rate_per_second: float) -> int:
    """How late after its promise a caller may still send: a third of the guard, so that two
    calls leave at least 1/N and two thirds of the guard apart."""
    return (interval_us(rate_per_second) - math.ceil(1_000_000 / rate_per_second)) // 3


def _account_key(account_id: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": f"ACCOUNT#{account_id}"}}


class RateLimiter:
    """Reserves call slots of telephony accounts in the rate-limit table, and gates the moment
    each call leaves."""

    def __init__(
        self,
        table_name: str,
        dynamodb: Any | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.table_name = table_name
        self._dynamodb = dynamodb
        self.clock = clock
        self.sleep = sleep
        self._gate_writes: collections.deque[float] = collections.deque(maxlen=LEAD_SAMPLES)

    @property
    def dynamodb(self) -> Any:
        return self._dynamodb or aws.client("dynamodb")

    def _now_us(self) -> int:
        return int(self.clock() * 1_000_000)

    def next_slot(self, account_id: str) -> float | None:
        """The account's next free slot (epoch seconds; it may be in the past), or None when
        it has never dialed."""
        current = self._read(account_id, "next_slot_us")
        return None if current is None else current / 1_000_000

    def last_sent(self, account_id: str) -> float | None:
        """The moment the account's last send was promised for (epoch seconds; its call left
        within the gate's tolerance after it, or not at all), or None when it never sent."""
        current = self._read(account_id, "last_sent_us")
        return None if current is None else current / 1_000_000

    def _read(self, account_id: str, attribute: str) -> int | None:
        return _instant(self._item(account_id), attribute)

    def _item(self, account_id: str) -> dict[str, Any] | None:
        response = self.dynamodb.get_item(
            TableName=self.table_name, Key=_account_key(account_id), ConsistentRead=True
        )
        item: dict[str, Any] | None = response.get("Item")
        return item

    def _gate_opens(self, item: dict[str, Any] | None, spacing: int) -> int:
        """When the send gate opens after the last promise read in `item` (0 when none): a slot
        before it would only be refused at the gate, one write wasted, late in the slot."""
        last = _instant(item, "last_sent_us")
        return 0 if last is None else last + spacing

    # Slots

    def reserve(
        self, account_id: str, rate_per_second: float, latest: float | None = None
    ) -> float:
        """Reserve the account's next slot; the epoch seconds at which this caller may place
        its call (now, or later when others hold the slots before it).

        With `latest`, a slot after that instant is not reserved: SlotOutOfReach says when the
        next slot would have been, so the caller can come back then instead of holding it.
        """
        step = interval_us(rate_per_second)
        lead = int(SLOT_LEAD * 1_000_000)
        for _ in range(MAX_CONFLICTS):
            item = self._item(account_id)
            current = _instant(item, "next_slot_us")
            slot = max(self._now_us() + lead, current or 0, self._gate_opens(item, step))
            if latest is not None and slot > latest * 1_000_000:
                raise SlotOutOfReach(slot / 1_000_000)
            if self._advance(account_id, current, slot + step):
                return slot / 1_000_000
            # Someone else took this slot: a short random pause spreads the retries.
            time.sleep(random.uniform(0, 0.005))  # noqa: S311 - jitter, not security
        raise LimiterContention(f"{MAX_CONFLICTS} conflicting reservations on {account_id}")

    def _advance(self, account_id: str, expected: int | None, next_slot: int) -> bool:
        """Move the account's next slot from `expected` to `next_slot`; False if it moved."""
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": _account_key(account_id),
            "UpdateExpression": "SET next_slot_us = :next",
            "ExpressionAttributeValues": {":next": {"N": str(next_slot)}},
        }
        if expected is None:
            request["ConditionExpression"] = "attribute_not_exists(next_slot_us)"
        else:
            request["ConditionExpression"] = "next_slot_us = :expected"
            request["ExpressionAttributeValues"][":expected"] = {"N": str(expected)}
        try:
            self.dynamodb.update_item(**request)
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True

    # The send gate

    def pass_gate(
        self,
        account_id: str,
        rate_per_second: float,
        latest: float | None = None,
        at: float | None = None,
    ) -> float:
        """Promise the account's next send for `at` (epoch seconds; by default, or when it is
        too close, `GATE_LEAD` from now, or when the gate opens if later), sleep until then,
        and return the moment the caller woke: its call must leave now, with nothing else
        done first. Two callers pass at least `interval_us(rate) - gate_tolerance_us(rate)`
        apart (more than 1/N), however late either of them runs.

        With `latest`, a gate that opens after that instant is not waited for: SlotOutOfReach
        says when it opens.
        """
        spacing, tolerance = interval_us(rate_per_second), gate_tolerance_us(rate_per_second)
        wanted = 0 if at is None else _us(at)
        held: int | None = None  # our own promise, which we could not keep
        for _ in range(MAX_CONFLICTS):
            promise = max(self._now_us() + _us(self.gate_lead()), wanted)
            if latest is not None and promise > _us(latest):
                raise SlotOutOfReach(promise / 1_000_000)
            opens_at = self._take_gate(account_id, promise, spacing, held)
            if opens_at is not None:
                wanted, held = opens_at, None
                continue
            held = promise
            woke = self._sleep_until(promise)
            if woke <= promise + tolerance:
                return woke / 1_000_000
            wanted = 0  # too late to keep the promise: promise again
        raise LimiterContention(f"{MAX_CONFLICTS} refused send gates on {account_id}")

    def gate_lead(self) -> float:
        """How long before the moment it promises (seconds) this caller writes its promise:
        `GATE_LEAD`, or twice the second slowest of its recent gate writes when that is more
        (at most `MAX_GATE_LEAD`), so that the write is answered before the promised moment; a
        promise answered after it cannot be kept, and is made again, later. The second
        slowest: one write that stalled (a pause of the table's server) is not taken for a
        slow table, which would delay every promise made again for the next writes; two are."""
        recent = sorted(self._gate_writes)
        typical = recent[-2] if len(recent) > 1 else max(recent, default=0.0)
        return min(MAX_GATE_LEAD, max(GATE_LEAD, 2 * typical))

    def promise_ahead(self, rate_per_second: float) -> float:
        """How long before its slot a caller writes the promise of its send (seconds): twice
        the lead, so that a sleep that ends late still leaves the lead; and at least half an
        interval, so that at a low rate a write that stalls that long is still answered before
        the slot, rather than costing the slot (a promise made again is later than the slot,
        and delays every call after it)."""
        return max(2 * self.gate_lead(), interval_us(rate_per_second) / 2_000_000)

    def _sleep_until(self, moment: int) -> int:
        """Sleep until `moment` (microseconds); the clock when awake. Until `FINAL_STEPS`
        before it in one sleep, then in steps of `FINAL_STEP`."""
        steps, step = _us(FINAL_STEPS), _us(FINAL_STEP)
        now = self._now_us()
        while now < moment:
            left = moment - now
            self.sleep((left - steps if left > steps else min(left, step)) / 1_000_000)
            now = self._now_us()
        return now

    def _take_gate(
        self, account_id: str, promise: int, spacing: int, held: int | None
    ) -> int | None:
        """Set the account's last send to `promise` if the previous one is `spacing` before it
        (or absent, or is `held`, our own). None when taken; else when the gate opens
        (microseconds)."""
        values = {":promise": {"N": str(promise)}, ":earliest": {"N": str(promise - spacing)}}
        condition = "attribute_not_exists(last_sent_us) OR last_sent_us <= :earliest"
        if held is not None:
            condition += " OR last_sent_us = :held"
            values[":held"] = {"N": str(held)}
        started = time.monotonic()
        try:
            self.dynamodb.update_item(
                TableName=self.table_name,
                Key=_account_key(account_id),
                UpdateExpression="SET last_sent_us = :promise",
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            self._gate_writes.append(time.monotonic() - started)
            if not condition_failed(error):
                raise
            old: dict[str, Any] | None = error.response.get("Item")  # type: ignore[assignment]
            last = _instant(old, "last_sent_us")
            if last is None:
                last = self._read(account_id, "last_sent_us") or promise - spacing
            return last + spacing
        self._gate_writes.append(time.monotonic() - started)
        return None


def _us(seconds: float) -> int:
    return round(seconds * 1_000_000)


def _instant(item: dict[str, Any] | None, attribute: str) -> int | None:
    if item is None or attribute not in item:
        return None
    return int(item[attribute]["N"])
