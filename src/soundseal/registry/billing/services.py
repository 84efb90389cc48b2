"""Tiers per workspace and the effects of a payment. Functions take a session and never
commit; what Stripe sends arrives here as plain values, already verified by the caller."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soundseal.db.base import utcnow
from soundseal.errors import InvalidInput, NotFound
from soundseal.registry.accounts.models import Account
from soundseal.registry.billing.models import StripeEvent
from soundseal.registry.billing.tiers import TIER_NAMES
from soundseal.registry.credits.services import grant_credits
from soundseal.registry.events.services import emit

__all__ = [
    "Payment",
    "apply_payment",
    "claim_stripe_event",
    "get_tier",
    "set_tier",
]


def get_tier(session: Session, account_id: str) -> str:
    tier = session.scalar(select(Account.api_tier).where(Account.id == account_id))
    if tier is None:
        raise NotFound(f"No account {account_id}")
    return str(tier)


def set_tier(session: Session, account_id: str, tier: str) -> None:
    if tier not in TIER_NAMES:
        raise InvalidInput(f"tier must be one of {', '.join(TIER_NAMES)}", field="tier")
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"No account {account_id}")
    account.api_tier = tier


def claim_stripe_event(
    session: Session, *, event_id: str, type: str, account_id: str | None
) -> bool:
    """Record a Stripe event as applied; False if it already was (a redelivery)."""
    if session.get(StripeEvent, event_id) is not None:
        return False
    try:
        # A savepoint: two deliveries racing on one event must not both apply it.
        with session.begin_nested():
            session.add(
                StripeEvent(id=event_id, type=type, account_id=account_id, received_at=utcnow())
            )
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True)
class Payment:
    """A completed Checkout session, as the Stripe webhook reports it."""

    account_id: str
    kind: str  # "tier" or "credits"
    payment_id: str
    amount_total: int  # in the currency's minor unit, as Stripe reports it
    currency: str
    tier: str | None = None
    credits: int = 0

    @property
    def price_paid(self) -> str:
        return f"{self.amount_total / 100:.2f}"


def apply_payment(session: Session, payment: Payment) -> None:
    """Give the workspace what it paid for, and emit `payment.completed` (and
    `credits.purchased` for credits), in the caller's transaction."""
    if session.get(Account, payment.account_id) is None:
        raise NotFound(f"No account {payment.account_id}")
    paid = {
        "payment_id": payment.payment_id,
        "price_paid": payment.price_paid,
        "currency": payment.currency.upper(),
    }
    if payment.kind == "tier":
        if payment.tier is None:
            raise InvalidInput("a tier payment names its tier", field="tier")
        set_tier(session, payment.account_id, payment.tier)
        details: dict[str, object] = {"kind": "tier", "tier": payment.tier}
    elif payment.kind == "credits":
        grant_credits(
            session,
            account_id=payment.account_id,
            amount=payment.credits,
            reason="purchase",
            reference=payment.payment_id,
            actor="stripe",
        )
        details = {"kind": "credits", "amount": payment.credits}
    else:
        raise InvalidInput(f"unknown payment kind {payment.kind!r}", field="kind")
    # Events carry the mode they happened in; payments are real money, so live.
    emit(
        session,
        account_id=payment.account_id,
        mode="live",
        type="payment.completed",
        data={**details, **paid},
    )
    if payment.kind == "credits":
        emit(
            session,
            account_id=payment.account_id,
            mode="live",
            type="credits.purchased",
            data={"amount": payment.credits, **paid},
        )
