"""Claims: filed against a certificate, answered by its owner, resolved by the operator.

    pending ──respond──▶ responded ──resolve──▶ resolved (upheld: the certificate is revoked;
       │                                 ▲                 dismissed: it stands)
       └──deadline passes──▶ expired ────┘

Every step appends to the certificate's version history and emits a `claim.*` event, in the
caller's transaction. Functions take a session and never commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from soundseal.errors import Conflict, ErrorCode, InvalidInput, NotFound
from soundseal.ids import SANDBOX_CERTIFICATE_ID, new_id
from soundseal.registry.accounts.services import normalize_email
from soundseal.registry.certificates.history import record_step
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.services import (
    get_certificate,
    required_text,
    revoke_certificate,
)
from soundseal.registry.claims.models import Claim
from soundseal.registry.claims.views import (
    claim_event_data,
    claim_history_detail,
    effective_status,
)
from soundseal.registry.cursors import decode_cursor, encode_cursor
from soundseal.registry.log.notary import Notary

__all__ = [
    "CLAIM_STATUSES",
    "CLAIM_TYPES",
    "RESOLUTIONS",
    "ClaimPage",
    "NewClaim",
    "expire_overdue_claims",
    "file_claim",
    "get_claim",
    "list_claims",
    "resolve_claim",
    "respond_to_claim",
    "unanswered_claims",
]

CLAIM_TYPES = ("ownership", "credit", "ai_use", "other")
CLAIM_STATUSES = ("pending", "responded", "resolved", "expired")
RESOLUTIONS = ("upheld", "dismissed")
PUBLIC_FORM = "public_form"


@dataclass(frozen=True)
class NewClaim:
    certificate: str
    type: str
    description: str
    claimant_name: str
    claimant_email: str


def _validated(draft: NewClaim) -> NewClaim:
    if draft.type not in CLAIM_TYPES:
        raise InvalidInput(f"type must be one of {', '.join(CLAIM_TYPES)}", field="type")
    return NewClaim(
        certificate=required_text(draft.certificate, "certificate", 64),
        type=draft.type,
        description=required_text(draft.description, "description", 5000),
        claimant_name=required_text(draft.claimant_name, "claimant_name", 200),
        claimant_email=normalize_email(draft.claimant_email, "claimant_email"),
    )


def _claimable(session: Session, ident: str, mode: str | None) -> Certificate:
    """The certificate a claim names. Unknown, another mode's, the sandbox, or revoked: all
    refused as bad input naming `certificate` (no hint whether another mode has it)."""
    try:
        cert = get_certificate(session, ident)
    except NotFound:
        cert = None
    if cert is None or (mode is not None and cert.mode != mode):
        raise InvalidInput(f"No certificate {ident!r}", field="certificate")
    if cert.id == SANDBOX_CERTIFICATE_ID:
        raise InvalidInput("The sandbox certificate takes no claims", field="certificate")
    if cert.status != "active":
        raise InvalidInput(
            f"Certificate {cert.certificate_number} is revoked; claims are filed against "
            "active certificates",
            field="certificate",
        )
    return cert


def _step(session: Session, claim: Claim, change: str, actor: str | None, at: datetime) -> None:
    """Record a step of `claim` in its certificate's history and as an event."""
    cert = claim.certificate
    record_step(
        session,
        cert,
        change=change,
        actor=actor,
        at=at,
        detail=claim_history_detail(claim),
        event_data=claim_event_data(claim, cert),
    )


def file_claim(
    session: Session,
    draft: NewClaim,
    *,
    mode: str | None,
    filed_by: str,
    response_window: timedelta,
    now: datetime,
) -> Claim:
    """File a claim. `mode` is the filing key's (None from the public form, which files
    against whatever certificate its page shows)."""
    draft = _validated(draft)
    cert = _claimable(session, draft.certificate, mode)
    claim = Claim(
        id=new_id("clm_test" if cert.mode == "test" else "clm"),
        certificate_id=cert.id,
        account_id=cert.account_id,
        mode=cert.mode,
        type=draft.type,
        status="pending",
        description=draft.description,
        claimant_name=draft.claimant_name,
        claimant_email=draft.claimant_email,
        filed_by=filed_by,
        response_deadline=now + response_window,
        created_at=now,
    )
    claim.certificate = cert
    session.add(claim)
    _step(session, claim, "claim.filed", filed_by, now)
    return claim


def get_claim(
    session: Session, claim_id: str, *, account_id: str | None, mode: str | None
) -> Claim:
    """A claim against one of `account_id`'s certificates in `mode` (None for either: the
    operator's view). Anything else is not found, never forbidden."""
    claim = session.get(Claim, claim_id) if claim_id.startswith("clm_") else None
    if (
        claim is None
        or (mode is not None and claim.mode != mode)
        or (account_id is not None and claim.account_id != account_id)
    ):
        raise NotFound(f"No claim {claim_id!r}")
    return claim


def _status_filter(status: str, now: datetime) -> Any:
    overdue = and_(Claim.status == "pending", Claim.response_deadline <= now)
    if status == "pending":
        return and_(Claim.status == "pending", Claim.response_deadline > now)
    if status == "expired":
        return or_(Claim.status == "expired", overdue)
    return Claim.status == status


@dataclass
class ClaimPage:
    claims: list[Claim]
    total: int
    limit: int
    offset: int
    has_more: bool
    next_cursor: str | None = None


_CLAIM_ID = re.compile(r"^clm_(test_)?[0-9A-HJKMNP-TV-Z]{26}$")


def is_claim_id(value: str) -> bool:
    return _CLAIM_ID.match(value) is not None


