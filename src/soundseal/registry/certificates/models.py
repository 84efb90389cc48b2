from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from soundseal.db.base import Base, UTCDateTime, utcnow


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (
        # At most one *active* certificate per exact audio in each mode. The database, not
        # a check-then-insert in Python, is what keeps two concurrent requests honest.
        Index(
            "uq_certificates_active_sha256",
            "mode",
            "sha256",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_certificates_account_id_id", "account_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    mode: Mapped[str] = mapped_column(String(8))
    certificate_number: Mapped[str] = mapped_column(String(32), unique=True)
    track_title: Mapped[str] = mapped_column(String(500))
    artist_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    isrc: Mapped[str | None] = mapped_column(String(12), index=True)
    type: Mapped[str] = mapped_column(String(32), default="sound_recording")
    declaration_text: Mapped[str] = mapped_column(Text, default="Original Work")
    audio_file_name: Mapped[str | None] = mapped_column(String(500))
    ai_disclosure: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Acoustic identity of the master: filled when audio or a fingerprint is submitted.
    fingerprint: Mapped[bytes | None] = mapped_column(LargeBinary)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="active")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The change-feed sequence of the latest change to this certificate.
    sequence: Mapped[int] = mapped_column(Integer, default=0)


class CertificateVersion(Base):
    """Every state a certificate has been in, in order: its history is never rewritten."""

    __tablename__ = "certificate_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    certificate_id: Mapped[str] = mapped_column(ForeignKey("certificates.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(String(64))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
