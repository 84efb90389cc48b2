"""Calibration: degrade every track of a corpus with FFmpeg, compare everything, pick a policy.

``calibrate(corpus_dir, report_dir)`` is what ``soundseal calibrate`` runs.
"""

from __future__ import annotations

from pathlib import Path

from soundseal.matching.calibration.report import Evaluation, choose_policy, evaluate, write_report
from soundseal.matching.calibration.runner import CalibrationData, discover, run
from soundseal.matching.calibration.transforms import TRANSFORMS, Transform, apply_transform
from soundseal.matching.policy import CURRENT_POLICY

__all__ = [
    "TRANSFORMS",
    "CalibrationData",
    "Evaluation",
    "Transform",
    "apply_transform",
    "calibrate",
    "choose_policy",
    "discover",
    "evaluate",
    "run",
    "write_report",
]


def calibrate(
    corpus_dir: str | Path,
    report_dir: str | Path,
    *,
    version: str | None = None,
    workers: int | None = None,
    progress: bool = False,
    corpus_note: str = "",
) -> Evaluation:
    """Calibrate on ``corpus_dir`` and write the report into ``report_dir``.

    The policy keeps :data:`CURRENT_POLICY`'s gates and re-centres its score threshold; the
    returned evaluation says what that policy achieves (put it in code by hand, after review).
    """
    data = run(Path(corpus_dir), workers=workers, progress=progress)
    policy = choose_policy(data, CURRENT_POLICY, version or CURRENT_POLICY.version)
    evaluation = evaluate(data, policy)
    write_report(data, evaluation, Path(report_dir), corpus_note)
    return evaluation
