from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from soundseal.db.base import Base, UTCDateTime, utcnow


class FeedCounter(Base):
    """The last sequence handed out in each mode's change feed (one row per mode).

    Writers take this row's lock for the rest of their transaction; see
    `soundseal.registry.changes.services` for why that makes the feed safe to poll.
    """

    __tablename__ = "feed_counters"

    mode: Mapped[str] = mapped_column(String(8), primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)


class Change(Base):
    __tablename__ = "certificate_changes"

    mode: Mapped[str] = mapped_column(String(8), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    certificate_id: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
