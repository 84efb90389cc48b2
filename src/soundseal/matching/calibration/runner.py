"""Run the calibration: fingerprint masters and degraded copies, compare every pair, in parallel.

Work is spread over processes (FFmpeg encodes and libchromaprint both hold a core each). The
result is plain data (:class:`CalibrationData`) that :mod:`.report` turns into a policy and a
report.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from soundseal.audio import AudioError, Fingerprint, fingerprint_file
from soundseal.matching.calibration.transforms import TRANSFORMS, apply_transform
from soundseal.matching.comparison import Comparison, compare
from soundseal.matching.policy import CURRENT_POLICY, check_audio

__all__ = ["AUDIO_SUFFIXES", "CalibrationData", "Pair", "Query", "Track", "discover", "run"]

AUDIO_SUFFIXES = frozenset({".ogg", ".mp3", ".flac", ".wav", ".opus", ".m4a", ".aac", ".wma"})
ORIGINAL = "original"


@dataclass(frozen=True, slots=True)
class Track:
    key: str
    path: Path
    master: Fingerprint | None
    problem: str | None  # why the master cannot be certified, if so


@dataclass(frozen=True, slots=True)
class Query:
    track: str
    transform: str
    fingerprint: Fingerprint | None
    problem: str | None  # insufficient audio or a failed transform


@dataclass(frozen=True, slots=True)
class Pair:
    query_track: str
    transform: str
    master_track: str
    comparison: Comparison
    query_duration_ms: int
    master_duration_ms: int


@dataclass(slots=True)
class CalibrationData:
    tracks: list[Track]
    queries: list[Query]
    positives: list[Pair] = field(default_factory=list)
    negatives: list[Pair] = field(default_factory=list)


def discover(corpus_dir: Path) -> list[Path]:
    """Audio files under ``corpus_dir`` (following symlinks), in a stable order."""
    found: list[Path] = []
    for root, _dirs, files in os.walk(corpus_dir, followlinks=True):
        found.extend(Path(root) / f for f in files if Path(f).suffix.lower() in AUDIO_SUFFIXES)
    return sorted(found)


def _master(args: tuple[str, Path]) -> Track:
    key, path = args
    try:
        fp = fingerprint_file(path, length_s=0)
    except AudioError as exc:
        return Track(key, path, None, str(exc))
    try:
        check_audio(fp, CURRENT_POLICY)
    except AudioError as exc:
        return Track(key, path, fp, str(exc))
    return Track(key, path, fp, None)


def _queries(args: tuple[Track, Path]) -> list[Query]:
    track, work = args
    assert track.master is not None
    out: list[Query] = [Query(track.key, ORIGINAL, fingerprint_file(track.path), None)]
    duration_s = track.master.duration_ms / 1000
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        for transform in TRANSFORMS:
            try:
                made = apply_transform(transform, track.path, duration_s, Path(tmp))
                if made is None:
                    continue
                fp = fingerprint_file(made)
                made.unlink()
            except AudioError as exc:
                out.append(Query(track.key, transform.name, None, str(exc)))
                continue
            out.append(Query(track.key, transform.name, fp, None))
    return out


_MASTERS: dict[str, Fingerprint] = {}


def _init_masters(masters: dict[str, Fingerprint]) -> None:
    _MASTERS.update(masters)


def _compare_all(queries: Sequence[Query]) -> list[Pair]:
    pairs: list[Pair] = []
    for query in queries:
        fp = query.fingerprint
        if fp is None:
            continue
        for key, master in _MASTERS.items():
            # A copy's own master is a positive; an untouched original vs itself says nothing.
            if key == query.track and query.transform == ORIGINAL:
                continue
            comparison = compare(fp, master)
            pairs.append(
                Pair(
                    query.track,
                    query.transform,
                    key,
                    comparison,
                    fp.duration_ms,
                    master.duration_ms,
                )
            )
    return pairs


def run(corpus_dir: Path, *, workers: int | None = None, progress: bool = False) -> CalibrationData:
    """Fingerprint every track and its transforms, then compare every query with every master."""
    workers = workers or os.cpu_count() or 1
    paths = discover(corpus_dir)
    keys = [str(p.relative_to(corpus_dir)) for p in paths]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        tracks = list(pool.map(_master, zip(keys, paths, strict=True)))
    usable = [t for t in tracks if t.master is not None and t.problem is None]
    if progress:
        print(f"{len(tracks)} tracks, {len(usable)} usable as masters", flush=True)
    queries: list[Query] = []
    with (
        tempfile.TemporaryDirectory(prefix="soundseal-calibration-") as work,
        ProcessPoolExecutor(max_workers=workers) as pool,
    ):
        jobs = [(t, Path(work)) for t in usable]
        for i, batch in enumerate(pool.map(_queries, jobs), 1):
            queries.extend(batch)
            if progress:
                print(f"  transformed {i}/{len(jobs)}: {batch[0].track}", flush=True)
    masters = {t.key: t.master for t in usable if t.master is not None}
    chunks = [queries[i :: workers * 4] for i in range(workers * 4)]
    data = CalibrationData(tracks=tracks, queries=queries)
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_masters, initargs=(masters,)
    ) as pool:
        for pairs in pool.map(_compare_all, chunks):
            for pair in pairs:
                positive = pair.query_track == pair.master_track
                (data.positives if positive else data.negatives).append(pair)
    if progress:
        print(
            f"{len(data.positives)} positive and {len(data.negatives)} negative pairs", flush=True
        )
    return data
