"""Decoding anything FFmpeg reads into interleaved signed 16-bit PCM.

We run the ``ffmpeg`` binary rather than binding libav*: a subprocess isolates crashes on hostile
input, can be killed on a deadline, and is the same decoder ``fpcalc`` uses. FFmpeg writes a WAV
stream to the pipe so the sample rate and channel count arrive in-band (no separate ``ffprobe``
run); the audio keeps the file's native rate and channel count, as ``fpcalc`` feeds it, which is
what makes our fingerprints bit-identical to ``fpcalc -raw``.

FFmpeg never guesses the input's format: the container is sniffed from the leading bytes
(:mod:`soundseal.audio.containers`) and named with ``-f``, only the ``file`` and ``pipe``
protocols are allowed, and the process runs under the limits of
:mod:`soundseal.audio.child_process`.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt

from soundseal.audio.child_process import StderrLog, limited_argv, limits_for
from soundseal.audio.containers import Container, sniff_file
from soundseal.audio.errors import DecodeError, UnsupportedMedia

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "PROTOCOL_WHITELIST",
    "DecodedAudio",
    "PcmStream",
    "decode_audio",
    "input_args",
    "open_pcm_stream",
    "parse_duration_ms",
]

DEFAULT_TIMEOUT_S = 300.0
# About 0.75 s of CD-quality stereo per read: large enough to amortise Python overhead.
_CHUNK_BYTES = 1 << 17
_DURATION_RE = re.compile(rb"Duration: (\d+):(\d{2}):(\d{2})\.(\d{2})")
_STDERR_TAIL = 2000
# The demuxers we name read only the file itself; this also refuses any URL one might open.
PROTOCOL_WHITELIST = "file,pipe"


def input_args(path: Path, container: Container | None = None) -> list[str]:
    """FFmpeg's input options for ``path``: its demuxer (sniffed when ``container`` is not
    given), the protocol whitelist and the file as an explicit ``file:`` URL (a name such as
    ``http:x`` or ``-i`` stays a file name). Raises :class:`UnsupportedMedia` when the file is
    not an accepted audio container."""
    container = container or sniff_file(path)
    return [
        "-protocol_whitelist", PROTOCOL_WHITELIST, "-f", container.demuxer,
        "-i", f"file:{path.resolve()}",
    ]  # fmt: skip


def parse_duration_ms(ffmpeg_log: bytes) -> int | None:
    """The input's duration as FFmpeg logs it (``Duration: 00:03:25.14``), if it does."""
    match = _DURATION_RE.search(ffmpeg_log)
    if match is None:
        return None
    h, m, s, cs = (int(g) for g in match.groups())
    return ((h * 60 + m) * 60 + s) * 1000 + cs * 10


