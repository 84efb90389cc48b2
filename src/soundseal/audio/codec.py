"""Wire formats of a raw fingerprint, selected by an explicit encoding name.

``raw_le_base64``          base64 of the uint32 values packed little-endian (the default)
``int_array``              a JSON array of integers (signed int32 accepted, taken modulo 2**32)
``chromaprint_compressed`` Chromaprint's compressed URL-safe base64 string (``compressed.py``)

The stated encoding alone decides how a value is read; nothing is guessed. A value that does
not decode in it raises :class:`FingerprintEncodingError` naming the expected encoding and
describing what was received (from its characters and length, without decoding it another
way), so a client that sent the wrong format learns why instead of getting a silent non-match.
All three decoders are plain Python and numpy: untrusted text never reaches native code.
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

from soundseal.audio.compressed import decode_compressed, encode_compressed
from soundseal.audio.errors import FingerprintEncodingError

__all__ = [
    "DEFAULT_ENCODING",
    "MAX_VALUES",
    "FingerprintEncoding",
    "decode_values",
    "encode_values",
]


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

# About 36 hours of audio (one value per 123.8 ms): far above any recording the registry takes,
# and a bound on the work any one fingerprint can cause.
MAX_VALUES = 1 << 20

_STD_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_OUTSIDE_BASE64 = re.compile(r"[^A-Za-z0-9+/=_-]")
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
    return encode_compressed(arr.astype(np.uint32))


def decode_values(
    data: str | bytes | Sequence[int],
    encoding: FingerprintEncoding | str = DEFAULT_ENCODING,
    *,
    max_values: int = MAX_VALUES,
) -> npt.NDArray[np.uint32]:
    """Raw uint32 values from their wire form; raises :class:`FingerprintEncodingError`.

    More than ``max_values`` (at most :data:`MAX_VALUES`) values are refused before they
    are decoded."""
    enc = _encoding(encoding)
    max_values = min(max_values, MAX_VALUES)
    if isinstance(data, bytes):
        try:
            data = data.decode("ascii")
        except UnicodeDecodeError as exc:
            raise _error(enc, "bytes that are not ASCII text") from exc
    if enc is FingerprintEncoding.INT_ARRAY:
        values = _decode_int_array(data, max_values)
    elif isinstance(data, str):
        if enc is FingerprintEncoding.RAW_LE_BASE64:
            values = _decode_raw_le_base64(data.strip(), max_values)
        else:
            values = _decode_compressed(data.strip(), max_values)
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


_COMPRESSED_HINT = (
    "chromaprint_compressed, fpcalc's default output; if that is what it is, set "
    "encoding=chromaprint_compressed"
)


def _describe_text(text: str) -> str:
    """What ``text`` is, from its characters and length alone: no decoding is attempted."""
    if text.startswith("["):
        return "a JSON array; set encoding=int_array"
    outside = _OUTSIDE_BASE64.search(text)
    if outside is not None:
        return (
            f"text with a character outside every base64 alphabet ({outside.group()!r} at "
            f"position {outside.start()})"
        )
    urlsafe = "-" in text or "_" in text
    if urlsafe and ("+" in text or "/" in text):
        return "text that mixes the standard and URL-safe base64 alphabets"
    if urlsafe:
        return (
            "text with characters outside standard base64 such as '-' or '_' (URL-safe base64, "
            f"the alphabet of {_COMPRESSED_HINT})"
        )
    if _STD_BASE64.fullmatch(text) is None:
        return "text with '=' in the middle, not valid padded standard base64"
    if "=" not in text and len(text) % 4:
        return (
            f"unpadded base64 text of length {len(text)}, not a multiple of 4 (the form of "
            f"{_COMPRESSED_HINT})"
        )
    return f"base64 text of length {len(text)}, not a multiple of 4"


def _decode_raw_le_base64(text: str, max_values: int) -> npt.NDArray[np.uint32]:
    enc = FingerprintEncoding.RAW_LE_BASE64
    if not text:
        raise _error(enc, "an empty fingerprint")
    if not _STD_BASE64.fullmatch(text) or len(text) % 4:
        raise _error(enc, _describe_text(text))
    # Checked on the text's length, before decoding; + 2 allows for the padding bytes.
    if len(text) // 4 * 3 > max_values * 4 + 2:
        raise _error(enc, f"base64 text of {len(text)} characters, more than {max_values} values")
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise _error(enc, f"text that is not valid base64 ({exc})") from exc
    if len(raw) % 4:
        raise _error(enc, f"base64 of length {len(raw)} bytes, not a multiple of 4")
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32)


def _decode_int_array(data: str | Sequence[int], max_values: int) -> npt.NDArray[np.uint32]:
    enc = FingerprintEncoding.INT_ARRAY
    items: object = data
    if isinstance(data, str):
        items = _parse_flat_json_array(data.strip(), max_values)
    if not isinstance(items, list | tuple):
        raise _error(enc, f"a JSON {type(items).__name__}, not an array")
    if len(items) > max_values:
        raise _error(enc, f"an array of {len(items)} elements, more than {max_values}")
    for i, item in enumerate(items):
        # bool is an int subclass but never a fingerprint value.
        if isinstance(item, bool) or not isinstance(item, int):
            raise _error(enc, f"a non-integer element at index {i} ({type(item).__name__})")
        if not _INT32_MIN <= item <= _UINT32_MAX:
            raise _error(enc, f"element {item} at index {i}, outside int32/uint32 range")
    return (np.asarray(items, dtype=np.int64) & 0xFFFFFFFF).astype(np.uint32)


def _parse_flat_json_array(text: str, max_values: int) -> object:
    """A JSON array of scalars, checked before parsing so nothing nested reaches ``json``.

    ``json.loads`` recurses once per level of nesting, so ``[[[[…]]]]`` 100,000 deep raises
    RecursionError; a flat array cannot, and the first '"', '[' or '{' after the opening
    bracket shows what else arrived (the first '"' always opens a string).
    """
    enc = FingerprintEncoding.INT_ARRAY
    if not text.startswith("["):
        if _STD_BASE64.fullmatch(text) and len(text) % 4 == 0 and text:
            raise _error(enc, "what looks like base64; set encoding=raw_le_base64")
        what = _describe_text(text) if text else "an empty string"
        raise _error(enc, f"text that is not a JSON array: {what}")
    found = [p for p in (text.find(c, 1) for c in '"[{') if p >= 0]
    if found:
        at = min(found)
        kind = {'"': "a string", "[": "a nested array", "{": "an object"}[text[at]]
        raise _error(enc, f"{kind} at character {at}; int_array is one flat array of integers")
    if text.count(",") >= max_values:
        raise _error(enc, f"an array of more than {max_values} elements")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _error(enc, f"invalid JSON ({exc.msg} at position {exc.pos})") from exc
    except ValueError as exc:  # an integer literal longer than Python converts (4,300 digits)
        raise _error(enc, "an integer literal with too many digits") from exc


def _decode_compressed(text: str, max_values: int) -> npt.NDArray[np.uint32]:
    enc = FingerprintEncoding.CHROMAPRINT_COMPRESSED
    if not text:
        raise _error(enc, "an empty fingerprint")
    if text.startswith("["):
        raise _error(enc, "a JSON array; set encoding=int_array")
    if "+" in text or "/" in text or "=" in text:
        raise _error(
            enc,
            "text with '+', '/' or '=', which URL-safe base64 without padding never has "
            "(standard base64; if it is raw values, set encoding=raw_le_base64)",
        )
    return decode_compressed(text, max_values=max_values)
