"""The revocation poller: keeps the platform's bindings honest over time.

Each poll reads the registry's change feed after the last sequence it applied, refuses any
page whose sequences are not exactly the next ones (a replayed, reordered or gapped page is an
error, not data), records revocations, flips the bindings of revoked certificates, and
remembers when it last succeeded — the gate hides every seal once that is too long ago.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from soundseal.client import Client, ClientError
from soundseal.db.base import utcnow
from soundseal.platform.models import Binding, FeedState, Revocation

__all__ = ["DEFAULT_INTERVAL", "FeedRejected", "PollResult", "poll_once", "run_poller"]

DEFAULT_INTERVAL = timedelta(minutes=5)


class FeedRejected(Exception):
    """A feed page that cannot be applied safely (replayed, reordered or gapped)."""


@dataclass(frozen=True)
class PollResult:
    ok: bool
    applied: int
    revoked: int
    last_applied_sequence: int
    flagged: int = 0
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "applied": self.applied,
            "revoked": self.revoked,
            "flagged": self.flagged,
            "last_applied_sequence": self.last_applied_sequence,
            "error": self.error,
        }


def _state(session: Session) -> FeedState:
    state = session.get(FeedState, 1, with_for_update=True)
    if state is None:
        state = FeedState(id=1, last_applied_sequence=0)
        session.add(state)
        session.flush()
    return state


def check_page(changes: list[dict[str, Any]], after: int) -> None:
    """Sequences must be exactly after+1, after+2, …: anything else is refused whole."""
    expected = after + 1
    for change in changes:
        sequence = change.get("sequence")
        if not isinstance(sequence, int) or sequence != expected:
            raise FeedRejected(
                f"feed page out of order: expected sequence {expected}, got {sequence!r} "
                f"(last applied {after})"
            )
        expected += 1


def _apply(session: Session, changes: list[dict[str, Any]], now: datetime) -> int:
    """Record a page's revocations and flip their bindings: a few set-based statements per
    page, however many revocations it holds."""
    revoked = {
        c["certificate_id"]: c["sequence"]
        for c in changes
        if c.get("type") == "certificate.revoked"
    }
    if not revoked:
        return 0
    known = set(
        session.scalars(
            select(Revocation.certificate_id).where(Revocation.certificate_id.in_(list(revoked)))
        )
    )
    fresh = [
        {"certificate_id": cert_id, "sequence": sequence, "revoked_at": now}
        for cert_id, sequence in revoked.items()
        if cert_id not in known
    ]
    if fresh:
        session.execute(insert(Revocation), fresh)
    session.execute(
        update(Binding)
        .where(Binding.certificate_id.in_(list(revoked)), Binding.state == "verified")
        .values(state="revoked", state_changed_at=now, state_reason="certificate revoked"),
        execution_options={"synchronize_session": False},
    )
    return len(revoked)


def _flag_changed_audio(
    session: Session, current_audio: Callable[[str], str | None], now: datetime
) -> int:
    flagged = 0
    for binding in session.scalars(select(Binding).where(Binding.state == "verified")):
        if current_audio(binding.track_id) != binding.served_sha256:
            binding.state = "needs_reverification"
            binding.state_changed_at = now
            binding.state_reason = "the served audio changed"
            flagged += 1
    return flagged


def poll_once(
    client: Client,
    sessions: sessionmaker[Session],
    *,
    current_audio: Callable[[str], str | None] | None = None,
    page_size: int = 1000,
    now: Callable[[], datetime] = utcnow,
) -> PollResult:
    """Apply every change since the last poll. Each page is applied in its own transaction,
    so progress survives a failure half-way; success is recorded only when caught up."""
    applied = revoked = 0
    with sessions() as session, session.begin():
        after = _state(session).last_applied_sequence
    try:
        while True:
            page = client.changes(since_sequence=after, limit=page_size)
            changes = list(page.get("changes", []))
            check_page(changes, after)
            with sessions() as session, session.begin():
                state = _state(session)
                if state.last_applied_sequence != after:
                    raise FeedRejected("another poller applied changes concurrently")
                revoked += _apply(session, changes, now())
                if changes:
                    after = state.last_applied_sequence = changes[-1]["sequence"]
                    applied += len(changes)
            if not page.get("has_more"):
                break
    except (ClientError, FeedRejected, KeyError, TypeError) as exc:
        with sessions() as session, session.begin():
            state = _state(session)
            state.last_attempt_at = now()
            state.last_error = str(exc)
        return PollResult(False, applied, revoked, after, error=str(exc))
    with sessions() as session, session.begin():
        state = _state(session)
        flagged = _flag_changed_audio(session, current_audio, now()) if current_audio else 0
        state.last_success_at = state.last_attempt_at = now()
        state.last_error = None
    return PollResult(True, applied, revoked, after, flagged=flagged)


def run_poller(
    client: Client,
    sessions: sessionmaker[Session],
    *,
    interval: timedelta = DEFAULT_INTERVAL,
    current_audio: Callable[[str], str | None] | None = None,
    stop: Callable[[], bool] = lambda: False,
    on_poll: Callable[[PollResult], None] | None = None,
) -> None:
    """Poll every `interval` (at most 5 minutes keeps seals within the gate's 15-minute
    freshness limit even when two polls in a row fail) until `stop()` says so."""
    while not stop():
        result = poll_once(client, sessions, current_audio=current_audio)
        if on_poll is not None:
            on_poll(result)
        deadline = time.monotonic() + interval.total_seconds()
        while not stop() and time.monotonic() < deadline:
            time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
