from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from soundseal.db.base import Base, UTCDateTime, utcnow


class VerificationReceipt(Base):
    """What one verify-audio call was asked and answered, kept for the caller to show later."""

    __tablename__ = "verification_receipts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(40), index=True)
    key_id: Mapped[str] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(8))
    certificate_id: Mapped[str] = mapped_column(String(40), index=True)
    cert_status: Mapped[str] = mapped_column(String(16))
    matched: Mapped[bool] = mapped_column(Boolean)
    policy_accepted: Mapped[bool] = mapped_column(Boolean)
    policy_version: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)
    offset_ms: Mapped[int] = mapped_column(Integer)
    coverage: Mapped[float] = mapped_column(Float)
    query_duration_ms: Mapped[int] = mapped_column(Integer)
    query_sha256: Mapped[str] = mapped_column(String(64))
    reasons: Mapped[list[Any]] = mapped_column(JSON)
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
