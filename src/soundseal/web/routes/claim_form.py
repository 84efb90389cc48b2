"""The public claim form of a proof page, and its confirmation.

Anyone may file, without an account, so the form is guarded the way the log-in form is: a
double-submit CSRF token (the page is `no-store`, unlike the cacheable proof page, so a
shared cache never hands one visitor's token to another), a same-site check, and a per-IP
rate limit on every submission, valid or not.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from soundseal.db.base import utcnow
from soundseal.errors import InvalidInput, NotFound, RateLimited
from soundseal.http.context import client_ip, get_context, transaction
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.services import get_certificate
from soundseal.registry.claims.models import Claim
from soundseal.registry.claims.services import PUBLIC_FORM, NewClaim, file_claim
from soundseal.web.rendering import error_page, render
from soundseal.web.sessions import NO_NUL, check_csrf, form_checks
from soundseal.web.views import TYPE_LABELS

router = APIRouter(include_in_schema=False, dependencies=[form_checks(session=False)])

FormText = Annotated[str, Form(max_length=6000, pattern=NO_NUL)]
_NO_STORE = {"Cache-Control": "no-store"}


def _certificate(request: Request, certificate_id: str) -> Certificate | None:
    with transaction(request, write=False) as session:
        try:
            return get_certificate(session, certificate_id)
        except NotFound:
            return None


def _form(
    request: Request,
    cert: Certificate,
    *,
    error: str | None = None,
    field: str | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "claim_form.html",
        status_code=status,
        forms=True,
        cert=cert,
        types=TYPE_LABELS,
        error=error,
        field=field,
        form=values or {},
        days=get_context(request).settings.claim_response_days,
        headers=_NO_STORE,
    )


def _missing(request: Request) -> Response:
    return error_page(request, 404, "Certificate not found", "No certificate has this ID.")


@router.get("/cert/{certificate_id}/claim")
def claim_form(certificate_id: str, request: Request) -> Response:
    cert = _certificate(request, certificate_id)
    if cert is None:
        return _missing(request)
    return _form(request, cert)


@router.post("/cert/{certificate_id}/claim")
def claim_submit(
    certificate_id: str,
    request: Request,
    csrf_token: FormText = "",
    type: FormText = "",
    description: FormText = "",
    claimant_name: FormText = "",
    claimant_email: FormText = "",
) -> Response:
    context = get_context(request)
    limit = context.settings.rate_limit_public_claims
    result = context.limiter.hit(f"claim-form:{client_ip(request)}", limit)
    if not result.allowed:
        request.state.response_headers = result.headers()
        raise RateLimited("Too many claims from here. Wait a minute and try again.", limit=limit)
    check_csrf(request, csrf_token)
    cert = _certificate(request, certificate_id)
    if cert is None:
        return _missing(request)
    values = {
        "type": type,
        "description": description,
        "claimant_name": claimant_name,
        "claimant_email": claimant_email,
    }
    try:
        with transaction(request, write=True) as session:
            claim = file_claim(
                session,
                NewClaim(certificate=cert.id, **values),
                mode=None,
                filed_by=PUBLIC_FORM,
                response_window=timedelta(days=context.settings.claim_response_days),
                now=utcnow(),
            )
    except InvalidInput as exc:
        return _form(
            request, cert, error=exc.message, field=exc.field, values=values, status=exc.code.status
        )
    return RedirectResponse(f"/cert/{cert.id}/claim/filed/{claim.id}", status_code=303)


@router.get("/cert/{certificate_id}/claim/filed/{claim_id}")
def claim_filed(certificate_id: str, claim_id: str, request: Request) -> Response:
    """The confirmation: the reference and the deadline. Claim IDs are unguessable ULIDs,
    and this page shows nothing the claimant did not type or could not read publicly."""
    with transaction(request, write=False) as session:
        claim = session.get(Claim, claim_id) if claim_id.startswith("clm_") else None
        if claim is None or claim.certificate_id != certificate_id:
            return error_page(request, 404, "Claim not found", "No claim has this reference.")
        return render(
            request,
            "claim_filed.html",
            claim=claim,
            cert=claim.certificate,
            type_label=TYPE_LABELS[claim.type],
            headers={**_NO_STORE, "Referrer-Policy": "no-referrer"},
        )
