"""RFC 9162 §2.1 Merkle tree hashing, and verification of inclusion and consistency proofs.

The log's promise to a listener is only as good as the checks a verifier makes, so the
verifiers here follow RFC 9162 §2.1.3.2 and §2.1.4.2 step by step and refuse anything those
algorithms refuse: a proof one hash too long or too short, an index outside the tree, sizes
out of order, and any "hash" that is not 32 bytes. `root_of` is the reference Merkle Tree
Hash, written from the definition; the stored-hash model (`stored_tree`) is tested against it.

Domain separation: a leaf is hashed as SHA-256(0x00 || entry), an interior node as
SHA-256(0x01 || left || right), so a leaf can never be passed off as a node.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Final

from soundseal.transparency.tree_errors import ProofError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "leaf_hash",
    "node_hash",
    "root_from_consistency",
    "root_from_inclusion",
    "root_of",
    "split_point",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE: Final = 32
_LEAF_PREFIX: Final = b"\x00"
_NODE_PREFIX: Final = b"\x01"

#: The Merkle Tree Hash of the empty tree: SHA-256 of the empty string.
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256


def leaf_hash(entry: bytes) -> bytes:
    """The hash of one log entry: SHA-256(0x00 || entry)."""
    return _sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: SHA-256(0x01 || left || right)."""
    return _sha256(_NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than `n` (n >= 2): where RFC 9162 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of the given leaf hashes, by the recursive definition."""
    if not leaf_hashes:
        return EMPTY_ROOT
    return _mth(leaf_hashes, 0, len(leaf_hashes))


def _mth(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    if hi - lo == 1:
        return leaves[lo]
    k = split_point(hi - lo)
    return node_hash(_mth(leaves, lo, lo + k), _mth(leaves, lo + k, hi))


def _require_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise ProofError(f"{what} is not a {HASH_SIZE}-byte hash")


def _require_size(value: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ProofError(f"{what} must be a non-negative integer")


def root_from_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root that `proof` implies for the leaf at `index` in a tree of `size` leaves.

    RFC 9162 §2.1.3.2 up to the final comparison; raises `ProofError` when the index is not
    in the tree, the proof has not exactly the length the tree shape needs, or a hash is
    not 32 bytes.
    """
    _require_hash(leaf_hash, "the leaf hash")
    for position, element in enumerate(proof):
        _require_hash(element, f"proof element {position}")
    _require_size(index, "the leaf index")
    _require_size(size, "the tree size")
    if index >= size:
        raise ProofError(f"leaf index {index} is not in a tree of {size} leaves")
    fn, sn = index, size - 1
    r = leaf_hash
    for element in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree needs")
        if fn & 1 or fn == sn:
            r = node_hash(element, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, element)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree needs")
    return r


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that the leaf at `index` is in the tree of `size` leaves whose root is `root`.

    Returns nothing; raises `ProofError` on any failure.
    """
    _require_hash(root, "the root")
    computed = root_from_inclusion(leaf_hash, index, size, proof)
    if not hmac.compare_digest(computed, root):
        raise ProofError("the inclusion proof does not lead to the given root")


def root_from_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes) -> bytes:
    """The root of the tree of `size2` leaves that `proof` implies, given the older root.

    Checks everything RFC 9162 §2.1.4.2 checks about the older tree (the proof must lead back
    to `root1`) and the proof's shape. Sizes must satisfy 0 < size1 <= size2; when they are
    equal the proof must be empty and the result is `root1`.
    """
    _require_size(size1, "the first tree size")
    _require_size(size2, "the second tree size")
    _require_hash(root1, "the first root")
    for position, element in enumerate(proof):
        _require_hash(element, f"proof element {position}")
    if size1 > size2:
        raise ProofError(f"the first tree ({size1}) is larger than the second ({size2})")
    if size1 == 0:
        raise ProofError("consistency with the empty tree is not a proof RFC 9162 defines")
    if size1 == size2:
        if proof:
            raise ProofError("trees of the same size need an empty consistency proof")
        return root1
    if not proof:
        raise ProofError("the consistency proof is empty")
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for element in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than the trees need")
        if fn & 1 or fn == sn:
            fr = node_hash(element, fr)
            sr = node_hash(element, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, element)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is shorter than the trees need")
    if not hmac.compare_digest(fr, root1):
        raise ProofError("the consistency proof does not lead back to the first root")
    return sr


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Check that the tree of `size2` leaves with root `root2` extends the one of `size1`.

    Returns nothing; raises `ProofError` on any failure, including size1 == 0 (an empty tree
    has no proof to check) and equal sizes with a non-empty proof or different roots.
    """
    _require_hash(root2, "the second root")
    computed = root_from_consistency(size1, size2, proof, root1)
    if not hmac.compare_digest(computed, root2):
        raise ProofError("the consistency proof does not lead to the second root")
