"""Issuing a certificate: the draft's checks, the credit, the duplicate checks, the history,
the event and the change-feed entry, all in the caller's one transaction."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soundseal.db.base import utcnow
from soundseal.errors import Conflict, DuplicateCertificate, ErrorCode
from soundseal.ids import new_certificate_id, new_certificate_number
from soundseal.registry.acoustic.fingerprints import fingerprint_to_bytes
from soundseal.registry.acoustic.index import AcousticIndex
from soundseal.registry.acoustic.services import check_acoustic_duplicate
from soundseal.registry.certificates.drafts import NewCertificate, validated
from soundseal.registry.certificates.lifecycle import add_version, emit_certificate_event
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.changes.services import record_change
from soundseal.registry.credits.services import spend_credit
from soundseal.registry.log.notary import Notary
from soundseal.urls import verify_url

__all__ = ["NUMBER_ATTEMPTS", "create_certificate", "issue_certificate"]

# How many certificate numbers one issuance tries; more than one collision in a row means the
# generator is broken, not unlucky.
NUMBER_ATTEMPTS = 5


def issue_certificate(
    session: Session,
    *,
    account_id: str,
    mode: str,
    draft: NewCertificate,
    actor: str | None,
    base_url: str,
    acoustic_index: AcousticIndex | None,
    credits_enabled: bool,
    notary: Notary,
    test_mode_audio_hours: float | None = None,
) -> Certificate:
    """The issue use case, as the API and the dashboard run it: one credit for a live
    certificate, then the certificate.

    The credit is taken first: without one nothing below runs (`PaymentRequired`), and a
    refused issuance (invalid, a duplicate) raises out of the caller's transaction, which
    rolls the charge back with everything else. Test mode is free, so what it may hold is
    bounded instead (`test_mode_audio_hours`).
    """
    if mode == "test" and draft.acoustic is not None and test_mode_audio_hours is not None:
        _check_test_mode_room(
            session, account_id, draft.acoustic.duration_ms, test_mode_audio_hours
        )
    spend_credit(
        session,
        account_id=account_id,
        mode=mode,
        reason="certificate",
        actor=actor,
        enabled=credits_enabled,
    )
    return create_certificate(
        session,
        account_id=account_id,
        mode=mode,
        draft=draft,
        actor=actor,
        base_url=base_url,
        acoustic_index=acoustic_index,
        notary=notary,
    )


def _check_test_mode_room(
    session: Session, account_id: str, duration_ms: int, limit_hours: float
) -> None:
    """Refuse a test certificate whose fingerprint would take the workspace's active test
    certificates past `limit_hours` of audio. Live certificates cost a credit each; test ones
    are free, and every server process holds their fingerprints in memory, so without a
    bound one free workspace could grow every process without end."""
    held = session.scalar(
        select(func.coalesce(func.sum(Certificate.duration_ms), 0)).where(
            Certificate.account_id == account_id,
            Certificate.mode == "test",
            Certificate.status == "active",
            Certificate.fingerprint.is_not(None),
        )
    )
    limit_ms = int(limit_hours * 3_600_000)
    if int(held or 0) + duration_ms > limit_ms:
        raise Conflict(
            f"Test mode holds at most {limit_hours:g} hours of fingerprinted audio per "
            "workspace; revoke test certificates you no longer need",
            code=ErrorCode.TEST_MODE_FULL,
            limit_hours=limit_hours,
            held_ms=int(held or 0),
        )


def _exact_duplicate(session: Session, mode: str, sha256: str) -> Certificate | None:
    return session.scalar(
        select(Certificate).where(
            Certificate.mode == mode, Certificate.sha256 == sha256, Certificate.status == "active"
        )
    )


def _number_taken(session: Session, number: str) -> bool:
    query = select(Certificate.id).where(Certificate.certificate_number == number)
    return session.scalar(query) is not None


def _duplicate_error(existing: Certificate, base_url: str) -> DuplicateCertificate:
    return DuplicateCertificate(
        "A certificate with this audio fingerprint already exists",
        match_type="exact",
        existing_certificate_id=existing.id,
        existing_certificate_number=existing.certificate_number,
        verification_url=verify_url(base_url, existing.certificate_number),
    )


def create_certificate(
    session: Session,
    *,
    account_id: str,
    mode: str,
    draft: NewCertificate,
    actor: str | None,
    base_url: str,
    notary: Notary,
    acoustic_index: AcousticIndex | None = None,
) -> Certificate:
    """Issue a certificate without charging for it (`issue_certificate` charges). With a
    fingerprint, audio matching an active certificate's master (a re-encode, a clip) is
    refused as an acoustic duplicate. Its signed statement is the log's next leaf."""
    draft = validated(draft)
    notary.require_active(session)
    existing = _exact_duplicate(session, mode, draft.sha256)
    if existing is not None:
        raise _duplicate_error(existing, base_url)
    if draft.acoustic is not None:
        if acoustic_index is None:
            raise ValueError("an acoustic index is needed to issue from a fingerprint")
        check_acoustic_duplicate(
            session, acoustic_index, mode=mode, fingerprint=draft.acoustic, base_url=base_url
        )
    now = utcnow()
    cert = Certificate(
        id=new_certificate_id(test_mode=mode == "test"),
        account_id=account_id,
        mode=mode,
        certificate_number=new_certificate_number(now),
        track_title=draft.track_title,
        artist_name=draft.artist_name,
        sha256=draft.sha256,
        isrc=draft.isrc,
        type=draft.type,
        declaration_text=draft.declaration_text,
        audio_file_name=draft.audio_file_name,
        ai_disclosure=draft.ai_disclosure,
        fingerprint=fingerprint_to_bytes(draft.acoustic) if draft.acoustic else None,
        duration_ms=draft.acoustic.duration_ms if draft.acoustic else None,
        status="active",
        issued_at=now,
        updated_at=now,
        version=1,
    )
    for attempt in range(1, NUMBER_ATTEMPTS + 1):
        try:
            # A savepoint, so that losing a race on a unique index leaves the outer
            # transaction usable (on PostgreSQL a failed statement aborts it otherwise).
            with session.begin_nested():
                session.add(cert)
                session.flush()
            break
        except IntegrityError as exc:
            existing = _exact_duplicate(session, mode, draft.sha256)
            if existing is not None:
                raise _duplicate_error(existing, base_url) from exc
            if attempt == NUMBER_ATTEMPTS or not _number_taken(session, cert.certificate_number):
                raise
            # Eight random characters (40 bits) do collide once a registry is large
            # enough: draw another number rather than fail the issuance.
            cert.certificate_number = new_certificate_number(now)
    change = record_change(
        session,
        mode=mode,
        type="certificate.created",
        certificate_id=cert.id,
        status="active",
        log_entry=lambda index: notary.certificate_entry(cert, index),
    )
    cert.sequence = change.sequence
    add_version(session, cert, "created", actor)
    emit_certificate_event(session, cert, "certificate.created", base_url)
    session.flush()
    return cert
