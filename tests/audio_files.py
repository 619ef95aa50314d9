"""Real audio files made in memory for the tests: wav with `wave`, ogg/mp3/m4a with PyAV.

Each file holds a speech-like tone (a pitch that glides, a syllable-rate loudness) so that
encoders have something to encode; the same arguments always give the same samples.
"""

from __future__ import annotations

import io
import json
import math
import random
import struct
import wave
from array import array

# PyAV's container and default encoder for each recording format.
_ENCODERS = {
    "ogg": ("ogg", "libopus"),
    "mp3": ("mp3", "libmp3lame"),
    "m4a": ("ipod", "aac"),  # "ipod" is FFmpeg's muxer for .m4a (mp4 with an M4A brand)
}
_LAYOUTS = {1: "mono", 2: "stereo"}
_OPUS_RATES = (8000, 12000, 16000, 24000, 48000)


def _pcm(channels: int, seconds: float, sample_rate: int) -> bytes:
    """Interleaved 16-bit little-endian samples of a speech-like tone, one voice per channel."""
    samples = array("h")
    for n in range(round(seconds * sample_rate)):
        t = n / sample_rate
        loudness = 0.5 + 0.5 * math.sin(2 * math.pi * 4 * t)  # about four syllables a second
        for channel in range(channels):
            pitch = 160 + 60 * channel + 40 * math.sin(2 * math.pi * 0.7 * t)
            samples.append(round(12000 * loudness * math.sin(2 * math.pi * pitch * t)))
    return samples.tobytes()  # native order: little-endian on every platform we run on


def _wav(pcm: bytes, channels: int, sample_rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm)
    return buffer.getvalue()


def _encoded(fmt: str, codec: str | None, pcm: bytes, channels: int, sample_rate: int) -> bytes:
    import av

    container_format, default_codec = _ENCODERS[fmt]
    codec = codec or default_codec
    # Opus takes a few rates only: others are resampled to 48 kHz (PyAV does it on encoding).
    rate = 48000 if codec == "libopus" and sample_rate not in _OPUS_RATES else sample_rate
    layout = _LAYOUTS[channels]
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container_format) as container:
        stream = container.add_stream(codec, rate=rate, layout=layout)
        # Lets FFmpeg's own vorbis encoder run; the other encoders ignore it.
        stream.codec_context.options = {"strict": "experimental"}
        frame = av.AudioFrame(format="s16", layout=layout, samples=len(pcm) // 2 // channels)
        frame.planes[0].update(pcm)
        frame.sample_rate = sample_rate
        frame.pts = 0
        # PyAV converts the samples and cuts them into the codec's frame size; None flushes.
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    return buffer.getvalue()


def make_audio(
    fmt: str,
    channels: int = 1,
    seconds: float = 1.5,
    sample_rate: int = 16000,
    codec: str | None = None,
) -> bytes:
    """A real `fmt` file ("wav", "ogg", "mp3" or "m4a") of `seconds` of `channels` channels.

    `codec` names another PyAV encoder than the format's own (Opus for ogg): "vorbis" makes
    Ogg Vorbis (FFmpeg's vorbis encoder is stereo only).
    """
    pcm = _pcm(channels, seconds, sample_rate)
    if fmt == "wav":
        return _wav(pcm, channels, sample_rate)
    return _encoded(fmt, codec, pcm, channels, sample_rate)


def corrupt_files() -> dict[str, bytes]:
    """Inputs that are not recordings, by name: none of them may be taken for audio."""
    wav = make_audio("wav", seconds=0.5)
    text = b"Hello, this is a transcript and not a recording.\n" * 200
    # An MPEG-1 layer III frame header (128 kbit/s, 44.1 kHz) and its 417-byte frame: mutagen
    # takes two such frames anywhere in the first megabyte for an MP3.
    mpeg_header = b"\xff\xfb\x90\x00"
    mpeg_frame = mpeg_header + bytes(413)
    return {
        "random": random.Random(7).randbytes(64 * 1024),
        "text": text,
        "json": json.dumps({"call_id": "c-1", "status": "completed", "seconds": 12}).encode(),
        "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
        "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64),
        "empty": b"",
        "truncated_wav": wav[:44],
        "six_channel_wav": _patched(wav, 22, struct.pack("<H", 6)),  # the fmt chunk's channels
        "wav_claiming_days": _patched(wav, 40, struct.pack("<I", 0xFFFFFFF0)),  # data chunk size
        "truncated_mp3": make_audio("mp3")[:2000],
        "truncated_m4a": make_audio("m4a")[:4000],
        "two_mpeg_frames_then_text": mpeg_frame * 2 + text,
        "mpeg_frames_after_text": mpeg_header + text + mpeg_frame * 5,
        "id3_then_random": b"ID3\x04\x00\x00\x00\x00\x00\x00" + random.Random(8).randbytes(20000),
    }


def _patched(data: bytes, offset: int, replacement: bytes) -> bytes:
    return data[:offset] + replacement + data[offset + len(replacement) :]
