"""The registry's log, checked by the platform: pin its key, verify each poll, fail closed.

The operator pins the log's signed-note verifier key once (`pin_log_key`, or
`open_store(url, log_key=…)`, or `soundseal platform pin`): the key's name is the log's
origin, `<registry host>/log/<mode>`, so it also says which log to follow. Each poll then
reads the change feed, fetches the log's checkpoint, accepts it only through
`transparency.monitor.advance` (signed by the pinned key, no rollback, no fork, the new
entries hash to its root), verifies the new entries' statements against the registry's key
set, and checks that feed entry N is log entry N - 1: the same certificate, an issuance for a
`certificate.created` change and a revocation for a `certificate.revoked` one, with the
status that goes with it. A feed entry the log lacks, or a logged entry the feed lacks, is a
disagreement too.

Any of those refusals is recorded in the store with its evidence (`LogPin.failure`): every
seal is hidden, and polls stop, until an operator has looked and calls `clear_log_failure`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from soundseal.platform.models import LoggedCertificate, LogPin
from soundseal.signing.statements import Statement
from soundseal.transparency.audit_errors import AuditError, Evidence
from soundseal.transparency.monitor import VerifiedLog
from soundseal.transparency.note_errors import NoteError
from soundseal.transparency.note_keys import VerifierKey

__all__ = [
    "FeedDisagrees",
    "LogFailure",
    "PinnedLog",
    "clear_log_failure",
    "log_failure",
    "match_feed",
    "parse_log_key",
    "pin_log_key",
    "pinned_log",
]

_MODES = ("live", "test")
# What each change of the feed must be in the log: the statement's kind, and the status the
# change reports.
_CHANGE_KINDS = {
    "certificate.created": ("certificate", "active"),
    "certificate.revoked": ("revocation", "revoked"),
}


class FeedDisagrees(AuditError):
    """The change feed and the verified log do not say the same thing."""


@dataclass(frozen=True)
class LogFailure:
    """Why the poller stopped trusting the registry's log, as recorded."""

    error: str
    evidence: Evidence
    failed_at: datetime | None

    def as_dict(self) -> dict[str, object]:
        return {
            "error": self.error,
            "detail": self.evidence.detail,
            "accepted_checkpoint": self.evidence.accepted,
            "offending": self.evidence.offending,
            "failed_at": self.failed_at,
        }


@dataclass(frozen=True)
class PinnedLog:
    key: VerifierKey
    mode: str
    verified: VerifiedLog


def parse_log_key(text: str) -> tuple[VerifierKey, str]:
    """The verifier key `text` spells and the mode of the log it names; `ValueError` for
    anything that is not the key of a soundseal log (`<host>/log/<live|test>+…`)."""
    try:
        key = VerifierKey.parse(text.strip())
    except (NoteError, ValueError) as exc:
        raise ValueError(f"not a signed-note verifier key: {exc}") from exc
    mode = key.name.rpartition("/log/")[2]
    if "/log/" not in key.name or mode not in _MODES:
        raise ValueError(f"the key {key.name!r} does not name a live or test log")
    return key, mode


def pin_log_key(sessions: sessionmaker[Session], text: str, *, replace: bool = False) -> None:
    """Pin the registry's log key. Pinning the key already pinned changes nothing; another key
    is refused unless `replace`, which starts verifying the new log from its first entry (and
    forgets which certificates the old one logged, and any recorded failure)."""
    key, _ = parse_log_key(text)
    formatted = key.format()
    with sessions() as session, session.begin():
        pin = session.get(LogPin, 1, with_for_update=True)
        if pin is not None and pin.log_key == formatted:
            return
        if pin is not None and not replace:
            raise ValueError(
                f"another log key is pinned ({pin.log_key}); replacing it is an explicit choice"
            )
        if pin is None:
            session.add(LogPin(id=1, log_key=formatted))
        else:
            pin.log_key, pin.verified, pin.failure, pin.failed_at = formatted, None, None, None
            session.execute(delete(LoggedCertificate))


def clear_log_failure(sessions: sessionmaker[Session]) -> LogFailure | None:
    """The operator's decision to trust the log again: forget the recorded failure (returned).
    The verified state stays the last one accepted, so a log still contradicting it fails the
    next poll again; after a legitimate change of log, pin its key with `replace=True`."""
    with sessions() as session, session.begin():
        pin = session.get(LogPin, 1, with_for_update=True)
        if pin is None or pin.failure is None:
            return None
        failure = log_failure(pin)
        pin.failure = pin.failed_at = None
        return failure


def log_failure(pin: LogPin | None) -> LogFailure | None:
    if pin is None or pin.failure is None:
        return None
    value = json.loads(pin.failure)
    return LogFailure(value["error"], Evidence.from_json(value["evidence"]), pin.failed_at)


def record_failure(pin: LogPin, exc: AuditError, now: datetime) -> None:
    pin.failure = json.dumps({"error": type(exc).__name__, "evidence": exc.evidence.to_json()})
    pin.failed_at = now


def pinned_log(pin: LogPin) -> PinnedLog:
    key, mode = parse_log_key(pin.log_key)
    verified = (
        VerifiedLog.loads(pin.verified) if pin.verified is not None else VerifiedLog.empty(key.name)
    )
    return PinnedLog(key, mode, verified)


def match_feed(
    changes: Sequence[dict[str, Any]],
    statements: Sequence[Statement],
    start: int,
    *,
    accepted: str | None,
    offending: str,
) -> None:
    """Feed entry `start + 1 + i` must be what log entry `start + i` states."""
    for index, (change, statement) in enumerate(zip(changes, statements, strict=True), start):
        sequence = change.get("sequence")
        expected = _CHANGE_KINDS.get(str(change.get("type")))
        problem = None
        if sequence != index + 1:
            problem = f"feed sequence {sequence!r} is not log index {index} + 1"
        elif change.get("certificate_id") != statement.certificate_id:
            problem = (
                f"the feed names certificate {change.get('certificate_id')!r}, the log "
                f"{statement.certificate_id!r}"
            )
        elif expected is None:
            problem = f"the feed's change type {change.get('type')!r} has no log statement"
        elif expected[0] != statement.kind:
            problem = f"the feed says {change.get('type')}, the log holds a {statement.kind}"
        elif change.get("status") != expected[1]:
            problem = f"a {change.get('type')} change with status {change.get('status')!r}"
        if problem is not None:
            raise FeedDisagrees(
                f"feed entry {sequence!r} disagrees with log entry {index}: {problem}",
                accepted=accepted,
                offending=offending,
            )
