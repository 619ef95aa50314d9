"""The dialer's distributed rate limiter: a "next free slot" and a send gate per telephony account.

One item per account in the rate-limit table (`ACCOUNT#<id>`) holds two instants, integer
microseconds since the epoch: `next_slot_us`, the first instant at which the account may place
its next call, and `last_sent_us`, when its last call left (at the latest).

**Slots** spread the callers out. Reserving one is a read and a conditional write:

    slot = max(now + lead, next_slot)
    write next_slot = slot + spacing  if next_slot is still what was read (or still absent)

A lost race re-reads and tries again, so however many dialers reserve at once each gets its own
slot: a dialer sleeps until its slot, and the account is dialed as close to N a second as the
backlog allows. An idle account's slot is `SLOT_LEAD` ahead of the clock read before the write,
so that the caller, back from the write, still waits for its slot like every other caller does.

**The send gate** makes the spacing hold where the provider request leaves, whatever a slot's
owner did meanwhile: a dialer that wakes late for its slot, and another on time for the next
one, would otherwise place their calls closer than 1/N. Right before sending, the caller reads
the clock (`start`) and writes, conditionally:

    last_sent = start + GATE_BUDGET  if last_sent <= start - interval (or it is absent)

and sends as soon as the write is back, if it is back within the budget (`back`, the moment the
call is recorded as dialed). `last_sent` is thus a promise: "my request leaves by then". The
next caller passes only once its own clock, read before its own write, is `interval` past that
promise, so two requests leave at least `interval` apart however late anyone woke or however
long a write took. A write back after the budget broke the promise: the call is not sent, and
the caller takes the gate again with a doubled budget (its own promise is the one allowed to
move on; a later promise only makes the next caller wait longer). A refused write says when
the gate opens; the caller sleeps until then and tries again.

Slots are `interval + GATE_BUDGET` apart, so that callers on time for their slots never wait at
the gate. Instants are integer microseconds (no float rounding can bring two closer than the
interval), and the interval is 1/N stretched by `PACING_GUARD`: the provider counts requests as
they reach it, and the time from the gate to the request's arrival (building the request,
the loopback or network) must not make two requests look closer than 1/N there.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from dialtone import aws
from dialtone.dynamo import condition_failed

# Two requests leave the gate at least 1/N stretched by this fraction apart (15 ms at 1 call/s):
# room for what happens between the gate and the request's arrival at the provider.
PACING_GUARD = 0.005
# A caller sends only if its gate write is back within this (from the clock read before it),
# else it takes the gate again with twice the budget (a loaded machine, a slow write). It is
# also what the gate adds to a slot: slots are 1/N + guard + budget apart (1.035 s at 1/s).
GATE_BUDGET = 0.025
MAX_GATE_BUDGET = 1.0
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


def send_interval_us(rate_per_second: float) -> int:
    """The least time between two requests leaving at `rate_per_second`, in whole
    microseconds (rounded up): 1/N stretched by the guard."""
    if rate_per_second <= 0:
        raise ValueError("rate_per_second must be positive")
    return math.ceil(1_000_000 * (1 + PACING_GUARD) / rate_per_second)


def interval_us(rate_per_second: float) -> int:
    """The spacing of two slots at `rate_per_second`, in whole microseconds: the send interval
    and the gate's budget, so that callers on time for their slots pass the send gate without
    waiting."""
    return send_interval_us(rate_per_second) + round(GATE_BUDGET * 1_000_000)


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
        """When the account's last call left the send gate, at the latest (epoch seconds), or
        None when it never did."""
        current = self._read(account_id, "last_sent_us")
        return None if current is None else current / 1_000_000

    def _read(self, account_id: str, attribute: str) -> int | None:
        response = self.dynamodb.get_item(
            TableName=self.table_name, Key=_account_key(account_id), ConsistentRead=True
        )
        return _instant(response.get("Item"), attribute)

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
            current = self._read(account_id, "next_slot_us")
            now = self._now_us() + lead
            slot = now if current is None else max(now, current)
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
        self, account_id: str, rate_per_second: float, latest: float | None = None
    ) -> float:
        """Wait until the account may send, and take its send gate: the epoch seconds at which
        the caller passed (its call must leave now, with nothing else done first). Two callers
        pass at least `send_interval_us(rate)` apart, however late either of them runs.

        With `latest`, a gate that opens after that instant is not waited for: SlotOutOfReach
        says when it opens.
        """
        spacing = send_interval_us(rate_per_second)
        budget = round(GATE_BUDGET * 1_000_000)
        held: int | None = None  # our own promise, broken by a slow write
        for _ in range(MAX_CONFLICTS):
            start = self._now_us()
            opens_at = self._take_gate(account_id, start, start + budget, spacing, held)
            if opens_at is None:
                back = self._now_us()
                if back <= start + budget:
                    return back / 1_000_000
                # Too slow to keep the promise: promise again, later (others wait for it).
                held = start + budget
                budget = min(2 * budget, round(MAX_GATE_BUDGET * 1_000_000))
                continue
            held = None
            if latest is not None and opens_at > latest * 1_000_000:
                raise SlotOutOfReach(opens_at / 1_000_000)
            self.sleep(max(0, opens_at - self._now_us()) / 1_000_000)
        raise LimiterContention(f"{MAX_CONFLICTS} refused send gates on {account_id}")

    def _take_gate(
        self, account_id: str, start: int, promise: int, spacing: int, held: int | None
    ) -> int | None:
        """Set the account's last send to `promise` if the previous one is `spacing` before
        `start` (or absent, or is `held`, our own). None when taken; else when the gate opens
        (microseconds)."""
        values = {":promise": {"N": str(promise)}, ":earliest": {"N": str(start - spacing)}}
        condition = "attribute_not_exists(last_sent_us) OR last_sent_us <= :earliest"
        if held is not None:
            condition += " OR last_sent_us = :held"
            values[":held"] = {"N": str(held)}
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
            if not condition_failed(error):
                raise
            old: dict[str, Any] | None = error.response.get("Item")  # type: ignore[assignment]
            last = _instant(old, "last_sent_us")
            if last is None:
                last = self._read(account_id, "last_sent_us") or start - spacing
            return last + spacing
        return None


def _instant(item: dict[str, Any] | None, attribute: str) -> int | None:
    if item is None or attribute not in item:
        return None
    return int(item[attribute]["N"])
