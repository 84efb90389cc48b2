"""Errors of the audio core.

Every failure of decoding, fingerprinting or fingerprint parsing is one of these; third-party
errors (subprocess, ctypes, base64, json) are converted at the boundary with ``raise … from``.

    AudioError
    ├── DecodeError                 FFmpeg or fpcalc could not read the input (missing binary,
    │                               timeout, crash)
    │   └── UnsupportedMedia        the input is not audio FFmpeg can read, or it is corrupt
    ├── FingerprintError            libchromaprint is missing or refused the audio
    ├── FingerprintEncodingError    a wire fingerprint does not decode in the stated encoding
    │                               (``expected_encoding``, ``received``)
    └── InsufficientAudio           too short, silent, or too little diversity to certify or
                                    match (``reason``)
"""

from __future__ import annotations

__all__ = [
    "AudioError",
    "DecodeError",
    "FingerprintEncodingError",
    "FingerprintError",
    "InsufficientAudio",
    "UnsupportedMedia",
]


class AudioError(Exception):
    """Base of every error raised by :mod:`soundseal.audio`."""


class DecodeError(AudioError):
    """FFmpeg could not turn the input into PCM."""


class UnsupportedMedia(DecodeError):
    """The input is not audio FFmpeg can read, or it is corrupt or empty."""


class FingerprintError(AudioError):
    """libchromaprint is unavailable or failed on the audio it was given."""


class FingerprintEncodingError(AudioError):
    """A fingerprint sent over the wire does not decode in the encoding it claims."""

    def __init__(self, expected_encoding: str, received: str, *, described_as: str = "") -> None:
        self.expected_encoding = expected_encoding
        self.received = received
        expected = f"{expected_encoding} ({described_as})" if described_as else expected_encoding
        super().__init__(f"expected {expected} but received {received}")


class InsufficientAudio(AudioError):
    """The audio carries too little information to be certified or matched."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
