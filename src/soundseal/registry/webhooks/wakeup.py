"""Waking delivery workers as soon as a transaction that queued deliveries commits.

Within one process, workers register a callback that runs after such a commit (never
before: a worker woken early would find nothing, or worse, nothing yet visible). Across
processes on PostgreSQL, the same transaction issues `NOTIFY`, which PostgreSQL delivers
only if and when it commits; workers `LISTEN` on `CHANNEL`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import event, text
from sqlalchemy.orm import Session

__all__ = ["CHANNEL", "add_waker", "mark_queued", "remove_waker"]

CHANNEL = "soundseal_webhooks"
_FLAG = "soundseal_webhooks_queued"
_wakers: list[Callable[[], None]] = []
_lock = threading.Lock()


def add_waker(callback: Callable[[], None]) -> None:
    with _lock:
        _wakers.append(callback)


def remove_waker(callback: Callable[[], None]) -> None:
    with _lock:
        if callback in _wakers:
            _wakers.remove(callback)


def mark_queued(session: Session) -> None:
    """Record that this transaction queued deliveries: wake workers once it commits."""
    if session.info.get(_FLAG):
        return
    session.info[_FLAG] = True
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {CHANNEL}"))


# Per-transaction caches kept in `session.info` by the webhooks services.
TRANSACTION_CACHES = ("soundseal_webhook_subscribers",)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    for key in TRANSACTION_CACHES:
        session.info.pop(key, None)
    if session.info.pop(_FLAG, False):
        with _lock:
            wakers = list(_wakers)
        for wake in wakers:
            wake()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    for key in (_FLAG, *TRANSACTION_CACHES):
        session.info.pop(key, None)
