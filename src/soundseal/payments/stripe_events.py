"""What a verified Stripe event means to soundseal, as plain values.

Only the events soundseal asked for matter: a completed Checkout session (a tier or a credit
pack, told apart by the metadata soundseal put on the session) and a cancelled subscription.
Everything else is acknowledged and ignored, so Stripe stops retrying it.
"""

from __future__ import annotations

from typing import Any

from soundseal.registry.billing.services import Payment
from soundseal.registry.billing.stripe_events import Downgrade, Ignored
from soundseal.registry.billing.tiers import TIER_NAMES

__all__ = ["Downgrade", "Ignored", "interpret"]


# A session paid by a delayed method (a bank debit) completes unpaid, and is paid later by
# `checkout.session.async_payment_succeeded`: only a paid session gives anything.
_PAID = ("paid", "no_payment_required")


def interpret(event: Any) -> Payment | Downgrade | Ignored:
    obj = event["data"]["object"]
    metadata: dict[str, str] = dict(obj.get("metadata") or {})
    account_id = metadata.get("account_id")
    kind = metadata.get("kind")
    if event["type"] in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        if not account_id or kind not in ("tier", "credits"):
            return Ignored("not a soundseal Checkout session (no account_id/kind metadata)")
        if obj.get("payment_status") not in _PAID:
            return Ignored(f"payment_status is {obj.get('payment_status')!r}, not paid yet")
        if kind == "tier" and metadata.get("tier") not in TIER_NAMES:
            return Ignored(f"tier metadata {metadata.get('tier')!r} is not a tier")
        credits = metadata.get("credits", "0")
        if kind == "credits" and not credits.isdigit():
            return Ignored(f"credits metadata {credits!r} is not a number")
        return Payment(
            account_id=account_id,
            kind=kind,
            payment_id=str(obj["id"]),
            amount_total=int(obj.get("amount_total") or 0),
            currency=str(obj.get("currency") or ""),
            tier=metadata.get("tier"),
            credits=int(credits) if kind == "credits" else 0,
        )
    if event["type"] == "customer.subscription.deleted":
        if not account_id or not metadata.get("tier"):
            return Ignored("not a soundseal subscription (no account_id/tier metadata)")
        return Downgrade(account_id=account_id, tier=metadata["tier"])
    return Ignored(f"soundseal does not act on {event['type']}")
