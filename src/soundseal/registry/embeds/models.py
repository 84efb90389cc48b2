from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from soundseal.db.base import Base, UTCDateTime


class EmbedOpen(Base):
    """Opens of a certificate's embed iframe, one counter row per certificate and UTC day:
    enough for a dashboard trend, and the table grows with days, not with page views."""

    __tablename__ = "embed_opens"

    certificate_id: Mapped[str] = mapped_column(ForeignKey("certificates.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    opens: Mapped[int] = mapped_column(Integer, default=0)


class EmbedViewer(Base):
    """Who opened a certificate's embed in the current hour, so a viewer counts once per
    certificate per hour however often they reload. `viewer` is a salted hash of the
    client's address and user agent, never the values themselves; the first open of each
    hour deletes the past hours' rows, so the table holds about one hour of viewers."""

    __tablename__ = "embed_viewers"

    certificate_id: Mapped[str] = mapped_column(ForeignKey("certificates.id"), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    viewer: Mapped[str] = mapped_column(String(64), primary_key=True)


class EmbedSalt(Base):
    """A random salt per hour for `EmbedViewer.viewer`, deleted with that hour's viewers:
    once gone, nobody (the operator included) can test an address against old hashes."""

    __tablename__ = "embed_salts"

    hour: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
