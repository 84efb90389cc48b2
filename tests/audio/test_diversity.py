from __future__ import annotations

from pathlib import Path

import pytest

from soundseal.audio import (
    Fingerprint,
    InsufficientAudio,
    ensure_sufficient_audio,
    fingerprint_file,
    measure_diversity,
)


def test_real_music_is_sufficient(song_a_wav: Path) -> None:
    report = ensure_sufficient_audio(fingerprint_file(song_a_wav))
    assert report.diversity > 0.8
    assert report.bit_entropy > 0.8
    assert report.silence_fraction == 0.0


def test_silence_is_refused(silence_wav: Path) -> None:
    with pytest.raises(InsufficientAudio, match="silent or near-silent") as info:
        ensure_sufficient_audio(fingerprint_file(silence_wav))
    assert "100%" in info.value.reason


def test_near_silence_is_refused(near_silence_wav: Path) -> None:
    with pytest.raises(InsufficientAudio, match="noise-like or near-silent"):
        ensure_sufficient_audio(fingerprint_file(near_silence_wav))


def test_steady_tone_is_refused(tone_wav: Path) -> None:
    with pytest.raises(InsufficientAudio, match="too little diversity"):
        ensure_sufficient_audio(fingerprint_file(tone_wav))


def test_short_audio_states_the_minimum(short_wav: Path) -> None:
    with pytest.raises(InsufficientAudio, match=r"too short: .* at least 5\.0 s is needed"):
        ensure_sufficient_audio(fingerprint_file(short_wav))


def test_loop_of_few_values_is_refused() -> None:
    loop = Fingerprint([0x1234_5678, 0x9ABC_DEF0, 0x0F0F_0F0F] * 200, 75_000)
    assert measure_diversity(loop.values).diversity < 0.05
    with pytest.raises(InsufficientAudio, match="too little diversity"):
        ensure_sufficient_audio(loop)


def test_thresholds_are_parameters(song_a_wav: Path) -> None:
    fp = fingerprint_file(song_a_wav)
    with pytest.raises(InsufficientAudio, match=r"at least 60\.0 s"):
        ensure_sufficient_audio(fp, min_fingerprinted_ms=60_000)
