from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from soundseal.db.base import Base, UTCDateTime, utcnow


class WebUser(Base):
    """A person who signs in to the dashboard of one workspace."""

    __tablename__ = "web_users"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), unique=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    # An argon2id PHC string: algorithm, parameters and salt travel with the hash, so the
    # parameters can be raised later and old hashes upgraded on the next log-in.
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WebSession(Base):
    """A signed-in browser. Only a hash of the cookie's token is stored, so a leaked
    database does not hand out live sessions; deleting the row signs the browser out."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("web_users.id"), index=True)
    # The synchronizer token every form of this session must echo back.
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class LoginFailure(Base):
    """Recent wrong passwords for one email or one client address, for the log-in backoff
    (`soundseal.registry.logins.backoff`). Kept in the database so every server process
    sees the same count; the key is a SHA-256, so the table holds no emails or addresses."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    blocked_until: Mapped[datetime] = mapped_column(UTCDateTime())
