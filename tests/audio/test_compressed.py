"""Chromaprint's compressed format, decoded and encoded without native code.

The byte-level cases are built by hand from symbol lists with a bit packer written out plainly
below, so they do not lean on the vectorized code they check. libchromaprint (the encoder only:
its decoder is unsafe) and fpcalc are the references for real fingerprints.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soundseal.audio.compressed import decode_compressed, encode_compressed
from soundseal.audio.errors import FingerprintEncodingError
from tests.audio.chromaprint_reference import chromaprint_encode
from tests.backends import unavailable

# The string that crashed libchromaprint's decoder (and with it the server): count 1, then
# 64 bytes of 0xff, i.e. endless 3-bit symbols 7 asking for exceptional bits.
CRASH = base64.urlsafe_b64encode(bytes([1, 0, 0, 1, 7]) + b"\xff" * 64).decode().rstrip("=")

PROPERTY = settings(
    deadline=500, database=None, suppress_health_check=[HealthCheck.too_slow], max_examples=300
)
uint32_arrays = st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=400)


def pack(symbols: Sequence[int], width: int) -> bytes:
    """Symbols of ``width`` bits, least significant bit first, into whole bytes."""
    acc = 0
    for i, symbol in enumerate(symbols):
        acc |= symbol << (i * width)
    return acc.to_bytes(-(-len(symbols) * width // 8), "little")


def wire(payload: bytes) -> str:
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def build(count: int, normal: Sequence[int], exceptional: Sequence[int] = (), algo: int = 1) -> str:
    header = bytes([algo]) + count.to_bytes(3, "big")
    return wire(header + pack(normal, 3) + pack(exceptional, 5))


def as_array(values: Sequence[int]) -> npt.NDArray[np.uint32]:
    return np.array(values, dtype=np.uint32)


# --- byte level -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "normal", "exceptional"),
    [
        ([1], [1, 0], []),  # bit 1: gap 1, end
        ([0], [0], []),  # no bits set: just the end symbol
        ([0b1010], [2, 2, 0], []),  # bits 2 and 4
        ([1 << 7], [7, 0], [1]),  # bit 8: gap 8 = 7 + exceptional 1
        ([1 << 6], [7, 0], [0]),  # bit 7: gap 7 = 7 + exceptional 0
        ([1 << 31], [7, 0], [25]),  # bit 32, the highest
        ([0xFFFFFFFF], [1] * 32 + [0], []),
        ([5, 5, 4], [1, 2, 0, 0, 1, 0], []),  # each value is XORed with the one before
    ],
)
def test_hand_built_strings_decode_and_encode(
    values: list[int], normal: list[int], exceptional: list[int]
) -> None:
    text = build(len(values), normal, exceptional)
    assert decode_compressed(text).tolist() == values
    assert encode_compressed(as_array(values)) == text
    assert chromaprint_encode(as_array(values)) == text


def test_packing_is_lsb_first_and_exceptional_bits_start_on_a_new_byte() -> None:
    # [1 << 7]: normal 7, 0 = bits 111 000 -> 0x07; exceptional 1 -> 0x01 in its own byte.
    assert base64.urlsafe_b64decode(encode_compressed(as_array([1 << 7])) + "==") == bytes(
        [1, 0, 0, 1, 0x07, 0x01]
    )


def test_bytes_input_and_other_algorithms() -> None:
    text = build(1, [1, 0], algo=2)
    assert decode_compressed(text.encode(), algorithm=2).tolist() == [1]
    assert encode_compressed(as_array([1]), algorithm=2) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "an empty string"),
        ("AQAAAQE!", "a character outside URL-safe base64 ('!' at position 7)"),
        ("AQAAAQE=", "'=' padding ('=' at position 7)"),
        ("AQAAA", "impossible length 5"),
        (wire(b"\x01\x00"), "2 byte(s), shorter than the 4-byte header"),
        (build(0, [1, 0]), "a header that states 0 values"),
        (wire(b"\x01\xff\xff\xff" + b"\x00" * 4), "16777215 values but only 4 byte(s)"),
        (build(1, [1, 0], algo=2), "Chromaprint algorithm 2, not 1"),
        (build(1, [7, 0], [26]), "bit position 33 (beyond 32) in value 0"),
        (build(2, [1, 0, 7, 2, 0], [24]), "bit position 33 (beyond 32) in value 1"),
        (build(1, [7, 0]), "0 byte(s) of exceptional (5-bit) symbols where 1 symbols need 1"),
        (build(1, [7, 7, 0], [1]), "1 byte(s) of exceptional (5-bit) symbols where 2"),
        (build(2, [1, 0, 1, 1, 1]), "data for 1 of the 2 values"),
        (wire(b"\x01\x00\x00\x01" + pack([1, 0], 3) + b"\x00"), "1 byte(s) of trailing data"),
        (wire(b"\x01\x00\x00\x01\x01\x80"), "1 byte(s) of trailing data"),
        (wire(b"\x01\x00\x00\x01\x81"), "non-zero padding bits after the normal (3-bit)"),
        (wire(b"\x01\x00\x00\x01\x07\x81"), "non-zero padding bits after the exceptional"),
        (CRASH, "trailing data"),
    ],
)
def test_every_malformed_string_is_refused_with_what_arrived(text: str, message: str) -> None:
    with pytest.raises(FingerprintEncodingError) as info:
        decode_compressed(text)
    assert info.value.expected_encoding == "chromaprint_compressed"
    assert message in str(info.value)
    assert str(info.value).startswith("expected chromaprint_compressed (")


def test_non_ascii_bytes_are_refused() -> None:
    with pytest.raises(FingerprintEncodingError, match="bytes that are not ASCII"):
        decode_compressed(b"AQAAAQE\xff")


def test_a_count_above_the_callers_bound_is_refused_before_decoding() -> None:
    text = encode_compressed(as_array(list(range(50))))
    assert decode_compressed(text, max_values=50).size == 50
    with pytest.raises(FingerprintEncodingError, match="states 50 values, more than 49"):
        decode_compressed(text, max_values=49)


def test_encoding_nothing_or_too_much_is_an_error() -> None:
    with pytest.raises(FingerprintEncodingError, match="0 values to encode"):
        encode_compressed(np.zeros(0, dtype=np.uint32))


# --- properties -----------------------------------------------------------------------------


@PROPERTY
@given(uint32_arrays)
def test_round_trip_and_same_bytes_as_libchromaprint(values: list[int]) -> None:
    arr = as_array(values)
    text = encode_compressed(arr)
    assert text == chromaprint_encode(arr)
    decoded = decode_compressed(text)
    assert decoded.dtype == np.uint32
    assert np.array_equal(decoded, arr)


def _value_or_clean_error(data: str | bytes) -> None:
    try:
        out = decode_compressed(data)
    except FingerprintEncodingError as exc:
        error = exc
    else:
        assert out.dtype == np.uint32
        assert out.size > 0
        return
    assert error.expected_encoding == "chromaprint_compressed"


@PROPERTY
@given(st.text(max_size=300))
def test_any_text_gives_values_or_a_clean_error(text: str) -> None:
    _value_or_clean_error(text)


@PROPERTY
@given(st.binary(max_size=300))
def test_any_payload_gives_values_or_a_clean_error(payload: bytes) -> None:
    _value_or_clean_error(wire(payload))
    _value_or_clean_error(payload)


@PROPERTY
@given(
    st.integers(0, 255),
    st.integers(0, 2**24 - 1),
    st.lists(st.integers(0, 7), max_size=200),
    st.lists(st.integers(0, 31), max_size=40),
)
def test_any_symbol_streams_give_values_or_a_clean_error(
    algo: int, count: int, normal: list[int], exceptional: list[int]
) -> None:
    _value_or_clean_error(build(count, normal, exceptional, algo))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    values = draw(uint32_arrays)
    raw = bytearray(base64.urlsafe_b64decode(encode_compressed(as_array(values)) + "=="))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(raw)))
        kind = draw(st.sampled_from(["flip", "insert", "delete"]))
        if kind == "insert" or not raw:
            raw.insert(at, draw(st.integers(0, 255)))
        elif kind == "delete":
            del raw[min(at, len(raw) - 1)]
        else:
            raw[min(at, len(raw) - 1)] ^= 1 << draw(st.integers(0, 7))
    return bytes(raw)


@PROPERTY
@given(mutated())
def test_mutated_real_strings_never_crash(payload: bytes) -> None:
    _value_or_clean_error(wire(payload))


# --- real fingerprints: fpcalc's compressed output against its raw values -------------------

CORPUS_PACKAGES = ("drascula-music", "fretsonfire-songs-muldjord", "fretsonfire-songs-sectoid")


def _corpus_files() -> list[Path]:
    found: set[Path] = set()
    if shutil.which("dpkg") is None:
        return []
    for package in CORPUS_PACKAGES:
        listing = subprocess.run(
            ["dpkg", "-L", package], capture_output=True, text=True, check=False
        ).stdout
        for line in listing.splitlines():
            path = Path(line)
            if path.suffix.lower() == ".ogg" and path.is_file():
                found.add(path.resolve())
    return sorted(found)


def _fpcalc(paths: Sequence[Path], *extra: str) -> list[dict[str, Any]]:
    """One ``fpcalc -json`` run over many files.

    Without ``-ignore-errors`` fpcalc 1.5 stops at the first file whose last audio frame reports
    "End of file" (most of them), after printing that file's valid result.
    """
    proc = subprocess.run(
        ["fpcalc", "-json", "-ignore-errors", *extra, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def _assert_codec_matches_fpcalc(paths: Sequence[Path]) -> int:
    compressed = _fpcalc(paths)
    raw = _fpcalc(paths, "-raw")
    assert len(compressed) == len(raw) == len(paths)
    for text_result, raw_result in zip(compressed, raw, strict=True):
        text = str(text_result["fingerprint"])
        values = as_array([int(v) & 0xFFFFFFFF for v in raw_result["fingerprint"]])
        assert np.array_equal(decode_compressed(text), values)
        assert encode_compressed(values) == text
    return len(paths)


def test_fpcalc_strings_of_generated_audio(
    song_a_wav: Path, song_b_wav: Path, song_long_wav: Path, tone_wav: Path, short_wav: Path
) -> None:
    assert _assert_codec_matches_fpcalc(
        [song_a_wav, song_b_wav, song_long_wav, tone_wav, short_wav]
    )


def test_fpcalc_strings_of_the_dev_corpus() -> None:
    """Every valid fingerprint of the dev corpus (fpcalc's default output) decodes to fpcalc's
    raw values and encodes back to the same string. `scripts/setup` installs the corpus; a
    machine without it skips, except under CI, where that fails the run."""
    files = _corpus_files()
    if not files:
        unavailable("the dev corpus", "apt-get install " + " ".join(CORPUS_PACKAGES))
    assert _assert_codec_matches_fpcalc(files) == len(files)


def test_the_server_package_binds_no_native_chromaprint_code() -> None:
    """Untrusted bytes never reach native code in the server process: nothing in the package
    binds a C library of its own; fingerprints come from child processes, strings from the pure
    decoder."""
    import soundseal

    package = Path(soundseal.__file__).parent
    users = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if any(word in path.read_text(encoding="utf-8") for word in ("import ctypes", "CDLL("))
    ]
    assert users == []
