"""Entry bundles: uint16 big-endian length-prefixed entries, decoded strictly."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soundseal.transparency.entry_bundles import (
    MAX_ENTRY_SIZE,
    decode_entry_bundle,
    encode_entry_bundle,
)
from soundseal.transparency.tiles import TILE_WIDTH
from soundseal.transparency.tree_errors import EntryBundleError

bundles = st.lists(st.binary(max_size=300), min_size=1, max_size=TILE_WIDTH)


@settings(deadline=None)
@given(bundles)
def test_bundles_round_trip_in_the_spec_layout(entries: list[bytes]) -> None:
    data = encode_entry_bundle(entries)
    assert data == b"".join(struct.pack(">H", len(e)) + e for e in entries)
    assert decode_entry_bundle(data) == entries
    assert decode_entry_bundle(data, expected_count=len(entries)) == entries
    assert decode_entry_bundle(bytearray(data)) == entries


@settings(deadline=None)
@given(st.binary(max_size=2000))
def test_decoding_any_bytes_raises_only_an_entry_bundle_error(data: bytes) -> None:
    try:
        entries = decode_entry_bundle(data)
    except EntryBundleError:
        return
    assert encode_entry_bundle(entries) == data


@settings(deadline=None)
@given(bundles, st.data())
def test_a_truncated_bundle_is_refused(entries: list[bytes], data: st.DataObject) -> None:
    encoded = encode_entry_bundle(entries)
    cut = data.draw(st.integers(0, len(encoded) - 1))
    try:
        shorter = decode_entry_bundle(encoded[:cut])
    except EntryBundleError:
        return
    # Cutting exactly between entries leaves a shorter, valid bundle.
    assert shorter == entries[: len(shorter)]
    assert len(shorter) < len(entries)


def test_bundle_limits() -> None:
    with pytest.raises(EntryBundleError):
        decode_entry_bundle(b"")
    with pytest.raises(EntryBundleError):
        decode_entry_bundle(b"\x00\x00" * (TILE_WIDTH + 1))
    assert decode_entry_bundle(b"\x00\x00" * TILE_WIDTH) == [b""] * TILE_WIDTH
    with pytest.raises(EntryBundleError):
        decode_entry_bundle(b"\x00\x00", expected_count=2)
    with pytest.raises(EntryBundleError):
        encode_entry_bundle([])
    with pytest.raises(EntryBundleError):
        encode_entry_bundle([b""] * (TILE_WIDTH + 1))
    with pytest.raises(EntryBundleError):
        encode_entry_bundle([b"x" * (MAX_ENTRY_SIZE + 1)])
    big = b"y" * MAX_ENTRY_SIZE
    assert decode_entry_bundle(encode_entry_bundle([big])) == [big]