@dataclass(frozen=True, slots=True)
class DecodedAudio:
    """A fully decoded file: interleaved int16 ``samples`` (frames x channels)."""

    samples: npt.NDArray[np.int16]
    sample_rate: int
    channels: int

    @property
    def frames(self) -> int:
        return int(self.samples.size // self.channels)

    @property
    def duration_ms(self) -> int:
        return round(self.frames * 1000 / self.sample_rate)


class PcmStream:
    """A running FFmpeg decode; iterate :meth:`chunks`, then :meth:`close` (or use ``with``)."""

    def __init__(self, path: Path, timeout_s: float) -> None:
        self.path = path
        binary = shutil.which("ffmpeg")
        if binary is None:
            raise DecodeError("ffmpeg is not installed or not on PATH")
        if not path.is_file():
            raise UnsupportedMedia(f"{path.name}: not a regular file")
        args = [
            binary, "-hide_banner", "-nostdin", "-nostats", "-v", "info",
            *input_args(path), "-map", "0:a:0", "-vn", "-sn", "-dn",
            "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
            "-c:a", "pcm_s16le", "-f", "wav", "pipe:1",
        ]  # fmt: skip
        try:
            self._proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                limited_argv(args, limits_for(timeout_s)),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as exc:
            raise DecodeError(f"cannot run ffmpeg: {exc}") from exc
        assert self._proc.stderr is not None
        assert self._proc.stdout is not None
        # FFmpeg logs the input (with its duration) before "Output #0" and any audio.
        self._log = StderrLog(self._proc.stderr, marker=b"Output #0")
        self._timed_out = False
        self._timer = threading.Timer(timeout_s, self._on_timeout)
        self._timer.daemon = True
        self._timer.start()
        self._stdout: IO[bytes] = self._proc.stdout
        self._closed = False
        self.sample_rate, self.channels = self._read_wav_header()

    def _on_timeout(self) -> None:
        self._timed_out = True
        self._proc.kill()

    def _read_exact(self, n: int) -> bytes:
        data = self._stdout.read(n)
        if len(data) != n:
            self._fail_unreadable()
        return data

    def _fail_unreadable(self) -> None:
        self.close()
        if self._timed_out:
            raise DecodeError(f"{self.path.name}: ffmpeg timed out")
        raise UnsupportedMedia(f"{self.path.name}: not decodable audio ({self.stderr_tail()})")

    def _read_wav_header(self) -> tuple[int, int]:
        riff = self._read_exact(12)
        if riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
            self._fail_unreadable()
        sample_rate = channels = 0
        while True:
            chunk_id, size = struct.unpack("<4sI", self._read_exact(8))
            if chunk_id == b"data":
                break
            body = self._read_exact(size + (size & 1))
            if chunk_id == b"fmt ":
                channels, sample_rate = struct.unpack("<HI", body[2:8])
        if sample_rate <= 0 or channels <= 0:
            self._fail_unreadable()
        return sample_rate, channels

    def chunks(self) -> Iterator[npt.NDArray[np.int16]]:
        """Interleaved int16 blocks, each a whole number of frames."""
        frame_bytes = 2 * self.channels
        pending = b""
        while True:
            data = self._stdout.read(_CHUNK_BYTES)
            if not data:
                break
            data = pending + data
            usable = len(data) - len(data) % frame_bytes
            pending = data[usable:]
            if usable:
                yield np.frombuffer(data[:usable], dtype="<i2").astype(np.int16, copy=False)
        self._finish_checked()

    def _finish_checked(self) -> None:
        returncode = self._wait()
        if self._timed_out:
            raise DecodeError(f"{self.path.name}: ffmpeg timed out")
        if returncode != 0:
            raise UnsupportedMedia(f"{self.path.name}: decoding failed ({self.stderr_tail()})")

    def _wait(self) -> int:
        returncode = self._proc.wait()
        self._timer.cancel()
        self._log.join()
        return returncode

    def container_duration_ms(self) -> int | None:
        """The whole file's duration as FFmpeg reports it (what ``fpcalc`` prints), if known."""
        # FFmpeg logs the input's duration before it writes any audio, so this wait is short.
        self._log.seen.wait(timeout=10.0)
        return parse_duration_ms(self._log.head())

    def stderr_tail(self) -> str:
        text = self._log.text().decode("utf-8", "replace").strip()
        return text[-_STDERR_TAIL:].replace(os.linesep, " | ") or "no diagnostics"

    def close(self) -> None:
        """Stop FFmpeg (if still running) and release the pipes."""
        if self._closed:
            return
        self._closed = True
        if self._proc.poll() is None:
            self._proc.kill()
        self._stdout.close()
        self._wait()

    def __enter__(self) -> PcmStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_pcm_stream(
    path: str | os.PathLike[str], *, timeout_s: float = DEFAULT_TIMEOUT_S
) -> PcmStream:
    """Start decoding ``path``; raises :class:`UnsupportedMedia` if it is not readable audio."""
    return PcmStream(Path(path), timeout_s)


def decode_audio(
    path: str | os.PathLike[str], *, timeout_s: float = DEFAULT_TIMEOUT_S
) -> DecodedAudio:
    """Decode the whole first audio stream of ``path`` at its native rate and channel count."""
    with open_pcm_stream(path, timeout_s=timeout_s) as stream:
        blocks = list(stream.chunks())
        samples = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int16)
        if samples.size == 0:
            raise UnsupportedMedia(f"{Path(path).name}: contains no audio samples")
        return DecodedAudio(samples, stream.sample_rate, stream.channels)
