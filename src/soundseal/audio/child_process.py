"""The child processes that read untrusted media (FFmpeg and fpcalc), each under hard limits.

Decoders are large native programs fed with whatever a client uploads, so they never run in
the server's process and every one runs with kernel resource limits set in the child before
the decoder starts: a crash, a runaway loop or a memory bomb ends that child only. The limits
are set by a tiny Python launcher (``python -I -S -c …``, about 8 ms) that calls
``setrlimit`` and then ``exec``s the decoder, keeping its process id; ``preexec_fn`` would
save those milliseconds but is documented as unsafe in a threaded program such as the server.

- CPU time: the call's own deadline (a decoder spends at most as long on the CPU as it may run
  on the clock), so a child the wall-clock timer somehow misses is still stopped.
- Address space: 1 GiB. ``ffmpeg`` needs about 300 MB of address space just to map its
  libraries; decoding audio to a fingerprint takes tens of MB more, so 1 GiB leaves ample
  room while bounding a hostile file to a fraction of a server's memory.
- File size: 0. The children write only to pipes; a decoder tricked into writing a file is
  killed instead.
- Core dumps: none (they would write the hostile input's decoded state to disk).
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from soundseal.audio.errors import DecodeError

__all__ = [
    "ADDRESS_SPACE_BYTES",
    "ChildLimits",
    "ChildResult",
    "StderrLog",
    "describe_exit",
    "limited_argv",
    "limits_for",
    "run_limited",
]

ADDRESS_SPACE_BYTES = 1 << 30
# Kept of a child's diagnostics: the head (FFmpeg's input description, with the duration) and
# a tail (the last errors). A corrupt file can make a decoder log without end.
_STDERR_HEAD = 16 * 1024
_STDERR_TAIL = 64 * 1024

_LAUNCHER = (
    "import os,resource as r,sys\n"
    "c,a,f=(int(v) for v in sys.argv[1:4])\n"
    "r.setrlimit(r.RLIMIT_CORE,(0,0))\n"
    "r.setrlimit(r.RLIMIT_FSIZE,(f,f))\n"
    "r.setrlimit(r.RLIMIT_AS,(a,a))\n"
    # The soft limit sends SIGXCPU; the hard one, a second later, SIGKILL.
    "r.setrlimit(r.RLIMIT_CPU,(c,c+1))\n"
    "os.execv(sys.argv[4],sys.argv[4:])\n"
)


@dataclass(frozen=True, slots=True)
class ChildLimits:
    cpu_seconds: int
    address_space_bytes: int
    file_size_bytes: int = 0


def limits_for(timeout_s: float) -> ChildLimits:
    """The limits of a child allowed ``timeout_s`` seconds on the clock."""
    return ChildLimits(max(1, math.ceil(timeout_s)), ADDRESS_SPACE_BYTES)


def limited_argv(argv: Sequence[str], limits: ChildLimits) -> list[str]:
    """``argv`` (whose first item is an absolute path) wrapped to run under ``limits``."""
    if not sys.executable:
        raise DecodeError("cannot start a limited child: no Python interpreter path")
    return [
        sys.executable, "-I", "-S", "-c", _LAUNCHER,
        str(limits.cpu_seconds), str(limits.address_space_bytes), str(limits.file_size_bytes),
        *argv,
    ]  # fmt: skip


def describe_exit(returncode: int) -> str:
    if returncode >= 0:
        return f"exited with status {returncode}"
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    why = {"SIGXCPU": " (CPU time limit)", "SIGXFSZ": " (file size limit)"}.get(name, "")
    return f"was killed by {name}{why}"


class StderrLog:
    """Drains a child's stderr on a thread, keeping a bounded head and tail.

    Draining concurrently matters: a child blocked on a full stderr pipe would never finish
    writing the stdout its parent waits for. ``marker`` sets :attr:`seen` once it appears (or
    at the end of the stream).
    """

    def __init__(self, stream: IO[bytes], marker: bytes = b"") -> None:
        self._data = bytearray()
        self._dropped = False
        self._marker = marker
        self.seen = threading.Event()
        self._thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self._thread.start()

    def _drain(self, stream: IO[bytes]) -> None:
        try:
            for block in iter(lambda: os.read(stream.fileno(), 65536), b""):
                self._data += block
                if self._marker and not self.seen.is_set() and self._marker in self._data:
                    self.seen.set()
                if len(self._data) > _STDERR_HEAD + 2 * _STDERR_TAIL:
                    del self._data[_STDERR_HEAD : len(self._data) - _STDERR_TAIL]
                    self._dropped = True
        finally:
            self.seen.set()
            stream.close()

    def join(self) -> None:
        self._thread.join()

    def head(self) -> bytes:
        return bytes(self._data[:_STDERR_HEAD])

    def text(self) -> bytes:
        return bytes(self._data)


@dataclass(frozen=True, slots=True)
class ChildResult:
    returncode: int
    stdout: bytes
    stderr: bytes
    timed_out: bool


def run_limited(
    argv: Sequence[str],
    *,
    timeout_s: float,
    max_stdout: int,
    stdin: bytes | None = None,
) -> ChildResult:
    """Run ``argv`` under :func:`limits_for` ``timeout_s``, killed at the deadline.

    ``stdout`` is read up to ``max_stdout`` bytes (a child writing more is killed and this
    raises :class:`DecodeError`); ``stdin``, if given, is written from a thread.
    """
    try:
        proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            limited_argv(argv, limits_for(timeout_s)),
            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        raise DecodeError(f"cannot run {os.path.basename(argv[0])}: {exc}") from exc
    assert proc.stdout is not None
    assert proc.stderr is not None
    log = StderrLog(proc.stderr)
    timed_out = threading.Event()

    def on_timeout() -> None:
        timed_out.set()
        proc.kill()

    timer = threading.Timer(timeout_s, on_timeout)
    timer.daemon = True
    timer.start()
    writer = None
    if stdin is not None:
        writer = threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True)
        writer.start()
    try:
        out = proc.stdout.read(max_stdout + 1)
        if len(out) > max_stdout:
            proc.kill()
            raise DecodeError(f"{os.path.basename(argv[0])} wrote more output than expected")
    finally:
        proc.stdout.close()
        returncode = proc.wait()
        timer.cancel()
        log.join()
        if writer is not None:
            writer.join()
    return ChildResult(returncode, out, log.text(), timed_out.is_set())


def _feed(sink: IO[bytes] | None, data: bytes) -> None:
    assert sink is not None
    # A child that stops reading (it failed or was killed) breaks the pipe: its exit status
    # says why, so the write's error adds nothing.
    with contextlib.suppress(OSError, ValueError):
        sink.write(data)
    with contextlib.suppress(OSError):
        sink.close()
