"""Certificates and their lifecycle. Functions take a session and never commit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soundseal.audio import Fingerprint
from soundseal.db.base import utcnow
from soundseal.db.fastread import Reader, fetch_one
from soundseal.errors import Conflict, DuplicateCertificate, InvalidInput, NotFound
from soundseal.ids import (
    SANDBOX_CERTIFICATE_ID,
    is_certificate_id,
    is_certificate_number,
    new_certificate_id,
    new_certificate_number,
)
from soundseal.registry.acoustic.fingerprints import fingerprint_to_bytes
from soundseal.registry.acoustic.index import AcousticIndex
from soundseal.registry.acoustic.services import check_acoustic_duplicate
from soundseal.registry.certificates.isrc import normalize_isrc
from soundseal.registry.certificates.models import Certificate, CertificateVersion
from soundseal.registry.certificates.views import certificate_event_data, snapshot
from soundseal.registry.changes.services import record_change
from soundseal.registry.cursors import decode_cursor, encode_cursor
from soundseal.registry.events.services import emit

__all__ = [
    "CertificatePage",
    "NewCertificate",
    "create_certificate",
    "find_for_verification",
    "get_acoustic",
    "get_certificate",
    "get_status",
    "list_certificates",
    "list_versions",
    "required_text",
    "revoke_certificate",
]

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
CERTIFICATE_TYPES = ("sound_recording", "composition")
AI_INVOLVEMENT = ("none", "assisted", "generated")


@dataclass(frozen=True)
class NewCertificate:
    track_title: str
    artist_name: str
    sha256: str
    isrc: str | None = None
    type: str = "sound_recording"
    declaration_text: str = "Original Work"
    audio_file_name: str | None = None
    ai_disclosure: dict[str, Any] | None = None
    # The master's acoustic fingerprint (whole length) and duration, when audio or a
    # client-computed fingerprint was submitted.
    acoustic: Fingerprint | None = None


def required_text(value: str, name: str, limit: int) -> str:
    """`value` stripped; refused (naming `name`) when empty or longer than `limit`."""
    value = value.strip()
    if not value:
        raise InvalidInput(f"{name} must not be empty", field=name)
    if len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters", field=name)
    return value


def normalize_sha256(value: str, name: str = "sha256_fingerprint") -> str:
    value = value.strip().lower()
    if not _SHA256_RE.match(value):
        raise InvalidInput(f"{name} must be 64 hexadecimal characters (a SHA-256)", field=name)
    return value


def _ai_disclosure(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    involvement = value.get("involvement")
    if involvement not in AI_INVOLVEMENT:
        raise InvalidInput(
            f"ai_disclosure.involvement must be one of {', '.join(AI_INVOLVEMENT)}",
            field="ai_disclosure.involvement",
        )
    tools = value.get("tools", [])
    if not isinstance(tools, list) or not all(isinstance(t, str) and t.strip() for t in tools):
        raise InvalidInput(
            "ai_disclosure.tools must be a list of tool names", field="ai_disclosure.tools"
        )
    unknown = sorted(set(value) - {"involvement", "tools"})
    if unknown:
        raise InvalidInput(
            f"ai_disclosure has unknown field(s): {', '.join(unknown)}", field="ai_disclosure"
        )
    return {"involvement": involvement, "tools": [t.strip() for t in tools]}


def _validated(draft: NewCertificate) -> NewCertificate:
    if draft.type not in CERTIFICATE_TYPES:
        raise InvalidInput(f"type must be one of {', '.join(CERTIFICATE_TYPES)}", field="type")
    return NewCertificate(
        track_title=required_text(draft.track_title, "track_title", 500),
        artist_name=required_text(draft.artist_name, "artist_name", 500),
        sha256=normalize_sha256(draft.sha256),
        isrc=normalize_isrc(draft.isrc) if draft.isrc else None,
        type=draft.type,
        declaration_text=required_text(draft.declaration_text, "declaration_text", 2000),
        audio_file_name=(
            required_text(draft.audio_file_name, "audio_file_name", 500)
            if draft.audio_file_name
            else None
        ),
        ai_disclosure=_ai_disclosure(draft.ai_disclosure),
        acoustic=draft.acoustic,
    )


def _exact_duplicate(session: Session, mode: str, sha256: str) -> Certificate | None:
    return session.scalar(
        select(Certificate).where(
            Certificate.mode == mode, Certificate.sha256 == sha256, Certificate.status == "active"
        )
    )


# How many certificate numbers one issuance tries; more than one collision in a row means the
# generator is broken, not unlucky.
NUMBER_ATTEMPTS = 5


def _number_taken(session: Session, number: str) -> bool:
    query = select(Certificate.id).where(Certificate.certificate_number == number)
    return session.scalar(query) is not None


def _duplicate_error(existing: Certificate, base_url: str) -> DuplicateCertificate:
    return DuplicateCertificate(
        "A certificate with this audio fingerprint already exists",
        match_type="exact",
        existing_certificate_id=existing.id,
        existing_certificate_number=existing.certificate_number,
        verification_url=f"{base_url}/verify/{existing.certificate_number}",
    )


def _add_version(session: Session, cert: Certificate, change: str, actor: str | None) -> None:
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


def create_certificate(
    session: Session,
    *,
    account_id: str,
    mode: str,
    draft: NewCertificate,
    actor: str | None,
    base_url: str,
    acoustic_index: AcousticIndex | None = None,
) -> Certificate:
    """Issue a certificate. With a fingerprint, audio matching an active certificate's
    master (a re-encode, a clip) is refused as an acoustic duplicate."""
    draft = _validated(draft)
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
        session, mode=mode, type="certificate.created", certificate_id=cert.id, status="active"
    )
    cert.sequence = change.sequence
    _add_version(session, cert, "created", actor)
    _emit(session, cert, "certificate.created", base_url)
    session.flush()
    return cert


def _emit(session: Session, cert: Certificate, type: str, base_url: str) -> None:
    emit(
        session,
        account_id=cert.account_id,
        mode=cert.mode,
        type=type,
        data=certificate_event_data(cert, base_url=base_url),
    )


def get_certificate(session: Session, id_or_number: str) -> Certificate:
    if is_certificate_id(id_or_number):
        cert = session.get(Certificate, id_or_number)
    elif is_certificate_number(id_or_number.upper()):
        cert = session.scalar(
            select(Certificate).where(Certificate.certificate_number == id_or_number.upper())
        )
    else:
        raise NotFound(
            f"No certificate {id_or_number!r}: expected an ID (cer_…) or a number (SS-YYYY-…)"
        )
    if cert is None:
        raise NotFound(f"No certificate {id_or_number!r}")
    return cert


def visible_in_mode(cert: Any, mode: str) -> bool:
    """Keys see only their own mode's certificates; the sandbox certificate is for everyone."""
    return bool(cert.mode == mode or cert.id == SANDBOX_CERTIFICATE_ID)


