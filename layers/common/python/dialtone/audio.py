"""Recordings' audio: what a file is, read from its content with mutagen, never from its name."""

from __future__ import annotations

import io
import math
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, BinaryIO

RECORDING_FORMATS = ("wav", "ogg", "mp3", "m4a")
CONTENT_TYPES: Mapping[str, str] = {
    "wav": "audio/wav",
    "ogg": "audio/ogg",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
}

# No call lasts a day: a longer duration comes from a corrupt header.
MAX_DURATION_SECONDS = 24 * 60 * 60
# A file must hold at least this share of the bytes its header's duration and bitrate imply.
_MIN_PRESENT_SHARE = 0.75
# Where an MP3's first frame may start after its ID3 tag (encoders leave little or nothing).
_MP3_MAX_GAP = 4096
# WAVE format tags mutagen reports as `audio_format`.
_WAVE_CODECS = {1: "pcm", 3: "pcm_float", 6: "alaw", 7: "mulaw"}


@dataclass(frozen=True)
class AudioInfo:
    """What a recording is: its format, channels, duration and, when known, rate and codec."""

    format: str
    channels: int
    duration_seconds: float
    sample_rate: int | None
    codec: str | None


class NotAudio(Exception):
    """The file is not a recording we can keep; `reason` says why, for a person to read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def format_of_key(key: str) -> str | None:
    """The recording format an object key's extension names (`a/recording.wav` → "wav")."""
    extension = PurePosixPath(key).suffix.lower().removeprefix(".")
    return extension if extension in RECORDING_FORMATS else None


def inspect_audio(fileobj: BinaryIO) -> AudioInfo:
    """The format, channels and duration of a recording, identified by its content.

    Only WAV, Ogg (Opus, Vorbis, FLAC, Speex), MP3 and MP4/M4A audio is accepted, mono or
    dual-channel; anything else, or a corrupt or truncated file, raises NotAudio with the reason.
    The file's name is never consulted. `fileobj` must be seekable; it is left at its start.
    """
    size = fileobj.seek(0, io.SEEK_END)
    fileobj.seek(0)
    if size == 0:
        raise NotAudio("the file is empty")
    try:
        return _inspect(fileobj, size)
    finally:
        fileobj.seek(0)


def _inspect(fileobj: BinaryIO, size: int) -> AudioInfo:
    from mutagen import MutagenError
    from mutagen.mp3 import MP3
    from mutagen.mp4 import MP4
    from mutagen.oggflac import OggFLAC
    from mutagen.oggopus import OggOpus
    from mutagen.oggspeex import OggSpeex
    from mutagen.oggvorbis import OggVorbis
    from mutagen.wave import WAVE

    # The allowed kinds, each with our format and its codec when the kind alone tells it.
    kinds: dict[Any, tuple[str, str | None]] = {
        WAVE: ("wav", None),
        OggOpus: ("ogg", "opus"),
        OggVorbis: ("ogg", "vorbis"),
        OggFLAC: ("ogg", "flac"),
        OggSpeex: ("ogg", "speex"),
        MP3: ("mp3", "mp3"),
        MP4: ("m4a", None),
    }
    header = fileobj.read(128)
    # Scored with an empty name: mutagen would otherwise give points to an extension.
    scores = {kind: kind.score("", fileobj, header) for kind in kinds}
    kind = max(scores, key=scores.__getitem__)
    if scores[kind] <= 0:
        raise NotAudio("not a recognised audio file")
    fmt, codec = kinds[kind]
    fileobj.seek(0)
    try:
        audio = kind(fileobj)
    # On crafted bytes mutagen's parsers also fail with plain errors (an index or an unpack).
    except (MutagenError, LookupError, ArithmeticError, ValueError, struct.error) as error:
        raise NotAudio(f"a corrupt {fmt} file") from error

    info = audio.info
    if kind is MP3:
        _check_mpeg_stream(audio)
    elif kind is WAVE:
        codec = _WAVE_CODECS.get(info.audio_format)
    elif kind is MP4:
        codec = info.codec or None
    channels: int = info.channels
    if channels not in (1, 2):
        raise NotAudio(f"{channels} channels: a recording is mono or dual-channel")
    duration: float = info.length
    if not (math.isfinite(duration) and duration > 0):
        raise NotAudio("duration could not be read")
    if duration > MAX_DURATION_SECONDS:
        raise NotAudio(f"a duration of {duration:.0f} s is not plausible for a recording")
    bitrate: int = getattr(info, "bitrate", 0) or 0
    if size < _MIN_PRESENT_SHARE * duration * bitrate / 8:
        raise NotAudio("the file is truncated: it holds less audio than its header says")
    # mutagen gives Opus no rate (it always decodes at 48 kHz): None.
    sample_rate: int | None = getattr(info, "sample_rate", None) or None
    return AudioInfo(fmt, channels, duration, sample_rate, codec)


def _check_mpeg_stream(audio: Any) -> None:
    """NotAudio unless what mutagen took for MP3 is a run of layer III frames where audio starts.

    mutagen settles for two frames found anywhere in the first megabyte ("sketchy"), which
    random bytes can provide.
    """
    info = audio.info
    audio_start = audio.tags.size if audio.tags is not None else 0
    if info.layer != 3 or info.sketchy or info.frame_offset > audio_start + _MP3_MAX_GAP:
        raise NotAudio("not a recognised audio file: no MP3 stream where its audio should start")
