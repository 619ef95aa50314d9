"""Rollups of a tenant's calls: what each call contributes to them, and how they are laid out.

Layout (AnalyticsTable). A rollup item is one (tenant, period, slice group):

- pk `T#<tenant>#R#H<YYYY-MM-DDTHH>` (an hour) or `T#<tenant>#R#D<YYYY-MM-DD>` (a day), of the
  calls' `start_time` in UTC;
- sk `S#<k>`: a *call shard*, k = a hash of the call's agent mod the period's shards (4 an
  hour, 16 a day), or of its id mod 4 when it has no agent. It holds every count and metric of
  the calls of its shard in that period, so a call's changes touch one item per period. An
  item grows with the agents it holds (their metric blocks and their pairs' are most of it:
  15 to 25 KB an agent in a busy day) and with the batches of the period, so an agent's blocks
  are in one shard of a period, and a day, which sees the most agents, has 16 shards: in a
  simulation, a day of 10,000 calls of 100 agents and 20 batches has shard items of 342 KB at
  most, under DynamoDB's 400 KB an item. A tenant whose item would pass that gets more shards
  (`Layout`, kept at pk `T#<tenant>#R#LAYOUT`, sk `LAYOUT`). Readers read every shard of a
  period in the tenant's layout (`shard_keys`); a shard no call went to is a key read and not
  found. The consumer writes an item at most once per transaction (a stream batch's changes are
  added up first), so even a tenant whose calls all have one agent updates it a few times a
  second per stream shard.
  Counts: `n` (calls), `d:<direction>`, `s:<status>`, `o:<outcome>`, `t:1`/`t:0`
  (is_test_call), `a:<agent>`, `b:<batch>`, the pairs `ds:<direction>|<status>`,
  `so:<status>|<outcome>`, `as:<agent>|<status>`, `ad:<agent>|<direction>`,
  `bs:<batch>|<status>`, and the *local* side's number (the tenant's own line: `to` of an
  inbound call, `from` of the others) `lf:<number>`, `lt:<number>`. Metrics, for all calls
  (prefix `m`), per `d:`, `s:`, `o:`, `a:`, `b:` value and per pair value `ds:`, `so:`, `as:`,
  `ad:`, `bs:` (prefix = that count's name, so stats answer the list's common pairs too):
  `<p>#dur` (duration sum, ms), `<p>#durn` (calls with a duration), `<p>#ans` (answered: status
  in_progress or completed), `<p>#cost` (cost total, micro-units), `<p>#hd<bucket>` and
  `<p>#hl<bucket>` (histograms of duration and of the call's e2e latency p50, in ms;
  `dialtone.analytics.histogram`, ±2 %). For the stats, also per block (metric blocks exist for
  `t:` too): `<p>#s:<status>`, `<p>#d:<direction>`, `<p>#o:<outcome>` (the block's calls by
  each; for `m` they are the item's `s:`, `d:`, `o:` counts), `<p>#adur`/`<p>#adurn`
  (duration sum and count of answered calls), `<p>#obt` (outbound calls attempted: dialed and
  decided, `OUTBOUND_ATTEMPTED`), `<p>#oba` (outbound calls answered), `<p>#ok`/`<p>#okn`
  (analysis.call_successful true / true or false), `<p>#hs`, `<p>#hm`, `<p>#ht<bucket>`
  (histograms of the call's stt, llm, tts latency p50) and `<p>#hq<bucket>` (histogram of
  `queue_time_ms`: outbound calls once dialed).
  The item grows with the agents, batches and own numbers active in the period and the
  histogram buckets in use, not with the calls;
- sk `P#<number>`, day periods only: the *remote* party's number (one per customer, so never
  in a shared item, which would grow with the calls): `f` (calls from it), `t` (to it), `b`
  (both sides the same number).

So `from_number=X` counts `lf:X` of the call shards plus `f` of `P#X`; `phone_number=X` is
from + to - both. Every count is an integer moved by `ADD`, so items merge and a call's
contribution can be taken back out. Each item also keeps `as_of`, the stream time of the
latest change applied to it.

A call contributes to two periods (its hour and its day): its call shard in each, and its remote
number's day item. The call's own analytics item (pk `T#<tenant>#C#<call>`, sk `CHANGE`, shared
with the change feed: `dialtone.analytics.rollup_store`) keeps the facts that make up the
call's contribution and the stream sequence number they come from.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from dialtone.analytics import histogram

SHARDS = 4
"""The shards a call without an agent spreads over by its id, and an hour's shards."""
DAY_SHARDS = 16
MAX_SHARDS = 256
"""The most call shards a layout can have: `shard_of` takes one byte of a hash."""
LAYOUT_SK = "LAYOUT"
"""The sort key of a tenant's layout item (pk `T#<tenant>#R#LAYOUT`): its `Layout`."""
LAYOUT = 3
"""The layout `facts_of` counts calls in. Facts stored by an earlier consumer (no `layout`: 1,
before the pair metric blocks; 2, before a call's shard followed its agent) are taken back out
as that consumer counted them, so a call rolled up before an upgrade moves its counts without
leaving negative ones behind (readers add up every shard of a period, so a count moving from
one shard to another changes no figure)."""
STATE_SK = "ROLLUP"

