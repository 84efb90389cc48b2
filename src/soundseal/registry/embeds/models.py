from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from soundseal.db.base import Base


class EmbedOpen(Base):
    """Opens of a certificate's embed iframe, one counter row per certificate and UTC day:
    enough for a dashboard trend, and the table grows with days, not with page views."""

    __tablename__ = "embed_opens"

    certificate_id: Mapped[str] = mapped_column(ForeignKey("certificates.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    opens: Mapped[int] = mapped_column(Integer, default=0)
