"""Contributors: the owner invites, each invitee acknowledges once through a link.

The link's token is the only proof of being the invitee (soundseal sends no email; the owner
passes the link on), so it is random, shown once, stored as a SHA-256, and cleared when used.
Functions take a session and never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from soundseal.errors import Conflict, ErrorCode, InvalidInput, NotFound
from soundseal.ids import new_id
from soundseal.registry.accounts.services import normalize_email
from soundseal.registry.certificates.history import record_step
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.records import record_of
from soundseal.registry.certificates.services import required_text
from soundseal.registry.certificates.views import certificate_event_data
from soundseal.registry.contributors.models import Contributor
from soundseal.registry.contributors.views import (
    contributor_event_data,
    contributor_history_detail,
)
from soundseal.registry.events.services import emit

__all__ = [
    "MAX_CONTRIBUTORS",
    "acknowledge",
    "find_by_token",
    "invite_contributor",
    "list_contributors",
]

MAX_CONTRIBUTORS = 200
_TOKEN_PREFIX = "ack_"  # noqa: S105 - a prefix, not a secret


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _step(
    session: Session,
    contributor: Contributor,
    cert: Certificate,
    change: str,
    actor: str | None,
    at: datetime,
) -> None:
    record_step(
        session,
        cert,
        change=change,
        actor=actor,
        at=at,
        detail=contributor_history_detail(contributor),
        event_data=contributor_event_data(contributor, cert),
    )


def invite_contributor(
    session: Session,
    cert: Certificate,
    *,
    name: str,
    role: str,
    email: str,
    actor: str | None,
    now: datetime,
) -> tuple[Contributor, str]:
    """Invite a contributor to `cert` (the caller checked ownership). Returns the row and the
    acknowledgement token: the only time it exists in clear."""
    name = required_text(name, "name", 200)
    role = required_text(role, "role", 100)
    email = normalize_email(email, "email")
    if cert.status != "active":
        raise InvalidInput(
            f"Certificate {cert.certificate_number} is revoked; contributors are added to "
            "active certificates",
            field="certificate",
        )
    if len(list_contributors(session, cert.id)) >= MAX_CONTRIBUTORS:
        raise InvalidInput(
            f"A certificate has at most {MAX_CONTRIBUTORS} contributors", field="name"
        )
    token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    contributor = Contributor(
        id=new_id("ctb_test" if cert.mode == "test" else "ctb"),
        certificate_id=cert.id,
        account_id=cert.account_id,
        mode=cert.mode,
        name=name,
        role=role,
        email=email,
        status="pending",
        token_hash=_hash(token),
        invited_by=actor,
        invited_at=now,
    )
    session.add(contributor)
    _step(session, contributor, cert, "contributor.invited", actor, now)
    return contributor, token


def list_contributors(
    session: Session, certificate_id: str, *, acknowledged_only: bool = False
) -> list[Contributor]:
    """In the order they were invited."""
    query = select(Contributor).where(Contributor.certificate_id == certificate_id)
    if acknowledged_only:
        query = query.where(Contributor.status == "acknowledged")
    return list(session.scalars(query.order_by(Contributor.id)))


def find_by_token(session: Session, token: str) -> Contributor:
    """The invitation a link belongs to. A used link's token is gone: not found."""
    contributor = None
    if token.startswith(_TOKEN_PREFIX) and len(token) <= 100:
        contributor = session.scalar(
            select(Contributor).where(Contributor.token_hash == _hash(token))
        )
    if contributor is None:
        raise NotFound("This acknowledgement link is not valid, or has already been used")
    return contributor


def acknowledge(session: Session, token: str, *, now: datetime, base_url: str) -> Contributor:
    """Use a link: the contributor confirms their credit. A second use is refused.

    The certificate's public credits change with it, so besides `contributor.acknowledged`
    the workspace gets `certificate.updated` (its new version, `changes: ["contributors"]`).
    """
    # Locked, so two concurrent uses of one link cannot both acknowledge (PostgreSQL).
    contributor = session.scalar(
        select(Contributor)
        .where(Contributor.token_hash == _hash(token))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if contributor is None or contributor.status != "pending":
        raise Conflict(
            "This acknowledgement link has already been used or is not valid",
            code=ErrorCode.LINK_USED,
        )
    cert = session.get(Certificate, contributor.certificate_id)
    assert cert is not None
    contributor.status = "acknowledged"
    contributor.acknowledged_at = now
    contributor.token_hash = None
    _step(
        session, contributor, cert, "contributor.acknowledged", f"contributor:{contributor.id}", now
    )
    emit(
        session,
        account_id=cert.account_id,
        mode=cert.mode,
        type="certificate.updated",
        data={
            **certificate_event_data(record_of(cert), base_url=base_url),
            "changes": ["contributors"],
        },
    )
    return contributor
