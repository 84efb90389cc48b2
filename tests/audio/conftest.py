"""Synthesized test audio, made once per session and cached on disk.

Tests never need a music corpus: "songs" are rendered in numpy from a seed (a chord progression
with a bass line, an arpeggiated melody with rests and hi-hat noise on the beat), written to WAV
and turned into other formats with the real ffmpeg. Chromaprint hears pitch classes over time,
so different seeds give genuinely different fingerprints and one seed always gives the same one.

``tests/matching/conftest.py`` imports the fixtures from here; the helpers (``render_song``,
``write_wav``, ``transcode``, ``fpcalc_raw``) are imported by tests as ``tests.audio.conftest``.
"""

from __future__ import annotations

import ctypes.util
import json
import shutil
import subprocess
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from tests.backends import unavailable

__all__ = [
    "SR",
    "audio_dir",
    "audio_tools",
    "corrupt_file",
    "fpcalc_raw",
    "make_audio",
    "missing_audio_tools",
    "near_silence_wav",
    "render_song",
    "short_wav",
    "silence_wav",
    "song_a_wav",
    "song_b_wav",
    "song_long_wav",
    "tone_wav",
    "transcode",
    "write_wav",
]

SR = 44100
_MAJOR = (0, 4, 7)
_MINOR = (0, 3, 7)


def _note(freq: float, seconds: float, sr: int, decay: float) -> npt.NDArray[np.float64]:
    t = np.arange(int(seconds * sr)) / sr
    wave_ = sum(amp * np.sin(2 * np.pi * freq * k * t) for k, amp in ((1, 1.0), (2, 0.4), (3, 0.2)))
    attack = np.minimum(1.0, t / 0.01)
    return np.asarray(wave_ * attack * np.exp(-t * decay), dtype=np.float64)


def _mix(out: npt.NDArray[np.float64], start: int, note: npt.NDArray[np.float64]) -> None:
    end = min(out.size, start + note.size)
    if start < end:
        out[start:end] += note[: end - start]


def render_song(seconds: float, seed: int, sr: int = SR) -> npt.NDArray[np.float64]:
    """A mono float signal in [-1, 1] with harmony, melody and rhythm, determined by ``seed``."""
    rng = np.random.default_rng(seed)
    beat = 60.0 / rng.uniform(95, 135)
    out = np.zeros(int(seconds * sr) + sr)
    t = 0.0
    while t < seconds:
        root = int(rng.integers(0, 12))
        shape = _MAJOR if rng.random() < 0.6 else _MINOR
        chord_len = beat * int(rng.choice([2, 4]))
        base = 110.0 * 2 ** (root / 12)
        for interval in shape:  # the chord, sustained
            note = _note(base * 2 * 2 ** (interval / 12), chord_len, sr, 1.5) * 0.18
            _mix(out, int(t * sr), note)
        bass = _note(base / 2, beat, sr, 3.0) * 0.35
        _mix(out, int(t * sr), bass)
        step = beat / 2
        for i in range(round(chord_len / step)):  # melody: chord/scale tones, some rests
            if rng.random() < 0.25:
                continue
            degree = int(rng.choice([0, 2, 4, 5, 7, 9, 11, *shape]))
            octave = 4 if rng.random() < 0.7 else 8
            note = _note(base * octave * 2 ** (degree / 12), step, sr, 4.0) * 0.22
            _mix(out, int((t + i * step) * sr), note)
        for i in range(round(chord_len / beat)):  # hi-hat on every beat
            hat = rng.standard_normal(int(0.03 * sr)) * np.exp(-np.arange(int(0.03 * sr)) / 200)
            _mix(out, int((t + i * beat) * sr), np.diff(hat, prepend=0.0) * 0.08)
        t += chord_len
    out = out[: int(seconds * sr)]
    return out / max(1e-9, float(np.max(np.abs(out)))) * 0.8


