"""The :class:`Fingerprint` value type and fingerprinting of files through libchromaprint."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from soundseal.audio.chromaprint_lib import ALGORITHM_DEFAULT, chromaprint_session
from soundseal.audio.decoding import DEFAULT_TIMEOUT_S, open_pcm_stream
from soundseal.audio.errors import FingerprintError, UnsupportedMedia
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
) -> Fingerprint:
    """Fingerprint interleaved int16 PCM already in memory."""
    pcm = np.ascontiguousarray(samples, dtype=np.int16)
    with chromaprint_session(sample_rate, channels, ALGORITHM_DEFAULT) as session:
        session.feed(pcm)
        values = session.finish()
    if duration_ms is None:
        duration_ms = round(pcm.size // channels * 1000 / sample_rate)
    return Fingerprint(values, duration_ms)


def fingerprint_file(
    path: str | os.PathLike[str],
    *,
    length_s: int = DEFAULT_QUERY_LENGTH_S,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    engine: Engine = "auto",
) -> Fingerprint:
    """Fingerprint the first ``length_s`` seconds of ``path`` (0 = the whole file), like fpcalc.

    The values equal ``fpcalc -raw -length <length_s>``. A master is fingerprinted with
    ``length_s=0``. ``engine``: ``"fpcalc"`` runs Chromaprint's own tool (fast to start, and
    identical to fpcalc for every format by construction); ``"libchromaprint"`` streams PCM
    from the ``ffmpeg`` command into libchromaprint at the file's native rate and channels
    (identical for lossless files, within a tiny bit error rate for lossy ones, whose float
    decoders FFmpeg's command converts slightly differently); ``"auto"`` (default) takes
    fpcalc when it is installed.
    """
    if length_s < 0:
        raise ValueError("length_s must be >= 0")
    if engine == "fpcalc" or (engine == "auto" and fpcalc_binary() is not None):
        values, duration_ms = run_fpcalc(path, length_s=length_s, timeout_s=timeout_s)
        return Fingerprint(values, duration_ms)
    return _fingerprint_with_ffmpeg(path, length_s=length_s, timeout_s=timeout_s)


def _fingerprint_with_ffmpeg(
    path: str | os.PathLike[str], *, length_s: int, timeout_s: float
) -> Fingerprint:
    with open_pcm_stream(path, timeout_s=timeout_s) as stream:
        channels = stream.channels
        limit = length_s * stream.sample_rate * channels if length_s else 0
        fed = 0
        with chromaprint_session(stream.sample_rate, channels, ALGORITHM_DEFAULT) as session:
            chunks = stream.chunks()
            for chunk in chunks:
                block = chunk
                if limit and fed + block.size >= limit:
                    block = block[: limit - fed]
                    session.feed(block)
                    fed += block.size
                    break
                session.feed(block)
                fed += block.size
            values = session.finish()
        duration_ms = stream.container_duration_ms()
        if duration_ms is None:
            # No container duration (e.g. a raw stream): count the samples, finishing the decode
            # if the fingerprint stopped early.
            total = fed + sum(int(c.size) for c in chunks)
            duration_ms = round(total // channels * 1000 / stream.sample_rate)
    if fed == 0:
        raise UnsupportedMedia(f"{os.fspath(path)!r} contains no audio samples")
    if values.size == 0:
        raise FingerprintError("chromaprint produced no fingerprint (audio too short)")
    return Fingerprint(values, duration_ms)