# The call's own analytics item (pk `T#<tenant>#C#<call>`): its sort key, shared by the change
# feed (`dialtone.analytics.changes`) and the rollups' state of the call
# (`dialtone.analytics.rollup_store`), and the index that lists a tenant's items in the order
# of their latest change.
CHANGE_SK = "CHANGE"
CHANGE_INDEX = "ByChange"
SEQUENCE_DIGITS = 40  # DynamoDB stream sequence numbers have 21 to 40 digits
FEED_ATTRIBUTES = (
    "change_tenant",
    "change_key",
    "change",
    "changed_at",
    "call_id",
    "call",
    "reason",
    "feed_expires_at",
)
"""The attributes of a call's analytics item that make its feed entry (the rest is the rollups'
state of the call, written in the same put: see `dialtone.analytics.rollup_store`)."""


def stored_sequence(sequence: int) -> str:
    """A stream sequence number as the item keeps it: zero-padded, so strings sort as numbers."""
    return f"{sequence:0{SEQUENCE_DIGITS}d}"


"""The sort key of a call's rollup state before its change-feed item held it (read, and taken
over, so that calls rolled up by an earlier consumer move their counts correctly)."""
MICROS = 1_000_000
_ANSWERED = frozenset({"in_progress", "completed"})
# Outbound calls that were dialed and whose answer is known: queued, initiated and ringing are
# undecided yet, a canceled call was never dialed.
BREAKDOWN = ("s:", "d:", "o:")
OUTBOUND_ATTEMPTED = frozenset({"in_progress", "completed", "busy", "no_answer", "failed"})

Key = tuple[str, str]
"""An item's (pk, sk)."""

Contribution = dict[Key, Counter[str]]
"""Counts per rollup item and attribute."""


def hour_period(moment: datetime) -> str:
    return "H" + moment.astimezone(UTC).strftime("%Y-%m-%dT%H")


def day_period(moment: datetime) -> str:
    return "D" + moment.astimezone(UTC).strftime("%Y-%m-%d")


def rollup_pk(tenant_id: str, period: str) -> str:
    return f"T#{tenant_id}#R#{period}"


def tenant_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}"


def shard_of(key: str, shards: int = SHARDS) -> int:
    """A shard from a call's agent or id: stable across processes (not Python's salted hash)."""
    return hashlib.blake2b(key.encode(), digest_size=2).digest()[0] % shards


def agent_shard(agent_id: str, shards: int) -> int:
    """The shard of an agent's calls in a period of `shards` shards."""
    return shard_of(f"agent:{agent_id}", shards)


def call_shard(facts: CallFacts, shards: int, base: int) -> int:
    """The call shard a call counts in, in a period of `shards` shards (its layout's, of the
    kind of period whose first layout has `base`): its agent's among that layout's own shards
    (`Layout`), so that an agent's metric blocks (its own and its pairs', the bulk of a shard
    item) are in one shard of a period instead of all of them; a call without an agent spreads
    by its id over the first SHARDS. Counted by an earlier layout: by its id, over SHARDS."""
    if facts.layout >= 3 and facts.agent_id:
        return first_shard(shards, base) + agent_shard(facts.agent_id, shards)
    return shard_of(facts.call_id)


