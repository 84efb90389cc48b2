"""Entry ranges as entry bundles: the paths a range needs, and the range cut out of them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soundseal.transparency.entry_bundles import encode_entry_bundle
from soundseal.transparency.entry_ranges import (
    bundle_fetcher,
    entries_from_bundles,
    entry_bundles_for_range,
)
from soundseal.transparency.tree_errors import EntryBundleError, TreeSizeError

ENTRIES = [f"entry {i}".encode() for i in range(1500)]


def served(size: int) -> dict[str, bytes]:
    """Every bundle a log of `size` entries serves: the full ones and its partial one."""
    bundles = {}
    for n in range(0, size, 256):
        chunk = ENTRIES[n : min(n + 256, size)]
        path = f"tile/entries/{n // 256:03d}" + ("" if len(chunk) == 256 else f".p/{len(chunk)}")
        bundles[path] = encode_entry_bundle(chunk)
    return bundles


def test_the_paths_of_a_range_ending_at_a_partial_bundle() -> None:
    paths = [a.path for a in entry_bundles_for_range(200, 1300)]
    assert paths == [
        "tile/entries/000",
        "tile/entries/001",
        "tile/entries/002",
        "tile/entries/003",
        "tile/entries/004",
        "tile/entries/005.p/20",
    ]
    assert [a.path for a in entry_bundles_for_range(256, 512)] == ["tile/entries/001"]
    assert [a.path for a in entry_bundles_for_range(1000 * 256, 1000 * 256 + 1)] == [
        "tile/entries/x001/000.p/1"
    ]


@pytest.mark.parametrize(("start", "end"), [(5, 5), (6, 5), (-1, 3), (0, True)])
def test_an_empty_or_impossible_range_is_refused(start: int, end: int) -> None:
    with pytest.raises(TreeSizeError):
        entry_bundles_for_range(start, end)


@settings(max_examples=200)
@given(size=st.integers(1, 1500), data=st.data())
def test_any_range_ending_at_a_boundary_or_the_size_is_read_exactly(
    size: int, data: st.DataObject
) -> None:
    ends = [*range(256, size, 256), size]
    end = data.draw(st.sampled_from(ends))
    start = data.draw(st.integers(0, end - 1))
    bundles = served(size)
    assert bundle_fetcher(bundles.__getitem__)(start, end) == ENTRIES[start:end]


def test_a_bundle_of_the_wrong_width_or_count_is_refused() -> None:
    whole = encode_entry_bundle(ENTRIES[:256])
    with pytest.raises(EntryBundleError):
        entries_from_bundles(0, 300, [whole, encode_entry_bundle(ENTRIES[256:301])])
    with pytest.raises(EntryBundleError):
        entries_from_bundles(0, 300, [whole])
    with pytest.raises(EntryBundleError):
        entries_from_bundles(0, 256, [whole[:-1]])
