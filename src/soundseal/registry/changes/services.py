"""The change feed.

A platform polls `since_sequence=N` and stores the last sequence it applied, so the feed
must never show sequence N+1 to anyone before N is visible to everyone: a poller that saw
N+1 first would skip N for ever. Sequences come from one counter row per mode, bumped with
`UPDATE … RETURNING` inside the writer's transaction. The row lock that UPDATE takes is held
until that transaction ends, so the next writer cannot draw N+1 until N's transaction has
committed (and is visible: PostgreSQL publishes a commit before releasing its locks) or
rolled back (and the counter with it, so no gap). Commit order therefore equals sequence
order, and every snapshot holds a gap-free prefix of the feed. On SQLite the write lock
taken by `BEGIN IMMEDIATE` gives the same order.

The cost is that certificate writes in one mode are serialized for the few milliseconds
between drawing a sequence and committing, which is why writers draw it last.

The same lock sequences the mode's transparency log (`registry.log`): every change is also
a leaf, at index sequence - 1, appended right after the sequence is drawn, so the log is
always a gap-free prefix of the feed and needs no sequencer of its own. The leaf is the
change's signed statement, which names its own index: the writer passes a function from
the index to the entry, called once the index is known.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from soundseal.db.base import utcnow
from soundseal.registry.changes.models import Change, FeedCounter
from soundseal.registry.log.appending import append_leaves

__all__ = ["list_changes", "record_change"]


def lock_feed(session: Session, mode: str) -> None:
    """Take the mode's feed lock now, for a check that must see every committed change
    before this transaction writes (the acoustic duplicate check). On SQLite the write
    transaction already holds the database lock."""
    if session.get_bind().dialect.name != "sqlite":
        session.execute(
            select(FeedCounter.mode).where(FeedCounter.mode == mode).with_for_update()
        ).one()


def _next_sequence(session: Session, mode: str) -> int:
    value = session.execute(
        update(FeedCounter)
        .where(FeedCounter.mode == mode)
        .values(last_sequence=FeedCounter.last_sequence + 1)
        .returning(FeedCounter.last_sequence)
    ).scalar_one()
    return int(value)


def record_change(
    session: Session,
    *,
    mode: str,
    type: str,
    certificate_id: str,
    status: str,
    log_entry: Callable[[int], bytes],
) -> Change:
    """Add the next entry to `mode`'s feed and its leaf to `mode`'s log: `log_entry(index)`
    is the leaf's entry, the signed statement of this change at that log index."""
    sequence = _next_sequence(session, mode)
    append_leaves(session, mode, sequence - 1, [log_entry(sequence - 1)])
    change = Change(
        mode=mode,
        sequence=sequence,
        type=type,
        certificate_id=certificate_id,
        status=status,
        occurred_at=utcnow(),
    )
    session.add(change)
    session.flush()
    return change


def list_changes(session: Session, *, mode: str, since: int, limit: int) -> list[Change]:
    return list(
        session.scalars(
            select(Change)
            .where(Change.mode == mode, Change.sequence > since)
            .order_by(Change.sequence)
            .limit(limit)
        ).all()
    )


def last_sequence(session: Session, mode: str) -> int:
    value = session.scalar(select(FeedCounter.last_sequence).where(FeedCounter.mode == mode))
    return int(value or 0)


def change_view(change: Change) -> dict[str, object]:
    return {
        "sequence": change.sequence,
        "type": change.type,
        "certificate_id": change.certificate_id,
        "status": change.status,
        "occurred_at": change.occurred_at.isoformat().replace("+00:00", "Z"),
    }
