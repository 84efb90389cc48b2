"""scripts/coverage-check: each guarded module's branch figure, and a failure below the floor."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "coverage-check"
GUARDED = [
    "api/auth.py",
    "api/idempotency.py",
    "registry/idempotency/services.py",
    "api/uploads.py",
    "audio/containers.py",
    "audio/codec.py",
    "audio/compressed.py",
    "registry/webhooks/addresses.py",
    "client_address.py",
    "http/edge.py",
]


def report(tmp_path: Path, taken: dict[str, tuple[int, int]], branch: bool = True) -> Path:
    files = {
        f"/checkout/src/soundseal/{name}": {
            "summary": {"covered_branches": covered, "num_branches": total}
        }
        for name, (covered, total) in taken.items()
    }
    path = tmp_path / "coverage.json"
    path.write_text(json.dumps({"meta": {"branch_coverage": branch}, "files": files}))
    return path


def run(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, check=False
    )


def test_every_guarded_module_at_or_above_the_floor_passes(tmp_path: Path) -> None:
    taken = dict.fromkeys(GUARDED, (95, 100)) | {"registry/idempotency/models.py": (0, 0)}
    result = run(report(tmp_path, taken))
    assert result.returncode == 0, result.stderr
    for name in GUARDED:
        assert name in result.stdout
    assert "95.0 %" in result.stdout


def test_one_module_below_the_floor_fails_and_is_named(tmp_path: Path) -> None:
    taken = dict.fromkeys(GUARDED, (20, 20)) | {"http/edge.py": (18, 20)}
    result = run(report(tmp_path, taken))
    assert result.returncode == 1
    assert "http/edge.py: 90.0 % of branches" in result.stderr
    assert "api/auth.py" not in result.stderr


def test_a_guarded_module_missing_from_the_report_fails(tmp_path: Path) -> None:
    taken = {name: (20, 20) for name in GUARDED if name != "api/uploads.py"}
    result = run(report(tmp_path, taken))
    assert result.returncode == 1
    assert "api/uploads.py: not in the coverage report" in result.stderr


def test_a_report_without_branches_or_unreadable_is_refused(tmp_path: Path) -> None:
    no_branches = run(report(tmp_path, dict.fromkeys(GUARDED, (1, 1)), branch=False))
    assert no_branches.returncode == 2
    assert "no branch data" in no_branches.stderr
    other = tmp_path / "other.json"
    other.write_text("[1, 2]")
    assert "not a coverage JSON report" in run(other).stderr
    missing = run(tmp_path / "nothing.json")
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr
