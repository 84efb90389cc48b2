"""What happens to an issued certificate: its history entries and events, and revocation.

Every change is one version in the history, one entry in the change feed, one signed leaf
of the mode's transparency log and one event to the workspace's webhooks, written in the
caller's transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from soundseal.db.base import utcnow
from soundseal.errors import Conflict, ErrorCode
from soundseal.registry.certificates.access import get_owned_certificate
from soundseal.registry.certificates.drafts import required_text
from soundseal.registry.certificates.models import Certificate, CertificateVersion
from soundseal.registry.certificates.records import record_of
from soundseal.registry.certificates.views import certificate_event_data, snapshot
from soundseal.registry.changes.services import record_change
from soundseal.registry.events.services import emit
from soundseal.registry.log.notary import Notary

__all__ = ["add_version", "emit_certificate_event", "revoke_certificate", "revoke_owned"]


def add_version(session: Session, cert: Certificate, change: str, actor: str | None) -> None:
    session.add(
        CertificateVersion(
            certificate_id=cert.id,
            version=cert.version,
            change=change,
            actor=actor,
            snapshot=snapshot(cert),
            changed_at=cert.updated_at,
        )
    )


def emit_certificate_event(session: Session, cert: Certificate, type: str, base_url: str) -> None:
    emit(
        session,
        account_id=cert.account_id,
        mode=cert.mode,
        type=type,
        data=certificate_event_data(record_of(cert), base_url=base_url),
    )


def revoke_certificate(
    session: Session,
    cert: Certificate,
    *,
    reason: str,
    actor: str | None,
    base_url: str,
    notary: Notary,
) -> Certificate:
    reason = required_text(reason, "reason", 2000)
    if cert.status == "revoked":
        raise Conflict(f"Certificate {cert.id} is already revoked", code=ErrorCode.ALREADY_REVOKED)
    notary.require_active(session)
    now = utcnow()
    cert.status = "revoked"
    cert.revoked_at = now
    cert.revocation_reason = reason
    cert.updated_at = now
    cert.version += 1
    change = record_change(
        session,
        mode=cert.mode,
        type="certificate.revoked",
        certificate_id=cert.id,
        status="revoked",
        log_entry=lambda index: notary.revocation_entry(cert, index),
    )
    cert.sequence = change.sequence
    add_version(session, cert, "revoked", actor)
    emit_certificate_event(session, cert, "certificate.revoked", base_url)
    session.flush()
    return cert


def revoke_owned(
    session: Session,
    id_or_number: str,
    *,
    account_id: str,
    mode: str,
    reason: str,
    actor: str | None,
    base_url: str,
    notary: Notary,
) -> Certificate:
    """Revoke one of `account_id`'s certificates in `mode` (the revoke use case: another
    workspace's certificate, or one of the other mode, is not found)."""
    cert = get_owned_certificate(session, id_or_number, account_id=account_id, mode=mode)
    return revoke_certificate(
        session, cert, reason=reason, actor=actor, base_url=base_url, notary=notary
    )