def revoke_certificate(
    session: Session, cert: Certificate, *, reason: str, actor: str | None, base_url: str
) -> Certificate:
    reason = required_text(reason, "reason", 2000)
    if cert.status == "revoked":
        raise Conflict(f"Certificate {cert.id} is already revoked", code="already_revoked")
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
    )
    cert.sequence = change.sequence
    _add_version(session, cert, "revoked", actor)
    _emit(session, cert, "certificate.revoked", base_url)
    session.flush()
    return cert


@dataclass
class CertificatePage:
    certificates: list[Certificate]
    total: int
    limit: int
    offset: int
    has_more: bool
    next_cursor: str | None = field(default=None)


def list_certificates(
    session: Session,
    *,
    account_id: str,
    mode: str,
    limit: int = 20,
    offset: int = 0,
    cursor: str | None = None,
    status: str | None = None,
    artist: str | None = None,
) -> CertificatePage:
    """Newest first. Offset pagination as the vendor doc; cursors for stable deep paging."""
    if status is not None and status not in ("active", "revoked"):
        raise InvalidInput("status must be 'active' or 'revoked'", field="status")
    if cursor is not None and offset:
        raise InvalidInput("Use either cursor or offset, not both", field="cursor")
    where = [Certificate.account_id == account_id, Certificate.mode == mode]
    if status is not None:
        where.append(Certificate.status == status)
    if artist:
        pattern = (
            "%" + artist.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        where.append(func.lower(Certificate.artist_name).like(pattern, escape="\\"))
    total = session.scalar(select(func.count()).select_from(Certificate).where(*where)) or 0
    query = select(Certificate).where(*where)
    if cursor is not None:
        query = query.where(Certificate.id < decode_cursor(cursor, valid=is_certificate_id))
    rows = list(
        session.scalars(query.order_by(Certificate.id.desc()).offset(offset).limit(limit + 1))
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    return CertificatePage(
        certificates=rows,
        total=int(total),
        limit=limit,
        offset=offset,
        has_more=has_more,
        next_cursor=encode_cursor(rows[-1].id) if has_more and rows else None,
    )


def list_versions(session: Session, certificate_id: str) -> list[CertificateVersion]:
    return list(
        session.scalars(
            select(CertificateVersion)
            .where(CertificateVersion.certificate_id == certificate_id)
            .order_by(CertificateVersion.version)
        )
    )


_PUBLIC_COLUMNS = (
    Certificate.id,
    Certificate.mode,
    Certificate.certificate_number,
    Certificate.track_title,
    Certificate.artist_name,
    Certificate.status,
    Certificate.isrc,
    Certificate.sha256,
    Certificate.declaration_text,
    Certificate.issued_at,
    Certificate.revoked_at,
)
_ACTIVE_FIRST = case((Certificate.status == "active", 0), else_=1)


def _verification_statement(column: Any) -> Any:
    return (
        select(*_PUBLIC_COLUMNS)
        .where(Certificate.mode == bindparam("mode"), column == bindparam("value"))
        .order_by(_ACTIVE_FIRST, Certificate.id.desc())
        .limit(1)
    )


# Built once: verification and status are the registry's hottest reads.
_VERIFY_BY = {
    "certificate_number": _verification_statement(Certificate.certificate_number),
    "sha256": _verification_statement(Certificate.sha256),
    "isrc": _verification_statement(Certificate.isrc),
}
_ACOUSTIC_COLUMNS = (
    Certificate.id,
    Certificate.mode,
    Certificate.status,
    Certificate.fingerprint,
    Certificate.duration_ms,
)
_ACOUSTIC_BY_ID = select(*_ACOUSTIC_COLUMNS).where(Certificate.id == bindparam("value"))
_ACOUSTIC_BY_NUMBER = select(*_ACOUSTIC_COLUMNS).where(
    Certificate.certificate_number == bindparam("value")
)
_STATUS_BY_ID = select(
    Certificate.id,
    Certificate.mode,
    Certificate.status,
    Certificate.updated_at,
    Certificate.sequence,
).where(Certificate.id == bindparam("value"))
_STATUS_BY_NUMBER = select(
    Certificate.id,
    Certificate.mode,
    Certificate.status,
    Certificate.updated_at,
    Certificate.sequence,
).where(Certificate.certificate_number == bindparam("value"))


def find_for_verification(
    reader: Reader,
    *,
    mode: str,
    certificate_number: str | None = None,
    sha256: str | None = None,
    isrc: str | None = None,
) -> Any | None:
    """The certificate a public verification refers to: active ones first, then newest."""
    if certificate_number is not None:
        by, value = "certificate_number", certificate_number.strip().upper()
    elif sha256 is not None:
        by, value = "sha256", normalize_sha256(sha256, "sha256")
    elif isrc is not None:
        by, value = "isrc", normalize_isrc(isrc)
    else:
        raise InvalidInput(
            "Give one of certificate_number, sha256 or isrc", field="certificate_number"
        )
    return fetch_one(reader, _VERIFY_BY[by], {"mode": mode, "value": value})


def get_status(reader: Reader, id_or_number: str) -> Any:
    """`id, mode, status, updated_at, sequence` of a certificate, by ID or number."""
    return _one_by_ident(reader, id_or_number, _STATUS_BY_ID, _STATUS_BY_NUMBER)


def get_acoustic(reader: Reader, id_or_number: str) -> Any:
    """`id, mode, status, fingerprint, duration_ms` of a certificate, by ID or number."""
    return _one_by_ident(reader, id_or_number, _ACOUSTIC_BY_ID, _ACOUSTIC_BY_NUMBER)


def _one_by_ident(reader: Reader, id_or_number: str, by_id: Any, by_number: Any) -> Any:
    if is_certificate_id(id_or_number):
        statement, value = by_id, id_or_number
    elif is_certificate_number(id_or_number.upper()):
        statement, value = by_number, id_or_number.upper()
    else:
        raise NotFound(
            f"No certificate {id_or_number!r}: expected an ID (cer_…) or a number (SS-YYYY-…)"
        )
    row = fetch_one(reader, statement, {"value": value})
    if row is None:
        raise NotFound(f"No certificate {id_or_number!r}")
    return row
