"""The limits every decoder child runs under, read back from the kernel, and what a child
failing under them or a header understating the audio's length becomes."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from soundseal.audio import (
    AudioTooLong,
    DecodeError,
    UnsupportedMedia,
    child_process,
    fingerprint_file,
    open_pcm_stream,
)
from soundseal.audio.child_process import run_limited
from soundseal.audio.fingerprint import Engine
from tests.audio.conftest import transcode


def _limits(text: str) -> dict[str, str]:
    """``/proc/<pid>/limits`` as {name: soft limit}."""
    out = {}
    for line in text.splitlines()[1:]:
        match = re.match(r"(Max [a-z ]+?)\s{2,}(\S+)", line)
        if match:
            out[match.group(1)] = match.group(2)
    return out


def test_a_limited_child_runs_with_every_limit_set() -> None:
    result = run_limited(["/bin/cat", "/proc/self/limits"], timeout_s=7.5, max_stdout=1 << 16)
    limits = _limits(result.stdout.decode())
    assert limits["Max cpu time"] == "8"
    assert limits["Max address space"] == str(1 << 30)
    assert limits["Max file size"] == "0"
    assert limits["Max core file size"] == "0"


def test_ffmpeg_decoding_an_upload_runs_under_the_limits(song_long_wav: Path) -> None:
    with open_pcm_stream(song_long_wav, timeout_s=30) as stream:
        # The launcher exec'd FFmpeg in place: the same process, limits in force.
        pid = stream._proc.pid
        assert Path(f"/proc/{pid}/exe").resolve().name == "ffmpeg"
        limits = _limits(Path(f"/proc/{pid}/limits").read_text())
    assert limits["Max cpu time"] == "30"
    assert limits["Max address space"] == str(1 << 30)
    assert limits["Max file size"] == "0"
    assert limits["Max core file size"] == "0"


def test_the_launcher_is_the_interpreter_in_isolated_mode() -> None:
    argv = child_process.limited_argv(["/bin/true"], child_process.limits_for(3))
    assert argv[:4] == [sys.executable, "-I", "-S", "-c"]
    assert argv[-1] == "/bin/true"


@pytest.mark.parametrize("engine", ["fpcalc", "libchromaprint"])
def test_a_decoder_over_its_memory_limit_fails_cleanly(
    song_a_wav: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(child_process, "ADDRESS_SPACE_BYTES", 64 * 1024 * 1024)
    with pytest.raises(DecodeError) as info:
        fingerprint_file(song_a_wav, engine=engine)
    assert not isinstance(info.value, UnsupportedMedia)


@pytest.fixture(scope="module")
def understated_flac(song_a_wav: Path, audio_dir: Path) -> Path:
    """45 s of FLAC frames behind a STREAMINFO that claims 10 s."""
    source = transcode(song_a_wav, audio_dir / "understated_src.flac")
    data = bytearray(source.read_bytes())
    fields = int.from_bytes(data[18:26], "big")
    data[18:26] = ((fields >> 36 << 36) | 10 * 44100).to_bytes(8, "big")
    data[26:42] = bytes(16)
    target = audio_dir / "understated.flac"
    target.write_bytes(data)
    return target


@pytest.mark.parametrize("engine", ["fpcalc", "libchromaprint"])
def test_the_duration_limit_holds_whatever_the_header_claims(
    understated_flac: Path, song_a_wav: Path, engine: Engine
) -> None:
    assert fingerprint_file(understated_flac, length_s=0, engine=engine).duration_ms == 10_000
    for path in (understated_flac, song_a_wav):
        with pytest.raises(AudioTooLong, match=r"0:20 \(20 s\)"):
            fingerprint_file(path, length_s=0, engine=engine, max_duration_s=20)
    within = fingerprint_file(song_a_wav, length_s=0, engine=engine, max_duration_s=45)
    assert within == fingerprint_file(song_a_wav, length_s=0, engine=engine)
