"""The API tiers: how many requests a month each allows, and what it costs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = ["PAID_TIERS", "TIER_NAMES", "Tier", "format_price"]

TIER_NAMES = ("free", "starter", "pro")
PAID_TIERS = ("starter", "pro")


@dataclass(frozen=True)
class Tier:
    name: str
    monthly_requests: int
    # Per month, in the currency's major unit ("49.00").
    price: Decimal
    currency: str

    def view(self) -> dict[str, object]:
        """The vendor doc's `available_tiers` entry, plus the numbers behind its text."""
        return {
            "price": f"{format_price(self.price, self.currency)}/month",
            "requests": f"{self.monthly_requests:,}/month",
            "monthly_requests_limit": self.monthly_requests,
            "amount": str(self.price),
            "currency": self.currency,
        }


_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£"}


def format_price(amount: Decimal, currency: str, *, cents: bool = False) -> str:
    """ "$49" (or "$49.00" with `cents`, as the vendor doc shows a checkout's price)."""
    symbol = _SYMBOLS.get(currency.lower())
    whole = amount == amount.to_integral_value() and not cents
    shown = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    return f"{symbol}{shown}" if symbol else f"{shown} {currency.upper()}"
