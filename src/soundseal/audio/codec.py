"""Wire formats of a raw fingerprint, selected by an explicit encoding name.

``raw_le_base64``          base64 of the uint32 values packed little-endian (the default)
``int_array``              a JSON array of integers (signed int32 accepted, taken modulo 2**32)
``chromaprint_compressed`` Chromaprint's compressed URL-safe base64 string (libchromaprint)

A value that does not decode in the stated encoding raises :class:`FingerprintEncodingError`
naming the expected encoding and describing what was received, so a client that sent the wrong
format learns why instead of getting a silent non-match.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from soundseal.audio.chromaprint_lib import (
    ALGORITHM_DEFAULT,
    chromaprint_decode,
    chromaprint_encode,
)
from soundseal.audio.errors import FingerprintEncodingError

__all__ = ["DEFAULT_ENCODING", "FingerprintEncoding", "decode_values", "encode_values"]


class FingerprintEncoding(StrEnum):
    RAW_LE_BASE64 = "raw_le_base64"
    INT_ARRAY = "int_array"
    CHROMAPRINT_COMPRESSED = "chromaprint_compressed"

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    FingerprintEncoding.RAW_LE_BASE64: "base64 of little-endian uint32 values",
    FingerprintEncoding.INT_ARRAY: "a JSON array of integers",
    FingerprintEncoding.CHROMAPRINT_COMPRESSED: "Chromaprint's compressed base64 string",
}

DEFAULT_ENCODING = FingerprintEncoding.RAW_LE_BASE64

_STD_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_URLSAFE_BASE64 = re.compile(r"[A-Za-z0-9_-]+")
_INT32_MIN = -(2**31)
_UINT32_MAX = 2**32 - 1


def encode_values(
    values: npt.NDArray[np.uint32] | Sequence[int],
    encoding: FingerprintEncoding | str = DEFAULT_ENCODING,
) -> str:
    """The wire form of raw fingerprint ``values`` in ``encoding``."""
    enc = _encoding(encoding)
    arr = np.asarray(values, dtype=np.int64) & 0xFFFFFFFF
    if arr.size == 0:
        raise FingerprintEncodingError(
            enc.value, "an empty fingerprint", described_as=enc.description
        )
    if enc is FingerprintEncoding.RAW_LE_BASE64:
        return base64.b64encode(arr.astype("<u4").tobytes()).decode("ascii")
    if enc is FingerprintEncoding.INT_ARRAY:
        return json.dumps([int(v) for v in arr], separators=(",", ":"))
    return chromaprint_encode(arr.astype(np.uint32))


def decode_values(
    data: str | bytes | Sequence[int], encoding: FingerprintEncoding | str = DEFAULT_ENCODING
) -> npt.NDArray[np.uint32]:
    """Raw uint32 values from their wire form; raises :class:`FingerprintEncodingError`."""
    enc = _encoding(encoding)
    if isinstance(data, bytes):
        try:
            data = data.decode("ascii")
        except UnicodeDecodeError as exc:
            raise _error(enc, "bytes that are not ASCII text") from exc
    if enc is FingerprintEncoding.INT_ARRAY:
        values = _decode_int_array(data)
    elif isinstance(data, str):
        if enc is FingerprintEncoding.RAW_LE_BASE64:
            values = _decode_raw_le_base64(data.strip())
        else:
            values = _decode_compressed(data.strip())
    else:
        raise _error(enc, f"a {type(data).__name__} instead of a string")
    if values.size == 0:
        raise _error(enc, "an empty fingerprint")
    return values


def _encoding(encoding: FingerprintEncoding | str) -> FingerprintEncoding:
    try:
        return FingerprintEncoding(encoding)
    except ValueError as exc:
        known = ", ".join(e.value for e in FingerprintEncoding)
        raise FingerprintEncodingError(
            "one of " + known, f"unknown encoding name {str(encoding)[:40]!r}"
        ) from exc


def _error(enc: FingerprintEncoding, received: str) -> FingerprintEncodingError:
    return FingerprintEncodingError(enc.value, received, described_as=enc.description)


def _looks_like(text: str) -> str | None:
    """Name the encoding ``text`` looks like, to suggest it in an error."""
    if text.startswith("["):
        return FingerprintEncoding.INT_ARRAY.value
    if _URLSAFE_BASE64.fullmatch(text) and chromaprint_decode(text) is not None:
        return FingerprintEncoding.CHROMAPRINT_COMPRESSED.value
    return None


def _decode_raw_le_base64(text: str) -> npt.NDArray[np.uint32]:
    enc = FingerprintEncoding.RAW_LE_BASE64
    if not text:
        raise _error(enc, "an empty fingerprint")
    if text.startswith("["):
        raise _error(enc, "a JSON array; set encoding=int_array")
    if not _STD_BASE64.fullmatch(text) or len(text) % 4:
        hint = _looks_like(text)
        if hint == FingerprintEncoding.CHROMAPRINT_COMPRESSED:
            raise _error(enc, "what looks like a Chromaprint compressed string; "
                         "set encoding=chromaprint_compressed")  # fmt: skip
        raise _error(enc, "text that is not valid padded standard base64")
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise _error(enc, f"text that is not valid base64 ({exc})") from exc
    if len(raw) % 4:
        hint = _looks_like(text)
        suffix = "; it looks like a Chromaprint compressed string, set " \
            "encoding=chromaprint_compressed" if hint else ""  # fmt: skip
        raise _error(enc, f"base64 of length {len(raw)} bytes, not a multiple of 4{suffix}")
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32)


def _decode_int_array(data: str | Sequence[int]) -> npt.NDArray[np.uint32]:
    enc = FingerprintEncoding.INT_ARRAY
    items: object = data
    if isinstance(data, str):
        text = data.strip()
        if not text.startswith("["):
            hint = _looks_like(text)
            what = f"text that looks like {hint}" if hint else "text that is not a JSON array"
            if hint is None and _STD_BASE64.fullmatch(text) and len(text) % 4 == 0:
                what = "what looks like base64; set encoding=raw_le_base64"
            elif hint:
                what += f"; set encoding={hint}"
            raise _error(enc, what)
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _error(enc, f"invalid JSON ({exc.msg} at position {exc.pos})") from exc
    if not isinstance(items, list | tuple):
        raise _error(enc, f"a JSON {type(items).__name__}, not an array")
    for i, item in enumerate(items):
        # bool is an int subclass but never a fingerprint value.
        if isinstance(item, bool) or not isinstance(item, int):
            raise _error(enc, f"a non-integer element at index {i} ({type(item).__name__})")
        if not _INT32_MIN <= item <= _UINT32_MAX:
            raise _error(enc, f"element {item} at index {i}, outside int32/uint32 range")
    return (np.asarray(items, dtype=np.int64) & 0xFFFFFFFF).astype(np.uint32)


def _decode_compressed(text: str) -> npt.NDArray[np.uint32]:
    enc = FingerprintEncoding.CHROMAPRINT_COMPRESSED
    if not text:
        raise _error(enc, "an empty fingerprint")
    if text.startswith("["):
        raise _error(enc, "a JSON array; set encoding=int_array")
    decoded = chromaprint_decode(text) if _URLSAFE_BASE64.fullmatch(text.rstrip("=")) else None
    if decoded is not None and decoded[1] == ALGORITHM_DEFAULT:
        return decoded[0]
    if _STD_BASE64.fullmatch(text) and len(text) % 4 == 0:
        raise _error(
            enc,
            "text libchromaprint cannot decode as an algorithm-1 fingerprint; it looks like plain "
            "base64, set encoding=raw_le_base64",
        )
    if decoded is not None:
        raise _error(enc, f"a fingerprint of Chromaprint algorithm {decoded[1]}, not 1")
    raise _error(enc, "text libchromaprint cannot decode")
