from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from soundseal.audio import fingerprint_file
from soundseal.matching.calibration import TRANSFORMS, apply_transform, calibrate
from tests.audio.conftest import render_song, write_wav


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    (root / "album").mkdir()
    write_wav(root / "album" / "one.wav", render_song(18, seed=31))
    write_wav(root / "album" / "two.wav", render_song(18, seed=32))
    band = root / "band" / "tune"
    band.mkdir(parents=True)
    guitar = render_song(18, seed=33)
    backing = render_song(18, seed=34)
    write_wav(band / "guitar.wav", guitar)
    write_wav(band / "song.wav", 0.5 * guitar + 0.5 * backing)  # the stem is inside the mix
    write_wav(root / "album" / "silence.wav", np.zeros(18 * 44100))
    return root


def test_trim_and_clip_are_skipped_when_the_track_is_too_short(tmp_path: Path) -> None:
    by_name = {t.name: t for t in TRANSFORMS}
    src = write_wav(tmp_path / "s.wav", render_song(14, seed=35))
    assert apply_transform(by_name["clip_30s_middle"], src, 14.0, tmp_path) is None
    assert apply_transform(by_name["trim_start_15s"], src, 14.0, tmp_path) is None
    out = apply_transform(by_name["trim_start_2.3s"], src, 14.0, tmp_path)
    assert out is not None
    assert abs(fingerprint_file(out).duration_ms - 11_700) <= 10


def test_calibrate_writes_a_report_and_a_policy(corpus: Path, tmp_path: Path) -> None:
    ev = calibrate(corpus, tmp_path / "report", version="test-1", workers=2)
    assert ev.policy.calibrated
    assert ev.policy.version == "test-1"
    assert ev.false_matches == []
    assert ev.max_negative is not None
    assert ev.policy.min_score > ev.max_negative.comparison.score
    assert len(ev.matched_positives) >= 0.95 * (
        len(ev.matched_positives) + len(ev.missed_positives)
    )
    md = (tmp_path / "report" / "calibration.md").read_text()
    assert "TPR" in md
    assert "`band/tune/guitar.wav`" in md  # reported as a hard negative against its own mix
    assert "album/silence.wav" in md  # listed as unusable: silent
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    assert summary["false_matches"] == 0
    assert summary["policy"]["min_score"] == ev.policy.min_score