def write_wav(path: Path, mono: npt.NDArray[np.float64], sr: int = SR, channels: int = 2) -> Path:
    pcm = np.clip(np.rint(mono * 32767), -32768, 32767).astype("<i2")
    frames = np.repeat(pcm[:, None], channels, axis=1) if channels > 1 else pcm[:, None]
    if channels == 2:  # a little stereo difference so the downmix is exercised
        frames[:, 1] = np.clip(frames[:, 1].astype(np.int32) * 9 // 10, -32768, 32767)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(sr)
        out.writeframes(frames.tobytes())
    return path


def transcode(source: Path, target: Path, *args: str) -> Path:
    if not target.exists():
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(source), *args, str(target)],
            check=True,
            capture_output=True,
        )
    return target


def fpcalc_raw(path: Path, length: int = 120) -> tuple[list[int], float]:
    """``fpcalc -raw -json``: (values as uint32, duration in s).

    fpcalc 1.5 exits with status 3 after printing a valid result for many files ("Error decoding
    audio frame (End of file)"), so the status is not trusted; the JSON is.
    """
    proc = subprocess.run(
        ["fpcalc", "-raw", "-json", "-length", str(length), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 3), proc.stderr
    data = json.loads(proc.stdout)
    return [int(v) & 0xFFFFFFFF for v in data["fingerprint"]], float(data["duration"])


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A fixed folder under the session's base temp, shared by every conftest loading this module.
    path = tmp_path_factory.getbasetemp() / "soundseal-test-audio"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def make_audio(audio_dir: Path) -> Callable[[str, Callable[[], npt.NDArray[np.float64]]], Path]:
    def make(name: str, render: Callable[[], npt.NDArray[np.float64]]) -> Path:
        path = audio_dir / name
        if not path.exists():
            write_wav(path, render())
        return path

    return make


@pytest.fixture(scope="session")
def song_a_wav(make_audio: Callable[..., Path]) -> Path:
    return make_audio("song_a.wav", lambda: render_song(45, seed=1))


@pytest.fixture(scope="session")
def song_b_wav(make_audio: Callable[..., Path]) -> Path:
    return make_audio("song_b.wav", lambda: render_song(45, seed=2))


@pytest.fixture(scope="session")
def song_long_wav(make_audio: Callable[..., Path]) -> Path:
    """Longer than fpcalc's default 120 s, so the query length limit matters."""
    return make_audio("song_long.wav", lambda: render_song(135, seed=3))


@pytest.fixture(scope="session")
def silence_wav(make_audio: Callable[..., Path]) -> Path:
    return make_audio("silence.wav", lambda: np.zeros(30 * SR))


@pytest.fixture(scope="session")
def near_silence_wav(make_audio: Callable[..., Path]) -> Path:
    # Dither-level noise around -66 dBFS: not digital silence, but nothing to hear.
    rng = np.random.default_rng(7)
    return make_audio("near_silence.wav", lambda: rng.standard_normal(30 * SR) * 0.0005)


@pytest.fixture(scope="session")
def tone_wav(make_audio: Callable[..., Path]) -> Path:
    t = np.arange(30 * SR) / SR
    return make_audio("tone.wav", lambda: 0.5 * np.sin(2 * np.pi * 440 * t))


@pytest.fixture(scope="session")
def short_wav(make_audio: Callable[..., Path]) -> Path:
    return make_audio("short.wav", lambda: render_song(3, seed=4))


@pytest.fixture(scope="session")
def corrupt_file(audio_dir: Path) -> Path:
    path = audio_dir / "corrupt.mp3"
    path.write_bytes(np.random.default_rng(5).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    return path


def missing_audio_tools() -> list[str]:
    """The real tools the audio tests need that this machine lacks."""
    missing = [tool for tool in ("ffmpeg", "fpcalc") if shutil.which(tool) is None]
    if ctypes.util.find_library("chromaprint") is None:
        missing.append("libchromaprint")
    return missing


@pytest.fixture(autouse=True)
def audio_tools() -> None:
    """Skip without FFmpeg, fpcalc or libchromaprint, except under CI, where it fails: a green
    CI must have run the audio tests (as with a missing database, ``tests/backends.py``)."""
    missing = missing_audio_tools()
    if missing:
        unavailable(", ".join(missing), "not installed")
