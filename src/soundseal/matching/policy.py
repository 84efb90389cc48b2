"""The versioned match policy and the decision it makes about one comparison.

The policy is data, chosen by calibration (``soundseal calibrate``) and stored with the code as
:data:`CURRENT_POLICY`; every answer reports the policy version it was decided under, so a
decision can be reproduced after the thresholds move.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from soundseal.audio import DiversityReport, Fingerprint, ensure_sufficient_audio
from soundseal.matching.comparison import Comparison, compare

__all__ = ["CURRENT_POLICY", "Decision", "MatchPolicy", "check_audio", "decide", "match"]


@dataclass(frozen=True, slots=True)
class MatchPolicy:
    """Thresholds deciding whether a comparison is a match.

    ``min_score``: minimum ``1 - 2 * BER``. ``min_coverage``: share of the query's fingerprinted
    values that must lie inside the master. ``min_overlap_ms``: aligned audio needed at all.
    ``duration_tolerance_ms``: slack of the duration rule (encoders pad or trim a little).
    The remaining fields gate each fingerprint (see :mod:`soundseal.audio.diversity`).
    """

    version: str
    calibrated: bool
    min_score: float
    min_coverage: float
    min_overlap_ms: int
    duration_tolerance_ms: int
    min_fingerprinted_ms: int
    min_diversity: float
    min_bit_entropy: float
    max_silence_fraction: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# Chosen from the calibration report in docs/calibration/ (see docs/matching.md): the score
# threshold sits midway between the highest score of any pair of different tracks (0.764) and
# the lowest score of a degraded copy (0.846); min_bit_entropy midway between noise (<= 0.57)
# and the least varied real music of the corpus (0.69).
CURRENT_POLICY = MatchPolicy(
    version="2026-11.1",
    calibrated=True,
    min_score=0.805,
    min_coverage=0.8,
    min_overlap_ms=5_000,
    duration_tolerance_ms=5_000,
    min_fingerprinted_ms=5_000,
    min_diversity=0.5,
    min_bit_entropy=0.63,
    max_silence_fraction=0.5,
)

Rule = Literal["full_copy", "excerpt"]


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict on one comparison, with every reason it failed (or the rule it met)."""

    matched: bool
    reasons: tuple[str, ...]
    rule: Rule | None
    score: float
    offset_ms: int
    policy_version: str


def check_audio(fingerprint: Fingerprint, policy: MatchPolicy = CURRENT_POLICY) -> DiversityReport:
    """Raise :class:`~soundseal.audio.InsufficientAudio` unless ``fingerprint`` is usable."""
    return ensure_sufficient_audio(
        fingerprint,
        min_fingerprinted_ms=policy.min_fingerprinted_ms,
        min_diversity=policy.min_diversity,
        min_bit_entropy=policy.min_bit_entropy,
        max_silence_fraction=policy.max_silence_fraction,
    )


def _duration_rule(
    comparison: Comparison, query_ms: int, master_ms: int, tol: int
) -> tuple[Rule | None, str]:
    offset = comparison.offset_ms
    if abs(query_ms - master_ms) <= tol and abs(offset) <= tol:
        return "full_copy", "full copy: duration within tolerance of the master's"
    if offset >= -tol and offset + query_ms <= master_ms + tol:
        return "excerpt", f"trimmed copy or clip inside the master at {offset / 1000:.1f} s"
    if abs(query_ms - master_ms) <= tol:
        return None, f"same length as the master but shifted by {offset / 1000:.1f} s"
    return None, (
        f"duration {query_ms / 1000:.1f} s at offset {offset / 1000:.1f} s does not fit in the "
        f"master's {master_ms / 1000:.1f} s"
    )


def decide(
    comparison: Comparison,
    query_duration_ms: int,
    master_duration_ms: int,
    policy: MatchPolicy = CURRENT_POLICY,
) -> Decision:
    """Apply ``policy``: score, overlap, coverage and the duration consistency rule.

    Durations are the WHOLE files' (a query's fingerprint may cover only its first 120 s).
    """
    failures: list[str] = []
    if comparison.score < policy.min_score:
        failures.append(f"score {comparison.score:.3f} below {policy.min_score:.3f}")
    if comparison.overlap_ms < policy.min_overlap_ms:
        failures.append(
            f"overlap {comparison.overlap_ms / 1000:.1f} s below "
            f"{policy.min_overlap_ms / 1000:.1f} s"
        )
    if comparison.coverage < policy.min_coverage:
        failures.append(
            f"only {comparison.coverage:.0%} of the query lies inside the master "
            f"(needs {policy.min_coverage:.0%})"
        )
    rule, why = _duration_rule(
        comparison, query_duration_ms, master_duration_ms, policy.duration_tolerance_ms
    )
    if rule is None:
        failures.append(why)
    matched = not failures
    return Decision(
        matched=matched,
        reasons=(why,) if matched else tuple(failures),
        rule=rule if matched else None,
        score=comparison.score,
        offset_ms=comparison.offset_ms,
        policy_version=policy.version,
    )


def match(
    query: Fingerprint, master: Fingerprint, policy: MatchPolicy = CURRENT_POLICY
) -> Decision:
    """Check both fingerprints carry enough audio, compare them and decide.

    Raises :class:`~soundseal.audio.InsufficientAudio` for a silent, too short or low-diversity
    fingerprint on either side.
    """
    check_audio(query, policy)
    check_audio(master, policy)
    return decide(compare(query, master), query.duration_ms, master.duration_ms, policy)
