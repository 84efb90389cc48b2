"""Matching speed: compare() for a 120 s query vs a 10-minute master, and 1:N index search.

    python benchmarks/bench_matching.py FILE_OR_DIR... [--masters 10000] [--queries 200]

Masters are derived from REAL fingerprints of the given recordings: the real values of all
files are concatenated; a 10-minute master (4,845 values) is a window of that sequence; the
index's other masters are windows at random starts XOR-ed with a random 32-bit mask per master,
which keeps real Chromaprint statistics (runs, repeated values, bit-flip structure) while making
each master distinct. Queries are 120 s (969 values) windows of indexed masters with 2 % of the
bits flipped at random (about what MP3 64k or Opus 48k do, see docs/calibration/).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

from soundseal.audio import Fingerprint, fingerprint_file
from soundseal.matching import FingerprintIndex, compare
from soundseal.matching.calibration import discover

MASTER_ITEMS = 4845  # 10 minutes
QUERY_ITEMS = 969  # 120 s


def _flip(
    values: npt.NDArray[np.uint32], rate: float, rng: np.random.Generator
) -> npt.NDArray[np.uint32]:
    bits = rng.random((values.size, 32)) < rate
    mask = (bits * (1 << np.arange(32, dtype=np.uint64))).sum(axis=1).astype(np.uint32)
    return values ^ mask


def _pct(samples: list[float]) -> str:
    p50, p95 = np.percentile(np.array(samples) * 1000, [50, 95])
    return f"p50 {p50:.2f} ms, p95 {p95:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--masters", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    files: list[Path] = []
    for p in args.paths:
        files.extend(discover(p) if p.is_dir() else [p])
    real = np.concatenate([fingerprint_file(f, length_s=0).values for f in files])
    while real.size < 2 * MASTER_ITEMS:
        real = np.concatenate([real, real])
    rng = np.random.default_rng(7)
    print(f"{len(files)} recordings, {real.size} real fingerprint values")

    master_vals = real[:MASTER_ITEMS]
    master = Fingerprint(master_vals, 600_000)
    times, scores = [], []
    for _ in range(args.queries):
        start = int(rng.integers(0, MASTER_ITEMS - QUERY_ITEMS))
        query = Fingerprint(_flip(master_vals[start : start + QUERY_ITEMS], 0.02, rng), 120_000)
        t0 = time.perf_counter()
        c = compare(query, master)
        times.append(time.perf_counter() - t0)
        scores.append(c.offset_items == start)
    print(
        f"compare() 120 s query vs 10-min master: {_pct(times)}; offset right {np.mean(scores):.0%}"
    )

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    index = FingerprintIndex()
    t0 = time.perf_counter()
    starts = rng.integers(0, real.size - MASTER_ITEMS, args.masters)
    masks = rng.integers(0, 2**32, args.masters, dtype=np.uint64).astype(np.uint32)
    for i in range(args.masters):
        vals = real[starts[i] : starts[i] + MASTER_ITEMS] ^ masks[i]
        index.add(i, Fingerprint(vals, 600_000))
    index.optimize()
    build = time.perf_counter() - t0
    rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
    print(f"index: {args.masters} masters x {MASTER_ITEMS} values built in {build:.1f} s, "
          f"peak RSS +{rss:.0f} MB")  # fmt: skip
    times, right = [], 0
    for _ in range(args.queries):
        key = int(rng.integers(0, args.masters))
        start = int(rng.integers(0, MASTER_ITEMS - QUERY_ITEMS))
        vals = real[starts[key] + start : starts[key] + start + QUERY_ITEMS] ^ masks[key]
        query = Fingerprint(_flip(vals, 0.02, rng), 120_000)
        t0 = time.perf_counter()
        hits = index.search(query, limit=5)
        times.append(time.perf_counter() - t0)
        right += bool(hits) and hits[0].key == key
    print(f"index.search() with {args.masters} masters: {_pct(times)}; "
          f"top-1 correct {right / args.queries:.0%}")  # fmt: skip


if __name__ == "__main__":
    main()
