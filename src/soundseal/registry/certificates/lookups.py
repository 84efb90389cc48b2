"""Finding certificates: by ID or number, a workspace's pages, the version history, and the
certificate a public verification names (read into the read model, `records.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soundseal.db.fastread import Reader
from soundseal.errors import InvalidInput, NotFound
from soundseal.ids import is_certificate_id, is_certificate_number
from soundseal.registry.certificates.drafts import normalize_sha256
from soundseal.registry.certificates.isrc import normalize_isrc
from soundseal.registry.certificates.models import Certificate, CertificateVersion
from soundseal.registry.certificates.records import CertificateRecord, find_record, unknown_form
from soundseal.registry.cursors import decode_cursor, encode_cursor

__all__ = [
    "CertificatePage",
    "find_for_verification",
    "get_certificate",
    "list_certificates",
    "list_versions",
]


def get_certificate(session: Session, id_or_number: str) -> Certificate:
    """Any certificate, by ID or number: who may see it is the caller's rule to apply
    (`access.py`)."""
    if is_certificate_id(id_or_number):
        cert = session.get(Certificate, id_or_number)
    elif is_certificate_number(id_or_number.upper()):
        cert = session.scalar(
            select(Certificate).where(Certificate.certificate_number == id_or_number.upper())
        )
    else:
        raise unknown_form(id_or_number)
    if cert is None:
        raise NotFound(f"No certificate {id_or_number!r}")
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


def find_for_verification(
    reader: Reader,
    *,
    mode: str,
    certificate_number: str | None = None,
    sha256: str | None = None,
    isrc: str | None = None,
) -> CertificateRecord | None:
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
    return find_record(reader, mode=mode, by=by, value=value)
