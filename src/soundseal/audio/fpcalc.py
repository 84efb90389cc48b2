"""Fingerprinting through Chromaprint's own ``fpcalc`` tool.

``fpcalc`` links libavcodec and libchromaprint directly, so it starts in a fraction of the
time the ``ffmpeg`` command needs (which loads every device, filter and codec library it was
built with) and its values are ``fpcalc -raw`` by definition, lossy files included. soundseal
uses it whenever it is installed; :mod:`soundseal.audio.fingerprint` falls back to FFmpeg
feeding libchromaprint without it.

fpcalc 1.5 exits with status 3 after printing a valid result for many files ("Error decoding
audio frame (End of file)"), so its status is not trusted: a JSON result with a fingerprint
is. Its messages are turned into the audio core's errors here, at the boundary.

fpcalc is never left to guess a format: it gets ``-format`` with the demuxer sniffed from the
file's leading bytes (:mod:`soundseal.audio.containers`), which rules out the playlist and
script formats that open other files. fpcalc has no protocol whitelist option; none of the
demuxers we name opens another URL (the MP4 demuxer's external references are off by
default). It runs under the limits of :mod:`soundseal.audio.child_process`.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import numpy.typing as npt

from soundseal.audio.child_process import describe_exit, run_limited
from soundseal.audio.containers import Container, sniff_file
from soundseal.audio.errors import DecodeError, FingerprintError, UnsupportedMedia

__all__ = ["fpcalc_binary", "run_fpcalc"]

# fpcalc's messages that mean the input, not the tool, is at fault.
_NOT_AUDIO = (
    "Could not open the input file",
    "Could not find any audio stream",
    "Could not find stream information",
    "Could not open the codec",
)
# fpcalc -raw -json prints at most about 11 bytes per value, 8 values a second: a 10-hour
# file's whole fingerprint is about 3 MB.
_MAX_STDOUT = 64 * 1024 * 1024


def fpcalc_binary() -> str | None:
    return shutil.which("fpcalc")


def run_fpcalc(
    path: str | os.PathLike[str],
    *,
    length_s: int,
    timeout_s: float,
    container: Container | None = None,
) -> tuple[npt.NDArray[np.uint32], int]:
    """The raw fingerprint of the first ``length_s`` seconds (0 = all) and the whole file's
    duration in ms (fpcalc reports it to 10 ms). ``container`` is the file's, sniffed here when
    not given."""
    binary = fpcalc_binary()
    if binary is None:
        raise DecodeError("fpcalc is not installed or not on PATH")
    source = Path(path)
    if not source.is_file():
        raise UnsupportedMedia(f"{source.name}: not a regular file")
    container = container or sniff_file(source)
    # A "file:" URL of the absolute path: a file named "-x.ogg" or "http:x" is still a file.
    args = [
        binary, "-raw", "-json", "-length", str(length_s), "-format", container.demuxer,
        f"file:{source.resolve()}",
    ]  # fmt: skip
    proc = run_limited(args, timeout_s=timeout_s, max_stdout=_MAX_STDOUT)
    if proc.timed_out:
        raise DecodeError(f"{source.name}: fpcalc timed out after {timeout_s:g} s")
    result = _parse(proc.stdout)
    if result is not None:
        return result
    if proc.returncode < 0:
        raise DecodeError(f"{source.name}: fpcalc {describe_exit(proc.returncode)}")
    message = _last_error(proc.stderr) or f"fpcalc {describe_exit(proc.returncode)}"
    if "Empty fingerprint" in message:
        raise FingerprintError(f"{source.name}: chromaprint produced no fingerprint (too short)")
    if any(marker in message for marker in _NOT_AUDIO) or proc.returncode in (2, 3):
        raise UnsupportedMedia(f"{source.name}: not decodable audio ({message})")
    raise DecodeError(f"{source.name}: {message}")


def _parse(stdout: bytes) -> tuple[npt.NDArray[np.uint32], int] | None:
    try:
        data = json.loads(stdout)
        raw = data["fingerprint"]
        duration_ms = round(float(data["duration"]) * 1000)
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(raw, list) or not raw:
        return None
    # fpcalc prints signed 32-bit values on some builds: taken modulo 2**32.
    values = (np.asarray(raw, dtype=np.int64) & 0xFFFFFFFF).astype(np.uint32)
    return values, duration_ms


def _last_error(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    errors = [ln.removeprefix("ERROR: ") for ln in lines if ln.startswith("ERROR")]
    return (errors or lines or [""])[-1]
