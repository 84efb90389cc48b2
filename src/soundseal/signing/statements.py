"""What the registry signs about a certificate: its public statement, and its revocation.

A statement holds what anyone may check a recording against without asking the registry:
the certificate's public identity (ID, number, mode, title, artist, ISRC), the SHA-256 of
the audio file, a digest of its acoustic fingerprint, the matching policy it was issued
under, who issued it and when, and its place in the transparency log. Nothing about the
owning workspace is in it.

The signed bytes are the statement's RFC 8785 canonical JSON, so one statement has exactly
one byte form: a verifier can rebuild it from the fields, and two registries stating the same
thing sign the same bytes. Times are RFC 3339 in UTC as the API shows them (milliseconds,
``Z``), kept as the strings that were signed.

The acoustic digest is the SHA-256, in hex, of the fingerprint's raw 32-bit values as
little-endian bytes (the way the certificate stores them, and the digest verification
receipts use), with the fingerprinted audio's duration in seconds: it names one exact
fingerprint without publishing it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, ClassVar, Final

import rfc8785

from soundseal.matching import CURRENT_POLICY
from soundseal.registry.acoustic.fingerprints import fingerprint_from_bytes, query_digest
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.views import iso
from soundseal.signing.errors import MalformedStatement, StatementError

__all__ = [
    "CERTIFICATE_TYP",
    "REVOCATION_TYP",
    "AcousticDigest",
    "CertificateStatement",
    "RevocationStatement",
    "Statement",
    "acoustic_digest",
    "canonical_bytes",
    "certificate_statement",
    "revocation_statement",
    "statement_from_claims",
]

# The JWS `typ` of each kind of statement (RFC 7515 §4.1.9: a media type without
# "application/"), and the payload's `statement` member, which names the same kind.
CERTIFICATE_TYP: Final = "soundseal-certificate+jws"
REVOCATION_TYP: Final = "soundseal-revocation+jws"
_MODES = frozenset({"live", "test"})
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")
_RFC3339_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z")


@dataclass(frozen=True, slots=True)
class AcousticDigest:
    """One exact acoustic fingerprint: SHA-256 (hex) of its little-endian 32-bit values, and
    the duration of the audio it was taken from, in seconds."""

    sha256: str
    duration_seconds: float

    def claims(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "duration_seconds": self.duration_seconds}


@dataclass(frozen=True, slots=True)
class CertificateStatement:
    """The public statement of an issued certificate."""

    typ: ClassVar[str] = CERTIFICATE_TYP
    kind: ClassVar[str] = "certificate"

    certificate_id: str
    certificate_number: str
    mode: str
    track_title: str
    artist_name: str
    isrc: str | None
    sha256_fingerprint: str
    acoustic_fingerprint: AcousticDigest | None
    match_policy_version: str
    issuer: str
    issued_at: str
    log_index: int | None

    def claims(self) -> dict[str, Any]:
        acoustic = self.acoustic_fingerprint
        return {
            "statement": self.kind,
            "certificate_id": self.certificate_id,
            "certificate_number": self.certificate_number,
            "mode": self.mode,
            "track_title": self.track_title,
            "artist_name": self.artist_name,
            "isrc": self.isrc,
            "sha256_fingerprint": self.sha256_fingerprint,
            "acoustic_fingerprint": None if acoustic is None else acoustic.claims(),
            "match_policy_version": self.match_policy_version,
            "issuer": self.issuer,
            "issued_at": self.issued_at,
            "log_index": self.log_index,
        }


@dataclass(frozen=True, slots=True)
class RevocationStatement:
    """The public statement that a certificate was revoked."""

    typ: ClassVar[str] = REVOCATION_TYP
    kind: ClassVar[str] = "revocation"

    certificate_id: str
    certificate_number: str
    mode: str
    revoked_at: str
    reason: str | None
    issuer: str
    log_index: int | None

    def claims(self) -> dict[str, Any]:
        return {
            "statement": self.kind,
            "certificate_id": self.certificate_id,
            "certificate_number": self.certificate_number,
            "mode": self.mode,
            "revoked_at": self.revoked_at,
            "reason": self.reason,
            "issuer": self.issuer,
            "log_index": self.log_index,
        }


Statement = CertificateStatement | RevocationStatement


def canonical_bytes(statement: Statement) -> bytes:
    """The statement's RFC 8785 canonical JSON: the bytes that are signed."""
    try:
        return rfc8785.dumps(statement.claims())
    except rfc8785.CanonicalizationError as exc:
        raise StatementError(f"the statement cannot be written as JSON: {exc}") from exc


def acoustic_digest(fingerprint: bytes, duration_ms: int) -> AcousticDigest:
    """The digest of a fingerprint as a certificate stores it (see the module docstring)."""
    values = fingerprint_from_bytes(fingerprint, duration_ms)
    return AcousticDigest(sha256=query_digest(values), duration_seconds=duration_ms / 1000)


def certificate_statement(
    cert: Certificate,
    *,
    issuer: str,
    log_index: int | None = None,
    policy_version: str = CURRENT_POLICY.version,
) -> CertificateStatement:
    """The statement of ``cert`` as issued, by the registry at ``issuer`` (its public URL)."""
    acoustic = None
    if cert.fingerprint is not None:
        if cert.duration_ms is None:
            raise StatementError(f"certificate {cert.id} has a fingerprint without a duration")
        acoustic = acoustic_digest(cert.fingerprint, cert.duration_ms)
    return CertificateStatement(
        certificate_id=cert.id,
        certificate_number=cert.certificate_number,
        mode=cert.mode,
        track_title=cert.track_title,
        artist_name=cert.artist_name,
        isrc=cert.isrc,
        sha256_fingerprint=cert.sha256,
        acoustic_fingerprint=acoustic,
        match_policy_version=policy_version,
        issuer=issuer,
        issued_at=_rfc3339(cert.issued_at),
        log_index=_log_index(log_index),
    )


