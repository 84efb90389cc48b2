"""Appending a leaf to a mode's log, in the transaction that records the change it states.

The log needs no sequencer of its own. A change's leaf index is its feed sequence minus one,
and the sequence is drawn under the feed counter's row lock, held to the end of the writer's
transaction (`registry.changes.services`). So the writer that appends leaf i has seen leaf
i - 1 committed, and no other writer of the mode can append until it commits or rolls back
(taking its leaf with it): the log is always a gap-free prefix of the feed, in feed order.

An append reads only the tree's right edge, the stored hashes of its maximal complete
subtrees (one query), and inserts the new leaf with the hashes it completes
(`transparency.stored_tree.hashes_to_store`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import cast

from sqlalchemy import Select, Table, and_, bindparam, insert, or_, select
from sqlalchemy.orm import Session

from soundseal.registry.log.models import LogEntry, LogHash
from soundseal.transparency.merkle import leaf_hash
from soundseal.transparency.stored_tree import Address, hashes_to_store, right_edge_addresses

__all__ = ["LogOutOfStep", "append_leaves", "stored_hashes"]


_ENTRIES = cast(Table, LogEntry.__table__)
_HASHES = cast(Table, LogHash.__table__)


class LogOutOfStep(RuntimeError):
    """The log does not hold every leaf before the one being appended: a registry whose
    feed predates the log was not rebuilt (`soundseal log rebuild`, or a restart)."""


def stored_hashes(
    session: Session, mode: str, addresses: Iterable[Address]
) -> dict[Address, bytes]:
    """The stored hashes at `addresses` that exist, in one query.

    One term per level, each naming the whole primary key (mode, level, index IN …): SQLite
    then answers every term from the key's index (a "multi-index OR") whatever its
    statistics, where a row-value IN, or the mode outside the OR, scans the mode's rows.
    """
    by_level: dict[int, list[int]] = {}
    for level, index in sorted(set(addresses)):
        by_level.setdefault(level, []).append(index)
    if not by_level:
        return {}
    terms = [
        and_(LogHash.mode == mode, LogHash.level == level, LogHash.index.in_(indexes))
        for level, indexes in by_level.items()
    ]
    rows = session.execute(select(LogHash.level, LogHash.index, LogHash.hash).where(or_(*terms)))
    return {(level, index): bytes(value) for level, index, value in rows}


@functools.cache
def _edge_statement(terms: int) -> Select[int, int, bytes]:
    """The right edge's rows: one (level, index) per level, so one equality term per level
    naming the whole key. Built once per number of terms (at most 32 for a 32-bit log):
    appending runs inside every issuing transaction, under the feed lock."""
    return select(LogHash.level, LogHash.index, LogHash.hash).where(
        or_(
            *(
                and_(
                    LogHash.mode == bindparam("mode"),
                    LogHash.level == bindparam(f"level{n}"),
                    LogHash.index == bindparam(f"index{n}"),
                )
                for n in range(terms)
            )
        )
    )


def _right_edge(session: Session, mode: str, addresses: Sequence[Address]) -> dict[Address, bytes]:
    if not addresses:
        return {}
    params: dict[str, object] = {"mode": mode}
    for n, (level, index) in enumerate(addresses):
        params[f"level{n}"], params[f"index{n}"] = level, index
    rows = session.execute(_edge_statement(len(addresses)), params)
    return {(level, index): bytes(value) for level, index, value in rows}


def append_leaves(session: Session, mode: str, first_index: int, entries: Sequence[bytes]) -> None:
    """Append `entries` as leaves `first_index`, `first_index + 1`, … of `mode`'s log.

    The caller holds the mode's feed lock and knows the log has exactly `first_index`
    leaves (it drew the sequence `first_index + 1`); a missing right edge means it has fewer.
    """
    if not entries:
        return
    addresses = right_edge_addresses(first_index)
    found = _right_edge(session, mode, addresses)
    missing = [a for a in addresses if a not in found]
    if missing:
        raise LogOutOfStep(
            f"the {mode} log lacks leaves before {first_index}; rebuild it from the feed"
        )
    result = hashes_to_store(first_index, [found[a] for a in addresses], map(leaf_hash, entries))
    # Core inserts of the tables: the ORM's bulk path costs more than the rows.
    session.execute(
        insert(_ENTRIES),
        [
            {"mode": mode, "index": first_index + offset, "entry": entry}
            for offset, entry in enumerate(entries)
        ],
    )
    session.execute(
        insert(_HASHES),
        [
            {"mode": mode, "level": level, "index": index, "hash": value}
            for level, index, value in result.stored
        ],
    )
