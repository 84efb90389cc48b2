"""The exception tree of the Merkle-tree core, so a caller catches one base class.

Every refusal from the tree, proof and tile modules is a `TreeError`; it subclasses
`ValueError` because each one means an argument (a proof, a size, a path, some bytes
fetched from elsewhere) is not acceptable, never that the code itself failed.

    TreeError(ValueError)
    ├── ProofError          an inclusion or consistency proof is refused
    ├── TreeSizeError       an index or tree size outside what the operation is defined for
    ├── StoredHashError     a stored hash the operation needs is absent or not 32 bytes
    ├── TilePathError       a path that is not a C2SP tlog-tiles tile or entry-bundle path
    ├── TileDataError       tile bytes that do not hold the hashes their path promises
    └── EntryBundleError    entry-bundle bytes (or entries) outside the bundle encoding

Parsers of outside input (`parse_tile_path`, `decode_entry_bundle`, the tile reader) raise
nothing but their own subclass, whatever they are given.
"""

from __future__ import annotations

__all__ = [
    "EntryBundleError",
    "ProofError",
    "StoredHashError",
    "TileDataError",
    "TilePathError",
    "TreeError",
    "TreeSizeError",
]


class TreeError(ValueError):
    """Base class of every error the Merkle-tree core raises."""


class ProofError(TreeError):
    """An inclusion or consistency proof does not verify, or is malformed."""


class TreeSizeError(TreeError):
    """An index or tree size is negative, too large, or out of order for the operation."""


class StoredHashError(TreeError):
    """A stored subtree hash the operation needs is missing, or is not a 32-byte hash."""


class TilePathError(TreeError):
    """A tile path does not follow the tlog-tiles encoding."""


class TileDataError(TreeError):
    """A tile's bytes do not match its path (length, or a disagreeing copy)."""


class EntryBundleError(TreeError):
    """An entry bundle cannot be encoded or decoded."""
