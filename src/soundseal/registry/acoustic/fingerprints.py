"""Fingerprints at the registry's boundary: decoding what callers send, and storage bytes.

Errors of `soundseal.audio` are converted here into the registry's own, so the API can answer
them in its one error shape.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import numpy as np

from soundseal.audio import (
    ALGORITHM_NAME,
    DEFAULT_ENCODING,
    ITEM_MS,
    Fingerprint,
    FingerprintEncoding,
    FingerprintEncodingError,
    InsufficientAudio,
    decode_values,
)
from soundseal.errors import ErrorCode, InvalidAudio, InvalidInput
from soundseal.matching import CURRENT_POLICY, MatchPolicy, check_audio

__all__ = [
    "MAX_DURATION_MS",
    "MAX_FINGERPRINT_VALUES",
    "decode_fingerprint",
    "fingerprint_from_bytes",
    "fingerprint_to_bytes",
    "query_digest",
    "require_sufficient",
]

MAX_DURATION_MS = 6 * 60 * 60 * 1000
# As many values as the longest duration a caller may state holds: the work a request's
# fingerprint causes grows with its values, and more than this is no recording we take.
MAX_FINGERPRINT_VALUES = math.ceil(MAX_DURATION_MS / ITEM_MS)


def decode_fingerprint(
    data: Any, *, duration_ms: Any, encoding: str | None, algorithm: str | None = None
) -> Fingerprint:
    """A caller's fingerprint, or a 400 that says what was expected and what arrived."""
    if algorithm is not None and algorithm != ALGORITHM_NAME:
        raise InvalidInput(
            f"algorithm must be '{ALGORITHM_NAME}' (got {algorithm!r})", field="algorithm"
        )
    if duration_ms is None:
        raise InvalidInput("duration_ms is required with a fingerprint", field="duration_ms")
    if isinstance(duration_ms, bool) or not isinstance(duration_ms, int):
        raise InvalidInput("duration_ms must be an integer (milliseconds)", field="duration_ms")
    if not 0 < duration_ms <= MAX_DURATION_MS:
        raise InvalidInput(
            f"duration_ms must be between 1 and {MAX_DURATION_MS}", field="duration_ms"
        )
    chosen = encoding or DEFAULT_ENCODING.value
    known = [e.value for e in FingerprintEncoding]
    if chosen not in known:
        raise InvalidInput(
            f"encoding must be one of {', '.join(known)} (got {chosen!r})", field="encoding"
        )
    try:
        values = decode_values(data, chosen, max_values=MAX_FINGERPRINT_VALUES)
    except FingerprintEncodingError as exc:
        raise InvalidInput(
            str(exc), field="fingerprint", expected_encoding=exc.expected_encoding
        ) from exc
    return Fingerprint(values, duration_ms)


def require_sufficient(fingerprint: Fingerprint, policy: MatchPolicy = CURRENT_POLICY) -> None:
    """Silence, near-silence, very short or low-diversity audio neither certifies nor matches."""
    try:
        check_audio(fingerprint, policy)
    except InsufficientAudio as exc:
        raise InvalidAudio(
            f"Not enough audio to match: {exc.reason}", code=ErrorCode.INSUFFICIENT_AUDIO
        ) from exc


def fingerprint_to_bytes(fingerprint: Fingerprint) -> bytes:
    return fingerprint.values.astype("<u4").tobytes()


def fingerprint_from_bytes(raw: bytes, duration_ms: int) -> Fingerprint:
    return Fingerprint(np.frombuffer(raw, dtype="<u4").astype(np.uint32), duration_ms)


def query_digest(fingerprint: Fingerprint) -> str:
    """Identifies the exact query in a receipt without storing the fingerprint itself."""
    return hashlib.sha256(fingerprint_to_bytes(fingerprint)).hexdigest()
