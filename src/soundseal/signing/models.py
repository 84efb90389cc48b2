"""The published signing keys: every public key that ever signed, and which one signs now.

Only public halves are stored. A key is never deleted: a retired key stays published, marked
retired, so that what it signed keeps verifying. At most one key is active, and the database
holds that (a unique index over the active rows), not a check-then-write in Python, because
several processes may register keys at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from soundseal.db.base import Base, UTCDateTime, utcnow

__all__ = ["ACTIVE", "RETIRED", "SigningKeyRecord"]

ACTIVE = "active"
RETIRED = "retired"


class SigningKeyRecord(Base):
    __tablename__ = "signing_keys"
    __table_args__ = (
        Index(
            "uq_signing_keys_one_active",
            "status",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    # The RFC 7638 thumbprint of the public key, as statements' headers name it.
    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The public JWK's required members (crv, kty, x): what the thumbprint is taken over.
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
