"""Errors of the audio core.

Every failure of decoding, fingerprinting or fingerprint parsing is one of these; third-party
errors (subprocess, base64, json) are converted at the boundary with ``raise … from``.

    AudioError
    ├── DecodeError                 FFmpeg or fpcalc could not read the input (missing binary,
    │                               timeout, crash)
    │   └── UnsupportedMedia        the input is not audio FFmpeg can read, or it is corrupt
    │       └── UnsupportedContainer  not one of the accepted audio containers (``seen``;
    │                               :mod:`soundseal.audio.containers`)
    ├── AudioTooLong                longer than the caller's limit (``limit_s``)
    ├── FingerprintError            libchromaprint is missing or refused the audio
    ├── FingerprintEncodingError    a wire fingerprint does not decode in the stated encoding
    │                               (``expected_encoding``, ``received``)
    └── InsufficientAudio           too short, silent, or too little diversity to certify or
                                    match (``reason``)
"""

from __future__ import annotations

__all__ = [
    "AudioError",
    "AudioTooLong",
    "DecodeError",
    "FingerprintEncodingError",
    "FingerprintError",
    "InsufficientAudio",
    "UnsupportedContainer",
    "UnsupportedMedia",
]


class AudioError(Exception):
    """Base of every error raised by :mod:`soundseal.audio`."""


class DecodeError(AudioError):
    """FFmpeg could not turn the input into PCM."""


class UnsupportedMedia(DecodeError):
    """The input is not audio FFmpeg can read, or it is corrupt or empty."""


class UnsupportedContainer(UnsupportedMedia):
    """Not one of the accepted audio containers; ``seen`` says what the leading bytes were."""

    def __init__(self, seen: str, accepted: str, *, name: str = "") -> None:
        self.seen = seen
        self.accepted = accepted
        self.reason = f"not an accepted audio container ({seen}); accepted: {accepted}"
        super().__init__(f"{name}: {self.reason}" if name else self.reason)


class AudioTooLong(AudioError):
    """The audio lasts longer than the caller allows; decoding stopped at the limit."""

    def __init__(self, limit_s: int) -> None:
        self.limit_s = limit_s
        minutes, seconds = divmod(limit_s, 60)
        super().__init__(
            f"the audio is longer than the limit of {minutes}:{seconds:02d} ({limit_s} s)"
        )


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
