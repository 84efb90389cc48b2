"""`GET /api/v1/credits`: the workspace's balance and its ledger, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from soundseal.api.auth import require_scope
from soundseal.api.responses import render
from soundseal.api.responses_billing import CreditsOut
from soundseal.api.schemas import error_responses
from soundseal.errors import InvalidInput
from soundseal.http.context import get_context, transaction
from soundseal.registry.credits.services import balance, credit_entry_view, list_entries
from soundseal.registry.keys.services import Principal

router = APIRouter(prefix="/api/v1/credits", tags=["billing"])


@router.get(
    "",
    response_model=CreditsOut,
    summary="Credits remaining and the ledger (billing:read)",
    description=(
        "Live certificates and deep verifications cost 1 credit each; test mode is free. "
        "Page through the ledger with `starting_after` = the last entry's `id`."
    ),
    responses=error_responses(400, 401, 403, 429),
)
def get_credits(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    starting_after: Annotated[str | None, Query(max_length=40, pattern="^cre_")] = None,
    principal: Principal = require_scope("billing:read", secret_only=True),
) -> Response:
    if starting_after is not None and not starting_after.startswith("cre_"):
        raise InvalidInput(
            "starting_after must be a ledger entry ID (cre_…)", field="starting_after"
        )
    settings = get_context(request).settings
    with transaction(request, write=False) as session:
        entries = list_entries(
            session, account_id=principal.account_id, before=starting_after, limit=limit + 1
        )
        remaining = balance(session, principal.account_id)
    has_more = len(entries) > limit
    entries = entries[:limit]
    return render(
        CreditsOut,
        {
            "credits_enabled": settings.credits_enabled,
            "credits_remaining": remaining,
            "purchase_url": settings.effective_purchase_url,
            "entries": [credit_entry_view(e) for e in entries],
            "has_more": has_more,
            "next_starting_after": entries[-1].id if has_more else None,
        },
    )
