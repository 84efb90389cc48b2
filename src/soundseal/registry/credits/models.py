from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from soundseal.db.base import Base, UTCDateTime, utcnow


class CreditEntry(Base):
    """One movement of a workspace's credits. Rows are only ever inserted.

    `accounts.credit_balance` is the running total, kept in step in the same transaction:
    spending is a conditional `UPDATE … WHERE credit_balance >= n`, which two concurrent
    requests cannot both pass with one credit left, and `balance_after` records what it was.
    """

    __tablename__ = "credit_entries"
    __table_args__ = (Index("ix_credit_entries_account_id_id", "account_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    # Positive for grants and purchases, negative for spending.
    amount: Mapped[int] = mapped_column(Integer)
    balance_after: Mapped[int] = mapped_column(Integer)
    # signup | grant | purchase | certificate | deep_verification
    reason: Mapped[str] = mapped_column(String(32))
    # What the movement was for: a certificate ID, a payment ID, an operator's note.
    reference: Mapped[str | None] = mapped_column(String(200))
    actor: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
