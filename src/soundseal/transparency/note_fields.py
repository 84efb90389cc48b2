"""The small field encodings the signed-note family of formats shares.

Keys, notes, checkpoints, cosignatures and tlog proofs all spell their fields the same few
ways: standard base64, ASCII decimals without leading zeros, key names without spaces or
plus signs, text without control characters. Python's own decoders are looser than these
formats: `int()` takes `+7`, `0_7`, ` 7` and Arabic-Indic digits, and `base64.b64decode`
takes padding bits that are not zero, so two spellings decode to one value. A log's text is
signed byte for byte, so each field here has exactly one spelling, and every decoder
answers `None` for anything else instead of raising: the caller raises its own typed error.
"""

from __future__ import annotations

import base64
import binascii
import re

__all__ = [
    "MAX_UINT64",
    "decode_base64",
    "encode_base64",
    "has_control_characters",
    "is_utf8",
    "is_valid_key_name",
    "parse_decimal",
]

MAX_UINT64 = 2**64 - 1

_DECIMAL = re.compile(r"(?:0|[1-9][0-9]*)\Z", re.ASCII)
# The ASCII control characters (below U+0020) except newline, which separates lines.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


def encode_base64(data: bytes) -> str:
    """Standard base64 (RFC 4648, section 4), with padding."""
    return base64.b64encode(data).decode("ascii")


def decode_base64(text: str) -> bytes | None:
    """The bytes `text` encodes, if `text` is their one canonical standard base64 spelling."""
    if not text.isascii():
        return None
    try:
        data = base64.b64decode(text, validate=True)
    except binascii.Error:
        return None
    # Non-zero padding bits, or missing padding, give a second spelling of the same bytes.
    return data if encode_base64(data) == text else None


def parse_decimal(text: str, maximum: int = MAX_UINT64) -> int | None:
    """The number `text` spells in ASCII decimal without leading zeros, up to `maximum`."""
    if not _DECIMAL.match(text) or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None


def has_control_characters(text: str) -> bool:
    """Whether `text` holds an ASCII control character other than newline."""
    return _CONTROL.search(text) is not None


def is_valid_key_name(name: str) -> bool:
    """A key name is non-empty UTF-8 without Unicode spaces, plus signs or control characters."""
    return (
        bool(name)
        and is_utf8(name)
        and "+" not in name
        and not any(char.isspace() for char in name)
        and not has_control_characters(name)
    )


def is_utf8(text: str) -> bool:
    """Whether `text` can be written as UTF-8 (a lone surrogate cannot)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
