"""SHA-256 of a file's exact bytes, streamed so large masters never sit in memory."""

from __future__ import annotations

import hashlib
import os

__all__ = ["sha256_file"]

_BLOCK = 1 << 20


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Lower-case hex SHA-256 of the bytes of ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()
