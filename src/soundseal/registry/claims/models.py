from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from soundseal.db.base import Base, UTCDateTime, utcnow
from soundseal.registry.certificates.models import Certificate


class Claim(Base):
    """A dispute filed against a certificate: by a key holder or through the proof page.

    `account_id` and `mode` are the *certificate's* workspace and mode, copied here so that
    listing a workspace's claims needs no join and can never leak across workspaces or modes.
    """

    __tablename__ = "claims"
    __table_args__ = (
        Index("ix_claims_account_id_mode_id", "account_id", "mode", "id"),
        # The expiry sweep looks for open claims past their deadline.
        Index("ix_claims_status_response_deadline", "status", "response_deadline"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    certificate_id: Mapped[str] = mapped_column(ForeignKey("certificates.id"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    mode: Mapped[str] = mapped_column(String(8))
    # ownership | credit | ai_use | other
    type: Mapped[str] = mapped_column(String(16))
    # pending | responded | resolved | expired
    status: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    claimant_name: Mapped[str] = mapped_column(String(200))
    claimant_email: Mapped[str] = mapped_column(String(320))
    # A key ID, or `public_form`: who filed it, for the history.
    filed_by: Mapped[str] = mapped_column(String(64))
    response_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    response: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_by: Mapped[str | None] = mapped_column(String(64))
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # upheld | dismissed
    resolution: Mapped[str | None] = mapped_column(String(16))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # Every use of a claim shows its certificate: loaded with it, in the same query.
    certificate: Mapped[Certificate] = relationship(lazy="joined", innerjoin=True)
