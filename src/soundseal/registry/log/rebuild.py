"""Bringing a log level with its feed: registries whose feed began before the log did.

A registry upgraded to the log has a change feed and empty log tables. Its log must still be
the feed, entry for entry, so that every certificate's statements are logged and that live
appends (which put change N at leaf N - 1) continue it. `rebuild_logs` appends, in feed
order, the signed statement of each change the log does not hold yet, exactly as a live
append would have: an issuance's certificate statement, a revocation's revocation
statement, each naming its own log index. A certificate's statements carry nothing that
changes after they are made, and Ed25519 signs deterministically, so with the same key the
rebuilt log is byte for byte the log live appends would have built.

It holds each mode's feed lock while it works, so no change is recorded meanwhile, and it
does nothing when the log is level with the feed: every process runs it when it starts
(`start_notary`), and `soundseal log rebuild` runs it on demand.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from soundseal.registry.certificates.models import Certificate
from soundseal.registry.changes.models import Change, FeedCounter
from soundseal.registry.changes.services import last_sequence, lock_feed
from soundseal.registry.log.appending import LogOutOfStep, append_leaves
from soundseal.registry.log.notary import Notary
from soundseal.registry.log.services import log_size
from soundseal.settings import Settings
from soundseal.signing.signer import start_signing

__all__ = ["BATCH", "rebuild_logs", "start_notary"]

# Changes signed and appended per round trip; bounds the memory a large feed's rebuild takes.
BATCH = 2000


def start_notary(session: Session, settings: Settings) -> Notary:
    """What a process that records changes does when it starts: load and publish its
    signing key (`signing.start_signing`), then bring every log level with its feed."""
    notary = Notary(start_signing(session, settings), settings.public_url)
    rebuild_logs(session, notary)
    return notary


def rebuild_logs(session: Session, notary: Notary) -> dict[str, int]:
    """Append to each mode's log the changes it lacks; how many were appended, by mode."""
    modes = session.scalars(select(FeedCounter.mode).order_by(FeedCounter.mode)).all()
    return {mode: _rebuild(session, notary, mode) for mode in modes}


def _rebuild(session: Session, notary: Notary, mode: str) -> int:
    lock_feed(session, mode)
    size, last = log_size(session, mode), last_sequence(session, mode)
    if size > last:
        raise LogOutOfStep(f"the {mode} log holds {size} entries, its feed only {last}")
    if size == last:
        return 0
    notary.require_active(session)
    appended = 0
    while size < last:
        changes = session.scalars(
            select(Change)
            .where(Change.mode == mode, Change.sequence > size)
            .order_by(Change.sequence)
            .limit(BATCH)
        ).all()
        entries = _entries(session, notary, changes, first_index=size)
        append_leaves(session, mode, size, entries)
        size += len(entries)
        appended += len(entries)
    return appended


def _entries(
    session: Session, notary: Notary, changes: Sequence[Change], *, first_index: int
) -> list[bytes]:
    ids = {change.certificate_id for change in changes}
    certs = {
        cert.id: cert
        for cert in session.scalars(select(Certificate).where(Certificate.id.in_(ids))).all()
    }
    entries = []
    for offset, change in enumerate(changes):
        index = first_index + offset
        if change.sequence != index + 1:
            raise LogOutOfStep(f"the {change.mode} feed has no entry {index + 1}")
        cert = certs[change.certificate_id]
        if change.type == "certificate.created":
            entries.append(notary.certificate_entry(cert, index))
        elif change.type == "certificate.revoked":
            entries.append(notary.revocation_entry(cert, index))
        else:
            raise LogOutOfStep(f"feed entry {change.sequence} is a {change.type!r}, not stated")
    return entries
