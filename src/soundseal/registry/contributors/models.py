from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from soundseal.db.base import Base, UTCDateTime, utcnow


class Contributor(Base):
    """A person the certificate's owner credits (producer, writer, …), invited to confirm.

    The invitation link's token is random and shown once; only its SHA-256 is kept, so a
    copy of the database cannot acknowledge on anyone's behalf. It is cleared once used.
    """

    __tablename__ = "contributors"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    certificate_id: Mapped[str] = mapped_column(ForeignKey("certificates.id"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    mode: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(320))
    # pending | acknowledged
    status: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invited_by: Mapped[str | None] = mapped_column(String(64))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
