"""Fetching a range of log entries as C2SP tlog-tiles entry bundles.

A monitor asks for entries by range, [start, end); a tiled log serves them 256 to a bundle,
at `tile/entries/<N>[.p/<W>]`. This module is the translation: which bundle paths cover a
range, and the range's entries once those bundles are fetched.

A bundle's width depends on the tree it is read from: bundle N of a tree of `size` leaves
holds min(256, size - 256 N) entries, and a partial bundle has its own path. A range whose
`end` is either a multiple of 256 or the checkpoint's tree size therefore names its bundles
by itself: every bundle before the last is full, and the last one's width is `end` mod 256
(or full). The monitor only ever asks for such ranges, so the fetcher needs nothing but the
range. Nothing a server sends is trusted here beyond its shape: each bundle must decode to
exactly the width its path promises (`decode_entry_bundle`), and whether the entries are the
log's is decided by the monitor, which hashes them up to a signed root.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from soundseal.transparency.entry_bundles import decode_entry_bundle
from soundseal.transparency.tiles import ENTRIES, TILE_WIDTH, TileAddress
from soundseal.transparency.tree_errors import EntryBundleError, TreeSizeError

__all__ = [
    "FetchEntries",
    "FetchPath",
    "bundle_fetcher",
    "entries_from_bundles",
    "entry_bundles_for_range",
]

#: What the monitor calls for entries [start, end): the entries, in order.
FetchEntries = Callable[[int, int], Sequence[bytes]]
#: What a caller supplies to fetch one path below the log's prefix (`tile/entries/...`).
FetchPath = Callable[[str], bytes]


def _check_range(start: int, end: int) -> None:
    for value in (start, end):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise TreeSizeError(f"a range bound is a non-negative integer, not {value!r}")
    if start >= end:
        raise TreeSizeError(f"the range [{start}, {end}) is empty")


def entry_bundles_for_range(start: int, end: int) -> list[TileAddress]:
    """The entry bundles holding entries [start, end), where `end` is the tree size or a
    multiple of 256 (see the module docstring), first to last."""
    _check_range(start, end)
    first, last = start // TILE_WIDTH, (end - 1) // TILE_WIDTH
    return [
        TileAddress(ENTRIES, n, min(TILE_WIDTH, end - n * TILE_WIDTH))
        for n in range(first, last + 1)
    ]


def entries_from_bundles(start: int, end: int, bundles: Sequence[bytes]) -> list[bytes]:
    """Entries [start, end) from the bodies of `entry_bundles_for_range(start, end)`, in order.

    Raises `EntryBundleError` when a body does not decode to its bundle's exact width, or
    when the number of bodies is not the number of bundles.
    """
    addresses = entry_bundles_for_range(start, end)
    if len(bundles) != len(addresses):
        raise EntryBundleError(f"{len(bundles)} bundles for a range of {len(addresses)}")
    entries: list[bytes] = []
    for address, body in zip(addresses, bundles, strict=True):
        entries.extend(decode_entry_bundle(body, address.width))
    offset = start - addresses[0].index * TILE_WIDTH
    return entries[offset : offset + end - start]


def bundle_fetcher(fetch_path: FetchPath) -> FetchEntries:
    """A monitor's `fetch_entries` built on a function fetching one path below the log prefix.

    The HTTP (prefix, retries, caching, compression) stays the caller's; this only names
    the bundles and cuts the range out of them.
    """

    def fetch_entries(start: int, end: int) -> list[bytes]:
        bodies = [fetch_path(address.path) for address in entry_bundles_for_range(start, end)]
        return entries_from_bundles(start, end, bodies)

    return fetch_entries
