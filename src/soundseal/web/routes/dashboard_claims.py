"""The dashboard's claims: those against the workspace's certificates, read and answered.

Scoped like every dashboard page: another workspace's claim is not found."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from soundseal.db.base import utcnow
from soundseal.errors import Conflict, InvalidInput
from soundseal.http.context import transaction
from soundseal.registry.claims import services as claims
from soundseal.registry.claims.views import effective_status
from soundseal.registry.logins.services import SignedIn
from soundseal.web.dashboard_pages import dashboard_page
from soundseal.web.sessions import NO_NUL, check_csrf, form_checks, require_user
from soundseal.web.views import TYPE_LABELS

router = APIRouter(
    prefix="/dashboard", include_in_schema=False, dependencies=[form_checks(session=True)]
)

PAGE_SIZE = 50


@router.get("/claims")
def claims_list(
    request: Request,
    mode: str = "live",
    status: str = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    user = require_user(request)
    mode = "test" if mode == "test" else "live"
    status_filter = status if status in claims.CLAIM_STATUSES else None
    now = utcnow()
    with transaction(request, write=False) as session:
        result = claims.list_claims(
            session,
            account_id=user.account_id,
            mode=mode,
            now=now,
            status=status_filter,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        rows = [(c, c.certificate, effective_status(c, now)) for c in result.claims]
    return dashboard_page(
        request,
        "dashboard/claims.html",
        user,
        section="claims",
        mode=mode,
        status=status_filter or "",
        statuses=claims.CLAIM_STATUSES,
        rows=rows,
        total=result.total,
        page=page,
        pages=max(1, -(-result.total // PAGE_SIZE)),
        types=TYPE_LABELS,
    )


def _claim_page(
    request: Request,
    user: SignedIn,
    claim_id: str,
    *,
    error: str | None = None,
    response_text: str = "",
    status: int = 200,
) -> Response:
    now = utcnow()
    with transaction(request, write=False) as session:
        claim = claims.get_claim(session, claim_id, account_id=user.account_id, mode=None)
        cert = claim.certificate
    page = dashboard_page(
        request,
        "dashboard/claim.html",
        user,
        section="claims",
        mode=claim.mode,
        claim=claim,
        cert=cert,
        status=effective_status(claim, now),
        type_label=TYPE_LABELS[claim.type],
        error=error,
        response_text=response_text,
    )
    page.status_code = status
    return page


@router.get("/claims/{claim_id}")
def claim_detail(claim_id: str, request: Request) -> Response:
    return _claim_page(request, require_user(request), claim_id)


@router.post("/claims/{claim_id}/respond")
def claim_respond(
    claim_id: str,
    request: Request,
    csrf_token: Annotated[str, Form(max_length=200, pattern=NO_NUL)] = "",
    response: Annotated[str, Form(max_length=6000, pattern=NO_NUL)] = "",
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    try:
        with transaction(request, write=True) as session:
            claim = claims.get_claim(session, claim_id, account_id=user.account_id, mode=None)
            claims.respond_to_claim(
                session, claim, response=response, actor=user.actor, now=utcnow()
            )
    except (InvalidInput, Conflict) as exc:
        return _claim_page(
            request,
            user,
            claim_id,
            error=exc.message,
            response_text=response,
            status=exc.code.status,
        )
    return RedirectResponse(f"/dashboard/claims/{claim_id}?done=responded", status_code=303)
