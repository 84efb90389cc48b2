"""Granting, spending and reading credits. Functions take a session and never commit.

Test mode is free: test keys exist to build an integration against, and a sandbox that
spends real credits would punish doing that properly. Only live-mode work is charged.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from soundseal.db.base import utcnow
from soundseal.errors import InvalidInput, NotFound, PaymentRequired
from soundseal.ids import new_id
from soundseal.registry.accounts.models import Account
from soundseal.registry.credits.models import CreditEntry
from soundseal.registry.events.services import emit

__all__ = [
    "MAX_GRANT",
    "balance",
    "credit_entry_view",
    "grant_credits",
    "list_entries",
    "spend_credit",
]

MAX_GRANT = 1_000_000
SPEND_REASONS = ("certificate", "deep_verification")


def balance(session: Session, account_id: str) -> int:
    value = session.scalar(select(Account.credit_balance).where(Account.id == account_id))
    if value is None:
        raise NotFound(f"No account {account_id}")
    return int(value)


def _record(
    session: Session,
    *,
    account_id: str,
    amount: int,
    balance_after: int,
    reason: str,
    reference: str | None,
    actor: str | None,
) -> CreditEntry:
    entry = CreditEntry(
        id=new_id("cre"),
        account_id=account_id,
        amount=amount,
        balance_after=balance_after,
        reason=reason,
        reference=reference,
        actor=actor,
        created_at=utcnow(),
    )
    session.add(entry)
    return entry


def grant_credits(
    session: Session,
    *,
    account_id: str,
    amount: int,
    reason: str = "grant",
    reference: str | None = None,
    actor: str | None = None,
) -> CreditEntry:
    """Add credits (an operator's grant, a purchase, the sign-up allowance)."""
    if not 1 <= amount <= MAX_GRANT:
        raise InvalidInput(f"amount must be between 1 and {MAX_GRANT:,}", field="amount")
    new_balance = session.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(credit_balance=Account.credit_balance + amount)
        .returning(Account.credit_balance)
    ).scalar_one_or_none()
    if new_balance is None:
        raise NotFound(f"No account {account_id}")
    return _record(
        session,
        account_id=account_id,
        amount=amount,
        balance_after=int(new_balance),
        reason=reason,
        reference=reference,
        actor=actor,
    )


def spend_credit(
    session: Session,
    *,
    account_id: str,
    mode: str,
    reason: str,
    reference: str | None = None,
    actor: str | None = None,
    enabled: bool = True,
) -> int | None:
    """Take one credit for live-mode work; the balance left, or None when nothing is charged.

    Raises `PaymentRequired` (with `credits_remaining`) when the workspace has none, before
    anything else is written: the caller's transaction then creates nothing.
    """
    if reason not in SPEND_REASONS:
        raise ValueError(f"unknown reason to spend a credit: {reason!r}")
    if not enabled or mode != "live":
        return None
    left = session.execute(
        update(Account)
        .where(Account.id == account_id, Account.credit_balance >= 1)
        .values(credit_balance=Account.credit_balance - 1)
        .returning(Account.credit_balance)
    ).scalar_one_or_none()
    if left is None:
        remaining = balance(session, account_id)
        raise PaymentRequired(
            f"Insufficient credits: this costs 1 credit and the workspace has {remaining}",
            credits_remaining=remaining,
        )
    _record(
        session,
        account_id=account_id,
        amount=-1,
        balance_after=int(left),
        reason=reason,
        reference=reference,
        actor=actor,
    )
    emit(
        session,
        account_id=account_id,
        mode=mode,
        type="credits.used",
        data={"amount": 1, "reason": reason, "reference": reference, "credits_remaining": left},
    )
    return int(left)


def list_entries(
    session: Session, *, account_id: str, before: str | None = None, limit: int = 20
) -> list[CreditEntry]:
    """Newest first; `before` is the ID of the last entry of the previous page."""
    query = select(CreditEntry).where(CreditEntry.account_id == account_id)
    if before is not None:
        query = query.where(CreditEntry.id < before)
    return list(session.scalars(query.order_by(CreditEntry.id.desc()).limit(limit)))


def credit_entry_view(entry: CreditEntry) -> dict[str, object]:
    return {
        "id": entry.id,
        "amount": entry.amount,
        "balance_after": entry.balance_after,
        "reason": entry.reason,
        "reference": entry.reference,
        "created_at": entry.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
