"""How certificates are shown: the public fields, and everything for their owner.

Every view renders the one read model (`records.CertificateRecord`), whichever way it was
read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from soundseal.registry.certificates.models import Certificate, CertificateVersion
from soundseal.registry.certificates.records import CertificateRecord
from soundseal.urls import proof_url, verify_url

__all__ = [
    "certificate_event_data",
    "certificate_view",
    "iso",
    "status_view",
    "verification_view",
    "version_view",
]

# What a public verification shows: the vendor doc's fields, plus the ID and dates.
_VERIFICATION_FIELDS = (
    ("id", "id"),
    ("certificate_number", "certificate_number"),
    ("track_title", "track_title"),
    ("artist_name", "artist_name"),
    ("status", "status"),
    ("isrc", "isrc"),
    ("sha256_fingerprint", "sha256"),
    ("declaration", "declaration_text"),
)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def certificate_event_data(cert: CertificateRecord, *, base_url: str) -> dict[str, Any]:
    """The `data` of `certificate.*` events: the vendor doc's fields, plus the ID and reason."""
    return {
        "certificate_id": cert.id,
        "certificate_number": cert.certificate_number,
        "track_title": cert.track_title,
        "artist_name": cert.artist_name,
        "status": cert.status,
        "isrc": cert.isrc,
        "sha256_fingerprint": cert.sha256,
        "verification_url": verify_url(base_url, cert.certificate_number),
        "version": cert.version,
        "revocation_reason": cert.revocation_reason,
    }


def certificate_view(cert: CertificateRecord, *, base_url: str, owner: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": cert.id,
        "certificate_number": cert.certificate_number,
        "track_title": cert.track_title,
        "artist_name": cert.artist_name,
        "status": cert.status,
        "isrc": cert.isrc,
        "sha256_fingerprint": cert.sha256,
        "type": cert.type,
        "declaration": cert.declaration_text,
        "ai_disclosure": cert.ai_disclosure,
        "has_acoustic_fingerprint": cert.has_fingerprint,
        "duration_ms": cert.duration_ms,
        "issued_at": iso(cert.issued_at),
        "revoked_at": iso(cert.revoked_at),
        "revocation_reason": cert.revocation_reason,
        "livemode": cert.mode == "live",
        "verification_url": verify_url(base_url, cert.certificate_number),
        "proof_url": proof_url(base_url, cert.id),
    }
    if owner:
        view.update(
            {
                "audio_file_name": cert.audio_file_name,
                "updated_at": iso(cert.updated_at),
                "version": cert.version,
                "sequence": cert.sequence,
                "account_id": cert.account_id,
            }
        )
    return view


def verification_view(cert: CertificateRecord) -> dict[str, Any]:
    """The certificate in a `/verify` answer."""
    view = {name: getattr(cert, attribute) for name, attribute in _VERIFICATION_FIELDS}
    view["issued_at"] = iso(cert.issued_at)
    view["revoked_at"] = iso(cert.revoked_at)
    return view


def status_view(cert: CertificateRecord) -> dict[str, Any]:
    return {
        "id": cert.id,
        "status": cert.status,
        "updated_at": iso(cert.updated_at),
        "sequence": cert.sequence,
    }


def version_view(version: CertificateVersion) -> dict[str, Any]:
    return {
        "version": version.version,
        "change": version.change,
        "actor": version.actor,
        "changed_at": iso(version.changed_at),
        "snapshot": version.snapshot,
    }


def snapshot(cert: Certificate) -> dict[str, Any]:
    """The state kept in the version history (JSON-safe; no fingerprint bytes)."""
    return {
        "track_title": cert.track_title,
        "artist_name": cert.artist_name,
        "status": cert.status,
        "isrc": cert.isrc,
        "sha256": cert.sha256,
        "type": cert.type,
        "declaration_text": cert.declaration_text,
        "audio_file_name": cert.audio_file_name,
        "ai_disclosure": cert.ai_disclosure,
        "revoked_at": iso(cert.revoked_at),
        "revocation_reason": cert.revocation_reason,
    }
