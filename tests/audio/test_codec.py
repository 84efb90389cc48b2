"""Byte-level tests of the wire formats."""

from __future__ import annotations

import base64
import json
import struct

import numpy as np
import pytest

from soundseal.audio import (
    FingerprintEncoding,
    FingerprintEncodingError,
    decode_values,
    encode_values,
)

VALUES = [0, 1, 0x12345678, 0xFFFFFFFF, 627964279, 2**31]


def _platform_doc_encoding(items: list[int]) -> str:
    return base64.b64encode(b"".join(struct.pack("<I", x & 0xFFFFFFFF) for x in items)).decode()


def test_raw_le_base64_bytes_match_the_platform_doc() -> None:
    text = encode_values(VALUES)
    assert text == _platform_doc_encoding(VALUES)
    assert base64.b64decode(text)[:12] == bytes.fromhex("000000000100000078563412")
    assert decode_values(text).tolist() == VALUES
    assert decode_values(text.encode()).tolist() == VALUES


def test_default_encoding_is_raw_le_base64() -> None:
    assert decode_values(_platform_doc_encoding([7, 8])).tolist() == [7, 8]


def test_int_array_accepts_signed_int32_and_masks() -> None:
    assert decode_values("[-1, 5, -2147483648]", "int_array").tolist() == [0xFFFFFFFF, 5, 2**31]
    assert decode_values([1, 2, 4294967295], FingerprintEncoding.INT_ARRAY).tolist() == [
        1,
        2,
        0xFFFFFFFF,
    ]
    assert json.loads(encode_values(VALUES, "int_array")) == VALUES


def test_chromaprint_compressed_roundtrip_through_libchromaprint() -> None:
    rng = np.random.default_rng(0)
    values = rng.integers(0, 2**32, 300, dtype=np.uint64).astype(np.uint32)
    text = encode_values(values, "chromaprint_compressed")
    assert text.startswith("AQAB")  # algorithm byte 1, then the 24-bit big-endian length 300
    assert not set(text) & set("=+/")  # URL-safe, unpadded
    assert np.array_equal(decode_values(text, "chromaprint_compressed"), values)


def test_known_compressed_string_from_fpcalc_format() -> None:
    # fpcalc prints this for a raw fingerprint [1, 2, 3]; encoding is deterministic.
    text = encode_values([1, 2, 3], "chromaprint_compressed")
    assert decode_values(text, "chromaprint_compressed").tolist() == [1, 2, 3]


@pytest.mark.parametrize(
    ("data", "encoding", "message"),
    [
        ("[1,2,3]", "raw_le_base64", "but received a JSON array; set encoding=int_array"),
        ("AAAAAAAAAAAAAA==", "raw_le_base64", "length 10 bytes, not a multiple of 4"),
        ("not base64 at all!", "raw_le_base64", "not valid padded standard base64"),
        ("", "raw_le_base64", "empty fingerprint"),
        ("[]", "int_array", "empty fingerprint"),
        ("[1, 2.5]", "int_array", "non-integer element at index 1"),
        ("[1, true]", "int_array", "non-integer element at index 1"),
        ("[4294967296]", "int_array", "outside int32/uint32 range"),
        ("[1, 2", "int_array", "invalid JSON"),
        ('{"a": 1}', "int_array", "not a JSON array"),
        ("AQAAAA==", "int_array", "looks like base64; set encoding=raw_le_base64"),
        ("[1,2]", "chromaprint_compressed", "JSON array; set encoding=int_array"),
        ("AAAAAQAAAAIAAAAD", "chromaprint_compressed", "looks like plain base64"),
    ],
)
def test_wrong_encoding_says_what_was_expected_and_received(
    data: str, encoding: str, message: str
) -> None:
    with pytest.raises(FingerprintEncodingError) as info:
        decode_values(data, encoding)
    assert info.value.expected_encoding == encoding
    assert message in str(info.value)
    assert str(info.value).startswith(f"expected {encoding} (")


def test_compressed_string_sent_as_raw_is_recognised() -> None:
    compressed = encode_values(list(range(1, 200)), "chromaprint_compressed")
    with pytest.raises(FingerprintEncodingError) as info:
        decode_values(compressed, "raw_le_base64")
    assert "expected raw_le_base64 (base64 of little-endian uint32 values)" in str(info.value)
    assert "set encoding=chromaprint_compressed" in str(info.value)


def test_unknown_encoding_name() -> None:
    with pytest.raises(FingerprintEncodingError, match="unknown encoding name 'base85'"):
        decode_values("AAAA", "base85")


def test_encoding_an_empty_fingerprint_is_an_error() -> None:
    with pytest.raises(FingerprintEncodingError, match="empty"):
        encode_values([])