def first_shard(shards: int, base: int) -> int:
    """The first of a layout's own `shards` shards, in a kind of period whose first layout has
    `base`: each layout has twice the shards of the one before and comes after them (base
    shards from 0, then 2·base from base, 4·base from 3·base, ...)."""
    return shards - base


class Layout(NamedTuple):
    """How many call shards a tenant's days and hours have: DAY_SHARDS and SHARDS, until an
    item of one of them is refused for outgrowing DynamoDB's 400 KB (many agents active in one
    period). The consumer then gives that kind of period twice the shards for the tenant
    (`grown`), numbered after the ones before (`first_shard`): calls counted from then on go to
    new items, none to the full one, and spread over twice as many. A call counted before stays
    where it was counted until it changes (its facts keep the layout it was counted in,
    `counted`). Layouts only grow, and readers read the shards of every layout up to the
    tenant's current one (`shard_keys`): 16 keys a day, 48 after one growth, 112 after two."""

    day: int = DAY_SHARDS
    hour: int = SHARDS

    def shards(self, period: str) -> int:
        """The call shards of a period (`H...` an hour, `D...` a day)."""
        return self.day if period.startswith("D") else self.hour

    def grown(self, period: str) -> Layout | None:
        """This layout with twice the shards for periods of `period`'s kind; None at
        MAX_SHARDS."""
        if self.shards(period) * 2 > MAX_SHARDS:
            return None
        if period.startswith("D"):
            return self._replace(day=self.day * 2)
        return self._replace(hour=self.hour * 2)

    def counted(self, facts: CallFacts | None) -> CallFacts | None:
        """The facts of a call counted in this layout (counts other than the defaults are kept
        with them, so the call's contribution can be taken back out where it went in)."""
        if facts is None:
            return None
        day = None if self.day == DAY_SHARDS else self.day
        hour = None if self.hour == SHARDS else self.hour
        return facts._replace(day_shards=day, hour_shards=hour)

    @classmethod
    def of_item(cls, item: Mapping[str, Any] | None) -> Layout:
        """The layout of a tenant's layout item (DynamoDB JSON), the default without one."""
        if not item:
            return cls()
        return cls(
            day=int(item.get("day", {}).get("N", DAY_SHARDS)),
            hour=int(item.get("hour", {}).get("N", SHARDS)),
        )


DEFAULT_LAYOUT = Layout()


def layout_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#R#{LAYOUT_SK}"


def shard_keys(period: str, layout: Layout = DEFAULT_LAYOUT) -> list[str]:
    """The sort keys of a period's call shards in a tenant's layout: those of that layout and
    of every layout before it (a call may still count in any)."""
    shards = layout.shards(period)
    base = DAY_SHARDS if period.startswith("D") else SHARDS
    return [shard_sk(shard) for shard in range(first_shard(shards, base) + shards)]


def shard_sk(shard: int) -> str:
    return f"S#{shard}"


def number_sk(number: str) -> str:
    return f"P#{number}"


