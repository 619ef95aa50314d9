"""Real audio for demo recordings: WAV files whose sound follows the transcript's turns.

User turns are a lower voice-like tone, agent turns a higher one, silence between; a
dual-channel file puts the user on the left and the agent on the right, as telephony
recordings do.
"""

from __future__ import annotations

import io
import math
import struct
import wave

from dialtone.models import Exchange

SAMPLE_RATE = 8000


def _voice(samples: int, pitch_hz: float) -> list[int]:
    out = []
    for n in range(samples):
        t = n / SAMPLE_RATE
        envelope = min(1.0, n / 400, (samples - n) / 400) * (
            0.6 + 0.4 * math.sin(2 * math.pi * 3 * t)
        )
        value = sum(math.sin(2 * math.pi * pitch_hz * k * t) / k for k in (1, 2, 3))
        out.append(int(7000 * envelope * value))
    return out


def render_wav(exchanges: list[Exchange], channels: int = 1, tail_ms: int = 500) -> bytes:
    """A 16-bit PCM WAV at 8 kHz with each turn where the exchanges say it is."""
    end_ms = max((e.agent_end_ms or e.user_end_ms or 0) for e in exchanges) + tail_ms
    total = end_ms * SAMPLE_RATE // 1000
    user = [0] * total
    agent = [0] * total
    for exchange in exchanges:
        for track, start, end, pitch in (
            (user, exchange.user_start_ms, exchange.user_end_ms, 140.0),
            (agent, exchange.agent_start_ms, exchange.agent_end_ms, 220.0),
        ):
            if start is None or end is None:
                continue
            first = start * SAMPLE_RATE // 1000
            tone = _voice(max(0, (end - start) * SAMPLE_RATE // 1000), pitch)
            track[first : first + len(tone)] = tone
    if channels == 2:
        frames = struct.pack(
            f"<{2 * total}h", *(s for pair in zip(user, agent, strict=True) for s in pair)
        )
    else:
        frames = struct.pack(
            f"<{total}h",
            *(max(-32768, min(32767, u + a)) for u, a in zip(user, agent, strict=True)),
        )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(SAMPLE_RATE)
        writer.writeframes(frames)
    return buffer.getvalue()
