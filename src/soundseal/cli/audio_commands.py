"""Audio commands of the ``soundseal`` CLI: ``fingerprint`` and ``calibrate``.

``register(app)`` adds them to a Typer app; the main CLI wires it in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from soundseal.audio import (
    ALGORITHM_NAME,
    DEFAULT_ENCODING,
    DEFAULT_QUERY_LENGTH_S,
    AudioError,
    encode_values,
    fingerprint_file,
)

__all__ = ["register"]


def fingerprint(
    file: Annotated[Path, typer.Argument(help="Any audio file FFmpeg can read.")],
    length: Annotated[
        int,
        typer.Option("--length", min=0, help="Seconds to fingerprint from the start; 0 = all."),
    ] = DEFAULT_QUERY_LENGTH_S,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON object with duration and encoding.")
    ] = False,
) -> None:
    """Print FILE's Chromaprint raw fingerprint in the wire format (raw_le_base64)."""
    try:
        fp = fingerprint_file(file, length_s=length)
    except AudioError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    encoded = encode_values(fp.values, DEFAULT_ENCODING)
    if not as_json:
        typer.echo(encoded)
        return
    body = {
        "fingerprint": encoded,
        "duration_ms": fp.duration_ms,
        "algorithm": ALGORITHM_NAME,
        "encoding": DEFAULT_ENCODING.value,
    }
    typer.echo(json.dumps(body))


def calibrate(
    corpus_dir: Annotated[
        Path, typer.Argument(help="Folder of recordings (searched recursively, symlinks followed).")
    ],
    report: Annotated[
        Path, typer.Option("--report", help="Where to write calibration.md, scores.png, JSON.")
    ] = Path("calibration-report"),
    version: Annotated[
        str | None, typer.Option("--version", help="Version string for the proposed policy.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Processes (default: all cores).")
    ] = None,
) -> None:
    """Degrade every track of CORPUS_DIR with FFmpeg, compare everything, propose a policy."""
    from soundseal.matching.calibration import calibrate as run_calibration

    if not corpus_dir.is_dir():
        typer.echo(f"error: {corpus_dir} is not a directory", err=True)
        raise typer.Exit(code=2)
    evaluation = run_calibration(
        corpus_dir, report, version=version, workers=workers, progress=True
    )
    policy = evaluation.policy
    matched = len(evaluation.matched_positives)
    total = matched + len(evaluation.missed_positives)
    typer.echo(
        f"policy {policy.version}: threshold {policy.min_score:.3f}, margin "
        f"{evaluation.threshold_margin:.3f}, TPR {matched}/{total}, "
        f"false matches {len(evaluation.false_matches)}; report in {report}"
    )


def register(app: typer.Typer) -> None:
    """Add the ``fingerprint`` and ``calibrate`` commands to ``app``."""
    app.command("fingerprint")(fingerprint)
    app.command("calibrate")(calibrate)
