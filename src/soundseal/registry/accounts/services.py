"""Accounts (workspaces)."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soundseal.db.base import utcnow
from soundseal.errors import Conflict, ErrorCode, InvalidInput, NotFound
from soundseal.ids import new_id
from soundseal.registry.accounts.models import Account

__all__ = ["account_view", "create_account", "get_account_by_email"]

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str, field: str = "email") -> str:
    email = email.strip().lower()
    if not _EMAIL_RE.match(email) or len(email) > 320:
        raise InvalidInput(f"Not a valid email address: {email[:320]!r}", field=field)
    return email


def create_account(session: Session, *, email: str, name: str, signup_credits: int = 0) -> Account:
    """A new workspace, with `signup_credits` on its ledger (0: none)."""
    email = normalize_email(email)
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("name must be 1 to 200 characters", field="name")
    if session.scalar(select(func.count()).where(Account.email == email)):
        raise Conflict(
            f"An account with email {email} already exists", code=ErrorCode.ACCOUNT_EXISTS
        )
    account = Account(
        id=new_id("acct"),
        email=email,
        name=name,
        created_at=utcnow(),
        credit_balance=0,
        api_tier="free",
    )
    session.add(account)
    session.flush()
    if signup_credits > 0:
        # Imported here: the credits module builds on accounts.
        from soundseal.registry.credits.services import grant_credits

        grant_credits(session, account_id=account.id, amount=signup_credits, reason="signup")
    return account


def get_account_by_email(session: Session, email: str) -> Account:
    account = session.scalar(select(Account).where(Account.email == normalize_email(email)))
    if account is None:
        raise NotFound(f"No account with email {email}")
    return account


def account_view(account: Account) -> dict[str, object]:
    return {
        "id": account.id,
        "email": account.email,
        "name": account.name,
        "created_at": account.created_at.isoformat(),
        "credit_balance": account.credit_balance,
        "api_tier": account.api_tier,
    }
