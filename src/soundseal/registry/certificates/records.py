"""The one read model of a certificate, and the prebuilt reads that fill it.

Every path that shows a certificate — the API's reads and verification, the polled status,
deep verification, events, the pages and the CLI — renders a `CertificateRecord`: the
certificate's fields as every view needs them, without the fingerprint's bytes (which only
acoustic matching reads, through `read_fingerprint`). An ORM `Certificate` becomes one with
`record_of`; the registry's hottest reads fill it straight from one row of a prebuilt
statement (`soundseal.db.fastread`), so the polled endpoints pay for no ORM bookkeeping and
still give the views the same object.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, case, select

from soundseal.db.fastread import Reader, fetch_one
from soundseal.errors import NotFound
from soundseal.ids import is_certificate_id, is_certificate_number
from soundseal.registry.certificates.models import Certificate

__all__ = [
    "CertificateRecord",
    "find_record",
    "read_fingerprint",
    "read_record",
    "record_of",
    "unknown_form",
]


@dataclass(frozen=True, slots=True)
class CertificateRecord:
    """A certificate as it is read and shown. Who may see which fields is decided by
    `access.py` and the views, not here."""

    id: str
    account_id: str
    mode: str
    certificate_number: str
    track_title: str
    artist_name: str
    status: str
    isrc: str | None
    sha256: str
    type: str
    declaration_text: str
    audio_file_name: str | None
    ai_disclosure: dict[str, Any] | None
    has_fingerprint: bool
    duration_ms: int | None
    issued_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None
    updated_at: datetime
    version: int
    sequence: int


_NAMES = tuple(field.name for field in fields(CertificateRecord))
_FROM_MODEL = tuple(name for name in _NAMES if name != "has_fingerprint")


def record_of(cert: Certificate) -> CertificateRecord:
    """The read model of a certificate loaded through the ORM."""
    values: dict[str, Any] = {name: getattr(cert, name) for name in _FROM_MODEL}
    return CertificateRecord(**values, has_fingerprint=cert.fingerprint is not None)


def _column(name: str) -> Any:
    if name == "has_fingerprint":
        return Certificate.fingerprint.is_not(None).label("has_fingerprint")
    column: Any = getattr(Certificate, name)
    return column


# The record's columns, in the dataclass's order: a row of these statements is a record.
_COLUMNS = tuple(_column(name) for name in _NAMES)
_ACTIVE_FIRST = case((Certificate.status == "active", 0), else_=1)
_BY_ID: Select[Any] = select(*_COLUMNS).where(Certificate.id == bindparam("value"))
_BY_NUMBER: Select[Any] = select(*_COLUMNS).where(
    Certificate.certificate_number == bindparam("value")
)


def _first_in_mode(column: Any) -> Select[Any]:
    """Of the mode's certificates with `column` equal to the value, the one a verification
    names: an active one first, then the newest."""
    return (
        select(*_COLUMNS)
        .where(Certificate.mode == bindparam("mode"), column == bindparam("value"))
        .order_by(_ACTIVE_FIRST, Certificate.id.desc())
        .limit(1)
    )


# Built once: verification and status are the registry's hottest reads.
_FIND_BY = {
    "certificate_number": _first_in_mode(Certificate.certificate_number),
    "sha256": _first_in_mode(Certificate.sha256),
    "isrc": _first_in_mode(Certificate.isrc),
}
_FINGERPRINT_BY_ID = select(Certificate.fingerprint).where(Certificate.id == bindparam("value"))


def unknown_form(id_or_number: str) -> NotFound:
    return NotFound(
        f"No certificate {id_or_number!r}: expected an ID (cer_…) or a number (SS-YYYY-…)"
    )


def read_record(reader: Reader, id_or_number: str) -> CertificateRecord:
    """Any certificate, by ID or number; who may see it is the caller's rule to apply
    (`access.py`)."""
    if is_certificate_id(id_or_number):
        statement, value = _BY_ID, id_or_number
    elif is_certificate_number(id_or_number.upper()):
        statement, value = _BY_NUMBER, id_or_number.upper()
    else:
        raise unknown_form(id_or_number)
    record: CertificateRecord | None = fetch_one(
        reader, statement, {"value": value}, CertificateRecord
    )
    if record is None:
        raise NotFound(f"No certificate {id_or_number!r}")
    return record


def find_record(reader: Reader, *, mode: str, by: str, value: str) -> CertificateRecord | None:
    """The certificate of `mode` whose `by` (`certificate_number`, `sha256` or `isrc`,
    normalized) is `value`: an active one first, then the newest; None if there is none."""
    record: CertificateRecord | None = fetch_one(
        reader, _FIND_BY[by], {"mode": mode, "value": value}, CertificateRecord
    )
    return record


def read_fingerprint(reader: Reader, certificate_id: str) -> bytes | None:
    """The stored fingerprint of a certificate (its compressed values), or None."""
    row = fetch_one(reader, _FINGERPRINT_BY_ID, {"value": certificate_id})
    return None if row is None else row[0]
