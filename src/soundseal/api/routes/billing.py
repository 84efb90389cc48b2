"""API billing: the tier and the month's usage, Stripe Checkout, and Stripe's webhook.

The billing paths are not counted against the monthly quota: a workspace over its quota must
still be able to see its usage and upgrade.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from soundseal.api.auth import require_caller, require_scope
from soundseal.api.responses import render
from soundseal.api.responses_billing import (
    BillingOverview,
    CreditsCheckout,
    StripeWebhookAnswer,
    TierCheckout,
)
from soundseal.api.schemas import CreditsCheckoutRequest, TierCheckoutRequest, error_responses
from soundseal.errors import BillingDisabled, InvalidInput
from soundseal.http.context import AppContext, get_context, transaction
from soundseal.payments.checkout import StripeCheckout
from soundseal.payments.offers import sell_credits, sell_tier
from soundseal.payments.signature_header import check_stripe_signature_header
from soundseal.payments.stripe_events import interpret
from soundseal.registry.billing.services import get_tier
from soundseal.registry.billing.stripe_events import apply_stripe_event
from soundseal.registry.credits.services import balance
from soundseal.registry.keys.services import Principal

router = APIRouter(prefix="/api/v1/billing", tags=["billing"])
log = logging.getLogger(__name__)


def _checkout(context: AppContext) -> StripeCheckout:
    if context.checkout is None:
        raise BillingDisabled(
            "Billing is not configured on this registry: set SOUNDSEAL_STRIPE_SECRET_KEY and "
            "SOUNDSEAL_STRIPE_WEBHOOK_SECRET to sell tiers and credits"
        )
    return context.checkout


def _redirects(
    context: AppContext, body: TierCheckoutRequest | CreditsCheckoutRequest
) -> tuple[str, str]:
    """Where Checkout sends the buyer back to: the body's URLs, or the dashboard's page."""
    base = f"{context.settings.public_url}/dashboard/billing"
    urls = []
    for field, url, outcome in (
        ("success_url", body.success_url, "success"),
        ("cancel_url", body.cancel_url, "cancelled"),
    ):
        if url is None:
            urls.append(f"{base}?checkout={outcome}")
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise InvalidInput(f"{field} must be an absolute http(s) URL", field=field)
        urls.append(url)
    return urls[0], urls[1]


@router.get(
    "/checkout",
    response_model=BillingOverview,
    summary="The API tier, this month's usage and the tiers for sale (billing:read)",
    description=(
        "The vendor doc lists `billing:write` for this view; a key with either "
        "`billing:read` or `billing:write` may read it. Usage counts every authenticated API "
        "request this calendar month (UTC) except these billing endpoints."
    ),
    responses=error_responses(401, 403, 429),
)
def billing_overview(
    request: Request,
    principal: Principal = require_scope(
        "billing:read", secret_only=True, or_scope="billing:write"
    ),
) -> Response:
    context = get_context(request)
    catalogue = context.catalogue
    with transaction(request, write=False) as session:
        tier = get_tier(session, principal.account_id)
        remaining = balance(session, principal.account_id)
    return render(
        BillingOverview,
        {
            "current_tier": tier,
            "monthly_requests_used": context.quota.used(principal.account_id),
            "monthly_requests_limit": catalogue.monthly_limit(tier),
            "quotas_enabled": context.settings.quotas_enabled,
            "available_tiers": {name: t.view() for name, t in catalogue.tiers.items()},
            "credit_pack": catalogue.pack_view(),
            "credits_remaining": remaining,
            "billing_enabled": context.checkout is not None,
        },
    )


@router.post(
    "/checkout",
    response_model=TierCheckout,
    summary="A Stripe Checkout session to upgrade the API tier (billing:write)",
    description=(
        "Answers `checkout_url`: send the buyer there. The tier changes when Stripe reports "
        "the payment at `/api/v1/billing/stripe/webhook`, not before. 400 `billing_disabled` "
        "when Stripe is not configured."
    ),
    responses=error_responses(400, 401, 403, 429, 502),
)
async def tier_checkout(
    request: Request,
    body: TierCheckoutRequest,
    principal: Principal = require_scope("billing:write", secret_only=True),
) -> Response:
    context = get_context(request)
    checkout = _checkout(context)
    with transaction(request, write=False) as db:
        current = get_tier(db, principal.account_id)
    if current == body.tier:
        raise InvalidInput(f"This workspace is already on the {body.tier} tier", field="tier")
    success_url, cancel_url = _redirects(context, body)
    sale = await run_in_threadpool(
        lambda: sell_tier(
            checkout,
            context.catalogue,
            account_id=principal.account_id,
            tier=body.tier,
            success_url=success_url,
            cancel_url=cancel_url,
        )
    )
    return render(
        TierCheckout,
        {
            "checkout_url": sale.session.url,
            "session_id": sale.session.id,
            "tier": body.tier,
            "price": sale.price,
        },
    )


@router.post(
    "/credits",
    response_model=CreditsCheckout,
    summary="A Stripe Checkout session to buy credit packs (billing:write)",
    description=(
        "`packs` times the configured pack size (GET /api/v1/billing/checkout shows it). The "
        "credits arrive when Stripe reports the payment, with a `credits.purchased` event."
    ),
    responses=error_responses(400, 401, 403, 429, 502),
)
async def credits_checkout(
    request: Request,
    body: CreditsCheckoutRequest,
    principal: Principal = require_scope("billing:write", secret_only=True),
) -> Response:
    context = get_context(request)
    checkout = _checkout(context)
    success_url, cancel_url = _redirects(context, body)
    sale = await run_in_threadpool(
        lambda: sell_credits(
            checkout,
            context.catalogue,
            account_id=principal.account_id,
            packs=body.packs,
            success_url=success_url,
            cancel_url=cancel_url,
        )
    )
    return render(
        CreditsCheckout,
        {
            "checkout_url": sale.session.url,
            "session_id": sale.session.id,
            "credits": body.packs * context.catalogue.pack_size,
            "price": sale.price,
        },
    )


def _signature_header() -> Any:
    """Stripe's webhook has no key: a well-formed signature header is what the edge checks
    before reading its body (the signature itself needs the body)."""

    async def signature_header(request: Request) -> None:
        _checkout(get_context(request))  # billing_disabled says more than a missing header
        check_stripe_signature_header(request.headers.get("stripe-signature"))

    signature_header.before_body = True  # type: ignore[attr-defined]
    return Depends(signature_header)


@router.post(
    "/stripe/webhook",
    response_model=StripeWebhookAnswer,
    summary="Stripe's webhook: applies paid tiers and credit packs (Stripe-Signature)",
    description=(
        "Called by Stripe, not by API keys: the `Stripe-Signature` header is verified with "
        "SOUNDSEAL_STRIPE_WEBHOOK_SECRET. Idempotent: a redelivered event changes nothing. "
        "Acts on `checkout.session.completed`, `checkout.session.async_payment_succeeded` and "
        "`customer.subscription.deleted`; acknowledges the rest."
    ),
    responses=error_responses(400, 429),
    dependencies=[require_caller("Stripe-Signature (no API key)", "stripe"), _signature_header()],
)
async def stripe_webhook(request: Request) -> Response:
    checkout = _checkout(get_context(request))
    payload = await request.body()
    event = checkout.verified_event(payload, request.headers.get("stripe-signature"))
    meaning = interpret(event)

    def apply() -> dict[str, Any]:
        with transaction(request, write=True) as session:
            outcome = apply_stripe_event(
                session, event_id=str(event["id"]), type=str(event["type"]), meaning=meaning
            )
        if outcome.applied:
            return {"received": True, "applied": True}
        return {"received": True, "applied": False, "reason": outcome.reason}

    answer = await run_in_threadpool(apply)
    log.info(
        "stripe event %s (%s): %s",
        event["id"],
        event["type"],
        "applied" if answer["applied"] else answer["reason"],
    )
    return render(StripeWebhookAnswer, answer)
