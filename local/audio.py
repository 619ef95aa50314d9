"""Real audio for demo recordings: WAV files whose sound follows the transcript's turns.

User turns are a lower voice-like tone, agent turns a higher one, silence between; a
dual-channel file puts the user on the left and the agent on the right, as telephony
recordings do.
"""

from __future__ import annotations

import io
import math
import sys
import wave
from array import array
from functools import lru_cache

from dialtone.models import Exchange

SAMPLE_RATE = 8000


@lru_cache(maxsize=64)  # every demo conversation has the same turns: render each once
def _voice(samples: int, pitch_hz: float) -> tuple[int, ...]:
    out = []
    for n in range(samples):
        t = n / SAMPLE_RATE
        envelope = min(1.0, n / 400, (samples - n) / 400) * (
            0.6 + 0.4 * math.sin(2 * math.pi * 3 * t)
        )
        value = sum(math.sin(2 * math.pi * pitch_hz * k * t) / k for k in (1, 2, 3))
        out.append(int(7000 * envelope * value))
    return tuple(out)


def render_wav(
    exchanges: list[Exchange],
    channels: int = 1,
    tail_ms: int = 500,
    duration_ms: int | None = None,
) -> bytes:
    """A 16-bit PCM WAV at 8 kHz with each turn where the exchanges say it is, lasting
    `duration_ms` (the call's duration) or until `tail_ms` after the last turn."""
    last_ms = max((e.agent_end_ms or e.user_end_ms or 0) for e in exchanges)
    end_ms = duration_ms if duration_ms is not None else last_ms + tail_ms
    total = end_ms * SAMPLE_RATE // 1000
    user = array("h", bytes(2 * total))
    # Mono: both voices on one track (turns do not overlap, so nothing is lost).
    agent = array("h", bytes(2 * total)) if channels == 2 else user
    for exchange in exchanges:
        for track, start, end, pitch in (
            (user, exchange.user_start_ms, exchange.user_end_ms, 140.0),
            (agent, exchange.agent_start_ms, exchange.agent_end_ms, 220.0),
        ):
            if start is None or end is None:
                continue
            first = start * SAMPLE_RATE // 1000
            tone = _voice(max(0, (end - start) * SAMPLE_RATE // 1000), pitch)
            tone = tone[: max(0, total - first)]  # a turn never outlasts the recording
            track[first : first + len(tone)] = array("h", tone)
    if channels == 2:
        stereo = array("h", bytes(4 * total))
        stereo[0::2] = user
        stereo[1::2] = agent
        samples = stereo
    else:
        samples = user
    if sys.byteorder == "big":  # WAV samples are little-endian
        samples.byteswap()
    frames = samples.tobytes()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(SAMPLE_RATE)
        writer.writeframes(frames)
    return buffer.getvalue()
