"""The render gate: may this track show the "verified" seal right now?

A database read only, and true only when every link of the chain holds: a `verified`
binding (the certificate comes from it, never from an ID the uploader typed), the file served
now is byte-for-byte the one that was verified, the certificate is not revoked, its issuance
statement was verified in the registry's log, the log never failed verification, and the
revocation feed was polled successfully within the staleness limit. Anything missing or
doubtful is a reason, and any reason hides the seal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soundseal.db.base import utcnow
from soundseal.platform.log_check import log_failure
from soundseal.platform.models import Binding, FeedState, LoggedCertificate, LogPin, Revocation

__all__ = ["DEFAULT_MAX_STALENESS", "GateResult", "seal_visible", "seals_visible"]

DEFAULT_MAX_STALENESS = timedelta(minutes=15)


@dataclass(frozen=True)
class GateResult:
    track_id: str
    visible: bool
    reasons: list[str] = field(default_factory=list)
    certificate_id: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "track_id": self.track_id,
            "visible": self.visible,
            "reasons": self.reasons,
            "certificate_id": self.certificate_id,
        }


def _feed_reason(state: FeedState | None, now: datetime, max_staleness: timedelta) -> str | None:
    if state is None or state.last_success_at is None:
        return "the revocation feed has never been polled successfully"
    age = now - state.last_success_at
    if age > max_staleness:
        return (
            f"the revocation feed is stale: last successful poll {int(age.total_seconds())} s "
            f"ago (limit {int(max_staleness.total_seconds())} s)"
        )
    return None


def _log_reason(pin: LogPin | None) -> str | None:
    if pin is None:
        return "no log key is pinned: the registry's log cannot be verified"
    failure = log_failure(pin)
    if failure is not None:
        return (
            f"the registry's log failed verification ({failure.error}: "
            f"{failure.evidence.detail}); seals are hidden until an operator clears it"
        )
    return None


def seals_visible(
    session: Session,
    served: Mapping[str, str | None],
    *,
    now: datetime | None = None,
    max_staleness: timedelta = DEFAULT_MAX_STALENESS,
) -> dict[str, GateResult]:
    """The gate for a page of tracks at once: `served` maps track IDs to the SHA-256 of the
    file each serves now (None when unknown). Five queries, whatever the page size."""
    now = now or utcnow()
    feed = _feed_reason(session.get(FeedState, 1), now, max_staleness)
    log = _log_reason(session.get(LogPin, 1))
    latest = (
        select(func.max(Binding.id))
        .where(Binding.track_id.in_(list(served)))
        .group_by(Binding.track_id)
        .scalar_subquery()
    )
    bindings = {
        b.track_id: b for b in session.scalars(select(Binding).where(Binding.id.in_(latest)))
    }
    certificate_ids = {b.certificate_id for b in bindings.values()}
    revoked = set(
        session.scalars(
            select(Revocation.certificate_id).where(Revocation.certificate_id.in_(certificate_ids))
        )
    )
    logged = set(
        session.scalars(
            select(LoggedCertificate.certificate_id).where(
                LoggedCertificate.certificate_id.in_(certificate_ids)
            )
        )
    )
    results: dict[str, GateResult] = {}
    for track_id, served_sha256 in served.items():
        reasons: list[str] = []
        binding = bindings.get(track_id)
        if binding is None:
            reasons.append("no verified binding for this track")
        else:
            if binding.state != "verified":
                reasons.append(f"the binding is {binding.state}")
            if binding.certificate_id in revoked:
                reasons.append(f"certificate {binding.certificate_id} is revoked")
            if binding.certificate_id not in logged:
                reasons.append(
                    f"certificate {binding.certificate_id} has no verified issuance entry in "
                    "the log yet"
                )
            if served_sha256 is None:
                reasons.append("the served file is unknown")
            elif served_sha256 != binding.served_sha256:
                reasons.append("the served file is not the one that was verified")
        reasons.extend(r for r in (log, feed) if r is not None)
        results[track_id] = GateResult(
            track_id=track_id,
            visible=not reasons,
            reasons=reasons,
            certificate_id=binding.certificate_id if binding is not None and not reasons else None,
        )
    return results


def seal_visible(
    session: Session,
    track_id: str,
    served_sha256: str | None,
    *,
    now: datetime | None = None,
    max_staleness: timedelta = DEFAULT_MAX_STALENESS,
) -> GateResult:
    return seals_visible(session, {track_id: served_sha256}, now=now, max_staleness=max_staleness)[
        track_id
    ]
