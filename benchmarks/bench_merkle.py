"""The transparency log's Merkle core: appending, proving, and auditing from tiles.

    python benchmarks/bench_merkle.py [--leaves 1000000] [--proofs 2000] [--repeat 3]

Prints, for a log of ``--leaves`` leaves (best of ``--repeat`` rounds each):

* leaf hashing, then ``hashes_to_store`` appending every leaf hash in one batch (the
  complete-subtree rows a database would insert) and in batches of 1,000;
* inclusion and consistency proofs for random indexes and sizes: the plan alone, and plan
  plus assembly from the rows held in a dict (what follows the database's one query);
* the root of the whole log from its level-0 tiles alone, as an auditor recomputing it from
  every leaf hash would, and from the tiles a root plan names (level-0, 1 and 2 tiles).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from soundseal.transparency.merkle import leaf_hash, verify_inclusion
from soundseal.transparency.stored_tree import (
    Address,
    consistency_plan,
    consistency_proof,
    hashes_to_store,
    inclusion_plan,
    inclusion_proof,
    root_from_right_edge,
    root_plan,
)
from soundseal.transparency.tile_hashes import root_from_tiles
from soundseal.transparency.tiles import (
    TileAddress,
    hash_tile_bytes,
    tile_hashes_plan,
    tile_width,
    tiles_for_addresses,
)


def _best(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def _serve(rows: dict[Address, bytes], tiles: list[TileAddress]) -> dict[str, bytes]:
    out = {}
    for tile in tiles:
        assert not isinstance(tile.level, str)
        plan = tile_hashes_plan(tile.level, tile.index, tile.width)
        out[tile.path] = hash_tile_bytes([rows[a] for a in plan])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, repeat = args.leaves, args.repeat
    rng = random.Random(7)

    entries = [b"entry %d" % i for i in range(n)]
    took = _best(repeat, lambda: [leaf_hash(e) for e in entries])
    print(f"leaf hashes for {n:,} entries: {took:.2f} s")
    leaves = [leaf_hash(e) for e in entries]

    took = _best(repeat, lambda: hashes_to_store(0, [], leaves))
    edge, rows_list = hashes_to_store(0, [], leaves)
    print(f"stored hashes for {n:,} leaves, one batch: {took:.2f} s ({len(rows_list):,} rows)")

    def batched() -> None:
        size, right_edge = 0, list[bytes]()
        for start in range(0, n, 1000):
            right_edge, _ = hashes_to_store(size, right_edge, leaves[start : start + 1000])
            size = min(start + 1000, n)

    took = _best(repeat, batched)
    print(f"stored hashes for {n:,} leaves, batches of 1,000: {took:.2f} s")
    rows = {(level, index): h for level, index, h in rows_list}
    root = root_from_right_edge(n, edge)

    indexes = [rng.randrange(n) for _ in range(args.proofs)]
    pairs = [sorted((rng.randrange(1, n + 1), rng.randrange(1, n + 1))) for _ in indexes]
    took = _best(repeat, lambda: [inclusion_plan(i, n) for i in indexes])
    print(f"inclusion plan: {took / len(indexes) * 1e6:.1f} µs")
    took = _best(repeat, lambda: [inclusion_proof(i, n, rows) for i in indexes])
    print(f"inclusion plan + assembly: {took / len(indexes) * 1e6:.1f} µs")
    took = _best(repeat, lambda: [consistency_plan(a, b) for a, b in pairs])
    print(f"consistency plan: {took / len(pairs) * 1e6:.1f} µs")
    took = _best(repeat, lambda: [consistency_proof(a, b, rows) for a, b in pairs])
    print(f"consistency plan + assembly: {took / len(pairs) * 1e6:.1f} µs")
    rows_needed = max(len(inclusion_plan(i, n)) for i in indexes)
    print(f"  (at most {rows_needed} stored rows per inclusion proof)")
    for i in indexes[:50]:
        verify_inclusion(leaves[i], i, n, inclusion_proof(i, n, rows), root)

    level_zero = [TileAddress(0, k, tile_width(0, k, n)) for k in range(-(-n // 256))]
    tiles = _serve(rows, level_zero)
    took = _best(repeat, lambda: root_from_tiles(n, tiles))
    assert root_from_tiles(n, tiles) == root
    print(f"root of {n:,} leaves from {len(tiles):,} level-0 tiles: {took:.2f} s")
    planned = _serve(rows, tiles_for_addresses(root_plan(n), n))
    took = _best(repeat, lambda: root_from_tiles(n, planned))
    assert root_from_tiles(n, planned) == root
    print(f"root of {n:,} leaves from the {len(planned)} tiles its plan names: {took * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
