"""Realistic call records for demo data, tests and benchmarks."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from dialtone.endings import STATUS_REASONS
from dialtone.ingest import EventIn
from dialtone.model_types import CallOutcome, CallStatus, Direction
from dialtone.models import (
    Call,
    CallAnalysis,
    CallCost,
    CallLatency,
    Exchange,
    HistoryEventType,
    LatencyStats,
    ProviderCost,
)

AGENTS = [
    ("agent-reception", "Reception", "+14155550100"),
    ("agent-billing", "Billing", "+14155550101"),
    ("agent-support", "Support", "+14155550102"),
    ("agent-sales", "Sales", "+14155550103"),
]

DIALOGUE = [
    ("Hi, I'd like to check on my order.", "Of course. Could you give me the order number?"),
    (
        "It's 10442, placed last Tuesday.",
        "Thanks. Order 10442 shipped yesterday and arrives Friday.",
    ),
    ("Can I change the delivery address?", "Yes, I can update it now. What is the new address?"),
    ("That's all, thank you.", "You're welcome. Have a great day!"),
]

FINAL_STATUSES = [CallStatus.COMPLETED] * 8 + [
    CallStatus.NO_ANSWER,
    CallStatus.BUSY,
    CallStatus.FAILED,
]


def customer_number(rng: random.Random) -> str:
    """A valid North American number in the 555-01xx fictional range."""
    return f"+1{rng.choice(['212', '312', '415', '646', '718'])}55501{rng.randint(0, 99):02d}"


def _stats(rng: random.Random, center: float) -> LatencyStats:
    p50 = round(center * rng.uniform(0.8, 1.2), 1)
    return LatencyStats(
        p50=p50,
        p90=round(p50 * 1.4, 1),
        p95=round(p50 * 1.6, 1),
        p99=round(p50 * 2.1, 1),
        min=round(p50 * 0.5, 1),
        max=round(p50 * 2.5, 1),
        num=rng.randint(3, 30),
    )


def seeded_end_reason(status: CallStatus, outcome: CallOutcome | None, duration: float) -> str:
    """A plausible end reason of the vocabulary (without drawing from the generator, so the
    rest of the seeded data stays as it was): who hung up alternates with the duration."""
    if status is not CallStatus.COMPLETED:
        return STATUS_REASONS.get(status, "error")
    if outcome is CallOutcome.VOICEMAIL:
        return "voicemail"
    if outcome is CallOutcome.TRANSFERRED:
        return "transferred"
    return "caller_hangup" if int(duration) % 2 else "agent_hangup"


def make_call(
    rng: random.Random,
    *,
    start_time: datetime | None = None,
    **overrides: Any,
) -> Call:
    """A plausible call; any field can be pinned with a keyword."""
    start = start_time or datetime.now(UTC) - timedelta(minutes=rng.randint(1, 60 * 24 * 60))
    direction = overrides.pop("direction", rng.choice(list(Direction)))
    agent_id, agent_name, line = AGENTS[rng.randrange(len(AGENTS))]
    agent_id = overrides.pop("agent_id", agent_id)
    customer = overrides.pop("customer", customer_number(rng))
    if direction is Direction.INBOUND:
        from_number, to_number = customer, line
    elif direction is Direction.OUTBOUND:
        from_number, to_number = line, customer
    else:
        from_number, to_number, customer = None, None, None
    status = overrides.pop("status", rng.choice(FINAL_STATUSES))
    completed = status is CallStatus.COMPLETED
    duration = round(rng.uniform(20, 600), 1) if completed else 0.0
    outcome = rng.choice(list(CallOutcome)) if completed else None
    created = start - timedelta(seconds=2)
    values: dict[str, Any] = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "direction": direction,
        "status": status,
        "outcome": outcome,
        "end_reason": seeded_end_reason(status, outcome, duration),
        "from_number": from_number,
        "to_number": to_number,
        "phone_number": customer,
        "agent_id": agent_id,
        "agent_name": agent_name,
        "start_time": start,
        "end_time": start + timedelta(seconds=duration),
        "duration_seconds": duration,
        "metadata": {"campaign": rng.choice(["renewals", "support", "onboarding"])},
        "analysis": CallAnalysis(
            summary="Customer asked about an order; the agent confirmed delivery.",
            user_sentiment=rng.choice(["positive", "neutral", "negative"]),
            call_successful=outcome in (CallOutcome.RESOLVED, CallOutcome.TRANSFERRED),
            in_voicemail=outcome is CallOutcome.VOICEMAIL,
        )
        if completed
        else None,
        "cost": CallCost(
            total=round(duration / 60 * 0.09, 4),
            billable_minutes=float(int(duration // 60) + 1) if completed else 0.0,
            breakdown=[
                ProviderCost(
                    provider="twilio", kind="telephony", amount=round(duration / 60 * 0.014, 4)
                ),
                ProviderCost(provider="openai", kind="llm", amount=round(duration / 60 * 0.06, 4)),
            ],
        ),
        "latency": CallLatency(
            e2e=_stats(rng, 900), stt=_stats(rng, 200), llm=_stats(rng, 450), tts=_stats(rng, 180)
        )
        if completed
        else None,
        "is_test_call": rng.random() < 0.05,
        "created_at": created,
        "updated_at": start + timedelta(seconds=duration + 1),
    }
    values.update(overrides)
    return Call(**values)


def make_exchanges(call: Call, count: int | None = None) -> list[Exchange]:
    """A transcript whose timings fall inside the call."""
    total = count if count is not None else len(DIALOGUE)
    exchanges = []
    offset_ms = 500
    for sequence in range(total):
        user, agent = DIALOGUE[sequence % len(DIALOGUE)]
        user_end = offset_ms + 2200
        agent_start = user_end + 600
        agent_end = agent_start + 2800
        exchanges.append(
            Exchange(
                sequence_number=sequence,
                user_transcript=user,
                agent_response=agent,
                exchange_timestamp=call.start_time + timedelta(milliseconds=offset_ms),
                user_start_ms=offset_ms,
                user_end_ms=user_end,
                agent_start_ms=agent_start,
                agent_end_ms=agent_end,
            )
        )
        offset_ms = agent_end + 700
    return exchanges


# What each agent's tools look like in a call's history: (function, arguments, result).
TOOLS = {
    "agent-reception": (
        "route_call",
        {"department": "billing"},
        {"queue": "billing", "wait_s": 40},
    ),
    "agent-billing": ("get_invoice", {"order_id": "10442"}, {"amount": "42.10", "paid": True}),
    "agent-support": ("lookup_order", {"order_id": "10442"}, {"status": "shipped", "eta": "Fri"}),
    "agent-sales": ("check_availability", {"sku": "VX-200"}, {"in_stock": 14}),
}
MODEL = "gpt-4o-mini"


def make_history(rng: random.Random, call: Call, exchanges: list[Exchange]) -> list[EventIn]:
    """The history events a voice runtime reports for `call`: `started`, then for each turn
    the stt/llm/tts/e2e spans (time to first byte and duration) and the model's completion,
    a tool call on some calls, an interruption or a backchannel now and then, `escalated` for
    an escalated call, and `ended` with the final status. A call that never connected has only
    its `ended` event."""
    ended_at = call.end_time or call.start_time
    ended = EventIn(
        type=HistoryEventType.ENDED,
        timestamp=ended_at,
        status=call.status,
        outcome=call.outcome,
        reason=call.end_reason,
    )
    if call.status is not CallStatus.COMPLETED:
        return [ended]

    def at(offset_ms: float) -> datetime:
        return call.start_time + timedelta(milliseconds=offset_ms)

    events = [EventIn(type=HistoryEventType.STARTED, timestamp=call.start_time)]
    tool_turn = rng.randrange(len(exchanges)) if exchanges and rng.random() < 0.4 else None
    interrupt_turn = rng.randrange(len(exchanges)) if exchanges and rng.random() < 0.15 else None
    for turn, exchange in enumerate(exchanges):
        heard = exchange.user_end_ms or 0
        stt = round(rng.uniform(90, 240), 1)
        llm = round(rng.uniform(220, 520), 1)
        generation = round(llm + rng.uniform(250, 900), 1)
        tts = round(rng.uniform(80, 200), 1)
        spoken = float((exchange.agent_end_ms or heard) - (exchange.agent_start_ms or heard))
        first_audio = round(stt + llm + tts + rng.uniform(10, 40), 1)
        if turn == 1 and rng.random() < 0.3:
            events.append(
                EventIn(
                    type=HistoryEventType.ACKNOWLEDGEMENT,
                    timestamp=at((exchange.user_start_ms or heard) + 900),
                    text="Mm-hmm.",
                )
            )
        events += [
            EventIn(
                type=HistoryEventType.SPAN,
                name="stt",
                timestamp=at(heard),
                ttfb_ms=stt,
                duration_ms=round(stt + rng.uniform(5, 30), 1),
            ),
            EventIn(
                type=HistoryEventType.SPAN,
                name="llm",
                timestamp=at(heard + stt),
                ttfb_ms=llm,
                duration_ms=generation,
            ),
            EventIn(
                type=HistoryEventType.COMPLETION,
                name=MODEL,
                timestamp=at(heard + stt),
                ttfb_ms=llm,
                duration_ms=generation,
                text=exchange.agent_response,
                attributes={
                    "prompt_tokens": 900 + 120 * turn + rng.randint(0, 60),
                    "completion_tokens": rng.randint(12, 40),
                },
            ),
            EventIn(
                type=HistoryEventType.SPAN,
                name="tts",
                timestamp=at(heard + stt + llm),
                ttfb_ms=tts,
                duration_ms=spoken,
            ),
            EventIn(
                type=HistoryEventType.SPAN,
                name="e2e",
                timestamp=at(heard),
                ttfb_ms=first_audio,
                duration_ms=round(first_audio + spoken, 1),
            ),
        ]
        if turn == tool_turn:
            name, arguments, result = TOOLS.get(call.agent_id or "", TOOLS["agent-support"])
            called = heard + stt + llm
            took = round(rng.uniform(80, 400), 1)
            events += [
                EventIn(
                    type=HistoryEventType.FUNCTION_CALL,
                    name=name,
                    timestamp=at(called),
                    arguments=arguments,
                ),
                EventIn(
                    type=HistoryEventType.FUNCTION_RESPONSE,
                    name=name,
                    timestamp=at(called + took),
                    duration_ms=took,
                    result=result,
                ),
            ]
        if turn == interrupt_turn:
            cut = (exchange.agent_start_ms or heard) + round(rng.uniform(400, 1500))
            events.append(
                EventIn(
                    type=HistoryEventType.INTERRUPT,
                    timestamp=at(cut),
                    text="Sorry, one more thing",
                    attributes={"agent_spoken_ms": cut - (exchange.agent_start_ms or heard)},
                )
            )
    if call.outcome is CallOutcome.ESCALATED:
        events.append(
            EventIn(
                type=HistoryEventType.ESCALATED,
                timestamp=at(exchanges[-1].agent_end_ms or 0) if exchanges else ended_at,
                reason="caller asked for a person",
            )
        )
    return [*events, ended]
