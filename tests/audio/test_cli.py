from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

import typer
from typer.testing import CliRunner

from soundseal.cli.audio_commands import register
from tests.audio.conftest import fpcalc_raw


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def _values(encoded: str) -> list[int]:
    raw = base64.b64decode(encoded)
    return list(struct.unpack(f"<{len(raw) // 4}I", raw))


def test_fingerprint_prints_raw_le_base64_equal_to_fpcalc(song_long_wav: Path) -> None:
    result = CliRunner().invoke(_app(), ["fingerprint", str(song_long_wav)])
    assert result.exit_code == 0, result.output
    assert _values(result.output.strip()) == fpcalc_raw(song_long_wav)[0]


def test_fingerprint_json_with_length(song_long_wav: Path) -> None:
    result = CliRunner().invoke(
        _app(), ["fingerprint", str(song_long_wav), "--length", "0", "--json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert set(body) == {"fingerprint", "duration_ms", "algorithm", "encoding"}
    assert body["algorithm"] == "chromaprint"
    assert body["encoding"] == "raw_le_base64"
    assert body["duration_ms"] == 135_000
    assert _values(body["fingerprint"]) == fpcalc_raw(song_long_wav, length=0)[0]


def test_fingerprint_of_non_audio_fails_cleanly(audio_dir: Path) -> None:
    bad = audio_dir / "cli_bad.txt"
    bad.write_text("hello")
    result = CliRunner().invoke(_app(), ["fingerprint", str(bad)])
    assert result.exit_code == 1
    assert "not an accepted audio container (text)" in result.output


def test_calibrate_rejects_missing_corpus(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["calibrate", str(tmp_path / "nope")])
    assert result.exit_code == 2
