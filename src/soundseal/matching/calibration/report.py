"""Choose the policy from calibration data and write the report (Markdown, PNG, JSON)."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from soundseal.audio import AudioError
from soundseal.matching.calibration.runner import ORIGINAL, CalibrationData, Pair
from soundseal.matching.calibration.transforms import TRANSFORMS
from soundseal.matching.policy import MatchPolicy, check_audio, decide

__all__ = ["Evaluation", "choose_policy", "evaluate", "write_report"]


@dataclass(frozen=True, slots=True)
class Evaluation:
    policy: MatchPolicy
    max_negative: Pair | None
    threshold_margin: float  # threshold minus the highest score of any negative pair
    lowest_positive_above: float | None
    matched_positives: list[Pair]
    missed_positives: list[tuple[Pair | None, str, str, str]]  # (pair, track, transform, why)
    false_matches: list[Pair]


def _query_problems(data: CalibrationData, policy: MatchPolicy) -> dict[tuple[str, str], str]:
    problems: dict[tuple[str, str], str] = {}
    for q in data.queries:
        if q.fingerprint is None:
            problems[(q.track, q.transform)] = q.problem or "no fingerprint"
            continue
        try:
            check_audio(q.fingerprint, policy)
        except AudioError as exc:
            problems[(q.track, q.transform)] = str(exc)
    return problems


def _matches(pair: Pair, policy: MatchPolicy, problems: dict[tuple[str, str], str]) -> str | None:
    """``None`` when the pair matches under ``policy``, else the reason it does not."""
    problem = problems.get((pair.query_track, pair.transform))
    if problem:
        return problem
    d = decide(pair.comparison, pair.query_duration_ms, pair.master_duration_ms, policy)
    return None if d.matched else "; ".join(d.reasons)


def choose_policy(data: CalibrationData, base: MatchPolicy, version: str) -> MatchPolicy:
    """Centre the score threshold in the gap between negatives and positives.

    The gap runs from the highest score of ANY pair of different tracks (whatever the other
    gates say) to the lowest positive score above it among copies the other gates accept.
    """
    neg_max = max((p.comparison.score for p in data.negatives), default=0.0)
    open_policy = replace(base, min_score=0.0)
    problems = _query_problems(data, open_policy)
    above = sorted(
        p.comparison.score
        for p in data.positives
        if p.comparison.score > neg_max and _matches(p, open_policy, problems) is None
    )
    low = above[0] if above else min(1.0, neg_max + 0.2)
    threshold = round((neg_max + low) / 2, 3)
    return replace(base, version=version, calibrated=True, min_score=threshold)


def evaluate(data: CalibrationData, policy: MatchPolicy) -> Evaluation:
    problems = _query_problems(data, policy)
    matched: list[Pair] = []
    missed: list[tuple[Pair | None, str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for p in data.positives:
        seen.add((p.query_track, p.transform))
        why = _matches(p, policy, problems)
        if why is None:
            matched.append(p)
        else:
            missed.append((p, p.query_track, p.transform, why))
    for q in data.queries:  # copies that never got compared (transform or fingerprint failed)
        if q.transform != ORIGINAL and (q.track, q.transform) not in seen:
            missed.append((None, q.track, q.transform, q.problem or "not compared"))
    false = [p for p in data.negatives if _matches(p, policy, problems) is None]
    neg = max(data.negatives, key=lambda p: p.comparison.score, default=None)
    neg_score = neg.comparison.score if neg else 0.0
    above = [p.comparison.score for p in matched if p.comparison.score > neg_score]
    return Evaluation(
        policy=policy,
        max_negative=neg,
        threshold_margin=policy.min_score - neg_score,
        lowest_positive_above=min(above) if above else None,
        matched_positives=matched,
        missed_positives=missed,
        false_matches=false,
    )


_STEM_NAMES = frozenset({"song", "guitar", "rhythm", "bass", "drums", "vocals", "keys"})


def _hard_negative(p: Pair) -> bool:
    """A stem against the full mix it belongs to (same folder, e.g. guitar.ogg vs song.ogg)."""
    q, m = Path(p.query_track), Path(p.master_track)
    return q.parent == m.parent and q.stem in _STEM_NAMES and m.stem in _STEM_NAMES


def _per_transform(ev: Evaluation) -> list[tuple[str, int, int, float, float]]:
    scores: dict[str, list[float]] = defaultdict(list)
    hits: dict[str, int] = defaultdict(int)
    for p in ev.matched_positives:
        scores[p.transform].append(p.comparison.score)
        hits[p.transform] += 1
    for pair, _track, transform, _why in ev.missed_positives:
        scores[transform].append(pair.comparison.score if pair else 0.0)
    rows = []
    for t in TRANSFORMS:
        s = scores.get(t.name, [])
        if s:
            rows.append((t.name, len(s), hits[t.name], min(s), statistics.median(s)))
    return rows


def _fmt_table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> list[str]:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def write_report(
    data: CalibrationData, ev: Evaluation, report_dir: Path, corpus_note: str = ""
) -> Path:
    """Write ``calibration.md``, ``scores.png`` and ``summary.json`` into ``report_dir``."""
    report_dir.mkdir(parents=True, exist_ok=True)
    pol = ev.policy
    n_pos = len(ev.matched_positives) + len(ev.missed_positives)
    tpr = len(ev.matched_positives) / n_pos if n_pos else 0.0
    neg = ev.max_negative
    neg_score = neg.comparison.score if neg else 0.0
    hard = [p for p in data.negatives if _hard_negative(p)]
    distinct_tracks = {(p.query_track, p.master_track) for p in data.negatives}
    lines = [
        f"# Calibration report - policy {pol.version}",
        "",
        corpus_note,
        "",
        "## Result",
        "",
        f"- Tracks found: {len(data.tracks)}; usable as masters: "
        f"{sum(t.problem is None and t.master is not None for t in data.tracks)}.",
        f"- Positive pairs (a degraded copy vs its own master): {n_pos}; matched: "
        f"{len(ev.matched_positives)} - **TPR {tpr:.2%}** over all transforms.",
        f"- Negative pairs (a query from one track vs the master of another): "
        f"{len(data.negatives)} comparisons over {len(distinct_tracks)} ordered track pairs; "
        f"**false matches: {len(ev.false_matches)}**.",
        f"- Highest score of any pair of different tracks: **{neg_score:.3f}**"
        + (f" ({neg.transform} of `{neg.query_track}` vs `{neg.master_track}`)" if neg else ""),
        f"- Chosen threshold (min score): **{pol.min_score:.3f}**; margin above the highest "
        f"negative: **{ev.threshold_margin:.3f}**"
        + (
            f"; lowest matched positive above it: {ev.lowest_positive_above:.3f} "
            f"(margin {ev.lowest_positive_above - pol.min_score:.3f})"
            if ev.lowest_positive_above is not None
            else ""
        ),
        "",
        "Score is `1 - 2 x BER` of the aligned overlap (1 = identical, about 0 = unrelated).",
        "",
        "## Policy",
        "",
        *_fmt_table(["field", "value"], pol.as_dict().items()),
        "",
        "## True-positive rate per transform",
        "",
        *_fmt_table(
            ["transform", "copies", "matched", "TPR", "min score", "median score"],
            [
                (name, n, k, f"{k / n:.1%}", f"{lo:.3f}", f"{med:.3f}")
                for name, n, k, lo, med in _per_transform(ev)
            ],
        ),
        "",
        "## Highest-scoring negative pairs",
        "",
        *_fmt_table(
            ["score", "coverage", "query (transform)", "master"],
            [
                (
                    f"{p.comparison.score:.3f}",
                    f"{p.comparison.coverage:.2f}",
                    f"`{p.query_track}` ({p.transform})",
                    f"`{p.master_track}`",
                )
                for p in sorted(data.negatives, key=lambda p: -p.comparison.score)[:10]
            ],
        ),
        "",
        "## Hard negatives: a stem against its own full mix",
        "",
        "The guitar stem is part of the song's mix, yet it is a different recording and must not "
        "match it.",
        "",
        *_fmt_table(
            ["stem or song (as query)", "master", "highest score over all transforms"],
            _hard_rows(hard),
        ),
        "",
    ]
    lines += _misses_section(ev, data)
    md = report_dir / "calibration.md"
    md.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _write_summary(data, ev, report_dir / "summary.json", tpr)
    from soundseal.matching.calibration.plot import plot_scores  # matplotlib is optional

    plot_scores(data, pol.min_score, report_dir / "scores.png")
    return md


def _hard_rows(hard: list[Pair]) -> list[tuple[str, str, str]]:
    best: dict[tuple[str, str], float] = {}
    for p in hard:
        key = (p.query_track, p.master_track)
        best[key] = max(best.get(key, 0.0), p.comparison.score)
    return [(f"`{q}`", f"`{m}`", f"{s:.3f}") for (q, m), s in sorted(best.items())]


def _misses_section(ev: Evaluation, data: CalibrationData) -> list[str]:
    lines = ["## Copies that did not match", ""]
    if not ev.missed_positives:
        lines.append("None.")
    else:
        lines += _fmt_table(
            ["track", "transform", "score", "why"],
            [
                (f"`{t}`", tr, f"{p.comparison.score:.3f}" if p else "-", why)
                for p, t, tr, why in ev.missed_positives
            ],
        )
    skipped = [t for t in data.tracks if t.problem]
    lines += ["", "## Tracks that cannot be masters", ""]
    lines += [f"- `{t.key}`: {t.problem}" for t in skipped] or ["None."]
    if ev.false_matches:
        lines += ["", "## False matches", ""]
        lines += [
            f"- `{p.query_track}` ({p.transform}) vs `{p.master_track}`: {p.comparison.score:.3f}"
            for p in ev.false_matches
        ]
    return lines


def _write_summary(data: CalibrationData, ev: Evaluation, path: Path, tpr: float) -> None:
    neg = ev.max_negative
    summary = {
        "policy": ev.policy.as_dict(),
        "tpr": tpr,
        "positives": len(ev.matched_positives) + len(ev.missed_positives),
        "false_matches": len(ev.false_matches),
        "negatives": len(data.negatives),
        "max_negative_score": neg.comparison.score if neg else None,
        "threshold_margin": ev.threshold_margin,
        "per_transform": {
            name: {"copies": n, "matched": k, "min_score": lo, "median_score": med}
            for name, n, k, lo, med in _per_transform(ev)
        },
    }
    path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
