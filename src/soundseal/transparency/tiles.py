"""C2SP tlog-tiles addressing: tile paths, which tiles a tree has, which hashes a tile holds.

A tiled log serves its Merkle tree as static files, so a log, a cache or a mirror can answer
every client without computing anything per request. Tiles have height 8: the tile at tile
level L and index N holds, for i in [0, W), MTH(D[(N*256 + i) * 256**L : (N*256 + i + 1) *
256**L]): in the stored-hash model (`stored_tree`) that is exactly the stored hash at tree
level 8*L, index N*256 + i. `tile_hashes_plan` is therefore the one query a log makes to serve
a tile, and `tiles_for_addresses` tells a client which tiles to fetch for a proof plan.

Paths follow the spec to the letter (`tile/<L>/<N>[.p/<W>]`, N in 3-digit groups with all
but the last prefixed `x`, `entries` in place of L for entry bundles) and parsing accepts only
the canonical spelling, so one tile has exactly one path. Indexes are limited to tiles that
start below 2**64 leaves, the largest tree a checkpoint can name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from soundseal.transparency.merkle import HASH_SIZE
from soundseal.transparency.stored_tree import Address
from soundseal.transparency.tree_errors import TileDataError, TilePathError, TreeSizeError

__all__ = [
    "ENTRIES",
    "MAX_TILE_LEVEL",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "TileAddress",
    "TileLevel",
    "hash_tile_bytes",
    "parse_tile_path",
    "tile_hashes_plan",
    "tile_path",
    "tile_width",
    "tiles_for_addresses",
]

TILE_HEIGHT: Final = 8
TILE_WIDTH: Final = 1 << TILE_HEIGHT
MAX_TILE_LEVEL: Final = 63
#: The level name of entry bundles in tile paths.
ENTRIES: Final = "entries"
TileLevel = int | Literal["entries"]

_MAX_TREE_SIZE: Final = 1 << 64
_DIGITS: Final = frozenset("0123456789")


@dataclass(frozen=True, slots=True)
class TileAddress:
    """A tile (or entry bundle, level `ENTRIES`): its level, index and width (1..256)."""

    level: TileLevel
    index: int
    width: int = TILE_WIDTH

    @property
    def path(self) -> str:
        """The tile's path below the log's prefix."""
        return tile_path(self.level, self.index, self.width)


def _tree_level(level: TileLevel) -> int:
    """The tile level whose index range applies: entry bundles share level 0's."""
    return 0 if level == ENTRIES else int(level)


def _check_address(level: TileLevel, index: int, width: int) -> None:
    if level != ENTRIES and (
        isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= MAX_TILE_LEVEL
    ):
        raise TilePathError(f"a tile level is 0..{MAX_TILE_LEVEL} or {ENTRIES!r}, not {level!r}")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise TilePathError(f"a tile index is a non-negative integer, not {index!r}")
    if index * TILE_WIDTH ** (_tree_level(level) + 1) >= _MAX_TREE_SIZE:
        raise TilePathError(f"tile {index} at level {level} starts beyond 2**64 leaves")
    if isinstance(width, bool) or not isinstance(width, int) or not 1 <= width <= TILE_WIDTH:
        raise TilePathError(f"a tile width is 1..{TILE_WIDTH}, not {width!r}")


def tile_path(level: TileLevel, index: int, width: int = TILE_WIDTH) -> str:
    """The path of a tile below the log's prefix, e.g. ``tile/0/x001/x234/067.p/5``."""
    _check_address(level, index, width)
    groups = []
    while True:
        groups.append(f"{index % 1000:03d}")
        index //= 1000
        if not index:
            break
    groups.reverse()
    encoded = "/".join([*(f"x{g}" for g in groups[:-1]), groups[-1]])
    suffix = "" if width == TILE_WIDTH else f".p/{width}"
    return f"tile/{level}/{encoded}{suffix}"


