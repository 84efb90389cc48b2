"""Our fingerprints against the real ``fpcalc`` on the same files, through both engines:
fpcalc itself (the default when installed) and FFmpeg's command feeding libchromaprint."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from soundseal.audio import (
    ENGINES,
    ITEM_MS,
    SILENCE_VALUE,
    Fingerprint,
    FingerprintError,
    UnsupportedMedia,
    fingerprint_file,
    fingerprint_pcm,
)
from soundseal.audio.fingerprint import Engine
from tests.audio.conftest import fpcalc_raw, transcode


@pytest.fixture(scope="session")
def song_a_flac(song_a_wav: Path) -> Path:
    return transcode(song_a_wav, song_a_wav.with_suffix(".flac"))


@pytest.fixture(scope="session")
def song_a_mono_22k_wav(song_a_wav: Path) -> Path:
    return transcode(
        song_a_wav, song_a_wav.with_name("song_a_mono22k.wav"), "-ac", "1", "-ar", "22050"
    )


@pytest.fixture(scope="session")
def song_a_mp3(song_a_wav: Path) -> Path:
    return transcode(
        song_a_wav, song_a_wav.with_suffix(".mp3"), "-c:a", "libmp3lame", "-b:a", "128k"
    )


@pytest.fixture(scope="session")
def song_a_ogg(song_a_wav: Path) -> Path:
    return transcode(song_a_wav, song_a_wav.with_suffix(".ogg"), "-c:a", "libvorbis", "-q:a", "4")


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Engine:
    value: Engine = request.param
    return value


@pytest.mark.parametrize("fixture", ["song_a_wav", "song_a_flac", "song_a_mono_22k_wav"])
def test_lossless_files_are_bit_identical_to_fpcalc(
    fixture: str, request: pytest.FixtureRequest, engine: Engine
) -> None:
    path: Path = request.getfixturevalue(fixture)
    expected, duration_s = fpcalc_raw(path)
    fp = fingerprint_file(path, engine=engine)
    assert fp.values.tolist() == expected
    assert fp.duration_ms == round(duration_s * 1000)


def test_query_stops_at_120s_like_fpcalc_but_reports_the_whole_duration(
    song_long_wav: Path, engine: Engine
) -> None:
    query = fingerprint_file(song_long_wav, engine=engine)
    master = fingerprint_file(song_long_wav, length_s=0, engine=engine)
    expected_query, duration_s = fpcalc_raw(song_long_wav, length=120)
    expected_master, _ = fpcalc_raw(song_long_wav, length=0)
    assert query.values.tolist() == expected_query
    assert master.values.tolist() == expected_master
    assert len(master) > len(query)
    # Both report the WHOLE file's duration (135 s), not the fingerprinted 120 s.
    assert query.duration_ms == master.duration_ms == round(duration_s * 1000) == 135_000
    assert query.fingerprinted_ms < 120_000 < query.duration_ms


def test_custom_length(song_a_wav: Path, engine: Engine) -> None:
    expected, _ = fpcalc_raw(song_a_wav, length=20)
    assert fingerprint_file(song_a_wav, length_s=20, engine=engine).values.tolist() == expected


@pytest.mark.parametrize("fixture", ["song_a_mp3", "song_a_ogg"])
def test_lossy_files_are_identical_through_fpcalc(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    path: Path = request.getfixturevalue(fixture)
    expected, duration_s = fpcalc_raw(path)
    fp = fingerprint_file(path, engine="fpcalc")
    assert fp.values.tolist() == expected
    assert fp.duration_ms == round(duration_s * 1000)


@pytest.mark.parametrize("fixture", ["song_a_mp3", "song_a_ogg"])
def test_lossy_files_through_ffmpeg_match_fpcalc_within_a_tiny_bit_error_rate(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    # FFmpeg's command-line decoder and fpcalc's reader convert float PCM to int16 through
    # slightly different paths; on real music we measured identical lengths and a BER of at
    # most 3.7e-4 (the calibration corpus's Ogg files; many are bit-identical). The bound here
    # is 1e-3 BER with the same number of values.
    path: Path = request.getfixturevalue(fixture)
    expected, duration_s = fpcalc_raw(path)
    fp = fingerprint_file(path, engine="libchromaprint")
    assert len(fp) == len(expected)
    errors = int(np.bitwise_count(fp.values ^ np.asarray(expected, dtype=np.uint32)).sum())
    assert errors / (32 * len(expected)) <= 1e-3
    assert abs(fp.duration_ms - duration_s * 1000) <= 10


def test_silence_fingerprint_is_the_silence_value(silence_wav: Path, engine: Engine) -> None:
    fp = fingerprint_file(silence_wav, engine=engine)
    assert set(fp.values.tolist()) == {SILENCE_VALUE}


def test_fingerprint_pcm_equals_file_fingerprint(song_a_wav: Path) -> None:
    from soundseal.audio import decode_audio

    audio = decode_audio(song_a_wav)
    from_pcm = fingerprint_pcm(audio.samples, audio.sample_rate, audio.channels)
    assert from_pcm == fingerprint_file(song_a_wav, length_s=0, engine="libchromaprint")
    assert from_pcm.values.tolist() == fingerprint_file(song_a_wav, length_s=0).values.tolist()


def test_too_short_for_chromaprint_raises(audio_dir: Path, engine: Engine) -> None:
    from tests.audio.conftest import write_wav

    path = write_wav(audio_dir / "blip.wav", np.zeros(2000) + 0.1)
    with pytest.raises(FingerprintError):
        fingerprint_file(path, engine=engine)


@pytest.mark.parametrize(
    ("content", "name"), [(b"not audio at all", "fake.mp3"), (b"", "empty.wav")]
)
def test_what_is_not_audio_is_unsupported_media_through_both_engines(
    audio_dir: Path, engine: Engine, content: bytes, name: str
) -> None:
    path = audio_dir / f"{engine}-{name}"
    path.write_bytes(content)
    with pytest.raises(UnsupportedMedia):
        fingerprint_file(path, engine=engine)


def test_a_file_named_like_an_option_is_still_a_file(song_a_wav: Path, audio_dir: Path) -> None:
    odd = audio_dir / "-length"
    odd.write_bytes(song_a_wav.read_bytes())
    assert fingerprint_file(odd, engine="fpcalc") == fingerprint_file(song_a_wav, engine="fpcalc")


def test_fingerprint_value_type_is_immutable_and_hashable() -> None:
    fp = Fingerprint([1, 2, -1], 1000)
    assert fp.values.dtype == np.uint32
    assert fp.values.tolist() == [1, 2, 0xFFFFFFFF]  # signed int32 taken modulo 2**32
    with pytest.raises(ValueError, match="read-only"):
        fp.values[0] = 5
    with pytest.raises(AttributeError):
        fp.duration_ms = 3  # type: ignore[misc]
    assert fp == Fingerprint(np.array([1, 2, 0xFFFFFFFF], dtype=np.uint32), 1000)
    assert fp != Fingerprint([1, 2, 3], 1000)
    assert len({fp, Fingerprint([1, 2, -1], 1000)}) == 1
    assert len(fp) == 3
    assert fp.fingerprinted_ms == round(3 * ITEM_MS)
    with pytest.raises(ValueError, match="integers"):
        Fingerprint([1.5], 10)


def test_fingerprint_survives_pickling_read_only() -> None:
    import pickle

    fp = Fingerprint([5, 6, 7], 900)
    back = pickle.loads(pickle.dumps(fp))
    assert back == fp
    assert not back.values.flags.writeable
