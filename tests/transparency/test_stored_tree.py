"""The stored complete-subtree model: its rows, roots and proofs agree with RFC 9162's
definitions, appending in batches equals appending one by one, and a proof needs only the
O(log n) rows its plan names."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soundseal.transparency.merkle import (
    EMPTY_ROOT,
    leaf_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from soundseal.transparency.stored_tree import (
    Address,
    consistency_plan,
    consistency_proof,
    hashes_to_store,
    inclusion_plan,
    inclusion_proof,
    range_addresses,
    right_edge_addresses,
    root_from_right_edge,
    root_hash,
    root_plan,
)
from soundseal.transparency.tree_errors import StoredHashError, TreeSizeError
from tests.transparency import reference


def _leaves(seed: bytes, size: int) -> list[bytes]:
    return [leaf_hash(seed + i.to_bytes(4, "big")) for i in range(size)]


def _store(leaves: list[bytes]) -> dict[Address, bytes]:
    _, rows = hashes_to_store(0, [], leaves)
    return {(level, index): h for level, index, h in rows}


class _Recording(dict[Address, bytes]):
    """A dict that remembers which addresses were read."""

    def __init__(self, rows: dict[Address, bytes]) -> None:
        super().__init__(rows)
        self.read: list[Address] = []

    def __getitem__(self, address: Address) -> bytes:
        self.read.append(address)
        return super().__getitem__(address)


sizes = st.integers(1, 300)
seeds = st.binary(max_size=8)


@settings(deadline=None)
@given(seeds, st.integers(0, 300))
def test_the_rows_are_exactly_the_complete_subtrees(seed: bytes, size: int) -> None:
    leaves = _leaves(seed, size)
    rows = _store(leaves)
    expected = {
        (level, index) for level in range(size.bit_length()) for index in range(size >> level)
    }
    assert set(rows) == expected
    for (level, index), h in rows.items():
        assert h == root_of(leaves[index << level : (index + 1) << level])


@settings(deadline=None)
@given(seeds, st.integers(0, 300))
def test_the_right_edge_gives_the_root(seed: bytes, size: int) -> None:
    leaves = _leaves(seed, size)
    edge, rows = hashes_to_store(0, [], leaves)
    stored = {(level, index): h for level, index, h in rows}
    assert edge == [stored[a] for a in right_edge_addresses(size)]
    assert len(edge) == size.bit_count()
    assert root_from_right_edge(size, edge) == root_of(leaves)
    assert root_hash(size, stored) == root_of(leaves)
    assert root_plan(size) == right_edge_addresses(size)


@settings(deadline=None)
@given(seeds, st.lists(st.integers(0, 40), max_size=12))
def test_appending_in_batches_equals_appending_one_by_one(seed: bytes, batches: list[int]) -> None:
    leaves = _leaves(seed, sum(batches))
    one_by_one: list[tuple[int, int, bytes]] = []
    edge: list[bytes] = []
    for size, leaf in enumerate(leaves):
        edge, rows = hashes_to_store(size, edge, [leaf])
        one_by_one += rows
    batched: list[tuple[int, int, bytes]] = []
    edge2: list[bytes] = []
    size = 0
    for count in batches:
        edge2, rows = hashes_to_store(size, edge2, leaves[size : size + count])
        batched += rows
        size += count
        assert root_from_right_edge(size, edge2) == root_of(leaves[:size])
    assert batched == one_by_one
    assert edge2 == edge


@settings(deadline=None)
@given(seeds, sizes, st.data())
def test_inclusion_proofs_from_rows_match_the_definition(
    seed: bytes, size: int, data: st.DataObject
) -> None:
    leaves = _leaves(seed, size)
    rows = _Recording(_store(leaves))
    index = data.draw(st.integers(0, size - 1))
    plan = inclusion_plan(index, size)
    proof = inclusion_proof(index, size, rows)
    assert proof == reference.inclusion_proof(index, leaves)
    verify_inclusion(leaves[index], index, size, proof, root_of(leaves))
    assert sorted(set(rows.read)) == sorted(plan)
    assert len(plan) == len(set(plan)) <= 2 * size.bit_length()


@settings(deadline=None)
@given(seeds, sizes, st.data())
def test_consistency_proofs_from_rows_match_the_definition(
    seed: bytes, size2: int, data: st.DataObject
) -> None:
    leaves = _leaves(seed, size2)
    rows = _Recording(_store(leaves))
    size1 = data.draw(st.integers(1, size2))
    plan = consistency_plan(size1, size2)
    proof = consistency_proof(size1, size2, rows)
    assert proof == reference.consistency_proof(size1, leaves)
    verify_consistency(size1, size2, proof, root_of(leaves[:size1]), root_of(leaves))
    assert sorted(set(rows.read)) == sorted(plan)
    assert len(plan) == len(set(plan)) <= 3 * size2.bit_length()


@settings(deadline=None)
@given(st.integers(0, 1 << 64), st.integers(0, 1 << 64))
def test_range_addresses_tile_the_range_with_aligned_subtrees(a: int, b: int) -> None:
    start, end = min(a, b), max(a, b)
    covered = start
    for level, index in range_addresses(start, end):
        assert index << level == covered
        covered += 1 << level
    assert covered == end
    assert len(range_addresses(start, end)) <= 2 * 65


@settings(deadline=None)
@given(seeds, sizes, st.data())
def test_a_missing_row_is_a_stored_hash_error(seed: bytes, size: int, data: st.DataObject) -> None:
    rows = _store(_leaves(seed, size))
    index = data.draw(st.integers(0, size - 1))
    plan = inclusion_plan(index, size)
    if plan:
        del rows[data.draw(st.sampled_from(plan))]
        with pytest.raises(StoredHashError):
            inclusion_proof(index, size, rows)


def test_the_empty_tree() -> None:
    assert root_hash(0, {}) == EMPTY_ROOT
    assert root_from_right_edge(0, []) == EMPTY_ROOT
    assert root_plan(0) == []


@pytest.mark.parametrize(
    "call",
    [
        lambda: inclusion_plan(3, 3),
        lambda: inclusion_plan(-1, 3),
        lambda: consistency_plan(0, 3),
        lambda: consistency_plan(4, 3),
        lambda: root_plan(-1),
    ],
)
def test_plans_refuse_indexes_and_sizes_outside_the_tree(call: object) -> None:
    with pytest.raises(TreeSizeError):
        call()  # type: ignore[operator]


def test_appending_refuses_a_right_edge_or_leaf_of_the_wrong_shape() -> None:
    leaf = leaf_hash(b"x")
    with pytest.raises(StoredHashError):
        hashes_to_store(3, [leaf], [leaf])
    with pytest.raises(StoredHashError):
        hashes_to_store(1, [b"short"], [leaf])
    with pytest.raises(StoredHashError):
        hashes_to_store(0, [], [b"short"])
    with pytest.raises(StoredHashError):
        root_hash(1, {(0, 0): b"short"})
