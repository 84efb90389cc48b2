"""Chromaprint's compressed fingerprint string, decoded and encoded in numpy.

This is the format ``fpcalc`` prints by default and AcoustID stores. libchromaprint's own decoder
reads past its buffers on crafted input (a 69-byte string crashes the process), so untrusted
strings are decoded here, with every length checked before it is used.

Layout, after URL-safe base64 without padding:

* 1 byte: the algorithm (1 for the default one that ``fpcalc`` uses);
* 3 bytes: the number of values, big-endian;
* the *normal* symbols, 3 bits each, packed least significant bit first;
* from the next whole byte, the *exceptional* symbols, 5 bits each, packed the same way.

Each value is stored as the XOR with the value before it (the first with 0). The set bits of
that difference are listed as gaps between their 1-based positions, lowest first, and a symbol 0
ends a value's list. A gap of 7 or more is written as the normal symbol 7 followed, in the
exceptional stream, by the gap minus 7.
"""

from __future__ import annotations

import base64
import binascii
import re

import numpy as np
import numpy.typing as npt

from soundseal.audio.errors import FingerprintEncodingError

__all__ = ["ALGORITHM_DEFAULT", "ENCODING_NAME", "decode_compressed", "encode_compressed"]

ENCODING_NAME = "chromaprint_compressed"
ALGORITHM_DEFAULT = 1

_HEADER_BYTES = 4
_MAX_COUNT = 0xFFFFFF  # the count field is 24 bits wide
_NORMAL_BITS = 3
_EXCEPTIONAL_BITS = 5
_MAX_NORMAL = 7  # the normal symbol that says "add the next exceptional symbol"
_OUTSIDE_URLSAFE_BASE64 = re.compile(r"[^A-Za-z0-9_-]")
_EXCEPTIONAL_WEIGHTS = np.array([1, 2, 4, 8, 16], dtype=np.uint8)
# _BIT_AT[p] is the value of 1-based bit position p; position 0 stands for "no bit".
_BIT_AT = np.array([0] + [1 << i for i in range(32)], dtype=np.uint32)


def _error(received: str) -> FingerprintEncodingError:
    return FingerprintEncodingError(
        ENCODING_NAME, received, described_as="Chromaprint's compressed base64 string"
    )


def _unbase64(text: str) -> bytes:
    outside = _OUTSIDE_URLSAFE_BASE64.search(text)
    if outside is not None:
        kind = "'=' padding" if outside.group() == "=" else "a character outside URL-safe base64"
        raise _error(f"text with {kind} ({outside.group()!r} at position {outside.start()})")
    if len(text) % 4 == 1:
        raise _error(f"base64 text of impossible length {len(text)} (one character too many)")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:  # not expected after the checks above; kept as a guard
        raise _error(f"text that is not valid base64 ({exc})") from exc


def _normal_table() -> npt.NDArray[np.uint32]:
    # 12 bits hold four 3-bit symbols; entry i has them as four bytes, lowest symbol first, so a
    # lookup per 12 bits replaces per-bit work on the longest part of the input.
    index = np.arange(1 << 12, dtype=np.uint32)
    table = np.zeros(1 << 12, dtype="<u4")
    for k in range(4):
        table |= ((index >> (3 * k)) & 7) << (8 * k)
    return table


_NORMAL_TABLE = _normal_table()


