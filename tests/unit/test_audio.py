"""Recordings' audio: real files are identified by their content; anything else is refused."""

import io
from pathlib import Path

import pytest

from dialtone.audio import (
    CONTENT_TYPES,
    RECORDING_FORMATS,
    NotAudio,
    format_of_key,
    inspect_audio,
)
from tests.audio_files import corrupt_files, make_audio

# Encoders pad the end of a stream (an MP3 frame, an AAC block): durations are close, not exact.
DURATION_TOLERANCE = 0.15

# What each corrupt input is refused for.
CORRUPT_REASONS = {
    "random": "not a recognised audio file",
    "text": "not a recognised audio file",
    "json": "not a recognised audio file",
    "png": "not a recognised audio file",
    "jpeg": "not a recognised audio file",
    "empty": "the file is empty",
    "truncated_wav": "truncated",
    "six_channel_wav": "6 channels: a recording is mono or dual-channel",
    "wav_claiming_days": "not plausible",
    "truncated_mp3": "truncated",
    "truncated_m4a": "a corrupt m4a file",
    "two_mpeg_frames_then_text": "no MP3 stream",
    "mpeg_frames_after_text": "no MP3 stream",
    "id3_then_random": "a corrupt mp3 file",
}


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("fmt", RECORDING_FORMATS)
def test_a_real_recording_is_identified(fmt: str, channels: int) -> None:
    # Given: a real encoded file of 1.5 s
    data = make_audio(fmt, channels=channels, seconds=1.5)

    # When: it is inspected
    info = inspect_audio(io.BytesIO(data))

    # Then: its format, channels and duration are read from it
    assert info.format == fmt
    assert info.channels == channels
    assert info.duration_seconds == pytest.approx(1.5, abs=DURATION_TOLERANCE)


def test_ogg_vorbis_is_an_ogg_recording() -> None:
    # Given: an Ogg file holding Vorbis rather than Opus
    data = make_audio("ogg", channels=2, codec="vorbis")

    # When: it is inspected
    info = inspect_audio(io.BytesIO(data))

    # Then: it is an ogg recording, with its codec and rate
    assert (info.format, info.codec, info.sample_rate, info.channels) == ("ogg", "vorbis", 16000, 2)


def test_codec_and_sample_rate_are_reported() -> None:
    # Given: an 8 kHz telephony WAV and an AAC file
    wav = inspect_audio(io.BytesIO(make_audio("wav", sample_rate=8000)))
    m4a = inspect_audio(io.BytesIO(make_audio("m4a")))

    # Then: each says its codec and rate
    assert (wav.codec, wav.sample_rate) == ("pcm", 8000)
    assert (m4a.codec, m4a.sample_rate) == ("mp4a.40.2", 16000)


@pytest.mark.parametrize("name", CORRUPT_REASONS)
def test_a_corrupt_input_is_not_audio(name: str) -> None:
    # Given: something that is not a readable mono or dual-channel recording
    data = corrupt_files()[name]

    # When: it is inspected
    # Then: it is refused, with the reason
    with pytest.raises(NotAudio, match=CORRUPT_REASONS[name]):
        inspect_audio(io.BytesIO(data))


def test_every_corrupt_input_has_an_expected_reason() -> None:
    # Given/Then: the table of reasons covers every corrupt input the helper makes
    assert set(CORRUPT_REASONS) == set(corrupt_files())


@pytest.mark.parametrize("named_as", ["wav", "ogg", "mp3", "m4a", "txt"])
@pytest.mark.parametrize("fmt", RECORDING_FORMATS)
def test_the_format_comes_from_the_content_not_the_name(
    tmp_path: Path, fmt: str, named_as: str
) -> None:
    # Given: a real file saved under a name whose extension may lie
    path = tmp_path / f"recording.{named_as}"
    path.write_bytes(make_audio(fmt))

    # When: it is inspected from an open file, which carries its name
    with path.open("rb") as file:
        info = inspect_audio(file)

    # Then: the format is the content's
    assert info.format == fmt


def test_a_text_file_named_like_a_recording_is_not_audio(tmp_path: Path) -> None:
    # Given: text saved as recording.mp3
    path = tmp_path / "recording.mp3"
    path.write_bytes(corrupt_files()["text"])

    # When/Then: it is refused all the same
    with path.open("rb") as file, pytest.raises(NotAudio, match="not a recognised audio file"):
        inspect_audio(file)


def test_the_file_is_left_at_its_start() -> None:
    # Given: a recording read half-way already
    file = io.BytesIO(make_audio("mp3"))
    file.seek(100)

    # When: it is inspected
    inspect_audio(file)

    # Then: the next reader starts from the first byte
    assert file.tell() == 0


@pytest.mark.parametrize(
    ("key", "fmt"),
    [
        ("recording.wav", "wav"),
        ("tenants/t-1/calls/c-1/recording.ogg", "ogg"),
        ("c-1/RECORDING.MP3", "mp3"),
        ("c-1/recording.m4a", "m4a"),
        ("c-1/recording.mp4", None),
        ("c-1/transcript.json", None),
        ("c-1/recording", None),
        ("c-1.wav/recording", None),
        ("", None),
    ],
)
def test_format_of_key_reads_the_extension(key: str, fmt: str | None) -> None:
    # Given: an object key
    # When/Then: its extension names the format, when it names one we keep
    assert format_of_key(key) == fmt


def test_every_format_has_a_content_type() -> None:
    # Given/Then: a recording of any format can be served with its media type
    assert set(CONTENT_TYPES) == set(RECORDING_FORMATS)
    assert all(media.startswith("audio/") for media in CONTENT_TYPES.values())
