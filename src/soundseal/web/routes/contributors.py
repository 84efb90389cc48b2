"""Contributors on the web: the owner's invite form, and the one-time acknowledgement page.

The link's token is the invitee's only credential, so its pages are `no-store` and send no
referrer (the token is in the URL). Acknowledging is a POST with a double-submit CSRF token,
so merely opening the link (or a mail scanner prefetching it) acknowledges nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from soundseal.db.base import utcnow
from soundseal.errors import Conflict, InvalidInput, NotFound
from soundseal.http.context import get_context, transaction
from soundseal.registry.certificates.access import get_owned_certificate
from soundseal.registry.certificates.lookups import get_certificate
from soundseal.registry.contributors.services import acknowledge, find_by_token, invite_contributor
from soundseal.urls import acknowledgement_url
from soundseal.web.dashboard_pages import certificate_mode, certificate_page
from soundseal.web.rendering import error_page, render
from soundseal.web.sessions import NO_NUL, check_csrf, form_checks, require_user

router = APIRouter(include_in_schema=False, dependencies=[form_checks(session=False)])

FormText = Annotated[str, Form(max_length=2000, pattern=NO_NUL)]
_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _link_refused(request: Request) -> Response:
    response = error_page(
        request,
        410,
        "This link cannot be used",
        "It is not a valid acknowledgement link, or it has already been used. Each link "
        "works once; ask the certificate's owner for a new invitation if you need one.",
    )
    response.headers.update(_PRIVATE)
    return response


@router.get("/contributors/ack/{token}")
def acknowledgement_page(token: str, request: Request) -> Response:
    with transaction(request, write=False) as session:
        try:
            contributor = find_by_token(session, token)
        except NotFound:
            return _link_refused(request)
        cert = get_certificate(session, contributor.certificate_id)
    return render(
        request,
        "contributor_ack.html",
        forms=True,
        contributor=contributor,
        cert=cert,
        token=token,
        headers=_PRIVATE,
    )


@router.post("/contributors/ack/{token}")
def acknowledge_link(token: str, request: Request, csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    try:
        with transaction(request, write=True) as session:
            contributor = acknowledge(
                session,
                token,
                now=utcnow(),
                base_url=get_context(request).settings.public_url,
            )
            cert = get_certificate(session, contributor.certificate_id)
    except Conflict:
        return _link_refused(request)
    return render(
        request,
        "contributor_ack.html",
        contributor=contributor,
        cert=cert,
        done=True,
        headers=_PRIVATE,
    )


@router.post(
    "/dashboard/certificates/{certificate_id}/contributors",
    dependencies=[form_checks(session=True)],
)
def invite(
    certificate_id: str,
    request: Request,
    csrf_token: FormText = "",
    name: FormText = "",
    role: FormText = "",
    email: FormText = "",
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    try:
        with transaction(request, write=True) as session:
            cert = get_owned_certificate(
                session,
                certificate_id,
                account_id=user.account_id,
                mode=certificate_mode(request, certificate_id),
            )
            _, token = invite_contributor(
                session, cert, name=name, role=role, email=email, actor=user.actor, now=utcnow()
            )
    except InvalidInput as exc:
        form = {"name": name, "role": role, "email": email}
        return certificate_page(
            request,
            user,
            certificate_id,
            invite_error=exc.message,
            form=form,
            status=exc.code.status,
        )
    link = acknowledgement_url(get_context(request).settings.public_url, token)
    # Not a redirect: the link exists only in this response and is never stored in clear.
    response = certificate_page(request, user, certificate_id, invite_link=link)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
