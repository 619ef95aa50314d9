"""The dialer's distributed rate limiter: a "next free slot" per telephony account.

One item per account in the rate-limit table, (`ACCOUNT#<id>`) holding `next_slot_us`, the
first instant (integer microseconds since the epoch) at which the account may place its next
call. Reserving a slot is a read and a conditional write:

    slot = max(now + lead, next_slot)
    write next_slot = slot + interval  if next_slot is still what was read (or still absent)

A lost race re-reads and tries again, so however many dialers reserve at once each gets its own
slot, and consecutive slots are at least `interval` apart: never more than N calls a second.
A slot is (almost) now when the account has been idle, and right after the previous slot when
there is a backlog, so the account is dialed as close to N a second as the backlog allows.
"Almost": an idle account's slot is `SLOT_LEAD` ahead of the clock read before the write, so
that the caller, back from the write, still waits for its slot like every other caller does. A
slot of `now` would be late by the write's round trip, and the next caller, on time for its own
slot, would dial less than 1/N after it.

Slots are integer microseconds (no float rounding can bring two slots closer than the
interval) and the interval is 1/N stretched by `PACING_GUARD`: the provider counts requests as
they reach it, and the jitter between a dialer waking up at its slot and its request arriving
must not make two requests look closer than 1/N.
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

# Each slot is this fraction longer than 1/N (25 ms at 1 call/s): the wake-up jitter of a
# loaded machine, measured by `make bench` (dial_pacing_*), stays under it.
PACING_GUARD = 0.025
# An idle account's slot is this far ahead of the clock: more than the write takes.
SLOT_LEAD = 0.05
# Conflicts are resolved by retrying; this many in a row means something else is wrong.
MAX_CONFLICTS = 100


class SlotOutOfReach(Exception):
    """The account's next slot is later than the caller can wait; nothing was reserved."""

    def __init__(self, slot: float) -> None:
        super().__init__(f"the next slot is at {slot:.3f}")
        self.slot = slot


class LimiterContention(Exception):
    """Too many conflicting reservations in a row."""


def interval_us(rate_per_second: float) -> int:
    """The spacing of two slots at `rate_per_second`, in whole microseconds (rounded up)."""
    if rate_per_second <= 0:
        raise ValueError("rate_per_second must be positive")
    return math.ceil(1_000_000 * (1 + PACING_GUARD) / rate_per_second)


def _account_key(account_id: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": f"ACCOUNT#{account_id}"}}


class RateLimiter:
    """Reserves call slots of telephony accounts in the rate-limit table."""

    def __init__(
        self,
        table_name: str,
        dynamodb: Any | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.table_name = table_name
        self._dynamodb = dynamodb
        self.clock = clock

    @property
    def dynamodb(self) -> Any:
        return self._dynamodb or aws.client("dynamodb")

    def next_slot(self, account_id: str) -> float | None:
        """The account's next free slot (epoch seconds; it may be in the past), or None when
        it has never dialed."""
        current = self._read(account_id)
        return None if current is None else current / 1_000_000

    def _read(self, account_id: str) -> int | None:
        response = self.dynamodb.get_item(
            TableName=self.table_name, Key=_account_key(account_id), ConsistentRead=True
        )
        item = response.get("Item")
        if item is None or "next_slot_us" not in item:
            return None
        return int(item["next_slot_us"]["N"])

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
            current = self._read(account_id)
            now = int(self.clock() * 1_000_000) + lead
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
