"""The log as a table of complete-subtree hashes: appending, and planning proofs.

A log kept in a database stores, for every *complete* subtree, its hash at an address
(level, index): level 0 holds the leaf hashes, and the level-L node at index k covers the
leaves [k * 2**L, (k + 1) * 2**L). Such a row never changes once written, however the log
grows, which is what makes the table append-only and the tiles of C2SP tlog-tiles (the rows
at every eighth level) immutable.

Two consequences shape this module:

* Appending needs no reads beyond the *right edge*: the hashes of the maximal complete
  subtrees the current tree splits into (one per set bit of its size). `hashes_to_store`
  turns the edge and the new leaf hashes into the rows to insert and the next edge.
* Every root and proof hash is either a stored row or the hash of a range [a, size) at the
  tree's right edge, which is combined from O(log n) stored rows. So a proof is first a
  *plan* (the addresses it needs, known from the sizes alone), answered by one query, then
  assembled from what the query returned.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import NamedTuple, Protocol

from soundseal.transparency.merkle import EMPTY_ROOT, HASH_SIZE, node_hash, split_point
from soundseal.transparency.tree_errors import StoredHashError, TreeSizeError

__all__ = [
    "Address",
    "AppendResult",
    "HashLookup",
    "StoredHash",
    "consistency_plan",
    "consistency_proof",
    "hashes_to_store",
    "inclusion_plan",
    "inclusion_proof",
    "range_addresses",
    "right_edge_addresses",
    "root_from_right_edge",
    "root_hash",
    "root_plan",
]

#: (level, index) of a complete subtree: leaves [index * 2**level, (index + 1) * 2**level).
Address = tuple[int, int]
#: A row to store: (level, index, hash).
StoredHash = tuple[int, int, bytes]
#: A half-open range of leaf positions [start, end).
_Range = tuple[int, int]


class HashLookup(Protocol):
    """Where stored hashes are read from: a dict, or anything answering `lookup[address]`.

    A missing address raises `KeyError`, as a mapping does.
    """

    def __getitem__(self, address: Address, /) -> bytes: ...


class AppendResult(NamedTuple):
    """What appending leaves produces: the new right edge, and the rows to insert."""

    right_edge: list[bytes]
    stored: list[StoredHash]


def _require_size(size: int, what: str = "the tree size") -> None:
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise TreeSizeError(f"{what} must be a non-negative integer, not {size!r}")


def _require_edge(size: int, right_edge: Sequence[bytes]) -> None:
    if len(right_edge) != size.bit_count():
        raise StoredHashError(
            f"a tree of {size} leaves has a right edge of {size.bit_count()} hashes, "
            f"not {len(right_edge)}"
        )
    for h in right_edge:
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise StoredHashError(f"a right-edge hash is not {HASH_SIZE} bytes")


def range_addresses(start: int, end: int) -> list[Address]:
    """The maximal aligned complete subtrees that tile the leaf range [start, end), left first."""
    addresses: list[Address] = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start:
            level = min(level, (start & -start).bit_length() - 1)
        addresses.append((level, start >> level))
        start += 1 << level
    return addresses


def right_edge_addresses(size: int) -> list[Address]:
    """The addresses of the maximal complete subtrees of a tree of `size` leaves, left first."""
    _require_size(size)
    return range_addresses(0, size)


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Combine the hashes of a range's complete subtrees (left first) into the range's hash."""
    result = hashes[-1]
    for h in reversed(hashes[:-1]):
        result = node_hash(h, result)
    return result


def root_from_right_edge(size: int, right_edge: Sequence[bytes]) -> bytes:
    """The root of a tree of `size` leaves from its right-edge hashes."""
    _require_size(size)
    _require_edge(size, right_edge)
    return _fold(right_edge) if size else EMPTY_ROOT


