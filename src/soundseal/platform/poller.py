"""The revocation poller: keeps the platform's bindings honest over time.

Each poll reads the registry's change feed after the last entry it verified, refuses any
page whose sequences are not exactly the next ones (a replayed, reordered or gapped page is an
error, not data), verifies the registry's log and holds the feed to it (`log_check`), records
revocations and the log index of each certificate's issuance, flips the bindings of revoked
certificates, and remembers when it last succeeded — the gate hides every seal once that is
too long ago, and whenever the log was refused.
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
from soundseal.platform.log_check import (
    FeedDisagrees,
    LogFailure,
    PinnedLog,
    log_failure,
    match_feed,
    pinned_log,
    record_failure,
)
from soundseal.platform.models import Binding, FeedState, LoggedCertificate, LogPin, Revocation
from soundseal.signing.log_entries import verify_entry_statements
from soundseal.transparency.audit_errors import AuditError
from soundseal.transparency.entry_ranges import bundle_fetcher
from soundseal.transparency.monitor import VerifiedLog, advance

__all__ = [
    "DEFAULT_INTERVAL",
    "NO_LOG_KEY",
    "FeedRejected",
    "PollResult",
    "poll_once",
    "run_poller",
]

DEFAULT_INTERVAL = timedelta(minutes=5)
NO_LOG_KEY = (
    "no log key is pinned: pin the registry's log verifier key (GET /api/v1/log/<mode>, "
    "verifier_key) with `soundseal platform pin` or open_store(..., log_key=...)"
)


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


def _read_feed(
    client: Client, after: int, until: int | None, page_size: int
) -> list[dict[str, Any]]:
    """The feed's changes after `after` (up to sequence `until`, when given), every page
    checked to hold exactly the next sequences."""
    changes: list[dict[str, Any]] = []
    while until is None or after < until:
        limit = page_size if until is None else min(page_size, until - after)
        page = client.changes(since_sequence=after, limit=limit)
        batch = list(page.get("changes", []))
        check_page(batch, after)
        changes.extend(batch)
        if batch:
            after = batch[-1]["sequence"]
        if not page.get("has_more") or not batch:
            break
    return changes


@dataclass(frozen=True)
class _Verified:
    state: VerifiedLog
    changes: list[dict[str, Any]]
    issued: dict[str, int]


def _verify(client: Client, pinned: PinnedLog, page_size: int) -> _Verified:
    """Read the feed after the verified log, then the log itself, and hold them to each other.

    The feed is read first: the registry appends a change's log entry in the change's own
    transaction, so a checkpoint read afterwards covers every change the feed showed. A log
    that grew in between is read on in the feed up to the checkpoint's size."""
    start, mode = pinned.verified.size, pinned.mode
    changes = _read_feed(client, start, None, page_size)
    checkpoint = client.log_checkpoint(mode)
    accepted = pinned.verified.checkpoint
    result = advance(
        pinned.verified,
        checkpoint,
        pinned.key,
        bundle_fetcher(lambda path: client.log_tile(path, mode=mode)),
    )
    size = result.state.size
    if start + len(changes) > size:
        raise FeedDisagrees(
            f"feed entry {size + 1} is not in the log: the checkpoint read after the feed "
            f"holds {size} entries, the feed {start + len(changes)}",
            accepted=accepted,
            offending=checkpoint,
        )
    if start + len(changes) < size:
        changes.extend(_read_feed(client, start + len(changes), size, page_size))
        if start + len(changes) < size:
            raise FeedDisagrees(
                f"log entries [{start + len(changes)}, {size}) are missing from the feed",
                accepted=accepted,
                offending=checkpoint,
            )
    statements = (
        verify_entry_statements(result.entries, start, client.jwks(), origin=pinned.key.name)
        if result.entries
        else []
    )
    match_feed(changes, statements, start, accepted=accepted, offending=checkpoint)
    issued = {s.certificate_id: s.log_index for s in statements if s.kind == "certificate"}
    return _Verified(result.state, changes, {k: v for k, v in issued.items() if v is not None})


def _failed(sessions: sessionmaker[Session], now: datetime, error: str, after: int) -> PollResult:
    with sessions() as session, session.begin():
        state = _state(session)
        state.last_attempt_at = now
        state.last_error = error
    return PollResult(False, 0, 0, after, error=error)


def poll_once(
    client: Client,
    sessions: sessionmaker[Session],
    *,
    current_audio: Callable[[str], str | None] | None = None,
    page_size: int = 1000,
    now: Callable[[], datetime] = utcnow,
) -> PollResult:
    """Verify and apply every change since the last poll, in one transaction.

    Nothing is applied unless the log verifies (`log_check`): a refusal of the log is recorded
    with its evidence and hides every seal until an operator clears it; a registry that
    cannot be reached, or a malformed page, is an ordinary failed poll."""
    with sessions() as session, session.begin():
        after = _state(session).last_applied_sequence
        pin = session.get(LogPin, 1)
        failure = log_failure(pin)
        stored = pin.verified if pin is not None else None
    if pin is None:
        return _failed(sessions, now(), NO_LOG_KEY, after)
    if failure is not None:
        return _failed(sessions, now(), _failure_text(failure), after)
    try:
        verified = _verify(client, pinned_log(pin), page_size)
    except AuditError as exc:
        with sessions() as session, session.begin():
            pin = session.get(LogPin, 1, with_for_update=True)
            if pin is not None:
                record_failure(pin, exc, now())
        return _failed(sessions, now(), f"the registry's log is refused: {exc}", after)
    except (ClientError, FeedRejected, KeyError, TypeError, ValueError) as exc:
        return _failed(sessions, now(), str(exc), after)
    with sessions() as session, session.begin():
        state = _state(session)
        pin = session.get(LogPin, 1, with_for_update=True)
        if pin is None or pin.failure is not None or pin.verified != stored:
            error = "another poller or the operator changed the log state during this poll"
            state.last_attempt_at, state.last_error = now(), error
            return PollResult(False, 0, 0, after, error=error)
        stamp = now()
        revoked = _apply(session, verified.changes, stamp)
        _record_issued(session, verified.issued)
        pin.verified = verified.state.dumps()
        after = state.last_applied_sequence = verified.state.size
        flagged = _flag_changed_audio(session, current_audio, stamp) if current_audio else 0
        state.last_success_at = state.last_attempt_at = stamp
        state.last_error = None
    return PollResult(True, len(verified.changes), revoked, after, flagged=flagged)


def _record_issued(session: Session, issued: dict[str, int]) -> None:
    if not issued:
        return
    known = set(
        session.scalars(
            select(LoggedCertificate.certificate_id).where(
                LoggedCertificate.certificate_id.in_(list(issued))
            )
        )
    )
    fresh = [
        {"certificate_id": cert_id, "issued_index": index}
        for cert_id, index in issued.items()
        if cert_id not in known
    ]
    if fresh:
        session.execute(insert(LoggedCertificate), fresh)


def _failure_text(failure: LogFailure) -> str:
    return (
        f"the registry's log failed verification ({failure.error}: {failure.evidence.detail}); "
        "seals stay hidden and polls stop until an operator clears it"
    )


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