def _normal_symbols(data: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """Every 3-bit symbol packed LSB-first in ``data`` (8 per 3 bytes, the tail zero-filled)."""
    groups = -(-data.size // 3)
    padded = np.zeros(groups * 3, dtype=np.uint32)
    padded[: data.size] = data
    triples = padded.reshape(groups, 3)
    word = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
    out = np.empty((groups, 2), dtype="<u4")
    out[:, 0] = _NORMAL_TABLE[word & 0xFFF]
    out[:, 1] = _NORMAL_TABLE[word >> 12]
    return out.view(np.uint8).ravel()[: data.size * 8 // _NORMAL_BITS]


def _exceptional_symbols(data: npt.NDArray[np.uint8], count: int) -> npt.NDArray[np.uint8]:
    """The first ``count`` 5-bit symbols packed LSB-first in ``data`` (few: gaps of 7 or more)."""
    bits = np.unpackbits(data, bitorder="little")[: count * _EXCEPTIONAL_BITS]
    return bits.reshape(count, _EXCEPTIONAL_BITS) @ _EXCEPTIONAL_WEIGHTS


def _padding_is_zero(data: npt.NDArray[np.uint8], used_bits: int) -> bool:
    spare = -used_bits % 8
    return spare == 0 or int(data[-1]) >> (8 - spare) == 0


def decode_compressed(
    text: str | bytes, *, algorithm: int = ALGORITHM_DEFAULT, max_values: int = _MAX_COUNT
) -> npt.NDArray[np.uint32]:
    """The raw values of a compressed string; :class:`FingerprintEncodingError` if it is not one.

    The work is bounded by the input's length: the stated count is checked against what the
    bytes can hold before anything is allocated for it.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError as exc:
            raise _error("bytes that are not ASCII text") from exc
    if not text:
        raise _error("an empty string")
    raw = _unbase64(text)
    if len(raw) < _HEADER_BYTES:
        raise _error(f"{len(raw)} byte(s), shorter than the 4-byte header")
    if raw[0] != algorithm:
        raise _error(f"a fingerprint of Chromaprint algorithm {raw[0]}, not {algorithm}")
    count = int.from_bytes(raw[1:_HEADER_BYTES], "big")
    body = np.frombuffer(raw, dtype=np.uint8, offset=_HEADER_BYTES)
    if count == 0:
        raise _error("a header that states 0 values")
    if count > max_values:
        raise _error(f"a header that states {count} values, more than {max_values}")
    # Every value ends with one 3-bit symbol 0, so the body holds at most this many values.
    if count * _NORMAL_BITS > body.size * 8:
        raise _error(
            f"a header that states {count} values but only {body.size} byte(s) of data, "
            f"room for at most {body.size * 8 // _NORMAL_BITS}"
        )
    normal = _normal_symbols(body)
    ends = np.flatnonzero(normal == 0)
    if ends.size < count:
        raise _error(f"data for {ends.size} of the {count} values the header states")
    normal = normal[: int(ends[count - 1]) + 1]
    normal_bytes = -(-normal.size * _NORMAL_BITS // 8)
    if not _padding_is_zero(body[:normal_bytes], normal.size * _NORMAL_BITS):
        raise _error("non-zero padding bits after the normal (3-bit) symbols")

    escapes = np.flatnonzero(normal == _MAX_NORMAL)
    rest = body[normal_bytes:]
    exceptional_bytes = -(-escapes.size * _EXCEPTIONAL_BITS // 8)
    if rest.size < exceptional_bytes:
        raise _error(
            f"{rest.size} byte(s) of exceptional (5-bit) symbols where "
            f"{escapes.size} symbols need {exceptional_bytes}"
        )
    if rest.size > exceptional_bytes:
        raise _error(f"{rest.size - exceptional_bytes} byte(s) of trailing data after the values")
    if not _padding_is_zero(rest, escapes.size * _EXCEPTIONAL_BITS):
        raise _error("non-zero padding bits after the exceptional (5-bit) symbols")

    gaps = normal.copy()
    if escapes.size:
        gaps[escapes] += _exceptional_symbols(rest, escapes.size)
    return _values_from_gaps(gaps, ends[:count])


def _values_from_gaps(
    gaps: npt.NDArray[np.uint8], ends: npt.NDArray[np.intp]
) -> npt.NDArray[np.uint32]:
    # A value's bit positions are the running sum of its gaps; each value's list starts after
    # the previous terminator, so subtract the running total reached there.
    total = np.cumsum(gaps, dtype=np.int32)
    starts = np.concatenate(([0], ends[:-1] + 1))
    start_totals = np.concatenate(([0], total[ends[:-1]])).astype(np.int32)
    positions = total - np.repeat(start_totals, ends - starts + 1)
    highest = int(positions.max())
    if highest > 32:
        first = int(np.argmax(positions > 32))
        value = int(np.searchsorted(ends, first))
        raise _error(f"bit position {highest} (beyond 32) in value {value}")
    positions[ends] = 0  # a terminator repeats its value's last position; it adds no bit
    # Each list ends with its terminator, so no value's slice is empty and reduceat is exact;
    # the bits of one value are distinct, so their sum is their OR.
    deltas = np.add.reduceat(_BIT_AT[positions], starts, dtype=np.uint32)
    return np.bitwise_xor.accumulate(deltas)


def encode_compressed(values: npt.NDArray[np.uint32], *, algorithm: int = ALGORITHM_DEFAULT) -> str:
    """The compressed string of raw ``values``, byte for byte what libchromaprint writes."""
    arr = np.ascontiguousarray(values, dtype=np.uint32)
    if not 0 < arr.size <= _MAX_COUNT:
        raise _error(f"{arr.size} values to encode (1 to {_MAX_COUNT} fit the header)")
    deltas = arr ^ np.concatenate(([np.uint32(0)], arr[:-1]))
    # Bit matrix of the deltas, lowest bit first, with a 33rd column that is always set: the
    # terminator of each value's list.
    bits = np.unpackbits(deltas.astype("<u4").view(np.uint8), bitorder="little")
    matrix = np.ones((arr.size, 33), dtype=bool)
    matrix[:, :32] = bits.reshape(arr.size, 32).astype(bool)
    rows, cols = np.nonzero(matrix)
    previous = np.concatenate(([-1], cols[:-1]))
    previous[np.flatnonzero(np.diff(rows, prepend=-1))] = -1
    gaps = np.where(cols == 32, 0, cols - previous)
    normal = np.minimum(gaps, _MAX_NORMAL).astype(np.uint8)
    exceptional = (gaps[gaps >= _MAX_NORMAL] - _MAX_NORMAL).astype(np.uint8)
    header = bytes([algorithm]) + arr.size.to_bytes(3, "big")
    payload = header + _pack(normal, _NORMAL_BITS) + _pack(exceptional, _EXCEPTIONAL_BITS)
    return base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=")


def _pack(symbols: npt.NDArray[np.uint8], bits: int) -> bytes:
    shifts = np.arange(bits, dtype=np.uint8)
    stream = ((symbols[:, None] >> shifts) & 1).astype(np.uint8).ravel()
    return np.packbits(stream, bitorder="little").tobytes()