def revocation_statement(
    cert: Certificate, *, issuer: str, log_index: int | None = None
) -> RevocationStatement:
    """The statement that ``cert`` was revoked; refused for a certificate that is not."""
    if cert.status != "revoked" or cert.revoked_at is None:
        raise StatementError(f"certificate {cert.id} is not revoked")
    return RevocationStatement(
        certificate_id=cert.id,
        certificate_number=cert.certificate_number,
        mode=cert.mode,
        revoked_at=_rfc3339(cert.revoked_at),
        reason=cert.revocation_reason,
        issuer=issuer,
        log_index=_log_index(log_index),
    )


def _rfc3339(value: datetime) -> str:
    shown = iso(value)
    assert shown is not None
    return shown


def _log_index(value: int | None) -> int | None:
    if value is not None and (isinstance(value, bool) or value < 0):
        raise StatementError(f"a log index is a whole number from 0, not {value!r}")
    return value


def statement_from_claims(typ: str, claims: Mapping[str, Any]) -> Statement:
    """The statement a verified payload holds, checked member by member against the kind its
    JWS ``typ`` names; :class:`MalformedStatement` for anything else."""
    if typ == CERTIFICATE_TYP:
        return _certificate_from(claims)
    if typ == REVOCATION_TYP:
        return _revocation_from(claims)
    raise MalformedStatement(f"unknown statement type {typ!r}")


_CERTIFICATE_MEMBERS = frozenset(f.name for f in fields(CertificateStatement)) | {"statement"}
_REVOCATION_MEMBERS = frozenset(f.name for f in fields(RevocationStatement)) | {"statement"}


def _certificate_from(claims: Mapping[str, Any]) -> CertificateStatement:
    _members(claims, _CERTIFICATE_MEMBERS, CertificateStatement.kind)
    return CertificateStatement(
        certificate_id=_text(claims, "certificate_id"),
        certificate_number=_text(claims, "certificate_number"),
        mode=_mode(claims),
        track_title=_text(claims, "track_title"),
        artist_name=_text(claims, "artist_name"),
        isrc=_optional_text(claims, "isrc"),
        sha256_fingerprint=_sha256(claims, "sha256_fingerprint"),
        acoustic_fingerprint=_acoustic(claims["acoustic_fingerprint"]),
        match_policy_version=_text(claims, "match_policy_version"),
        issuer=_text(claims, "issuer"),
        issued_at=_time(claims, "issued_at"),
        log_index=_optional_index(claims),
    )


def _revocation_from(claims: Mapping[str, Any]) -> RevocationStatement:
    _members(claims, _REVOCATION_MEMBERS, RevocationStatement.kind)
    return RevocationStatement(
        certificate_id=_text(claims, "certificate_id"),
        certificate_number=_text(claims, "certificate_number"),
        mode=_mode(claims),
        revoked_at=_time(claims, "revoked_at"),
        reason=_optional_text(claims, "reason"),
        issuer=_text(claims, "issuer"),
        log_index=_optional_index(claims),
    )


def _members(claims: Mapping[str, Any], expected: frozenset[str], kind: str) -> None:
    if set(claims) != expected:
        raise MalformedStatement(f"a {kind} statement has exactly the members {sorted(expected)}")
    if claims["statement"] != kind:
        raise MalformedStatement(f"the payload is not a {kind} statement")


def _text(claims: Mapping[str, Any], name: str) -> str:
    value = claims[name]
    if not isinstance(value, str) or not value:
        raise MalformedStatement(f"{name} must be a non-empty string")
    return value


def _optional_text(claims: Mapping[str, Any], name: str) -> str | None:
    return None if claims[name] is None else _text(claims, name)


def _mode(claims: Mapping[str, Any]) -> str:
    mode = claims["mode"]
    if not isinstance(mode, str) or mode not in _MODES:
        raise MalformedStatement("mode must be live or test")
    return mode


def _sha256(claims: Mapping[str, Any], name: str) -> str:
    value = claims[name]
    if not isinstance(value, str) or not _HEX_SHA256.fullmatch(value):
        raise MalformedStatement(f"{name} must be 64 lowercase hex digits")
    return value


def _time(claims: Mapping[str, Any], name: str) -> str:
    value = claims[name]
    if not isinstance(value, str) or not _RFC3339_UTC.fullmatch(value):
        raise MalformedStatement(f"{name} must be an RFC 3339 time in UTC")
    try:
        datetime.fromisoformat(value)
    except ValueError as exc:
        raise MalformedStatement(f"{name} is not a real time") from exc
    return value


def _optional_index(claims: Mapping[str, Any]) -> int | None:
    value = claims["log_index"]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MalformedStatement("log_index must be null or a whole number from 0")
    return value


def _acoustic(value: Any) -> AcousticDigest | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) != {"sha256", "duration_seconds"}:
        raise MalformedStatement("acoustic_fingerprint must hold sha256 and duration_seconds")
    seconds = value["duration_seconds"]
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise MalformedStatement("acoustic_fingerprint.duration_seconds must be a number from 0")
    return AcousticDigest(sha256=_sha256(value, "sha256"), duration_seconds=float(seconds))
