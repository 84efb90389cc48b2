"""Matching fingerprints: pairwise comparison, the versioned policy, the 1:N index, calibration.

Pure library code over :mod:`soundseal.audio` fingerprints: no HTTP, no database.
"""

from soundseal.matching.comparison import Comparison, compare, compare_values
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
    "Comparison",
    "Decision",
    "MatchPolicy",
    "check_audio",
    "compare",
    "compare_values",
    "decide",
    "match",
]
