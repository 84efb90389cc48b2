"""Certifying from audio bytes: the SHA-256 and whole-length fingerprint of an uploaded file,
with what is not usable audio refused in the registry's own errors. Used by the API's
multipart issuance and the dashboard's upload form alike."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from soundseal.audio import (
    AudioError,
    AudioTooLong,
    Fingerprint,
    UnsupportedContainer,
    fingerprint_file,
    sha256_file,
)
from soundseal.errors import ErrorCode, InvalidAudio
from soundseal.registry.acoustic.fingerprints import require_sufficient

__all__ = ["hash_and_fingerprint_upload"]


def hash_and_fingerprint_upload(
    source: BinaryIO, *, max_audio_seconds: int
) -> tuple[str, Fingerprint]:
    """SHA-256 and whole-length fingerprint of an uploaded file (blocking: call it from a
    worker thread), refusing what is not usable audio with the registry's own errors.

    The file is stored under a name of our own: its format is decided from its bytes alone
    (the client's file name and content type play no part), and only audio containers are
    decoded."""
    with tempfile.TemporaryDirectory(prefix="soundseal-upload-") as workdir:
        path = Path(workdir) / "upload"
        with path.open("wb") as sink:
            shutil.copyfileobj(source, sink, 1024 * 1024)
        if os.path.getsize(path) == 0:
            raise InvalidAudio(
                "The uploaded file is empty", code=ErrorCode.UNSUPPORTED_MEDIA, field="file"
            )
        sha256, acoustic = _hash_and_fingerprint(path, max_audio_seconds)
    require_sufficient(acoustic)
    return sha256, acoustic


def _hash_and_fingerprint(path: Path, max_audio_seconds: int) -> tuple[str, Fingerprint]:
    try:
        # A master is fingerprinted over its whole length (length 0).
        fingerprint = fingerprint_file(path, length_s=0, max_duration_s=max_audio_seconds)
    except UnsupportedContainer as exc:
        raise InvalidAudio(
            f"The uploaded file is {exc.reason}",
            code=ErrorCode.UNSUPPORTED_MEDIA,
            field="file",
            detected=exc.seen,
        ) from exc
    except AudioTooLong as exc:
        raise InvalidAudio(
            f"The uploaded audio is too long: {exc}",
            code=ErrorCode.AUDIO_TOO_LONG,
            field="file",
            max_audio_seconds=exc.limit_s,
        ) from exc
    except AudioError as exc:
        raise InvalidAudio(
            f"The uploaded file is not audio soundseal can decode: {exc}",
            code=ErrorCode.UNSUPPORTED_MEDIA,
            field="file",
        ) from exc
    return sha256_file(path), fingerprint
