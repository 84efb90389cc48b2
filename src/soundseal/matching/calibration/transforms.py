"""The degradations a copy of a recording may have gone through, made with FFmpeg.

Each transform writes one file from a master; the calibration fingerprints it as a query (first
120 s, like ``fpcalc``) and checks it still matches its own master and nothing else.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from soundseal.audio import DecodedAudio, DecodeError, decode_audio

__all__ = ["TRANSFORMS", "Transform", "apply_transform"]

_LIMIT = "alimiter=limit=0.98:level=false:latency=true"
_NOISE_SEED = 20_26


@dataclass(frozen=True, slots=True)
class Transform:
    """``args(duration_s)`` gives the FFmpeg output options; ``None`` means not applicable."""

    name: str
    suffix: str
    args: Callable[[float], list[str] | None]


def _codec(*opts: str) -> Callable[[float], list[str] | None]:
    return lambda _duration: list(opts)


def _trim(start: float) -> Callable[[float], list[str] | None]:
    # atrim is sample-accurate; a trimmed copy rarely starts on Chromaprint's item grid.
    def args(duration: float) -> list[str] | None:
        if duration < start + 10:
            return None
        return ["-af", f"atrim=start={start},asetpts=PTS-STARTPTS", "-c:a", "pcm_s16le"]

    return args


def _clip(length: float) -> Callable[[float], list[str] | None]:
    def args(duration: float) -> list[str] | None:
        if duration < length + 2:
            return None
        start = (duration - length) / 2
        return [
            "-af",
            f"atrim=start={start:.3f}:duration={length},asetpts=PTS-STARTPTS",
            "-c:a",
            "pcm_s16le",
        ]

    return args


TRANSFORMS: tuple[Transform, ...] = (
    Transform("mp3_320k", "mp3", _codec("-c:a", "libmp3lame", "-b:a", "320k")),
    Transform("mp3_128k", "mp3", _codec("-c:a", "libmp3lame", "-b:a", "128k")),
    Transform("mp3_64k", "mp3", _codec("-c:a", "libmp3lame", "-b:a", "64k")),
    Transform("aac_96k", "m4a", _codec("-c:a", "aac", "-b:a", "96k")),
    Transform("opus_48k", "opus", _codec("-c:a", "libopus", "-b:a", "48k")),
    Transform("vorbis_q2", "ogg", _codec("-c:a", "libvorbis", "-q:a", "2")),
    Transform("resample_22k_mono", "wav", _codec("-ar", "22050", "-ac", "1", "-c:a", "pcm_s16le")),
    Transform("volume_-9dB", "wav", _codec("-af", "volume=-9dB", "-c:a", "pcm_s16le")),
    Transform(
        "volume_+6dB_limited", "wav", _codec("-af", f"volume=6dB,{_LIMIT}", "-c:a", "pcm_s16le")
    ),
    Transform("trim_start_2.3s", "wav", _trim(2.3)),
    Transform("trim_start_7.7s", "wav", _trim(7.7)),
    Transform("trim_start_15s", "wav", _trim(15.0)),
    Transform("clip_30s_middle", "wav", _clip(30.0)),
    Transform("clip_60s_middle", "wav", _clip(60.0)),
    Transform("clip_120s_middle", "wav", _clip(120.0)),
    # Mixed in numpy (see _pink_noise) so the SNR is exact for each track.
    Transform("pink_noise_20dB_snr", "wav", _codec()),
)


def _pink_noise(frames: int, channels: int, seed: int) -> npt.NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    white = rng.standard_normal((channels, frames))
    spectrum = np.fft.rfft(white, axis=1)
    freqs = np.arange(spectrum.shape[1], dtype=np.float64)
    freqs[0] = 1.0
    noise = np.fft.irfft(spectrum / np.sqrt(freqs), n=frames, axis=1)
    return np.asarray(noise.T, dtype=np.float64)


def _write_wav(path: Path, pcm: npt.NDArray[np.int16], sample_rate: int, channels: int) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.astype("<i2").tobytes())


def _add_pink_noise(audio: DecodedAudio, out: Path, snr_db: float, seed: int) -> None:
    signal = audio.samples.reshape(-1, audio.channels).astype(np.float64)
    noise = _pink_noise(signal.shape[0], audio.channels, seed)
    signal_rms = float(np.sqrt(np.mean(signal**2)))
    noise *= signal_rms / (float(np.sqrt(np.mean(noise**2))) * 10 ** (snr_db / 20))
    mixed = np.clip(np.rint(signal + noise), -32768, 32767).astype(np.int16)
    _write_wav(out, mixed.reshape(-1), audio.sample_rate, audio.channels)


def apply_transform(
    transform: Transform, source: Path, duration_s: float, out_dir: Path
) -> Path | None:
    """Write ``source`` through ``transform`` into ``out_dir``; ``None`` if not applicable."""
    out = out_dir / f"{transform.name}.{transform.suffix}"
    if transform.name.startswith("pink_noise"):
        _add_pink_noise(decode_audio(source), out, 20.0, _NOISE_SEED + len(source.name))
        return out
    args = transform.args(duration_s)
    if args is None:
        return None
    binary = shutil.which("ffmpeg")
    if binary is None:
        raise DecodeError("ffmpeg is not installed or not on PATH")
    cmd = [binary, "-nostdin", "-v", "error", "-y", "-i", str(source), "-map", "0:a:0"]
    try:
        subprocess.run(  # noqa: S603 - fixed argv, no shell
            [*cmd, *args, str(out)], check=True, capture_output=True, timeout=600
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise DecodeError(f"transform {transform.name} of {source.name} failed") from exc
    return out
