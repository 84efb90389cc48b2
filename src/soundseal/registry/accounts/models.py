from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from soundseal.db.base import Base, UTCDateTime, utcnow


class Account(Base):
    """A workspace: owns keys and certificates."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The sum of the workspace's credit ledger (`soundseal.registry.credits`), kept in step.
    credit_balance: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The API tier that sets the monthly request quota (`soundseal.registry.billing`).
    api_tier: Mapped[str] = mapped_column(String(16), default="free", server_default="free")
