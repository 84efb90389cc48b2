"""Byte-level tests of the wire formats."""

from __future__ import annotations

import base64
import json
import struct
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soundseal.audio import (
    FingerprintEncoding,
    FingerprintEncodingError,
    decode_values,
    encode_values,
)
from soundseal.audio.codec import MAX_VALUES

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


def test_chromaprint_compressed_roundtrip() -> None:
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
        ("not base64 at all!", "raw_le_base64", "outside every base64 alphabet (' ' at"),
        ("AQAB-_x", "raw_le_base64", "outside standard base64 such as '-' or '_'"),
        ("AAAA+_AA", "raw_le_base64", "mixes the standard and URL-safe base64 alphabets"),
        ("AA=AAAAA", "raw_le_base64", "'=' in the middle"),
        ("", "raw_le_base64", "empty fingerprint"),
        ("[]", "int_array", "empty fingerprint"),
        ("[1, 2.5]", "int_array", "non-integer element at index 1"),
        ("[1, true]", "int_array", "non-integer element at index 1"),
        ("[4294967296]", "int_array", "outside int32/uint32 range"),
        ("[1, 2", "int_array", "invalid JSON"),
        ('{"a": 1}', "int_array", "not a JSON array"),
        ("AQAAAA==", "int_array", "looks like base64; set encoding=raw_le_base64"),
        ("[1,2]", "chromaprint_compressed", "JSON array; set encoding=int_array"),
        ("AAAAAQAAAAIAAAAD", "chromaprint_compressed", "Chromaprint algorithm 0, not 1"),
        ("AQAAAQ==", "chromaprint_compressed", "'+', '/' or '='"),
        ("[[[1]]]", "int_array", "a nested array at character 1"),
        ('[1, "[", 2]', "int_array", "a string at character 4"),
        ("[1, {}]", "int_array", "an object at character 4"),
        ("[" + "9" * 5000 + "]", "int_array", "an integer literal with too many digits"),
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


def test_compressed_string_sent_as_raw_is_described_not_decoded() -> None:
    compressed = encode_values(list(range(1, 200)), "chromaprint_compressed")
    with pytest.raises(FingerprintEncodingError) as info:
        decode_values(compressed, "raw_le_base64")
    assert "expected raw_le_base64 (base64 of little-endian uint32 values)" in str(info.value)
    assert f"unpadded base64 text of length {len(compressed)}" in str(info.value)
    assert "set encoding=chromaprint_compressed" in str(info.value)


def test_the_stated_encoding_decides_even_when_another_would_decode() -> None:
    # A valid compressed string whose length is a multiple of 4 and that uses only the standard
    # alphabet is also valid raw_le_base64: it decodes as such, without a second look.
    values = [0x3FFFF]  # 19 symbols: 8 bytes after the header, 12 in all
    compressed = encode_values(values, "chromaprint_compressed")
    assert len(compressed) % 4 == 0
    assert not set(compressed) & set("-_")
    as_raw = decode_values(compressed, "raw_le_base64")
    assert as_raw.tolist() != values
    assert decode_values(compressed, "chromaprint_compressed").tolist() == values


def test_the_crash_string_is_a_clean_error_in_every_encoding() -> None:
    crash = base64.urlsafe_b64encode(bytes([1, 0, 0, 1, 7]) + b"\xff" * 64).decode().rstrip("=")
    for encoding in FingerprintEncoding:
        with pytest.raises(FingerprintEncodingError) as info:
            decode_values(crash, encoding)
        assert info.value.expected_encoding == encoding.value


def test_a_deeply_nested_int_array_is_a_clean_error() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(FingerprintEncodingError, match="a nested array at character 1"):
        decode_values(deep, "int_array")


def test_int_arrays_are_bounded_in_length() -> None:
    too_many = "[" + ",".join(["1"] * (MAX_VALUES + 1)) + "]"
    with pytest.raises(FingerprintEncodingError, match=f"more than {MAX_VALUES} elements"):
        decode_values(too_many, "int_array")
    with pytest.raises(FingerprintEncodingError, match=f"more than {MAX_VALUES}"):
        decode_values([1] * (MAX_VALUES + 1), "int_array")
    assert decode_values([1] * MAX_VALUES, "int_array").size == MAX_VALUES


def test_unknown_encoding_name() -> None:
    with pytest.raises(FingerprintEncodingError, match="unknown encoding name 'base85'"):
        decode_values("AAAA", "base85")


def test_encoding_an_empty_fingerprint_is_an_error() -> None:
    with pytest.raises(FingerprintEncodingError, match="empty"):
        encode_values([])


# --- properties: every decoder gives uint32 values or FingerprintEncodingError -----------------

PROPERTY = settings(
    deadline=500, database=None, suppress_health_check=[HealthCheck.too_slow], max_examples=200
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=5), children, max_size=5)
    ),
    max_leaves=30,
)


def _values_or_clean_error(data: Any, encoding: FingerprintEncoding) -> None:
    try:
        out = decode_values(data, encoding)
    except FingerprintEncodingError as exc:
        error = exc
    else:
        assert out.dtype == np.uint32
        assert out.ndim == 1
        assert out.size > 0
        return
    assert error.expected_encoding == encoding.value


@PROPERTY
@given(st.text(max_size=300), st.sampled_from(FingerprintEncoding))
def test_any_text_in_any_encoding(text: str, encoding: FingerprintEncoding) -> None:
    _values_or_clean_error(text, encoding)


@PROPERTY
@given(st.binary(max_size=300), st.sampled_from(FingerprintEncoding))
def test_any_bytes_in_any_encoding(data: bytes, encoding: FingerprintEncoding) -> None:
    _values_or_clean_error(data, encoding)


@PROPERTY
@given(json_values, st.sampled_from(FingerprintEncoding))
def test_any_json_as_text_or_parsed(value: Any, encoding: FingerprintEncoding) -> None:
    _values_or_clean_error(json.dumps(value), encoding)
    if isinstance(value, list):  # what the API's schema hands over for a JSON array
        _values_or_clean_error(value, encoding)


@PROPERTY
@given(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=300), st.integers(1, 2000))
def test_deep_nesting_or_long_arrays_stay_clean(values: list[int], depth: int) -> None:
    text = json.dumps(values)
    _values_or_clean_error("[" * depth + text + "]" * depth, FingerprintEncoding.INT_ARRAY)


@PROPERTY
@given(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=300))
def test_every_encoding_round_trips(values: list[int]) -> None:
    for encoding in FingerprintEncoding:
        assert decode_values(encode_values(values, encoding), encoding).tolist() == values
