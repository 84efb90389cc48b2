"""Without FFmpeg or fpcalc the audio tests skip on a workstation but fail under CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("ci", "outcome"), [("true", "1 error"), ("", "1 skipped")])
def test_missing_audio_tools_fail_under_ci_and_skip_elsewhere(
    tmp_path: Path, ci: str, outcome: str
) -> None:
    env = {**os.environ, "PATH": str(tmp_path), "CI": ci}  # an empty PATH: no ffmpeg, no fpcalc
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
         "tests/audio/test_decoding.py::test_decodes_at_native_rate_and_channels"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert outcome in proc.stdout, proc.stdout + proc.stderr
    if ci:
        assert proc.returncode == 1
        assert "ffmpeg, fpcalc unavailable" in proc.stdout
        assert "under CI" in proc.stdout
