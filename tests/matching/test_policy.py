from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from pathlib import Path

import pytest

from soundseal.audio import InsufficientAudio, fingerprint_file
from soundseal.matching import CURRENT_POLICY, Comparison, MatchPolicy, decide, match
from tests.audio.conftest import transcode


def _comparison(
    score: float, offset_items: int, overlap: int, query: int, master: int
) -> Comparison:
    return Comparison(score, (1 - score) / 2, offset_items, overlap, overlap, query, master)


def test_current_policy_is_versioned_and_frozen() -> None:
    assert CURRENT_POLICY.version.startswith("20")
    assert CURRENT_POLICY.as_dict()["version"] == CURRENT_POLICY.version
    with pytest.raises(FrozenInstanceError):
        CURRENT_POLICY.min_score = 0.0  # type: ignore[misc]


def test_full_copy_matches() -> None:
    d = decide(_comparison(0.95, 0, 1000, 1000, 1500), 185_000, 185_200, CURRENT_POLICY)
    assert d.matched
    assert d.rule == "full_copy"
    assert d.policy_version == CURRENT_POLICY.version


def test_clip_inside_the_master_matches_as_excerpt() -> None:
    # A 30 s clip found 60 s into a 180 s master.
    d = decide(_comparison(0.9, 485, 240, 240, 1450), 30_000, 180_000, CURRENT_POLICY)
    assert d.matched
    assert d.rule == "excerpt"


def test_clip_running_past_the_master_end_fails_duration_rule() -> None:
    d = decide(_comparison(0.9, 1300, 150, 240, 1450), 30_000, 170_000, CURRENT_POLICY)
    assert not d.matched
    assert any("does not fit" in r for r in d.reasons)


def test_low_score_fails_with_reason() -> None:
    d = decide(_comparison(0.1, 0, 1000, 1000, 1000), 120_000, 120_000, CURRENT_POLICY)
    assert not d.matched
    assert d.rule is None
    assert any(r.startswith("score 0.100 below") for r in d.reasons)


def test_low_coverage_fails() -> None:
    d = decide(_comparison(0.95, 0, 300, 1000, 1000), 120_000, 120_000, CURRENT_POLICY)
    assert not d.matched
    assert any("of the query lies inside the master" in r for r in d.reasons)


def test_thresholds_come_from_the_policy() -> None:
    strict = replace(CURRENT_POLICY, version="test-strict", min_score=0.99)
    c = _comparison(0.95, 0, 1000, 1000, 1000)
    assert decide(c, 120_000, 120_000, CURRENT_POLICY).matched
    d = decide(c, 120_000, 120_000, strict)
    assert not d.matched
    assert d.policy_version == "test-strict"
    assert isinstance(strict, MatchPolicy)


def test_match_end_to_end_trimmed_copy(song_long_wav: Path) -> None:
    trimmed = transcode(
        song_long_wav,
        song_long_wav.with_name("long_trim9.mp3"),
        "-af",
        "atrim=start=9.4,asetpts=PTS-STARTPTS",
        "-b:a",
        "128k",
    )
    d = match(fingerprint_file(trimmed), fingerprint_file(song_long_wav, length_s=0))
    assert d.matched, d.reasons
    assert d.rule == "excerpt"
    assert abs(d.offset_ms - 9400) < 150


def test_match_refuses_different_songs(song_a_wav: Path, song_b_wav: Path) -> None:
    d = match(fingerprint_file(song_a_wav), fingerprint_file(song_b_wav, length_s=0))
    assert not d.matched


def test_silence_never_matches_even_a_quiet_master(silence_wav: Path, song_a_wav: Path) -> None:
    with pytest.raises(InsufficientAudio, match="silent"):
        match(fingerprint_file(silence_wav), fingerprint_file(song_a_wav, length_s=0))
    with pytest.raises(InsufficientAudio, match="silent"):
        match(fingerprint_file(song_a_wav), fingerprint_file(silence_wav, length_s=0))
