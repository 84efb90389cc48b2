"""What is for sale, read from the settings: the API tiers and the credit pack."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from soundseal.registry.billing.tiers import Tier, format_price
from soundseal.settings import Settings

__all__ = ["Catalogue"]


@dataclass(frozen=True)
class Catalogue:
    tiers: dict[str, Tier]
    currency: str
    pack_size: int
    pack_price: Decimal

    @classmethod
    def from_settings(cls, settings: Settings) -> Catalogue:
        currency = settings.billing_currency
        return cls(
            tiers={
                "free": Tier("free", settings.tier_requests_free, Decimal("0"), currency),
                "starter": Tier(
                    "starter",
                    settings.tier_requests_starter,
                    Decimal(settings.tier_price_starter),
                    currency,
                ),
                "pro": Tier(
                    "pro", settings.tier_requests_pro, Decimal(settings.tier_price_pro), currency
                ),
            },
            currency=currency,
            pack_size=settings.credit_pack_size,
            pack_price=Decimal(settings.credit_pack_price),
        )

    def monthly_limit(self, tier: str) -> int:
        # An unknown tier (a row from a newer release, say) gets the free quota: fail small.
        return (self.tiers.get(tier) or self.tiers["free"]).monthly_requests

    def pack_view(self) -> dict[str, object]:
        return {
            "credits": self.pack_size,
            "price": format_price(self.pack_price, self.currency),
            "amount": str(self.pack_price),
            "currency": self.currency,
        }
