"""The :class:`Fingerprint` value type and fingerprinting of files and PCM.

Fingerprints are computed in child processes only (``fpcalc``, or ``ffmpeg`` with its
``chromaprint`` muxer), never by libchromaprint in this process: the PCM comes from untrusted
files, and a native library misbehaving on it must not take the server down with it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from soundseal.audio.containers import sniff_file
from soundseal.audio.decoding import DEFAULT_TIMEOUT_S
from soundseal.audio.errors import AudioTooLong, UnsupportedMedia
from soundseal.audio.ffmpeg_chromaprint import fingerprint_with_ffmpeg, pcm_with_ffmpeg
from soundseal.audio.fpcalc import fpcalc_binary, run_fpcalc

__all__ = [
    "ALGORITHM_NAME",
    "DEFAULT_QUERY_LENGTH_S",
    "ENGINES",
    "ITEM_MS",
    "SILENCE_VALUE",
    "Engine",
    "Fingerprint",
    "fingerprint_file",
    "fingerprint_pcm",
]

ALGORITHM_NAME = "chromaprint"
# fpcalc's default: a query is fingerprinted over its first two minutes.
DEFAULT_QUERY_LENGTH_S = 120
# One raw value per hop of 4096 // 3 samples at Chromaprint's internal 11025 Hz.
ITEM_MS = (4096 // 3) * 1000 / 11025
# The value Chromaprint emits for digital silence (the chroma vector is all zero). AcoustID strips
# it before matching; we use it to recognise silent stretches.
SILENCE_VALUE = 627964279
# With a duration limit, decoding stops this far past it: far enough that audio running on
# past the limit yields a fingerprint covering more than the limit (a fingerprint covers
# about 2.1 s less than the audio it was computed from) whatever the container claims.
_LIMIT_OVERRUN_S = 5

Engine = Literal["auto", "fpcalc", "libchromaprint"]
ENGINES: tuple[Engine, ...] = ("fpcalc", "libchromaprint")


def _as_uint32(values: Iterable[int] | npt.ArrayLike) -> npt.NDArray[np.uint32]:
    arr = np.asarray(values if isinstance(values, np.ndarray) else list(values))  # type: ignore[arg-type]
    if arr.ndim != 1:
        raise ValueError("fingerprint values must be one-dimensional")
    if arr.size and arr.dtype.kind not in "iu":
        raise ValueError("fingerprint values must be integers")
    if arr.dtype != np.uint32:
        # Signed int32 from some fpcalc versions and Python ints alike are taken modulo 2**32.
        arr = (arr.astype(np.int64) & 0xFFFFFFFF).astype(np.uint32)
    else:
        arr = arr.copy()
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False, slots=True)
class Fingerprint:
    """An immutable Chromaprint raw fingerprint.

    ``values`` is a read-only uint32 array, one value per :data:`ITEM_MS`; ``duration_ms`` is the
    WHOLE file's duration (as ``fpcalc`` reports it), which may exceed what was fingerprinted.
    """

    values: npt.NDArray[np.uint32] = field(repr=False)
    duration_ms: int
    algorithm: str = ALGORITHM_NAME

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _as_uint32(self.values))
        if self.duration_ms < 0:
            raise ValueError("duration_ms must not be negative")

    def __len__(self) -> int:
        return int(self.values.size)

    @property
    def fingerprinted_ms(self) -> int:
        """How much audio the values cover (about ``len * ITEM_MS``)."""
        return round(len(self) * ITEM_MS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fingerprint):
            return NotImplemented
        return (
            self.duration_ms == other.duration_ms
            and self.algorithm == other.algorithm
            and np.array_equal(self.values, other.values)
        )

    def __hash__(self) -> int:
        return hash((self.values.tobytes(), self.duration_ms, self.algorithm))

    def __repr__(self) -> str:
        return (
            f"Fingerprint(len={len(self)}, duration_ms={self.duration_ms}, "
            f"algorithm={self.algorithm!r})"
        )

    def to_list(self) -> list[int]:
        return [int(v) for v in self.values]

    def __getstate__(self) -> dict[str, Any]:
        return {"values": self.values, "duration_ms": self.duration_ms, "algorithm": self.algorithm}

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Unpickled arrays come back writeable; restore the read-only guarantee.
        object.__setattr__(self, "values", _as_uint32(state["values"]))
        object.__setattr__(self, "duration_ms", state["duration_ms"])
        object.__setattr__(self, "algorithm", state["algorithm"])


def fingerprint_pcm(
    samples: npt.NDArray[np.int16],
    sample_rate: int,
    channels: int,
    *,
    duration_ms: int | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> Fingerprint:
    """Fingerprint interleaved int16 PCM already in memory (in an ``ffmpeg`` child)."""
    pcm = np.ascontiguousarray(samples, dtype="<i2")
    values = pcm_with_ffmpeg(pcm.tobytes(), sample_rate, channels, timeout_s=timeout_s)
    if duration_ms is None:
        duration_ms = round(pcm.size // channels * 1000 / sample_rate)
    return Fingerprint(values, duration_ms)


def fingerprint_file(
    path: str | os.PathLike[str],
    *,
    length_s: int = DEFAULT_QUERY_LENGTH_S,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    engine: Engine = "auto",
    max_duration_s: int | None = None,
) -> Fingerprint:
    """Fingerprint the first ``length_s`` seconds of ``path`` (0 = the whole file), like fpcalc.

    The values equal ``fpcalc -raw -length <length_s>``. A master is fingerprinted with
    ``length_s=0``. ``engine``: ``"fpcalc"`` runs Chromaprint's own tool (fast to start, and
    identical to fpcalc for every format by construction); ``"libchromaprint"`` has the
    ``ffmpeg`` command decode the file and fingerprint it with its ``chromaprint`` muxer (which
    links libchromaprint) at the file's native rate (identical for lossless files and most
    lossy ones; MP3 within a tiny bit error rate, as FFmpeg's command converts its float
    samples slightly differently); ``"auto"`` (default) takes fpcalc when it is installed.

    Only the accepted audio containers are read (:mod:`soundseal.audio.containers`).
    ``max_duration_s`` refuses longer audio with :class:`AudioTooLong`, decoding no more than
    a few seconds past the limit whatever the file's header claims.
    """
    if length_s < 0:
        raise ValueError("length_s must be >= 0")
    source = Path(path)
    if not source.is_file():
        raise UnsupportedMedia(f"{source.name}: not a regular file")
    container = sniff_file(source)
    decode_s = length_s
    if max_duration_s is not None:
        cap = max_duration_s + _LIMIT_OVERRUN_S
        decode_s = min(length_s, cap) if length_s else cap
    if engine == "fpcalc" or (engine == "auto" and fpcalc_binary() is not None):
        values, duration_ms = run_fpcalc(
            source, length_s=decode_s, timeout_s=timeout_s, container=container
        )
    else:
        values, duration_ms = fingerprint_with_ffmpeg(
            source, container, length_s=decode_s, timeout_s=timeout_s
        )
    fingerprint = Fingerprint(values, duration_ms)
    if max_duration_s is not None:
        limit_ms = max_duration_s * 1000
        # The container's duration catches honest long files; the fingerprint's own extent
        # catches a header that understates how much audio follows.
        if duration_ms > limit_ms or fingerprint.fingerprinted_ms > limit_ms:
            raise AudioTooLong(max_duration_s)
    return fingerprint
