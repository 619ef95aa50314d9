"""The local stack's demo data and its stand-in voice runtime: recordings as long as their
calls, with the voices where the transcript says."""

from __future__ import annotations

import io
import wave
from datetime import UTC, datetime

from local.audio import SAMPLE_RATE, render_wav
from local.demo import duration_ms, plan_demo
from local.voice import answered_call, exchanges_for


def _wav(data: bytes) -> tuple[int, float, bytes]:
    with wave.open(io.BytesIO(data)) as reader:
        frames = reader.readframes(reader.getnframes())
        return reader.getnchannels(), reader.getnframes() / reader.getframerate(), frames


def _loud_at(frames: bytes, channels: int, ms: int) -> bool:
    """Whether any channel is not silent at `ms`."""
    width = 2 * channels
    at = ms * SAMPLE_RATE // 1000 * width
    return any(frames[at : at + width * 80])


def test_every_demo_recording_lasts_as_long_as_its_call_and_speaks_where_its_turns_are() -> None:
    recorded = [plan for plan in plan_demo(120) if plan.channels is not None]
    assert recorded
    durations = set()
    for plan in recorded[:6]:
        channels, seconds, frames = _wav(
            render_wav(plan.exchanges, plan.channels or 1, duration_ms=duration_ms(plan))
        )
        assert channels == plan.channels
        assert abs(seconds - duration_ms(plan) / 1000) < 0.01
        last = plan.exchanges[-1]
        assert (last.agent_end_ms or 0) <= duration_ms(plan)
        assert _loud_at(frames, channels, (last.agent_start_ms or 0) + 500)
        assert not _loud_at(frames, channels, (last.agent_end_ms or 0) + 300)
        durations.add(round(seconds, 1))
    assert len(durations) > 1  # not one file for every call


def test_a_simulated_call_gets_a_transcript_inside_it_and_a_recording_as_long() -> None:
    answered = datetime(2026, 1, 5, 12, 0, tzinfo=UTC).timestamp()
    call = answered_call("tenant", "0b0e2a51-5a0e-4a39-a3c4-0c5ad5b0f5c2", answered, 2.0)
    exchanges = exchanges_for(call)
    assert exchanges[0].user_transcript
    assert exchanges[0].agent_response
    assert 0 < (exchanges[0].user_start_ms or 0) < (exchanges[0].agent_end_ms or 0) <= 2000
    _, seconds, _ = _wav(render_wav(exchanges, 1, duration_ms=2000))
    assert seconds == 2.0
