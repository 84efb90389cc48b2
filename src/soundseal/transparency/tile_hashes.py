"""Reading a tiled log as a client: the stored hashes that fetched hash tiles imply.

An auditor or a listener checking a checkpoint fetches tiles and must get from them to roots
and proofs without trusting the server. `TileHashes` answers `lookup[(level, index)]` for
any complete subtree it can compute from the tiles it was given: directly from one tile when
the subtree sits inside a tile's span (levels 8*L .. 8*L + 7), and otherwise by hashing the
two halves below, down to tiles of lower levels. It therefore plugs straight into
`stored_tree.root_hash`, `inclusion_proof` and `consistency_proof`; whatever it computes is
only as trustworthy as the comparison of the resulting root with a verified checkpoint.

Hashing within a tile works on the tile's bytes: two neighbouring hashes are 64 contiguous
bytes, so a level of a tile is reduced with one SHA-256 call per pair and no per-hash objects.
That keeps the root of a million leaves, from level-0 tiles alone, at about one SHA-256 call
per leaf.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from soundseal.transparency.merkle import HASH_SIZE, node_hash
from soundseal.transparency.stored_tree import Address, root_hash
from soundseal.transparency.tiles import TILE_HEIGHT, TILE_WIDTH, parse_tile_path
from soundseal.transparency.tree_errors import TileDataError

__all__ = ["TileHashes", "root_from_tiles"]

_PAIR = 2 * HASH_SIZE
_MAX_LEVEL = 64  # the root of a tree of 2**64 leaves, the largest a checkpoint names


def _subtree_root(hashes: bytes) -> bytes:
    """The root of the perfect subtree whose leaves are the concatenated `hashes` (2**h)."""
    sha256 = hashlib.sha256
    while len(hashes) > HASH_SIZE:
        hashes = b"".join(
            [sha256(b"\x01" + hashes[i : i + _PAIR]).digest() for i in range(0, len(hashes), _PAIR)]
        )
    return hashes


class TileHashes:
    """The stored hashes computable from a set of hash tiles, keyed by (level, index).

    Built from a mapping of tile path to tile bytes, as fetched; raises `TilePathError` for a
    path that is not a hash-tile path and `TileDataError` for bytes of the wrong length or
    two copies of one tile (a partial and a fuller one) that disagree. Looking up an address
    the tiles cannot give raises `KeyError`, as a mapping does.
    """

    def __init__(self, tiles: Mapping[str, bytes]) -> None:
        self._tiles: dict[tuple[int, int], bytes] = {}
        self._derived: dict[Address, bytes] = {}
        for path, data in tiles.items():
            tile = parse_tile_path(path)
            level, index, width = tile.level, tile.index, tile.width
            if isinstance(level, str):
                raise TileDataError(f"{path} is an entry bundle, not a hash tile")
            if not isinstance(data, bytes) or len(data) != width * HASH_SIZE:
                raise TileDataError(f"{path} must hold {width * HASH_SIZE} bytes")
            known = self._tiles.get((level, index))
            if known is not None:
                shorter, longer = sorted((known, data), key=len)
                if not longer.startswith(shorter):
                    raise TileDataError(f"two copies of tile {level}/{index} disagree")
                data = longer
            self._tiles[(level, index)] = data

    def __getitem__(self, address: Address, /) -> bytes:
        level, index = address
        if not 0 <= level <= _MAX_LEVEL or index < 0:
            raise KeyError(address)
        tile_level, height = divmod(level, TILE_HEIGHT)
        first = index << height
        tile = self._tiles.get((tile_level, first // TILE_WIDTH))
        offset = (first % TILE_WIDTH) * HASH_SIZE
        end = offset + (HASH_SIZE << height)
        if tile is not None and len(tile) >= end:
            return _subtree_root(tile[offset:end])
        if level == 0:
            raise KeyError(address)
        derived = self._derived.get(address)
        if derived is None:
            derived = node_hash(self[(level - 1, 2 * index)], self[(level - 1, 2 * index + 1)])
            if height == 0:
                # The root of a whole tile of the level below: worth keeping for later lookups.
                self._derived[address] = derived
        return derived


def root_from_tiles(size: int, tiles: Mapping[str, bytes]) -> bytes:
    """The root of the tree of `size` leaves, computed from fetched hash tiles.

    Raises `StoredHashError` when the tiles do not cover what the root needs.
    """
    return root_hash(size, TileHashes(tiles))
