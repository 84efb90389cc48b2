"""The platform's own tables (in the platform's database, not the registry's)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from soundseal.db.base import UTCDateTime

__all__ = ["Binding", "FeedState", "LogPin", "LoggedCertificate", "PlatformBase", "Revocation"]


class PlatformBase(DeclarativeBase):
    metadata = MetaData()


class Binding(PlatformBase):
    """A verified link between a track's served file and a certificate.

    Never edited: what was verified (track, certificate, served SHA-256, receipt, policy)
    stays as written. Only `state` moves on — `verified` → `revoked` (the certificate was
    revoked), `superseded` (the track was bound again) or `needs_reverification` (the served
    audio changed) — and a new binding is written when the track is verified again.
    """

    __tablename__ = "soundseal_bindings"
    __table_args__ = (Index("ix_soundseal_bindings_track", "track_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    track_id: Mapped[str] = mapped_column(String(200))
    certificate_id: Mapped[str] = mapped_column(String(40), index=True)
    served_sha256: Mapped[str] = mapped_column(String(64))
    receipt_id: Mapped[str] = mapped_column(String(40))
    policy_version: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(24), default="verified")
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state_reason: Mapped[str | None] = mapped_column(Text)


class Revocation(PlatformBase):
    """Every revocation the poller applied: the gate reads it, so a pasted or stale ID of a
    revoked certificate can never show a seal."""

    __tablename__ = "soundseal_revocations"

    certificate_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FeedState(PlatformBase):
    """Where the poller is in the registry's change feed, and when it last succeeded."""

    __tablename__ = "soundseal_feed_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_applied_sequence: Mapped[int] = mapped_column(Integer, default=0)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


class LogPin(PlatformBase):
    """The registry's log as this platform verified it: one row.

    `log_key` is the signed-note verifier key the operator pinned (its name is the log's
    origin, which ends in the mode). `verified` is the `VerifiedLog` the poller last accepted,
    as JSON (None before the first verified poll). `failure` is set when a poll caught the log
    lying (a fork, a rollback, a bad signature, a feed that disagrees with the log): the
    refusal's class, sentence and evidence (both checkpoints, as received), as JSON. While it
    is set every seal is hidden and no poll runs, until an operator clears it.
    """

    __tablename__ = "soundseal_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    log_key: Mapped[str] = mapped_column(Text)
    verified: Mapped[str | None] = mapped_column(Text)
    failure: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoggedCertificate(PlatformBase):
    """A certificate whose issuance statement the poller verified in the log, and where."""

    __tablename__ = "soundseal_logged_certificates"

    certificate_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    issued_index: Mapped[int] = mapped_column(Integer)
