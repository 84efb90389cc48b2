"""C2SP tlog-tiles paths, tile widths and tile contents, checked against the spec's text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soundseal.transparency.merkle import leaf_hash, root_of
from soundseal.transparency.stored_tree import Address, hashes_to_store
from soundseal.transparency.tiles import (
    ENTRIES,
    MAX_TILE_LEVEL,
    TILE_WIDTH,
    TileAddress,
    TileLevel,
    hash_tile_bytes,
    parse_tile_path,
    tile_hashes_plan,
    tile_path,
    tile_width,
    tiles_for_addresses,
)
from soundseal.transparency.tree_errors import TileDataError, TilePathError, TreeSizeError


@st.composite
def tile_addresses(draw: st.DrawFn) -> TileAddress:
    level: TileLevel = draw(st.one_of(st.just(ENTRIES), st.integers(0, MAX_TILE_LEVEL)))
    tree_level = 0 if level == ENTRIES else int(level)
    limit = (1 << 64) // TILE_WIDTH ** (tree_level + 1)
    index = draw(st.integers(0, max(limit - 1, 0)))
    return TileAddress(level, index, draw(st.integers(1, TILE_WIDTH)))


def test_the_spec_index_example() -> None:
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tile_path(ENTRIES, 1234067, 5) == "tile/entries/x001/x234/067.p/5"
    assert parse_tile_path("tile/3/x001/x234/067.p/5") == TileAddress(3, 1234067, 5)


def _tiles_of(size: int) -> dict[int, list[int]]:
    """The width of every tile of a tree, by tile level."""
    found: dict[int, list[int]] = {}
    for level in range(4):
        index = 0
        while True:
            try:
                found.setdefault(level, []).append(tile_width(level, index, size))
            except TreeSizeError:
                break
            index += 1
    return found


def test_the_spec_tree_size_examples() -> None:
    tiles = _tiles_of(70_000)
    assert tiles[0] == [256] * 273 + [112]
    assert tiles[1] == [256, 17]
    assert tiles[2] == [1]
    assert tiles[3] == []
    small = _tiles_of(256)
    assert small[0] == [256]
    assert small[1] == [1]
    assert small[2] == []


@settings(deadline=None)
@given(tile_addresses())
def test_paths_round_trip(address: TileAddress) -> None:
    path = tile_path(address.level, address.index, address.width)
    assert parse_tile_path(path) == address
    assert address.path == path
    assert path.endswith(f".p/{address.width}") == (address.width < TILE_WIDTH)


@settings(deadline=None)
@given(st.text())
def test_parsing_any_text_raises_only_a_tile_path_error(path: str) -> None:
    try:
        address = parse_tile_path(path)
    except TilePathError:
        return
    assert tile_path(address.level, address.index, address.width) == path


@settings(deadline=None)
@given(st.lists(st.sampled_from(["tile", "entries", "/", ".p", "x", "0", "1", "9", "00", "256"])))
def test_parsing_path_like_text_raises_only_a_tile_path_error(pieces: list[str]) -> None:
    path = "".join(pieces)
    try:
        address = parse_tile_path(path)
    except TilePathError:
        return
    assert tile_path(address.level, address.index, address.width) == path


@pytest.mark.parametrize(
    "path",
    [
        "tile/00/000",
        "tile/01/000",
        "tile/64/000",
        "tile/0/x000/001",
        "tile/0/001/002",
        "tile/0/x001",
        "tile/0/1234",
        "tile/0/12",
        "tile/0/000.p/256",
        "tile/0/000.p/0",
        "tile/0/000.p/05",
        "tile/0/000.p/",
        "tile/0/000.p",
        "tile/0/\u0660\u0660\u0660",
        "tile/0/000/",
        "/tile/0/000",
        "tile/entry/000",
        "tile/0/x018/x446/x744/x073/x709/x551/616",
        "tile/7/001",
        "tiles/0/000",
    ],
)
def test_non_canonical_or_out_of_range_paths_are_refused(path: str) -> None:
    with pytest.raises(TilePathError):
        parse_tile_path(path)


def test_the_largest_addresses_are_accepted() -> None:
    last = (1 << 64) // TILE_WIDTH - 1
    assert parse_tile_path(tile_path(0, last)).index == last
    assert parse_tile_path(tile_path(MAX_TILE_LEVEL, 0)).index == 0


@pytest.mark.parametrize(
    ("level", "index", "width"),
    [(-1, 0, 1), (64, 0, 1), (0, -1, 1), (0, 0, 0), (0, 0, 257), (True, 0, 1), ("1", 0, 1)],
)
def test_tile_path_refuses_a_bad_address(level: TileLevel, index: int, width: int) -> None:
    with pytest.raises(TilePathError):
        tile_path(level, index, width)


def test_hash_tiles_hold_the_spec_subtree_hashes() -> None:
    # MTH(D[(n*256 + i) * 256**l : (n*256 + i + 1) * 256**l]) for i in [0, W).
    size = 70_000
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    _, rows = hashes_to_store(0, [], leaves)
    stored: dict[Address, bytes] = {(level, index): h for level, index, h in rows}
    for level, n in [(0, 0), (0, 273), (1, 0), (1, 1), (2, 0)]:
        width = tile_width(level, n, size)
        plan = tile_hashes_plan(level, n, width)
        span = TILE_WIDTH**level
        expected = [
            root_of(leaves[(n * 256 + i) * span : (n * 256 + i + 1) * span]) for i in range(width)
        ]
        assert [stored[a] for a in plan] == expected
        assert hash_tile_bytes([stored[a] for a in plan]) == b"".join(expected)


def test_tile_hashes_plan_refuses_entry_bundles() -> None:
    with pytest.raises(TilePathError):
        tile_hashes_plan(ENTRIES, 0)


@pytest.mark.parametrize("hashes", [[], [b"\x00" * 32] * 257, [b"\x00" * 31]])
def test_hash_tile_bytes_refuses_a_bad_tile(hashes: list[bytes]) -> None:
    with pytest.raises(TileDataError):
        hash_tile_bytes(hashes)


@settings(deadline=None)
@given(st.integers(1, 1 << 40), st.data())
def test_tiles_for_addresses_names_a_tile_holding_each_address(
    size: int, data: st.DataObject
) -> None:
    level = data.draw(st.integers(0, size.bit_length() - 1))
    index = data.draw(st.integers(0, (size >> level) - 1))
    (tile,) = tiles_for_addresses([(level, index)], size)
    assert not isinstance(tile.level, str)
    first, last = index << (level % 8), ((index + 1) << (level % 8)) - 1
    assert tile.level == level // 8
    assert tile.index * TILE_WIDTH <= first <= last < tile.index * TILE_WIDTH + tile.width
    assert tile.width == tile_width(tile.level, tile.index, size)
