"""A client computing roots and proofs from the tiles a log serves, and refusing bad tiles."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soundseal.transparency.merkle import leaf_hash, root_of, verify_inclusion
from soundseal.transparency.stored_tree import (
    Address,
    consistency_plan,
    consistency_proof,
    hashes_to_store,
    inclusion_plan,
    inclusion_proof,
    root_plan,
)
from soundseal.transparency.tile_hashes import TileHashes, root_from_tiles
from soundseal.transparency.tiles import (
    TileAddress,
    hash_tile_bytes,
    tile_hashes_plan,
    tile_path,
    tile_width,
    tiles_for_addresses,
)
from soundseal.transparency.tree_errors import StoredHashError, TileDataError, TreeError

BIG = 70_000


@cache
def _log(size: int) -> tuple[list[bytes], dict[Address, bytes]]:
    leaves = [leaf_hash(b"entry %d" % i) for i in range(size)]
    _, rows = hashes_to_store(0, [], leaves)
    return leaves, {(level, index): h for level, index, h in rows}


def _serve(rows: dict[Address, bytes], tile: TileAddress) -> bytes:
    """What a log answers for a tile: one lookup of the rows its plan names."""
    assert not isinstance(tile.level, str)
    return hash_tile_bytes([rows[a] for a in tile_hashes_plan(tile.level, tile.index, tile.width)])


def _fetch(rows: dict[Address, bytes], tiles: list[TileAddress]) -> dict[str, bytes]:
    return {tile.path: _serve(rows, tile) for tile in tiles}


def _level_zero_tiles(size: int) -> list[TileAddress]:
    count = -(-size // 256)
    return [TileAddress(0, n, tile_width(0, n, size)) for n in range(count)]


@settings(max_examples=30, deadline=None)
@given(st.integers(1, BIG), st.data())
def test_a_client_proves_inclusion_and_consistency_from_the_tiles_its_plan_names(
    size: int, data: st.DataObject
) -> None:
    leaves, rows = _log(BIG)
    index = data.draw(st.integers(0, size - 1))
    size1 = data.draw(st.integers(1, size))
    plan = inclusion_plan(index, size) + consistency_plan(size1, size) + root_plan(size)
    tiles = TileHashes(_fetch(rows, tiles_for_addresses(plan, size)))
    proof = inclusion_proof(index, size, tiles)
    assert proof == inclusion_proof(index, size, rows)
    assert consistency_proof(size1, size, tiles) == consistency_proof(size1, size, rows)
    verify_inclusion(leaves[index], index, size, proof, root_of(leaves[:size]))


@settings(deadline=None)
@given(st.integers(1, 3000))
def test_the_root_from_level_zero_tiles_is_the_tree_root(size: int) -> None:
    leaves, rows = _log(size)
    assert root_from_tiles(size, _fetch(rows, _level_zero_tiles(size))) == root_of(leaves)


def test_the_root_of_a_larger_tree_from_level_zero_tiles_alone() -> None:
    leaves, rows = _log(BIG)
    assert root_from_tiles(BIG, _fetch(rows, _level_zero_tiles(BIG))) == root_of(leaves)


def test_missing_tiles_leave_the_root_unknown() -> None:
    _, rows = _log(1000)
    tiles = _fetch(rows, _level_zero_tiles(1000))
    del tiles[tile_path(0, 1)]
    with pytest.raises(StoredHashError):
        root_from_tiles(1000, tiles)


def test_tiles_of_the_wrong_length_or_kind_are_refused() -> None:
    _, rows = _log(600)
    tile = _serve(rows, TileAddress(0, 0))
    with pytest.raises(TileDataError):
        TileHashes({tile_path(0, 0): tile[:-1]})
    with pytest.raises(TileDataError):
        TileHashes({tile_path(0, 0, 5): tile})
    with pytest.raises(TileDataError):
        TileHashes({"tile/entries/000": tile})


def test_a_partial_and_a_full_copy_of_one_tile_must_agree() -> None:
    _, rows = _log(600)
    full = _serve(rows, TileAddress(0, 0))
    assert TileHashes({tile_path(0, 0): full, tile_path(0, 0, 9): full[: 9 * 32]})[(8, 0)]
    changed = bytes([full[0] ^ 1]) + full[1 : 9 * 32]
    with pytest.raises(TileDataError):
        TileHashes({tile_path(0, 0): full, tile_path(0, 0, 9): changed})


@settings(deadline=None)
@given(st.dictionaries(st.text(max_size=30), st.binary(max_size=64), max_size=4))
def test_any_fetched_mapping_raises_only_tree_errors(tiles: dict[str, bytes]) -> None:
    try:
        reader = TileHashes(tiles)
    except TreeError:
        return
    for address in [(0, 1 << 70), (65, 0), (10_000, 0), (-1, 0), (0, -1)]:
        with pytest.raises(KeyError):
            reader[address]
