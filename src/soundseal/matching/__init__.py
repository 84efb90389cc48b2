"""Matching fingerprints: pairwise comparison, the versioned policy, the 1:N index, calibration.

``calibrate`` lives in :mod:`soundseal.matching.calibration` (it needs FFmpeg and, for its plot,
matplotlib). Pure library code over :mod:`soundseal.audio` fingerprints: no HTTP, no database.
"""

from soundseal.matching.comparison import Comparison, compare, compare_values
from soundseal.matching.index import KEY_BITS, FingerprintIndex, SearchHit
from soundseal.matching.policy import (
    CURRENT_POLICY,
    Decision,
    MatchPolicy,
    check_audio,
    decide,
    match,
)

__all__ = [
    "CURRENT_POLICY",
    "KEY_BITS",
    "Comparison",
    "Decision",
    "FingerprintIndex",
    "MatchPolicy",
    "SearchHit",
    "check_audio",
    "compare",
    "compare_values",
    "decide",
    "match",
]
