"""The report's figure: score distributions and the ROC curve.

matplotlib is imported here only, so the matching core does not depend on it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from soundseal.matching.calibration.runner import CalibrationData

__all__ = ["plot_scores"]


def plot_scores(data: CalibrationData, threshold: float, out: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # the Markdown report stands on its own
        return
    pos = np.array([p.comparison.score for p in data.positives])
    neg = np.array([p.comparison.score for p in data.negatives])
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4), dpi=80)
    bins = np.linspace(0, 1, 51)
    left.hist(neg, bins=bins, alpha=0.6, label=f"different tracks ({neg.size})", color="tab:red")
    left.hist(pos, bins=bins, alpha=0.6, label=f"copies of the master ({pos.size})")
    left.axvline(threshold, color="k", linestyle="--", linewidth=1, label=f"threshold {threshold}")
    left.set_yscale("log")
    left.set_xlabel("score = 1 - 2 x BER")
    left.set_ylabel("pairs")
    left.legend(fontsize=7)
    ts = np.linspace(0, 1, 201)
    tpr = [(pos >= t).mean() if pos.size else 0 for t in ts]
    fpr = [(neg >= t).mean() if neg.size else 0 for t in ts]
    right.plot(fpr, tpr, marker=".", markersize=2)
    right.set_xscale("symlog", linthresh=1e-4)
    right.set_xlabel("false-positive rate (score only)")
    right.set_ylabel("true-positive rate")
    right.set_title("ROC over the score threshold", fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=80)
    plt.close(fig)