def _decimal(text: str, what: str) -> int:
    if not text or not set(text) <= _DIGITS or (len(text) > 1 and text[0] == "0"):
        raise TilePathError(f"{what} is not a decimal number without leading zeros")
    return int(text)


def parse_tile_path(path: str) -> TileAddress:
    """The tile a path names; raises `TilePathError` for anything but a canonical tile path."""
    if not isinstance(path, str):
        raise TilePathError("a tile path is text")
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise TilePathError("a tile path has the form tile/<L>/<N>[.p/<W>]")
    level: TileLevel = ENTRIES if parts[1] == ENTRIES else _decimal(parts[1], "the tile level")
    groups = parts[2:]
    width = TILE_WIDTH
    if len(groups) >= 2 and groups[-2].endswith(".p"):
        width = _decimal(groups[-1], "the partial tile width")
        if width >= TILE_WIDTH:
            raise TilePathError(f"a partial tile is 1..{TILE_WIDTH - 1} hashes wide")
        groups = [*groups[:-2], groups[-2][:-2]]
    digits = []
    for position, group in enumerate(groups):
        if position < len(groups) - 1:
            if not group.startswith("x"):
                raise TilePathError("all but the last index group begin with 'x'")
            group = group[1:]
        if len(group) != 3 or not set(group) <= _DIGITS:
            raise TilePathError("an index group is three decimal digits")
        digits.append(group)
    if len(digits) > 1 and digits[0] == "000":
        raise TilePathError("a tile index has no leading zero groups")
    index = int("".join(digits))
    _check_address(level, index, width)
    return TileAddress(level, index, width)


def tile_width(level: int, index: int, size: int) -> int:
    """How many hashes tile (`level`, `index`) holds in a tree of `size` leaves.

    256 for a full tile, less for the rightmost partial tile; `TreeSizeError` when the tree
    has no such tile (empty tiles are never served). For entry bundles use level 0.
    """
    _check_address(level, index, TILE_WIDTH)
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise TreeSizeError(f"the tree size must be a non-negative integer, not {size!r}")
    hashes_at_level = size >> (TILE_HEIGHT * level)
    width = min(hashes_at_level - index * TILE_WIDTH, TILE_WIDTH)
    if width <= 0:
        raise TreeSizeError(f"a tree of {size} leaves has no tile {index} at level {level}")
    return width


def tile_hashes_plan(level: TileLevel, index: int, width: int = TILE_WIDTH) -> list[Address]:
    """The stored (tree level, index) hashes that make up a hash tile, in tile order."""
    if isinstance(level, str):
        raise TilePathError("entry bundles hold entries, not stored hashes")
    _check_address(level, index, width)
    first = index * TILE_WIDTH
    return [(TILE_HEIGHT * level, first + i) for i in range(width)]


def hash_tile_bytes(hashes: Sequence[bytes]) -> bytes:
    """The body of a hash tile: its 1..256 hashes concatenated, in tile order."""
    if not 1 <= len(hashes) <= TILE_WIDTH:
        raise TileDataError(f"a tile holds 1..{TILE_WIDTH} hashes, not {len(hashes)}")
    for h in hashes:
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise TileDataError(f"a tile hash is {HASH_SIZE} bytes")
    return b"".join(hashes)


def tiles_for_addresses(addresses: Iterable[Address], size: int) -> list[TileAddress]:
    """The hash tiles of a tree of `size` leaves a client fetches to learn `addresses`.

    Each stored hash at tree level 8*L + h (h < 8) is computed from 2**h consecutive hashes
    of one tile at tile level L, so one tile serves it; the width is the tile's width in this
    tree. Sorted by level then index, each tile once.
    """
    wanted: set[tuple[int, int]] = set()
    for level, index in addresses:
        tile_level, height = divmod(level, TILE_HEIGHT)
        wanted.add((tile_level, (index << height) // TILE_WIDTH))
    return [
        TileAddress(tile_level, index, tile_width(tile_level, index, size))
        for tile_level, index in sorted(wanted)
    ]
