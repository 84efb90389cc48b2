"""`/api/v1/claims`: file, list, read, respond (the certificate's owner), resolve (the
operator). Claims are the certificate owner's business: another workspace, or the other
mode, gets 404 for them."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from soundseal.api.auth import OPERATOR, require_operator, require_scope
from soundseal.api.responses import render
from soundseal.api.responses_claims import ClaimAnswer, ClaimOnly, ClaimPageOut
from soundseal.api.schemas import (
    MAX_OFFSET,
    ClaimCreate,
    ClaimResolution,
    ClaimResponse,
    ClaimStatus,
    ClaimType,
    error_responses,
)
from soundseal.db.base import utcnow
from soundseal.http.context import get_context, transaction
from soundseal.registry.claims import services as claims
from soundseal.registry.claims.views import claim_view
from soundseal.registry.keys.services import Principal

router = APIRouter(prefix="/api/v1/claims", tags=["claims"])

_READ_ERRORS = error_responses(400, 401, 403, 404, 429)
_WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422, 429)


def _one(claim: Any, *, status_code: int = 200) -> Response:
    return render(ClaimAnswer, {"success": True, "claim": claim}, status_code=status_code)


@router.post(
    "",
    status_code=201,
    response_model=ClaimAnswer,
    summary="File a claim against a certificate (claims:write)",
    description=(
        "`certificate` is its ID or number, in the key's mode. `type`: ownership, credit, "
        "ai_use or other. The certificate's owner has `response_deadline` to respond; "
        "unanswered, the claim expires and goes to the operator."
    ),
    responses=_WRITE_ERRORS,
)
def file_claim(
    body: ClaimCreate,
    request: Request,
    principal: Principal = require_scope("claims:write", secret_only=True),
) -> Response:
    settings = get_context(request).settings
    name, email = body.claimant_fields()
    draft = claims.NewClaim(
        certificate=body.certificate,
        type=body.type,
        description=body.description,
        claimant_name=name,
        claimant_email=email,
    )
    now = utcnow()
    with transaction(request, write=True) as session:
        claim = claims.file_claim(
            session,
            draft,
            mode=principal.mode,
            filed_by=principal.key_id,
            response_window=timedelta(days=settings.claim_response_days),
            now=now,
        )
        view = claim_view(claim, claim.certificate, now=now)
    return _one(view, status_code=201)


@router.get(
    "",
    response_model=ClaimPageOut,
    summary="Claims against your workspace's certificates (claims:read)",
    description=(
        "Newest first. `limit` (≤ 100); `offset`, or `cursor` = the previous page's "
        "`pagination.next_cursor` (or `starting_after`, a claim ID); filters "
        "`status` (pending, responded, resolved, expired), `type`, `certificate` (ID or number)."
    ),
    responses=_READ_ERRORS,
)
def list_claims(
    request: Request,
    principal: Principal = require_scope("claims:read", secret_only=True),
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    starting_after: Annotated[str | None, Query(max_length=40, pattern="^clm_")] = None,
    status: Annotated[ClaimStatus | None, Query()] = None,
    type: Annotated[ClaimType | None, Query()] = None,
    certificate: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    now = utcnow()
    with transaction(request, write=False) as session:
        page = claims.list_claims(
            session,
            account_id=principal.account_id,
            mode=principal.mode,
            now=now,
            status=status,
            type=type,
            certificate=certificate,
            limit=limit,
            offset=offset,
            starting_after=starting_after,
            cursor=cursor,
        )
        items = [claim_view(c, c.certificate, now=now) for c in page.claims]
    return render(
        ClaimPageOut,
        {
            "claims": items,
            "pagination": {
                "total": page.total,
                "limit": page.limit,
                "offset": page.offset,
                "has_more": page.has_more,
                "next_cursor": page.next_cursor,
                "next_starting_after": items[-1]["id"] if page.has_more and items else None,
            },
        },
    )


@router.get(
    "/{claim_id}",
    response_model=ClaimOnly,
    summary="One claim against your workspace's certificates (claims:read)",
    responses=_READ_ERRORS,
)
def get_claim(
    claim_id: str,
    request: Request,
    principal: Principal = require_scope("claims:read", secret_only=True),
) -> Response:
    now = utcnow()
    with transaction(request, write=False) as session:
        claim = claims.get_claim(
            session, claim_id, account_id=principal.account_id, mode=principal.mode
        )
        view = claim_view(claim, claim.certificate, now=now)
    return render(ClaimOnly, {"claim": view})


@router.post(
    "/{claim_id}/respond",
    response_model=ClaimAnswer,
    summary="Respond to a claim against your certificate (claims:write, owner)",
    description="Once, while the claim is pending (before `response_deadline`); else 409.",
    responses=_WRITE_ERRORS,
)
def respond_to_claim(
    claim_id: str,
    body: ClaimResponse,
    request: Request,
    principal: Principal = require_scope("claims:write", secret_only=True),
) -> Response:
    now = utcnow()
    with transaction(request, write=True) as session:
        claim = claims.get_claim(
            session, claim_id, account_id=principal.account_id, mode=principal.mode
        )
        claims.respond_to_claim(
            session, claim, response=body.response, actor=principal.key_id, now=now
        )
        view = claim_view(claim, claim.certificate, now=now)
    return _one(view)


@router.post(
    "/{claim_id}/resolve",
    response_model=ClaimAnswer,
    summary="Resolve a claim (the registry's operator)",
    description=(
        "`outcome`: `upheld` revokes the certificate, the claim as the reason; `dismissed` "
        "leaves it standing. Needs the operator key (`SOUNDSEAL_OPERATOR_KEY`); workspace "
        "keys get 403. The CLI's `soundseal claims resolve` does the same."
    ),
    responses={**_WRITE_ERRORS, **error_responses(503)},
)
def resolve_claim(
    claim_id: str,
    body: ClaimResolution,
    request: Request,
    operator: str = require_operator(),
) -> Response:
    now = utcnow()
    context = get_context(request)
    with transaction(request, write=True) as session:
        claim = claims.get_claim(session, claim_id, account_id=None, mode=None)
        claims.resolve_claim(
            session,
            claim,
            outcome=body.outcome,
            note=body.note,
            actor=OPERATOR,
            base_url=context.settings.public_url,
            now=now,
            notary=context.notary,
        )
        view = claim_view(claim, claim.certificate, now=now)
    return _one(view)
