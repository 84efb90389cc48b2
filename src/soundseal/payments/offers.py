"""Selling a tier or credit packs: the catalogue's offer turned into a Checkout session.

Shared by the API and the dashboard, so both sell the same things at the same prices and
refuse the same bad choices.
"""

from __future__ import annotations

from dataclasses import dataclass

from soundseal.errors import InvalidInput
from soundseal.payments.catalogue import Catalogue
from soundseal.payments.checkout import CheckoutSession, StripeCheckout
from soundseal.registry.billing.tiers import PAID_TIERS, format_price

__all__ = ["MAX_PACKS", "Sale", "sell_credits", "sell_tier"]

MAX_PACKS = 100


@dataclass(frozen=True)
class Sale:
    session: CheckoutSession
    # What the buyer is shown: "$49.00/month", "$87.00".
    price: str


def sell_tier(
    checkout: StripeCheckout,
    catalogue: Catalogue,
    *,
    account_id: str,
    tier: str,
    success_url: str,
    cancel_url: str,
) -> Sale:
    if tier not in PAID_TIERS:
        raise InvalidInput(f"tier must be one of {', '.join(PAID_TIERS)}", field="tier")
    offer = catalogue.tiers[tier]
    session = checkout.subscribe(
        account_id=account_id,
        tier=offer.name,
        price=offer.price,
        currency=offer.currency,
        success_url=success_url,
        cancel_url=cancel_url,
    )
    return Sale(session, f"{format_price(offer.price, offer.currency, cents=True)}/month")


def sell_credits(
    checkout: StripeCheckout,
    catalogue: Catalogue,
    *,
    account_id: str,
    packs: int,
    success_url: str,
    cancel_url: str,
) -> Sale:
    if not 1 <= packs <= MAX_PACKS:
        raise InvalidInput(f"Choose between 1 and {MAX_PACKS} packs", field="packs")
    session = checkout.buy_credits(
        account_id=account_id,
        packs=packs,
        pack_size=catalogue.pack_size,
        pack_price=catalogue.pack_price,
        currency=catalogue.currency,
        success_url=success_url,
        cancel_url=cancel_url,
    )
    return Sale(session, format_price(catalogue.pack_price * packs, catalogue.currency, cents=True))
