"""Fingerprinting throughput: soundseal.audio vs ``fpcalc -raw`` on the same files, side by side.

    python benchmarks/bench_fingerprint.py FILE_OR_DIR... [--length 120] [--repeat 3]

Each file is fingerprinted by soundseal's default engine (fpcalc, when installed), by its
FFmpeg engine (FFmpeg's ``chromaprint`` muxer) and by a bare ``fpcalc`` call, alternately,
``--repeat`` times; the best time of each is kept (to damp noise from other processes).
Prints per-file times and the overall ratios of throughputs (audio seconds per wall second;
100 % = as fast as fpcalc).
"""

from __future__ import annotations

import argparse
import subprocess
import time
from pathlib import Path

from soundseal.audio import fingerprint_file
from soundseal.audio.fingerprint import Engine
from soundseal.matching.calibration import discover


def _fpcalc(path: Path, length: int) -> float:
    start = time.perf_counter()
    # fpcalc 1.5 exits 3 after a valid result for many files; only the time matters here.
    subprocess.run(
        ["fpcalc", "-raw", "-length", str(length), str(path)], capture_output=True, check=False
    )
    return time.perf_counter() - start


def _ours(path: Path, length: int, engine: Engine = "auto") -> float:
    start = time.perf_counter()
    fingerprint_file(path, length_s=length, engine=engine)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--length", type=int, default=120, help="seconds; 0 = whole file")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files: list[Path] = []
    for p in args.paths:
        files.extend(discover(p) if p.is_dir() else [p])
    # Warm the page cache and both engines once.
    fingerprint_file(files[0], length_s=args.length, engine="libchromaprint")
    total_audio = total_ours = total_lib = total_fpcalc = 0.0
    print(
        f"{'file':44} {'audio s':>8} {'default':>8} {'ffmpeg+lib':>10} {'fpcalc':>8} {'ratio':>6}"
    )
    for path in files:
        duration = fingerprint_file(path, length_s=args.length).duration_ms / 1000
        audio = min(duration, args.length) if args.length else duration
        ours = lib = theirs = float("inf")
        for _ in range(args.repeat):
            ours = min(ours, _ours(path, args.length))
            lib = min(lib, _ours(path, args.length, "libchromaprint"))
            theirs = min(theirs, _fpcalc(path, args.length))
        total_audio += audio
        total_ours += ours
        total_lib += lib
        total_fpcalc += theirs
        print(
            f"{str(path)[-44:]:44} {audio:8.1f} {ours:8.3f} {lib:10.3f} {theirs:8.3f} "
            f"{theirs / ours:6.0%}"
        )
    print(
        f"\n{len(files)} files, {total_audio:.0f} s of audio (length={args.length}): "
        f"fpcalc {total_audio / total_fpcalc:.0f}x realtime; soundseal's default engine "
        f"{total_audio / total_ours:.0f}x = {total_fpcalc / total_ours:.0%} of fpcalc's "
        f"throughput; FFmpeg engine {total_audio / total_lib:.0f}x = "
        f"{total_fpcalc / total_lib:.0%}"
    )


if __name__ == "__main__":
    main()
