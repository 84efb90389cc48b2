"""Whether a fingerprint carries enough information to be certified or matched.

A best-offset bit-error matcher accepts too much from uninformative fingerprints: a silent
track's fingerprint (every value :data:`SILENCE_VALUE`) sits at a bit-error rate of about 0.2
from quiet passages of real music, and a steady tone or a short loop aligns with many things.
So such fingerprints are refused outright, on both sides, with a reason a person can act on.

The measures, on the raw values only (the server never sees the audio):

* ``silence_fraction`` - share of values equal to Chromaprint's silence value.
* ``diversity`` - distinct non-silent values / all values. Real music: 0.75-1.0 (guitar stems
  with long rests are the lowest); silence, a steady tone or a tight loop: near 0.
* ``bit_entropy`` - mean binary entropy of the 32 bit positions. Real music: 0.85-0.97; noise
  and near-silent dither, whose chroma is flat and random: about 0.5-0.6.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from soundseal.audio.errors import InsufficientAudio
from soundseal.audio.fingerprint import ITEM_MS, SILENCE_VALUE, Fingerprint

__all__ = [
    "DEFAULT_MAX_SILENCE_FRACTION",
    "DEFAULT_MIN_BIT_ENTROPY",
    "DEFAULT_MIN_DIVERSITY",
    "DEFAULT_MIN_FINGERPRINTED_MS",
    "DiversityReport",
    "ensure_sufficient_audio",
    "measure_diversity",
]

DEFAULT_MIN_FINGERPRINTED_MS = 5_000
DEFAULT_MIN_DIVERSITY = 0.5
DEFAULT_MIN_BIT_ENTROPY = 0.63
DEFAULT_MAX_SILENCE_FRACTION = 0.5


@dataclass(frozen=True, slots=True)
class DiversityReport:
    items: int
    fingerprinted_ms: int
    silence_fraction: float
    diversity: float
    bit_entropy: float


def measure_diversity(values: npt.NDArray[np.uint32]) -> DiversityReport:
    """The information measures of raw fingerprint ``values``."""
    v = np.asarray(values, dtype=np.uint32)
    n = int(v.size)
    if n == 0:
        return DiversityReport(0, 0, 1.0, 0.0, 0.0)
    silent = v == np.uint32(SILENCE_VALUE)
    distinct = np.unique(v[~silent]).size
    # Counted one bit position at a time: a table of 32 numbers per value would cost 128 bytes
    # a value, 80 MB for the 600,000 values one request can send.
    ones = np.array([np.count_nonzero(v & np.uint32(1 << bit)) for bit in range(32)]) / n
    p = np.clip(ones, 1e-12, 1 - 1e-12)
    entropy = -(p * np.log2(p) + (1 - p) * np.log2(1 - p))
    entropy[(ones == 0) | (ones == 1)] = 0.0
    return DiversityReport(
        items=n,
        fingerprinted_ms=round(n * ITEM_MS),
        silence_fraction=float(silent.mean()),
        diversity=distinct / n,
        bit_entropy=float(entropy.mean()),
    )


def ensure_sufficient_audio(
    fingerprint: Fingerprint | npt.NDArray[np.uint32],
    *,
    min_fingerprinted_ms: int = DEFAULT_MIN_FINGERPRINTED_MS,
    min_diversity: float = DEFAULT_MIN_DIVERSITY,
    min_bit_entropy: float = DEFAULT_MIN_BIT_ENTROPY,
    max_silence_fraction: float = DEFAULT_MAX_SILENCE_FRACTION,
) -> DiversityReport:
    """Return the measures, or raise :class:`InsufficientAudio` saying what is wrong."""
    values = fingerprint.values if isinstance(fingerprint, Fingerprint) else fingerprint
    report = measure_diversity(values)
    if report.items == 0 or report.fingerprinted_ms < min_fingerprinted_ms:
        raise InsufficientAudio(
            f"too short: {report.fingerprinted_ms / 1000:.1f} s of fingerprinted audio, "
            f"at least {min_fingerprinted_ms / 1000:.1f} s is needed"
        )
    if report.silence_fraction > max_silence_fraction:
        raise InsufficientAudio(
            f"silent or near-silent: {report.silence_fraction:.0%} of the audio is silence"
        )
    if report.diversity < min_diversity:
        raise InsufficientAudio(
            f"too little diversity: only {report.diversity:.0%} distinct sounding frames "
            f"(a steady tone, a short loop or mostly silence; at least {min_diversity:.0%} needed)"
        )
    if report.bit_entropy < min_bit_entropy:
        raise InsufficientAudio(
            f"too little diversity: the fingerprint is noise-like or near-silent "
            f"(bit entropy {report.bit_entropy:.2f}, at least {min_bit_entropy:.2f} needed)"
        )
    return report
