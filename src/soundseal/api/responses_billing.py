"""Response bodies of billing: the tier and usage, checkouts, Stripe's webhook, credits."""

from __future__ import annotations

from pydantic import Field

from soundseal.api.responses import Count, SignedInt, Timestamp, _Out

__all__ = [
    "BillingOverview",
    "CreditsCheckout",
    "CreditsOut",
    "StripeWebhookAnswer",
    "TierCheckout",
]


class TierOut(_Out):
    price: str = Field(description='e.g. "$49/month"')
    requests: str = Field(description='e.g. "50,000/month"')
    monthly_requests_limit: Count
    amount: str = Field(description="the monthly price as a decimal string")
    currency: str


class CreditPackOut(_Out):
    credits: Count
    price: str
    amount: str = Field(description="the pack's price as a decimal string")
    currency: str


class BillingOverview(_Out):
    current_tier: str
    monthly_requests_used: Count
    monthly_requests_limit: Count
    quotas_enabled: bool
    available_tiers: dict[str, TierOut]
    credit_pack: CreditPackOut
    credits_remaining: Count
    billing_enabled: bool


class TierCheckout(_Out):
    checkout_url: str
    session_id: str
    tier: str
    price: str


class CreditsCheckout(_Out):
    checkout_url: str
    session_id: str
    credits: Count
    price: str


class StripeWebhookAnswer(_Out):
    received: bool
    applied: bool
    reason: str | None = Field(default=None, description="why nothing was applied")


class CreditEntryOut(_Out):
    id: str
    amount: SignedInt = Field(description="credits added (positive) or spent (negative)")
    balance_after: Count
    reason: str
    reference: str | None
    created_at: Timestamp


class CreditsOut(_Out):
    credits_enabled: bool
    credits_remaining: Count
    purchase_url: str
    entries: list[CreditEntryOut]
    has_more: bool
    next_starting_after: str | None
