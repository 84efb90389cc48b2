"""Decoding and encoding Chromaprint's compressed string: soundseal's numpy codec on fpcalc output.

    python benchmarks/bench_codec.py FILE [--length 600] [--repeat 9]

fpcalc fingerprints up to ``--length`` seconds of FILE twice (compressed and ``-raw``); the
codec must decode the one into the other and encode it back byte for byte, then each direction
is timed (200 calls per round, ``--repeat`` rounds; the best and the median round are printed).
A 10-minute fingerprint has about 4,800 values.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import timeit
from collections.abc import Callable
from pathlib import Path

import numpy as np

from soundseal.audio.compressed import decode_compressed, encode_compressed

_CALLS = 200


def _fpcalc(path: Path, length: int, *extra: str) -> object:
    # fpcalc 1.5 exits 3 after a valid result for many files; the JSON is what counts.
    out = subprocess.run(
        ["fpcalc", "-json", "-length", str(length), *extra, str(path)],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return json.loads(out)["fingerprint"]


def _time(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    rounds = sorted(t / _CALLS * 1000 for t in timeit.repeat(call, number=_CALLS, repeat=repeat))
    return rounds[0], rounds[len(rounds) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--length", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    text = str(_fpcalc(args.path, args.length))
    raw = _fpcalc(args.path, args.length, "-raw")
    assert isinstance(raw, list)
    values = np.array([int(v) & 0xFFFFFFFF for v in raw], dtype=np.uint32)
    assert np.array_equal(decode_compressed(text), values), "decode differs from fpcalc -raw"
    assert encode_compressed(values) == text, "encode differs from fpcalc's string"
    print(f"{values.size} values, {len(text)} characters")
    for name, call in (
        ("decode", lambda: decode_compressed(text)),
        ("encode", lambda: encode_compressed(values)),
    ):
        best, median = _time(call, args.repeat)
        print(f"{name}: best {best:.3f} ms, median {median:.3f} ms")


if __name__ == "__main__":
    main()
