"""Fingerprints from the ``ffmpeg`` command's own ``chromaprint`` muxer.

The fallback engine when ``fpcalc`` is not installed. FFmpeg decodes the file and hands the
signed 16-bit PCM to libchromaprint inside the same (limited) child process, so PCM derived
from an untrusted upload never reaches native code in the server's process. Its values equal
``fpcalc -raw``'s for WAV, FLAC, Ogg Vorbis and AAC (tested); for MP3 a bit or so differs, as
the command converts the decoder's float samples slightly differently from fpcalc.

The muxer takes at most two channels where fpcalc (and libchromaprint itself) average any
number, so wider layouts are downmixed to stereo first; mono and stereo pass untouched.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import numpy.typing as npt

from soundseal.audio.child_process import ChildResult, describe_exit, run_limited
from soundseal.audio.containers import Container
from soundseal.audio.decoding import input_args, parse_duration_ms
from soundseal.audio.errors import DecodeError, FingerprintError, UnsupportedMedia

__all__ = ["fingerprint_with_ffmpeg", "pcm_with_ffmpeg"]

_OUTPUT = [
    "-af", "aformat=channel_layouts=mono|stereo",
    "-f", "chromaprint", "-fp_format", "raw", "-algorithm", "1", "pipe:1",
]  # fmt: skip
# Four bytes a value, about 8 values a second: 64 MiB is over 500 hours.
_MAX_STDOUT = 64 * 1024 * 1024
# FFmpeg's progress lines: "size=… time=00:00:45.00 bitrate=…".
_TIME_RE = re.compile(rb"time=(\d+):(\d{2}):(\d{2})\.(\d{2})")


def _ffmpeg() -> str:
    binary = shutil.which("ffmpeg")
    if binary is None:
        raise DecodeError("ffmpeg is not installed or not on PATH")
    return binary


def fingerprint_with_ffmpeg(
    path: Path, container: Container, *, length_s: int, timeout_s: float
) -> tuple[npt.NDArray[np.uint32], int]:
    """Raw values of the first ``length_s`` seconds (0 = all) of ``path`` and the whole file's
    duration in ms (as FFmpeg reports it, which is what fpcalc prints)."""
    args = [_ffmpeg(), "-hide_banner", "-nostdin", "-v", "info"]
    args += input_args(path, container)
    args += ["-map", "0:a:0", "-vn", "-sn", "-dn"]
    if length_s:
        args += ["-t", str(length_s)]
    result = run_limited([*args, *_OUTPUT], timeout_s=timeout_s, max_stdout=_MAX_STDOUT)
    values = _values(result, path.name, timeout_s)
    # No container duration (a bare stream): the decoded time, which a length limit cuts short.
    duration_ms = parse_duration_ms(result.stderr[:16384])
    decoded_ms = _decoded_ms(result.stderr)
    if values.size == 0:
        if not decoded_ms:
            raise UnsupportedMedia(f"{path.name}: contains no audio samples")
        raise FingerprintError(f"{path.name}: chromaprint produced no fingerprint (too short)")
    return values, duration_ms if duration_ms is not None else decoded_ms


def pcm_with_ffmpeg(
    pcm: bytes, sample_rate: int, channels: int, *, timeout_s: float
) -> npt.NDArray[np.uint32]:
    """Raw values of interleaved little-endian int16 ``pcm``."""
    if sample_rate <= 0 or channels <= 0:
        raise FingerprintError(f"cannot fingerprint {sample_rate} Hz with {channels} channel(s)")
    args = [
        _ffmpeg(), "-hide_banner", "-nostdin", "-v", "error", "-protocol_whitelist", "pipe",
        "-f", "s16le", "-ar", str(sample_rate), "-ac", str(channels), "-i", "pipe:0", *_OUTPUT,
    ]  # fmt: skip
    result = run_limited(args, timeout_s=timeout_s, max_stdout=_MAX_STDOUT, stdin=pcm)
    values = _values(result, "PCM", timeout_s)
    if values.size == 0:
        raise FingerprintError("chromaprint produced no fingerprint (audio too short)")
    return values


def _values(result: ChildResult, name: str, timeout_s: float) -> npt.NDArray[np.uint32]:
    if result.timed_out:
        raise DecodeError(f"{name}: ffmpeg timed out after {timeout_s:g} s")
    if result.returncode < 0:
        raise DecodeError(f"{name}: ffmpeg {describe_exit(result.returncode)}")
    if result.returncode != 0:
        log = result.stderr.decode("utf-8", "replace")
        if "chromaprint" in log and "output format" in log:
            raise FingerprintError("this ffmpeg has no chromaprint muxer (--enable-chromaprint)")
        tail = " | ".join(line.strip() for line in log.strip().splitlines()[-3:])
        if result.returncode in (126, 127):  # the loader's status: it never ran (e.g. no memory)
            raise DecodeError(f"ffmpeg could not start ({tail})")
        raise UnsupportedMedia(f"{name}: not decodable audio ({tail or 'no diagnostics'})")
    usable = len(result.stdout) - len(result.stdout) % 4
    # The muxer writes the values in the machine's byte order.
    return np.frombuffer(result.stdout[:usable], dtype=np.uint32).copy()


def _decoded_ms(log: bytes) -> int:
    times = _TIME_RE.findall(log)
    if not times:
        return 0
    h, m, s, cs = (int(g) for g in times[-1])
    return ((h * 60 + m) * 60 + s) * 1000 + cs * 10
