from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from soundseal.audio import ITEM_MS, SILENCE_VALUE, Fingerprint, fingerprint_file
from soundseal.matching import compare, compare_values
from tests.audio.conftest import render_song, transcode, write_wav


@pytest.fixture(scope="session")
def master(song_long_wav: Path) -> Fingerprint:
    return fingerprint_file(song_long_wav, length_s=0)


def test_identical_fingerprints_score_one(master: Fingerprint) -> None:
    c = compare(master, master)
    assert c.score == 1.0
    assert c.offset_items == 0
    assert c.coverage == 1.0


def test_mp3_copy_scores_high_at_offset_zero(song_long_wav: Path, master: Fingerprint) -> None:
    mp3 = transcode(song_long_wav, song_long_wav.with_name("long_64k.mp3"), "-b:a", "64k")
    c = compare(fingerprint_file(mp3), master)
    assert c.score > 0.9
    assert abs(c.offset_ms) < 200
    assert c.coverage > 0.95


@pytest.mark.parametrize("start_s", [12.0, 47.3, 80.0])
def test_clip_from_the_middle_is_aligned(
    song_long_wav: Path, master: Fingerprint, start_s: float
) -> None:
    clip = transcode(
        song_long_wav,
        song_long_wav.with_name(f"clip_{start_s}.wav"),
        "-af",
        f"atrim=start={start_s}:duration=30,asetpts=PTS-STARTPTS",
    )
    c = compare(fingerprint_file(clip), master)
    assert c.score > 0.75
    assert abs(c.offset_ms - start_s * 1000) <= ITEM_MS  # within one Chromaprint item
    assert c.coverage > 0.95


def test_different_songs_score_low(song_a_wav: Path, song_b_wav: Path) -> None:
    c = compare(fingerprint_file(song_a_wav), fingerprint_file(song_b_wav, length_s=0))
    assert c.score < 0.35


def test_silence_frames_are_not_counted_as_agreement(master: Fingerprint) -> None:
    # Pad both sides with long silence: the silent frames must not lift a non-matching pair.
    rng = np.random.default_rng(0)
    other = rng.integers(0, 2**32, len(master), dtype=np.uint64).astype(np.uint32)
    silence = np.full(2000, SILENCE_VALUE, dtype=np.uint32)
    a = np.concatenate([silence, master.values])
    b = np.concatenate([silence, other])
    assert compare_values(a, b).score < 0.2


def test_query_longer_than_master_has_partial_coverage(master: Fingerprint) -> None:
    part = Fingerprint(master.values[200:400], 25_000)
    c = compare(master, part)
    assert c.score == 1.0
    assert c.offset_items == -200
    assert c.overlap_items == 200
    assert c.coverage == pytest.approx(200 / len(master))
    assert c.master_coverage == 1.0


def test_empty_inputs_do_not_match() -> None:
    c = compare_values(np.zeros(0, np.uint32), np.arange(10, dtype=np.uint32))
    assert c.score == 0.0
    assert c.overlap_items == 0


def test_degraded_copy_with_noise(
    audio_dir: Path, song_long_wav: Path, master: Fingerprint
) -> None:
    noisy = audio_dir / "long_noisy.wav"
    if not noisy.exists():
        rng = np.random.default_rng(11)
        signal = render_song(135, seed=3)
        write_wav(noisy, signal + rng.standard_normal(signal.size) * 0.1 * np.std(signal))
    c = compare(fingerprint_file(noisy), master)
    assert c.score > 0.8
    assert c.offset_items == 0
