"""Stripe Checkout through the official `stripe` library.

Stripe's errors are converted here, at the boundary, into `PaymentProviderError`, so the
rest of soundseal never sees a `stripe` exception. `stripe` comes with the `billing` extra
(`pip install "soundseal[billing]"`) and is imported only when Checkout is configured, so a
registry without billing neither needs nor loads it (settings refuse Stripe keys without it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from soundseal.errors import InvalidInput, InvalidSignature, PaymentProviderError

if TYPE_CHECKING:
    import stripe

__all__ = ["CheckoutSession", "StripeCheckout"]


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


def _minor_units(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


class StripeCheckout:
    def __init__(self, secret_key: str, webhook_secret: str, api_base: str) -> None:
        import stripe

        self._client: stripe.StripeClient = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base.rstrip("/")},
            max_network_retries=2,
        )
        self._webhook_secret = webhook_secret

    def _create(self, params: dict[str, Any]) -> CheckoutSession:
        import stripe

        try:
            session = self._client.v1.checkout.sessions.create(params=params)  # type: ignore[arg-type]
        except stripe.StripeError as exc:
            raise PaymentProviderError(
                f"Stripe refused to create the Checkout session: {exc.user_message or exc}"
            ) from exc
        if not session.url:
            raise PaymentProviderError("Stripe returned a Checkout session without a URL")
        return CheckoutSession(id=session.id, url=session.url)

    def subscribe(
        self,
        *,
        account_id: str,
        tier: str,
        price: Decimal,
        currency: str,
        success_url: str,
        cancel_url: str,
    ) -> CheckoutSession:
        """A Checkout session for a monthly subscription to `tier`."""
        metadata = {"account_id": account_id, "kind": "tier", "tier": tier}
        return self._create(
            {
                "mode": "subscription",
                "client_reference_id": account_id,
                "success_url": success_url,
                "cancel_url": cancel_url,
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": currency,
                            "unit_amount": _minor_units(price),
                            "recurring": {"interval": "month"},
                            "product_data": {"name": f"soundseal API, {tier} tier"},
                        },
                    }
                ],
                "metadata": metadata,
                "subscription_data": {"metadata": metadata},
            }
        )

    def buy_credits(
        self,
        *,
        account_id: str,
        packs: int,
        pack_size: int,
        pack_price: Decimal,
        currency: str,
        success_url: str,
        cancel_url: str,
    ) -> CheckoutSession:
        """A Checkout session for a one-off payment for `packs` credit packs."""
        return self._create(
            {
                "mode": "payment",
                "client_reference_id": account_id,
                "success_url": success_url,
                "cancel_url": cancel_url,
                "line_items": [
                    {
                        "quantity": packs,
                        "price_data": {
                            "currency": currency,
                            "unit_amount": _minor_units(pack_price),
                            "product_data": {"name": f"soundseal credits, {pack_size} per pack"},
                        },
                    }
                ],
                "metadata": {
                    "account_id": account_id,
                    "kind": "credits",
                    "credits": str(packs * pack_size),
                },
            }
        )

    def verified_event(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        """The Stripe event in a webhook request, as plain JSON, if its `Stripe-Signature`
        is genuine and recent (Stripe's library checks both)."""
        if not signature:
            raise InvalidInput("Missing Stripe-Signature header", field="Stripe-Signature")
        import stripe

        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8", "replace"), signature, self._webhook_secret
            )
        except stripe.SignatureVerificationError as exc:
            raise InvalidSignature(
                "Stripe-Signature does not match the payload (or is too old)",
                field="Stripe-Signature",
            ) from exc
        try:
            event = json.loads(payload)
        except ValueError as exc:
            raise InvalidInput("The webhook body is not JSON", field="body") from exc
        if not isinstance(event, dict) or not {"id", "type", "data"} <= event.keys():
            raise InvalidInput("The webhook body is not a Stripe event", field="body")
        return event
