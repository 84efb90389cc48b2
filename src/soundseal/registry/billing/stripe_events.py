"""Applying a verified Stripe event: at most once per event ID, in the caller's transaction.

What an event means (`payments.stripe_events.interpret`) arrives here as plain values: a
`Payment`, a `Downgrade` or an `Ignored`. Stripe redelivers events (and may deliver one twice
at once), so the event ID is claimed first and a second delivery changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from soundseal.registry.billing.services import (
    Payment,
    apply_payment,
    claim_stripe_event,
    get_tier,
    set_tier,
)

__all__ = ["Downgrade", "Ignored", "StripeOutcome", "apply_stripe_event"]


@dataclass(frozen=True)
class Downgrade:
    """A subscription ended: the workspace goes back to the free tier."""

    account_id: str
    tier: str


@dataclass(frozen=True)
class Ignored:
    reason: str


@dataclass(frozen=True)
class StripeOutcome:
    applied: bool
    reason: str | None = None  # why nothing was applied


def apply_stripe_event(
    session: Session, *, event_id: str, type: str, meaning: Payment | Downgrade | Ignored
) -> StripeOutcome:
    account_id = None if isinstance(meaning, Ignored) else meaning.account_id
    if not claim_stripe_event(session, event_id=event_id, type=type, account_id=account_id):
        return StripeOutcome(applied=False, reason="already applied")
    if isinstance(meaning, Ignored):
        return StripeOutcome(applied=False, reason=meaning.reason)
    if isinstance(meaning, Downgrade):
        # Only the subscription that set the current tier takes it away.
        if get_tier(session, meaning.account_id) == meaning.tier:
            set_tier(session, meaning.account_id, "free")
    else:
        apply_payment(session, meaning)
    return StripeOutcome(applied=True)