def hashes_to_store(
    size: int, right_edge: Sequence[bytes], new_leaf_hashes: Iterable[bytes]
) -> AppendResult:
    """Append leaf hashes to a tree of `size` leaves whose right edge is `right_edge`.

    Returns the new right edge and every complete-subtree hash the new leaves complete,
    leaves included, as (level, index, hash) rows in the order they were formed. Appending
    in batches yields the same rows as appending one leaf at a time.
    """
    _require_size(size)
    _require_edge(size, right_edge)
    edge = list(right_edge)
    stored: list[StoredHash] = []
    append = stored.append
    sha256 = hashlib.sha256
    n = size
    for leaf in new_leaf_hashes:
        if not isinstance(leaf, bytes) or len(leaf) != HASH_SIZE:
            raise StoredHashError(f"leaf hash {n} is not {HASH_SIZE} bytes")
        append((0, n, leaf))
        h, level, m = leaf, 0, n
        # Each trailing one bit of n is a complete subtree on the edge that the new leaf
        # completes into one twice its size.
        while m & 1:
            h = sha256(b"\x01" + edge.pop() + h).digest()
            level += 1
            m >>= 1
            append((level, m, h))
        edge.append(h)
        n += 1
    return AppendResult(edge, stored)


def _lookup(hashes: HashLookup, address: Address) -> bytes:
    try:
        value = hashes[address]
    except KeyError:
        raise StoredHashError(f"no stored hash at level {address[0]}, index {address[1]}") from None
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise StoredHashError(f"the stored hash at {address} is not {HASH_SIZE} bytes")
    return value


def _range_hash(span: _Range, hashes: HashLookup) -> bytes:
    return _fold([_lookup(hashes, a) for a in range_addresses(*span)])


def _plan(spans: Iterable[_Range]) -> list[Address]:
    return [address for span in spans for address in range_addresses(*span)]


def root_plan(size: int) -> list[Address]:
    """The stored hashes the root of a tree of `size` leaves is made from (none when empty)."""
    return right_edge_addresses(size)


def root_hash(size: int, hashes: HashLookup) -> bytes:
    """The root of the tree of `size` leaves, from the stored hashes `root_plan` names."""
    _require_size(size)
    return _range_hash((0, size), hashes) if size else EMPTY_ROOT


def _inclusion_spans(index: int, size: int) -> list[_Range]:
    """The leaf ranges whose hashes form PATH(index, D[0:size]), bottom first (RFC 9162)."""
    _require_size(index, "the leaf index")
    _require_size(size)
    if index >= size:
        raise TreeSizeError(f"leaf index {index} is not in a tree of {size} leaves")
    spans: list[_Range] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split_point(hi - lo)
        if index < lo + k:
            spans.append((lo + k, hi))
            hi = lo + k
        else:
            spans.append((lo, lo + k))
            lo += k
    spans.reverse()
    return spans


def inclusion_plan(index: int, size: int) -> list[Address]:
    """The stored hashes an inclusion proof for leaf `index` in a tree of `size` needs."""
    return _plan(_inclusion_spans(index, size))


def inclusion_proof(index: int, size: int, hashes: HashLookup) -> list[bytes]:
    """The RFC 9162 inclusion proof for leaf `index` in a tree of `size` leaves."""
    return [_range_hash(span, hashes) for span in _inclusion_spans(index, size)]


def _consistency_spans(size1: int, size2: int) -> list[_Range]:
    """The leaf ranges whose hashes form PROOF(size1, D[0:size2]), bottom first (RFC 9162)."""
    _require_size(size1, "the first tree size")
    _require_size(size2, "the second tree size")
    if not 0 < size1 <= size2:
        raise TreeSizeError(f"no consistency proof from {size1} to {size2} leaves")
    spans: list[_Range] = []
    lo, hi, whole = 0, size2, True
    while size1 != hi:
        k = split_point(hi - lo)
        if size1 - lo <= k:
            spans.append((lo + k, hi))
            hi = lo + k
        else:
            spans.append((lo, lo + k))
            lo += k
            whole = False
    if not whole:
        spans.append((lo, hi))
    spans.reverse()
    return spans


def consistency_plan(size1: int, size2: int) -> list[Address]:
    """The stored hashes a consistency proof from `size1` to `size2` leaves needs."""
    return _plan(_consistency_spans(size1, size2))


def consistency_proof(size1: int, size2: int, hashes: HashLookup) -> list[bytes]:
    """The RFC 9162 consistency proof from the tree of `size1` leaves to that of `size2`.

    Empty when the sizes are equal; sizes must satisfy 0 < size1 <= size2.
    """
    return [_range_hash(span, hashes) for span in _consistency_spans(size1, size2)]
