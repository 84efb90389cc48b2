"""RFC 9162 hashing and proof verification: proofs built by the RFC's definitions verify, and
any change to a proof, a root, a leaf, an index or a size is refused unless it leaves a proof
of the very same shape (which a verifier cannot tell apart, and the checkpoint's signed size
is there to pin)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soundseal.transparency.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    leaf_hash,
    node_hash,
    root_from_consistency,
    root_from_inclusion,
    root_of,
    split_point,
    verify_consistency,
    verify_inclusion,
)
from soundseal.transparency.tree_errors import ProofError, TreeError
from tests.transparency import reference


def _leaves(seed: bytes, size: int) -> list[bytes]:
    return [leaf_hash(seed + i.to_bytes(4, "big")) for i in range(size)]


def _flip(value: bytes, bit: int) -> bytes:
    bit %= len(value) * 8
    changed = bytearray(value)
    changed[bit // 8] ^= 1 << (bit % 8)
    return bytes(changed)


@st.composite
def trees(draw: st.DrawFn, max_size: int = 300) -> tuple[list[bytes], int]:
    size = draw(st.integers(1, max_size))
    return _leaves(draw(st.binary(max_size=8)), size), draw(st.integers(0, size - 1))


@st.composite
def growths(draw: st.DrawFn) -> tuple[list[bytes], int]:
    size2 = draw(st.integers(1, 300))
    return _leaves(draw(st.binary(max_size=8)), size2), draw(st.integers(1, size2))


def test_hashes_are_domain_separated_sha256() -> None:
    assert leaf_hash(b"entry") == hashlib.sha256(b"\x00entry").digest()
    left, right = leaf_hash(b"l"), leaf_hash(b"r")
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT
    assert root_of([]) == EMPTY_ROOT
    assert root_of([left]) == left


@settings(deadline=None)
@given(st.integers(2, 1 << 70))
def test_split_point_is_the_largest_power_of_two_below(n: int) -> None:
    k = split_point(n)
    assert k & (k - 1) == 0
    assert k < n <= 2 * k


@settings(deadline=None)
@given(trees())
def test_reference_inclusion_proofs_verify(tree: tuple[list[bytes], int]) -> None:
    leaves, index = tree
    proof = reference.inclusion_proof(index, leaves)
    verify_inclusion(leaves[index], index, len(leaves), proof, root_of(leaves))
    assert root_from_inclusion(leaves[index], index, len(leaves), proof) == root_of(leaves)


@settings(deadline=None)
@given(growths())
def test_reference_consistency_proofs_verify(growth: tuple[list[bytes], int]) -> None:
    leaves, size1 = growth
    proof = reference.consistency_proof(size1, leaves)
    root1, root2 = root_of(leaves[:size1]), root_of(leaves)
    verify_consistency(size1, len(leaves), proof, root1, root2)
    assert root_from_consistency(size1, len(leaves), proof, root1) == root2


@settings(deadline=None)
@given(trees(), st.data())
def test_a_changed_bit_in_an_inclusion_hash_is_refused(
    tree: tuple[list[bytes], int], data: st.DataObject
) -> None:
    leaves, index = tree
    proof = reference.inclusion_proof(index, leaves)
    root = root_of(leaves)
    bit = data.draw(st.integers(0, HASH_SIZE * 8 - 1))
    where = data.draw(st.integers(-2, len(proof) - 1))
    leaf = _flip(leaves[index], bit) if where == -2 else leaves[index]
    if where == -1:
        root = _flip(root, bit)
    if where >= 0:
        proof[where] = _flip(proof[where], bit)
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, len(leaves), proof, root)


@settings(deadline=None)
@given(growths(), st.data())
def test_a_changed_bit_in_a_consistency_hash_is_refused(
    growth: tuple[list[bytes], int], data: st.DataObject
) -> None:
    leaves, size1 = growth
    proof = reference.consistency_proof(size1, leaves)
    roots = [root_of(leaves[:size1]), root_of(leaves)]
    bit = data.draw(st.integers(0, HASH_SIZE * 8 - 1))
    where = data.draw(st.integers(-2, len(proof) - 1))
    if where < 0:
        roots[where + 2] = _flip(roots[where + 2], bit)
    else:
        proof[where] = _flip(proof[where], bit)
    with pytest.raises(ProofError):
        verify_consistency(size1, len(leaves), proof, roots[0], roots[1])


@settings(deadline=None)
@given(trees(), st.integers(0, 63), st.booleans())
def test_a_changed_bit_in_the_index_or_size_is_refused_unless_the_shape_is_the_same(
    tree: tuple[list[bytes], int], bit: int, in_index: bool
) -> None:
    leaves, index = tree
    size = len(leaves)
    proof = reference.inclusion_proof(index, leaves)
    index2, size2 = (index ^ (1 << bit), size) if in_index else (index, size ^ (1 << bit))
    accepted = True
    try:
        verify_inclusion(leaves[index], index2, size2, proof, root_of(leaves))
    except ProofError:
        accepted = False
    same_shape = reference.inclusion_shape(index2, size2) == reference.inclusion_shape(index, size)
    assert accepted == same_shape
    if in_index:
        assert not accepted  # within one tree, the shape names the leaf


@settings(deadline=None)
@given(growths(), st.integers(0, 63), st.booleans())
def test_a_changed_bit_in_a_consistency_size_is_refused_unless_the_shape_is_the_same(
    growth: tuple[list[bytes], int], bit: int, in_first: bool
) -> None:
    leaves, size1 = growth
    size2 = len(leaves)
    proof = reference.consistency_proof(size1, leaves)
    root1, root2 = root_of(leaves[:size1]), root_of(leaves)
    tampered = (size1 ^ (1 << bit), size2) if in_first else (size1, size2 ^ (1 << bit))
    accepted = True
    try:
        verify_consistency(*tampered, proof, root1, root2)
    except ProofError:
        accepted = False
    genuine = reference.consistency_shape(size1, size2)
    other = reference.consistency_shape(*tampered)
    assert genuine is not None
    if other is not None:
        # "first" in the other shape is the real first root, whatever the genuine proof made it of.
        other = tuple(reference.substitute(part, "first", genuine[1]) for part in other)  # type: ignore[assignment]
    assert accepted == (other == genuine)


@pytest.mark.parametrize(
    ("index", "size", "length"),
    [(0, 0, 0), (1, 1, 0), (3, 2, 1), (-1, 4, 2), (0, -1, 0)],
)
def test_inclusion_refuses_an_index_outside_the_tree(index: int, size: int, length: int) -> None:
    proof = [leaf_hash(b"p")] * length
    with pytest.raises(ProofError):
        verify_inclusion(leaf_hash(b"x"), index, size, proof, leaf_hash(b"x"))


@settings(deadline=None)
@given(trees(max_size=64), st.integers(0, HASH_SIZE + 8).filter(lambda n: n != HASH_SIZE))
def test_a_hash_of_the_wrong_length_is_refused(tree: tuple[list[bytes], int], length: int) -> None:
    leaves, index = tree
    proof = reference.inclusion_proof(index, leaves)
    root = root_of(leaves)
    short = b"\x07" * length
    with pytest.raises(ProofError, match="32-byte"):
        verify_inclusion(short, index, len(leaves), proof, root)
    with pytest.raises(ProofError, match="32-byte"):
        verify_inclusion(leaves[index], index, len(leaves), proof, short)
    with pytest.raises(ProofError, match="32-byte"):
        verify_consistency(len(leaves), len(leaves), [], short, short)
    if proof:
        with pytest.raises(ProofError, match="32-byte"):
            verify_inclusion(leaves[index], index, len(leaves), [*proof[:-1], short], root)


@settings(deadline=None)
@given(growths())
def test_consistency_refuses_sizes_out_of_order_and_the_empty_tree(
    growth: tuple[list[bytes], int],
) -> None:
    leaves, size1 = growth
    size2 = len(leaves)
    root1, root2 = root_of(leaves[:size1]), root_of(leaves)
    proof = reference.consistency_proof(size1, leaves)
    if size1 < size2:
        with pytest.raises(ProofError):
            verify_consistency(size2, size1, proof, root2, root1)
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, [], root1, root2)
        with pytest.raises(ProofError):
            verify_consistency(size1, size1, proof, root1, root1)
    with pytest.raises(ProofError):
        verify_consistency(0, size2, proof, EMPTY_ROOT, root2)
    with pytest.raises(ProofError):
        verify_consistency(0, size2, [], EMPTY_ROOT, root2)
    verify_consistency(size2, size2, [], root2, root2)
    with pytest.raises(ProofError):
        verify_consistency(size2, size2, [], root2, root1 if size1 < size2 else EMPTY_ROOT)


@settings(deadline=None)
@given(trees(max_size=64), st.data())
def test_an_extra_or_missing_proof_hash_is_refused(
    tree: tuple[list[bytes], int], data: st.DataObject
) -> None:
    leaves, index = tree
    proof = reference.inclusion_proof(index, leaves)
    root = root_of(leaves)
    position = data.draw(st.integers(0, len(proof)))
    longer = [*proof[:position], leaf_hash(b"extra"), *proof[position:]]
    with pytest.raises(ProofError):
        verify_inclusion(leaves[index], index, len(leaves), longer, root)
    if proof:
        gone = position % len(proof)
        shorter = proof[:gone] + proof[gone + 1 :]
        with pytest.raises(ProofError):
            verify_inclusion(leaves[index], index, len(leaves), shorter, root)


def test_every_error_is_a_tree_error_and_a_value_error() -> None:
    with pytest.raises(TreeError) as refused:
        verify_inclusion(b"", 0, 1, [], b"")
    assert isinstance(refused.value, ValueError)


@settings(deadline=None)
@given(trees(max_size=64), growths())
def test_a_trailing_extra_hash_is_refused_as_too_long(
    tree: tuple[list[bytes], int], growth: tuple[list[bytes], int]
) -> None:
    leaves, index = tree
    proof = [*reference.inclusion_proof(index, leaves), leaf_hash(b"extra")]
    with pytest.raises(ProofError, match="longer"):
        verify_inclusion(leaves[index], index, len(leaves), proof, root_of(leaves))
    leaves, size1 = growth
    if size1 < len(leaves):
        proof = [*reference.consistency_proof(size1, leaves), leaf_hash(b"extra")]
        with pytest.raises(ProofError, match="longer"):
            verify_consistency(size1, len(leaves), proof, root_of(leaves[:size1]), root_of(leaves))
