from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from soundseal.db.base import Base, UTCDateTime, utcnow


class IdempotencyRecord(Base):
    """A claimed Idempotency-Key and, once the request finished, its response.

    Filed under the account, the mode and the scope the route required: a key holding one
    scope neither sees nor occupies the keys of operations that need another."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("account_id", "mode", "required_scope", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    # Who made the record and what the route asked of them: a replay must satisfy the same
    # (the route checks it first; this is kept so the record itself can refuse, too).
    key_id: Mapped[str] = mapped_column(String(40))
    key_kind: Mapped[str] = mapped_column(String(16))
    required_scope: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="in_progress")
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_headers: Mapped[list[Any] | None] = mapped_column(JSON)
    # With the route's secret fields already removed (`redacted` lists them): a record
    # replays a response, it never hands out a credential a second time.
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    redacted: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
