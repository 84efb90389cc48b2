"""The dashboard's billing page: the API tier and this month's requests, credits and their
ledger, and the buttons that send the signed-in owner to Stripe Checkout.

`SOUNDSEAL_PURCHASE_URL` defaults here, so a 402 `payment_required` points at this page.
What a payment changes is applied by the Stripe webhook (`soundseal.api.routes.billing`),
never by the redirect back from Checkout, which anyone could open.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from soundseal.errors import ErrorCode, SoundsealError
from soundseal.http.context import get_context, transaction
from soundseal.payments.offers import Sale, sell_credits, sell_tier
from soundseal.registry.billing.services import get_tier
from soundseal.registry.billing.tiers import PAID_TIERS
from soundseal.registry.credits.services import balance, list_entries
from soundseal.registry.logins.services import SignedIn
from soundseal.web.rendering import render
from soundseal.web.sessions import NO_NUL, check_csrf, form_checks, require_user

router = APIRouter(
    prefix="/dashboard/billing", include_in_schema=False, dependencies=[form_checks(session=True)]
)

FormText = Annotated[str, Form(max_length=100, pattern=NO_NUL)]
_RETURNED = {
    "success": "Thank you: the payment is being confirmed by Stripe, and applies within a minute.",
    "cancelled": "Checkout was cancelled; nothing was charged.",
}


def _billing_page(
    request: Request, user: SignedIn, *, error: str | None = None, status: int = 200
) -> Response:
    context = get_context(request)
    with transaction(request, write=False) as session:
        tier = get_tier(session, user.account_id)
        remaining = balance(session, user.account_id)
        entries = list_entries(session, account_id=user.account_id, before=None, limit=50)
    return render(
        request,
        "dashboard/billing.html",
        forms=True,
        user=user,
        section="billing",
        mode="live",
        notice=_RETURNED.get(request.query_params.get("checkout") or ""),
        error=error,
        tier=tier,
        used=context.quota.used(user.account_id),
        limit=context.catalogue.monthly_limit(tier),
        tiers=context.catalogue.tiers,
        paid_tiers=PAID_TIERS,
        pack=context.catalogue.pack_view(),
        credits_enabled=context.settings.credits_enabled,
        quotas_enabled=context.settings.quotas_enabled,
        billing_enabled=context.checkout is not None,
        remaining=remaining,
        entries=entries,
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


@router.get("")
def billing_page(request: Request) -> Response:
    return _billing_page(request, require_user(request))


_NOT_CONFIGURED = "Billing is not configured on this registry."


@router.post("/checkout")
async def tier_checkout(
    request: Request, tier: FormText = "", csrf_token: FormText = ""
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    return await _sell(request, user, sell_tier, tier=tier)


@router.post("/credits")
async def credits_checkout(
    request: Request, packs: FormText = "1", csrf_token: FormText = ""
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    return await _sell(request, user, sell_credits, packs=int(packs) if packs.isdigit() else 0)


async def _sell(request: Request, user: SignedIn, sell: Any, **choice: Any) -> Response:
    """Send the owner to Stripe Checkout, or back to the page saying why not."""
    context = get_context(request)
    checkout = context.checkout
    if checkout is None:
        return _billing_page(
            request, user, error=_NOT_CONFIGURED, status=ErrorCode.BILLING_DISABLED.status
        )
    base = f"{context.settings.public_url}/dashboard/billing"
    try:
        sale: Sale = await run_in_threadpool(
            lambda: sell(
                checkout,
                context.catalogue,
                account_id=user.account_id,
                success_url=f"{base}?checkout=success",
                cancel_url=f"{base}?checkout=cancelled",
                **choice,
            )
        )
    except SoundsealError as exc:
        return _billing_page(request, user, error=exc.message, status=exc.code.status)
    return RedirectResponse(sale.session.url, status_code=303)
