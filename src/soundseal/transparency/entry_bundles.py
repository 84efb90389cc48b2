"""C2SP tlog-tiles entry bundles: a tile's worth of log entries in one file.

A bundle is the entries of up to 256 consecutive leaves, each preceded by its length as a
big-endian uint16; entry i of bundle N hashes (`merkle.leaf_hash`) to hash i of level-0 tile
N. Bundles come from servers a client does not trust, so decoding refuses anything but an
exact sequence of 1..256 length-prefixed entries, and raises only `EntryBundleError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from soundseal.transparency.tiles import TILE_WIDTH
from soundseal.transparency.tree_errors import EntryBundleError

__all__ = ["MAX_ENTRY_SIZE", "decode_entry_bundle", "encode_entry_bundle"]

#: The largest entry a uint16 length prefix can describe.
MAX_ENTRY_SIZE: Final = 0xFFFF
_PREFIX_SIZE: Final = 2


def encode_entry_bundle(entries: Sequence[bytes]) -> bytes:
    """The bundle of 1..256 entries, each at most 65,535 bytes."""
    if not 1 <= len(entries) <= TILE_WIDTH:
        raise EntryBundleError(f"a bundle holds 1..{TILE_WIDTH} entries, not {len(entries)}")
    parts = []
    for position, entry in enumerate(entries):
        if not isinstance(entry, bytes):
            raise EntryBundleError(f"entry {position} is not bytes")
        if len(entry) > MAX_ENTRY_SIZE:
            raise EntryBundleError(f"entry {position} is longer than {MAX_ENTRY_SIZE} bytes")
        parts.append(len(entry).to_bytes(_PREFIX_SIZE, "big"))
        parts.append(entry)
    return b"".join(parts)


def decode_entry_bundle(
    data: bytes | bytearray | memoryview, expected_count: int | None = None
) -> list[bytes]:
    """The entries of a bundle; with `expected_count`, the bundle must hold exactly that many.

    Raises `EntryBundleError` for a truncated prefix or entry, an empty bundle, more than
    256 entries, or a count other than the one expected.
    """
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise EntryBundleError("an entry bundle is bytes")
    view = memoryview(data)
    entries: list[bytes] = []
    offset = 0
    while offset < len(view):
        if len(entries) == TILE_WIDTH:
            raise EntryBundleError(f"the bundle holds more than {TILE_WIDTH} entries")
        if offset + _PREFIX_SIZE > len(view):
            raise EntryBundleError(f"entry {len(entries)} has a truncated length prefix")
        length = int.from_bytes(view[offset : offset + _PREFIX_SIZE], "big")
        offset += _PREFIX_SIZE
        if offset + length > len(view):
            raise EntryBundleError(f"entry {len(entries)} is truncated")
        entries.append(bytes(view[offset : offset + length]))
        offset += length
    if not entries:
        raise EntryBundleError("an entry bundle is never empty")
    if expected_count is not None and len(entries) != expected_count:
        raise EntryBundleError(f"the bundle holds {len(entries)} entries, not {expected_count}")
    return entries