def list_claims(
    session: Session,
    *,
    account_id: str,
    mode: str,
    now: datetime,
    status: str | None = None,
    type: str | None = None,
    certificate: str | None = None,
    limit: int = 20,
    offset: int = 0,
    starting_after: str | None = None,
    cursor: str | None = None,
) -> ClaimPage:
    """Claims against the workspace's certificates, newest first. Offset pagination as the
    vendor doc; `cursor` (as every list has) or `starting_after` (a claim ID) for stable
    deep paging."""
    if status is not None and status not in CLAIM_STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(CLAIM_STATUSES)}", field="status")
    if type is not None and type not in CLAIM_TYPES:
        raise InvalidInput(f"type must be one of {', '.join(CLAIM_TYPES)}", field="type")
    if starting_after is not None and offset:
        raise InvalidInput("Use either starting_after or offset, not both", field="starting_after")
    if cursor is not None and (offset or starting_after is not None):
        raise InvalidInput("Use one of cursor, starting_after or offset", field="cursor")
    if starting_after is not None and not starting_after.startswith("clm_"):
        raise InvalidInput("starting_after must be a claim ID (clm_…)", field="starting_after")
    if cursor is not None:
        starting_after = decode_cursor(cursor, valid=is_claim_id)
    where = [Claim.account_id == account_id, Claim.mode == mode]
    if status is not None:
        where.append(_status_filter(status, now))
    if type is not None:
        where.append(Claim.type == type)
    if certificate is not None:
        try:
            cert = get_certificate(session, certificate.strip())
        except NotFound:
            raise InvalidInput(f"No certificate {certificate!r}", field="certificate") from None
        where.append(Claim.certificate_id == cert.id)
    total = session.scalar(select(func.count()).select_from(Claim).where(*where)) or 0
    query = select(Claim).where(*where)
    if starting_after is not None:
        query = query.where(Claim.id < starting_after)
    rows = list(session.scalars(query.order_by(Claim.id.desc()).offset(offset).limit(limit + 1)))
    has_more = len(rows) > limit
    rows = rows[:limit]
    return ClaimPage(
        claims=rows,
        total=int(total),
        limit=limit,
        offset=offset,
        has_more=has_more,
        next_cursor=encode_cursor(rows[-1].id) if has_more and rows else None,
    )


def _closed(claim: Claim, message: str) -> Conflict:
    return Conflict(message, code=ErrorCode.CLAIM_CLOSED, claim_status=claim.status)


def respond_to_claim(
    session: Session, claim: Claim, *, response: str, actor: str | None, now: datetime
) -> Claim:
    """The certificate owner's answer: once, before the deadline."""
    response = required_text(response, "response", 5000)
    status = effective_status(claim, now)
    if status == "expired":
        raise _closed(claim, f"Claim {claim.id} expired unanswered; it can no longer be answered")
    if status != "pending":
        raise _closed(claim, f"Claim {claim.id} is {status}; only a pending claim is answered")
    claim.status = "responded"
    claim.response = response
    claim.responded_at = now
    claim.responded_by = actor
    _step(session, claim, "claim.responded", actor, now)
    return claim


def _expire(session: Session, claim: Claim, now: datetime) -> None:
    claim.status = "expired"
    # When it became expired, which reads have shown since: the deadline, not the sweep.
    claim.expired_at = claim.response_deadline
    _step(session, claim, "claim.expired", None, now)


def resolve_claim(
    session: Session,
    claim: Claim,
    *,
    outcome: str,
    note: str,
    actor: str,
    base_url: str,
    now: datetime,
    notary: Notary,
) -> Claim:
    """The operator's decision. `upheld` revokes the certificate, the claim as the reason."""
    if outcome not in RESOLUTIONS:
        raise InvalidInput(f"outcome must be one of {', '.join(RESOLUTIONS)}", field="outcome")
    note = required_text(note, "note", 2000)
    if claim.status == "resolved":
        raise _closed(claim, f"Claim {claim.id} is already resolved ({claim.resolution})")
    if effective_status(claim, now) == "expired" and claim.status == "pending":
        _expire(session, claim, now)
    claim.status = "resolved"
    claim.resolution = outcome
    claim.resolution_note = note
    claim.resolved_at = now
    _step(session, claim, "claim.resolved", actor, now)
    cert = claim.certificate
    if outcome == "upheld" and cert.status == "active":
        revoke_certificate(
            session,
            cert,
            reason=f"Claim {claim.id} ({claim.type}) upheld: {note}",
            actor=actor,
            base_url=base_url,
            notary=notary,
        )
    return claim


def expire_overdue_claims(session: Session, now: datetime) -> list[Claim]:
    """Mark every pending claim past its deadline `expired` (history + `claim.expired`).

    Reads already show such claims as expired (`effective_status`); this writes it down and
    tells the owner's webhooks. Expiry revokes nothing: it closes the owner's chance to
    answer and leaves the claim to the operator, who decides it (see the claims docs)."""
    overdue = list(
        session.scalars(
            select(Claim)
            .where(Claim.status == "pending", Claim.response_deadline <= now)
            .order_by(Claim.id)
            # Two concurrent sweeps (PostgreSQL) each take different claims.
            .with_for_update(skip_locked=True, of=Claim)
        )
    )
    for claim in overdue:
        _expire(session, claim, now)
    return overdue


def unanswered_claims(session: Session, certificate_id: str, now: datetime) -> int:
    """Claims against the certificate that expired unanswered and await the operator: what
    its proof page shows, the public consequence of leaving a claim unanswered."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Claim)
            .where(Claim.certificate_id == certificate_id, _status_filter("expired", now))
        )
        or 0
    )