class CallFacts(NamedTuple):
    """What of a call its contribution depends on (stored on its analytics item as is)."""

    tenant_id: str
    call_id: str
    start_time: str
    direction: str
    status: str
    outcome: str | None = None
    agent_id: str | None = None
    batch_id: str | None = None
    is_test_call: bool = False
    from_number: str | None = None
    to_number: str | None = None
    duration_ms: int | None = None
    latency_ms: int | None = None
    cost_micros: int = 0
    successful: bool | None = None
    stt_ms: int | None = None
    llm_ms: int | None = None
    tts_ms: int | None = None
    queue_ms: int | None = None
    layout: int = 1
    # The call shards of its day and hour when the call was counted (None: DAY_SHARDS, SHARDS).
    day_shards: int | None = None
    hour_shards: int | None = None

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> CallFacts:
        return cls(**{k: v for k, v in values.items() if k in cls._fields})

    def stored(self) -> dict[str, Any]:
        return {k: v for k, v in self._asdict().items() if v is not None}

    @property
    def start(self) -> datetime:
        moment = datetime.fromisoformat(self.start_time.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _latency_ms(call: Mapping[str, Any], stage: str = "e2e") -> int | None:
    stats = (call.get("latency") or {}).get(stage) or {}
    p50 = _number(stats.get("p50"))
    return None if p50 is None else round(p50)


def _successful(call: Mapping[str, Any]) -> bool | None:
    verdict = (call.get("analysis") or {}).get("call_successful")
    return verdict if isinstance(verdict, bool) else None


def _queue_ms(call: Mapping[str, Any]) -> int | None:
    queue = _number(call.get("queue_time_ms"))
    return None if queue is None else round(queue)


def facts_of(call: Mapping[str, Any]) -> CallFacts | None:
    """The facts of a call item (plain values, as `dynamo.from_item` gives them); None for an
    item that counts nothing: not a call, or a call being erased."""
    if call.get("sk") != "CALL" or call.get("erasing") or "tenant_id" not in call:
        return None
    duration = _number(call.get("duration_seconds"))
    cost = _number((call.get("cost") or {}).get("total")) or 0.0
    return CallFacts(
        tenant_id=str(call["tenant_id"]),
        call_id=str(call["id"]),
        start_time=str(call["start_time"]),
        direction=str(call["direction"]),
        status=str(call["status"]),
        outcome=call.get("outcome"),
        agent_id=call.get("agent_id"),
        batch_id=call.get("batch_id"),
        is_test_call=bool(call.get("is_test_call")),
        from_number=call.get("from_number"),
        to_number=call.get("to_number"),
        duration_ms=None if duration is None else round(duration * 1000),
        latency_ms=_latency_ms(call),
        cost_micros=round(cost * MICROS),
        successful=_successful(call),
        stt_ms=_latency_ms(call, "stt"),
        llm_ms=_latency_ms(call, "llm"),
        tts_ms=_latency_ms(call, "tts"),
        queue_ms=_queue_ms(call),
        layout=LAYOUT,
    )


def remote_side(direction: str) -> str:
    """Which side of a call is the other party's number: `from` when it calls in."""
    return "from" if direction == "inbound" else "to"


def _pairs(facts: CallFacts) -> list[str]:
    """The list's common pairs a call is in (count names, and metric block prefixes)."""
    names = [f"ds:{facts.direction}|{facts.status}"]
    if facts.outcome:
        names.append(f"so:{facts.status}|{facts.outcome}")
    if facts.agent_id:
        names += [f"as:{facts.agent_id}|{facts.status}", f"ad:{facts.agent_id}|{facts.direction}"]
    if facts.batch_id:
        names.append(f"bs:{facts.batch_id}|{facts.status}")
    return names


def _singles(facts: CallFacts) -> list[str]:
    """The single-value slices a call is in."""
    names = [f"d:{facts.direction}", f"s:{facts.status}", f"t:{int(facts.is_test_call)}"]
    if facts.outcome:
        names.append(f"o:{facts.outcome}")
    if facts.agent_id:
        names.append(f"a:{facts.agent_id}")
    if facts.batch_id:
        names.append(f"b:{facts.batch_id}")
    return names


def _slices(facts: CallFacts) -> list[str]:
    """The count attributes a call adds one to in its call shard."""
    names = ["n", *_singles(facts), *_pairs(facts)]
    local = "to" if remote_side(facts.direction) == "from" else "from"
    number = facts.to_number if local == "to" else facts.from_number
    if number:
        names.append(f"l{local[0]}:{number}")
    return names


def metric_prefixes(facts: CallFacts) -> list[str]:
    """The metric blocks a call counts in: all calls, each of its single-value slices and each
    of its pairs (the list's common pairs: `ds:`, `so:`, `as:`, `ad:`, `bs:`)."""
    prefixes = ["m", *_singles(facts)]
    if facts.layout >= 2:
        prefixes += _pairs(facts)
    return prefixes


def _block(facts: CallFacts) -> Counter[str]:
    """What a call adds to each metric block it counts in (names without the block's prefix)."""
    values: Counter[str] = Counter({f"s:{facts.status}": 1, f"d:{facts.direction}": 1})
    if facts.outcome:
        values[f"o:{facts.outcome}"] = 1
    answered = facts.status in _ANSWERED
    if facts.duration_ms is not None:
        values["dur"] += facts.duration_ms
        values["durn"] += 1
        values[f"hd{histogram.bucket_of(facts.duration_ms)}"] += 1
        if answered:
            values["adur"] += facts.duration_ms
            values["adurn"] += 1
    for letter, latency in (
        ("l", facts.latency_ms),
        ("s", facts.stt_ms),
        ("m", facts.llm_ms),
        ("t", facts.tts_ms),
        ("q", facts.queue_ms),
    ):
        if latency is not None:
            values[f"h{letter}{histogram.bucket_of(latency)}"] += 1
    if answered:
        values["ans"] += 1
    if facts.direction == "outbound" and facts.status in OUTBOUND_ATTEMPTED:
        values["obt"] += 1
        values["oba"] += int(answered)
    if facts.successful is not None:
        values["okn"] += 1
        values["ok"] += int(facts.successful)
    if facts.cost_micros:
        values["cost"] += facts.cost_micros
    return values


def _metrics(facts: CallFacts) -> Counter[str]:
    block = _block(facts)
    # The all-calls block's calls by status, direction and outcome are the item's own `s:`,
    # `d:`, `o:` counts: not repeated (a call's first update stays under ~240 attributes).
    overall = {name: value for name, value in block.items() if name[:2] not in BREAKDOWN}
    values: Counter[str] = Counter()
    for prefix in metric_prefixes(facts):
        source = overall if prefix == "m" else block
        values.update({f"{prefix}#{name}": value for name, value in source.items() if value})
    return values


def _remote_counts(facts: CallFacts) -> tuple[str, Counter[str]] | None:
    side = remote_side(facts.direction)
    number = facts.from_number if side == "from" else facts.to_number
    if not number:
        return None
    counts: Counter[str] = Counter({side[0]: 1})
    if facts.from_number == facts.to_number:
        counts["b"] = 1
    return number, counts


def contribution(facts: CallFacts | None) -> Contribution:
    """What a call adds to the rollups (nothing for None: an erased or expired call)."""
    if facts is None:
        return {}
    start = facts.start
    counts: Counter[str] = Counter(_slices(facts))
    counts.update(_metrics(facts))
    hour = shard_sk(call_shard(facts, facts.hour_shards or SHARDS, SHARDS))
    day = shard_sk(call_shard(facts, facts.day_shards or DAY_SHARDS, DAY_SHARDS))
    result: Contribution = {
        (rollup_pk(facts.tenant_id, hour_period(start)), hour): counts,
        (rollup_pk(facts.tenant_id, day_period(start)), day): Counter(counts),
    }
    remote = _remote_counts(facts)
    if remote is not None:
        number, number_counts = remote
        result[(rollup_pk(facts.tenant_id, day_period(start)), number_sk(number))] = number_counts
    return result


def difference(new: Contribution, old: Contribution) -> Contribution:
    """new - old, item by item, leaving out what does not change."""
    result: Contribution = {}
    for key in new.keys() | old.keys():
        delta: Counter[str] = Counter(new.get(key, Counter()))
        delta.subtract(old.get(key, Counter()))
        changed = Counter({name: value for name, value in delta.items() if value})
        if changed:
            result[key] = changed
    return result


def add_into(total: Contribution, delta: Contribution) -> None:
    """Add a delta to a running total (the deltas of a batch, per item). A counter that comes
    to zero is dropped, and an item left with none. Only the delta's counters can have come to
    zero (the total holds none), so only they are looked at: adding a call to a total that
    gathers a tenant's calls costs what the call moves, not the thousands of counters of the
    tenant's day items."""
    for key, counts in delta.items():
        bucket = total.setdefault(key, Counter())
        bucket.update(counts)
        for name in [n for n in counts if not bucket[n]]:
            del bucket[name]
        if not bucket:
            del total[key]
