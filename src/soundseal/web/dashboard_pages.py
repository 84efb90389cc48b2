"""What every dashboard page shares: the page frame and its notices, the current mode, and
a certificate's page (shown by the certificate, revocation and contributor routes).

The dashboard shows one mode at a time, as the API's keys do. A list page's mode is its
`?mode=` (live unless `test`, what the mode tabs link to); a certificate's pages are in the
mode its ID names (`cer_test_…`), and for a certificate number, in the `?mode=` given.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response

from soundseal.http.context import get_context, transaction
from soundseal.registry.certificates.access import get_owned_certificate, mode_named_by
from soundseal.registry.certificates.lookups import list_versions
from soundseal.registry.contributors.services import list_contributors
from soundseal.registry.embeds.services import daily_opens
from soundseal.registry.logins.services import SignedIn
from soundseal.web.rendering import render
from soundseal.web.sessions import NO_NUL
from soundseal.web.views import ai_disclosure_text, format_isrc, snippets

__all__ = [
    "FormText",
    "certificate_mode",
    "certificate_page",
    "dashboard_page",
    "mode_of",
]

FormText = Annotated[str, Form(max_length=2000, pattern=NO_NUL)]
_NO_STORE = {"Cache-Control": "no-store"}
_DONE = {
    "welcome": "Your workspace is ready. Issue a certificate or mint API keys to begin.",
    "created": "Certificate issued.",
    "revoked": "Certificate revoked.",
    "key_revoked": "API key revoked. Requests with it are refused from now on.",
    "responded": "Response sent. The claim now awaits the operator's decision.",
    "webhook_updated": "Webhook updated.",
    "webhook_tested": "Test event queued: it appears under Deliveries once sent.",
    "webhook_deleted": "Webhook deleted.",
    "redelivered": "Delivery queued again.",
}


def mode_of(value: str | None) -> str:
    return "test" if value == "test" else "live"


def certificate_mode(request: Request, certificate_id: str) -> str:
    """The mode of the dashboard's page for `certificate_id` (see the module's note)."""
    return mode_named_by(certificate_id) or mode_of(request.query_params.get("mode"))


def dashboard_page(request: Request, template: str, user: SignedIn, **context: Any) -> Response:
    done = request.query_params.get("done")
    return render(
        request,
        template,
        forms=True,
        user=user,
        notice=_DONE.get(done or ""),
        headers=_NO_STORE,
        **context,
    )


def certificate_page(
    request: Request,
    user: SignedIn,
    certificate_id: str,
    *,
    error: str | None = None,
    status: int = 200,
    invite_error: str | None = None,
    invite_link: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    """The certificate's page; after an invitation, with its one-time link (`invite_link`),
    which exists only in this response."""
    mode = certificate_mode(request, certificate_id)
    with transaction(request, write=False) as session:
        cert = get_owned_certificate(session, certificate_id, account_id=user.account_id, mode=mode)
        versions = list_versions(session, cert.id)
        opens = daily_opens(session, cert.id)
        people = list_contributors(session, cert.id)
    base_url = get_context(request).settings.public_url
    return dashboard_page(
        request,
        "dashboard/certificate.html",
        user,
        section="certificates",
        mode=cert.mode,
        cert=cert,
        isrc=format_isrc(cert.isrc),
        ai_disclosure=ai_disclosure_text(cert),
        versions=versions,
        opens=opens,
        total_opens=sum(n for _, n in opens),
        snippets=snippets(cert, base_url=base_url),
        error=error,
        contributors=people,
        invite_error=invite_error,
        invite_link=invite_link,
        form=form or {},
        status_code=status,
    )
