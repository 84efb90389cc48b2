from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from soundseal.audio import Fingerprint, fingerprint_file
from soundseal.matching import FingerprintIndex
from tests.audio.conftest import render_song, transcode, write_wav


@pytest.fixture(scope="module")
def songs(audio_dir: Path) -> dict[str, Path]:
    out = {}
    for seed in range(20, 26):
        path = audio_dir / f"index_song_{seed}.wav"
        if not path.exists():
            write_wav(path, render_song(40, seed=seed))
        out[f"song-{seed}"] = path
    return out


@pytest.fixture(scope="module")
def index(songs: dict[str, Path]) -> FingerprintIndex:
    idx = FingerprintIndex()
    for key, path in songs.items():
        idx.add(key, fingerprint_file(path, length_s=0))
    # Decoys derived from real fingerprints (bit-flipped, shifted) so the index is not trivial.
    rng = np.random.default_rng(0)
    base = fingerprint_file(songs["song-20"], length_s=0).values
    for i in range(200):
        mask = np.uint32(rng.integers(1, 2**32))
        idx.add(f"decoy-{i}", Fingerprint(np.roll(base, i) ^ mask, 40_000))
    return idx


def test_finds_the_right_master_for_a_degraded_clip(
    index: FingerprintIndex, songs: dict[str, Path]
) -> None:
    path = songs["song-23"]
    clip = transcode(
        path,
        path.with_name("index_clip_23.ogg"),
        "-af",
        "atrim=start=11.2:duration=20,asetpts=PTS-STARTPTS",
        "-c:a",
        "libvorbis",
        "-q:a",
        "2",
    )
    hits = index.search(fingerprint_file(clip), limit=3)
    assert hits[0].key == "song-23"
    assert hits[0].score > 0.7
    assert abs(hits[0].offset_ms - 11_200) < 150
    assert all(h.score < 0.4 for h in hits[1:])


def test_every_song_finds_itself_first(index: FingerprintIndex, songs: dict[str, Path]) -> None:
    for key, path in songs.items():
        hits = index.search(fingerprint_file(path), limit=1)
        assert [h.key for h in hits] == [key]
        assert hits[0].score == 1.0


def test_remove_and_re_add(songs: dict[str, Path]) -> None:
    idx = FingerprintIndex()
    fps = {k: fingerprint_file(p, length_s=0) for k, p in songs.items()}
    for k, fp in fps.items():
        idx.add(k, fp)
    assert idx.search(fps["song-21"], 1)[0].key == "song-21"
    idx.remove("song-21")
    assert "song-21" not in idx
    assert len(idx) == len(fps) - 1
    assert all(h.key != "song-21" for h in idx.search(fps["song-21"], 5))
    with pytest.raises(KeyError):
        idx.remove("song-21")
    idx.add("again", fps["song-21"])  # after a search, so it lands in a new segment
    assert idx.search(fps["song-21"], 1)[0].key == "again"
    idx.optimize()
    assert idx.search(fps["song-21"], 1)[0].key == "again"
    assert idx.search(fps["song-22"], 1)[0].key == "song-22"


def test_duplicate_detection_at_issuance(index: FingerprintIndex, songs: dict[str, Path]) -> None:
    # A second registration of the same recording (re-encoded) is found before it is indexed.
    mp3 = transcode(songs["song-24"], songs["song-24"].with_suffix(".mp3"), "-b:a", "128k")
    hits = index.search(fingerprint_file(mp3, length_s=0), limit=1)
    assert hits[0].key == "song-24"


def test_empty_index_and_unknown_query(songs: dict[str, Path], audio_dir: Path) -> None:
    assert FingerprintIndex().search(fingerprint_file(songs["song-20"])) == []
    other = audio_dir / "index_other.wav"
    if not other.exists():
        write_wav(other, render_song(30, seed=99))
    idx = FingerprintIndex()
    for k, p in songs.items():
        idx.add(k, fingerprint_file(p, length_s=0))
    assert all(h.score < 0.4 for h in idx.search(fingerprint_file(other), 5))
