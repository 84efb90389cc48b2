from __future__ import annotations

import math
import tracemalloc
from pathlib import Path

import numpy as np
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


def _bit_entropy_by_definition(values: np.ndarray) -> float:
    bits = [[(int(v) >> i) & 1 for i in range(32)] for v in values]
    ones = np.asarray(bits, dtype=np.float64).mean(axis=0)
    entropy = [
        0.0 if p in (0.0, 1.0) else -(p * math.log2(p) + (1 - p) * math.log2(1 - p)) for p in ones
    ]
    return float(np.mean(entropy))


@pytest.mark.parametrize("seed", range(4))
def test_bit_entropy_is_the_mean_of_each_bit_positions_entropy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 2**32, 500, dtype=np.uint64).astype(np.uint32)
    values[: 50 * seed] &= np.uint32(0x0000_FFFF)  # some positions lean, some are constant
    assert measure_diversity(values).bit_entropy == pytest.approx(
        _bit_entropy_by_definition(values), abs=1e-12
    )


def test_the_measures_take_memory_in_proportion_to_the_values_only() -> None:
    """A 1 MiB request can carry 600,000+ compressed values: measuring them must not build
    a table of 32 numbers per value (80 MB and more for one request)."""
    values = np.random.default_rng(0).integers(0, 2**32, 600_000, dtype=np.uint64)
    values = values.astype(np.uint32)
    tracemalloc.start()
    try:
        measure_diversity(values)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 6 * values.nbytes, f"{peak / 1e6:.0f} MB for {values.nbytes / 1e6:.1f} MB"
