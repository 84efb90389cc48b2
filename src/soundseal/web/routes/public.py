"""Public pages: home, proof pages, badges and the widget scripts (their status endpoint is
the API's `/api/v1/public/status`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from soundseal import urls
from soundseal.db.base import utcnow
from soundseal.errors import NotFound
from soundseal.http.context import get_context, transaction
from soundseal.ids import is_certificate_id, is_certificate_number
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.services import get_certificate
from soundseal.registry.claims.services import unanswered_claims
from soundseal.registry.contributors.services import list_contributors
from soundseal.registry.log.services import CertificateProof, certificate_proof
from soundseal.signing import jwks
from soundseal.signing.bundle import CertificateBundle
from soundseal.transparency.proof_text import TlogProof
from soundseal.web.assets import NAMES, asset_response
from soundseal.web.rendering import error_page, json_script, render, render_text
from soundseal.web.views import ai_disclosure_text, format_isrc, json_ld, open_graph

router = APIRouter(include_in_schema=False)

_NOT_FOUND_MESSAGE = "No certificate has this ID or number. Check it was copied in full."


@router.get("/")
def home(request: Request) -> HTMLResponse:
    settings = get_context(request).settings
    return render(request, "home.html", signup_enabled=settings.signup_enabled)


@router.get("/static/{name}")
def static_asset(name: str, request: Request) -> Response:
    if name not in NAMES:
        return error_page(request, 404, "Page not found", "There is no page at this address.")
    return asset_response(request, name)


@router.get("/embed.js")
def embed_script(request: Request) -> Response:
    return asset_response(request, "embed.js")


@router.get("/favicon.svg")
def favicon(request: Request) -> Response:
    return render_svg(request, "disc.svg", max_age=86400)


def render_svg(request: Request, template: str, *, max_age: int, **context: object) -> Response:
    return Response(
        render_text(template, **context),
        media_type="image/svg+xml",
        headers={
            "Cache-Control": f"public, max-age={max_age}",
            "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )


def _lookup(request: Request, ident: str) -> Certificate | None:
    if not (is_certificate_id(ident) or is_certificate_number(ident.upper())):
        return None
    with transaction(request, write=False) as session:
        try:
            return get_certificate(session, ident)
        except NotFound:
            return None


def _proof(request: Request, ident: str) -> Response:
    cert = _lookup(request, ident)
    if cert is None:
        return error_page(request, 404, "Certificate not found", _NOT_FOUND_MESSAGE)
    now = utcnow()
    with transaction(request, write=False) as session:
        # Only the credits the contributors confirmed themselves are public.
        credited = list_contributors(session, cert.id, acknowledged_only=True)
        unanswered = unanswered_claims(session, cert.id, now)
        logged = _logged(request, session, cert)
    base_url = get_context(request).settings.public_url
    proof_url = urls.proof_url(base_url, cert.id)
    return render(
        request,
        "proof.html",
        cert=cert,
        proof_url=proof_url,
        isrc=format_isrc(cert.isrc),
        ai_disclosure=ai_disclosure_text(cert),
        json_ld=json_script(json_ld(cert, proof_url=proof_url)),
        og=open_graph(cert, proof_url=proof_url, base_url=base_url),
        contributors=credited,
        unanswered=unanswered,
        now=now,
        logged=logged,
        # Short-lived: a revocation must show within a minute even behind a shared cache.
        headers={"Cache-Control": "public, max-age=60"},
    )


def _logged(request: Request, session: Session, cert: Certificate) -> CertificateProof | None:
    """The live certificate's latest statement and its proof (None for a test or sandbox one)."""
    if cert.mode != "live":
        return None
    try:
        return certificate_proof(session, get_context(request).notary, cert)
    except NotFound:
        return None


@router.get("/cert/{certificate_id}/certificate.json")
def certificate_bundle(certificate_id: str, request: Request) -> Response:
    """The certificate bundle (`signing/bundle.py`) of a live certificate: its latest signed
    statement, proven in the log, with the log key and the key set to check it offline."""
    cert = _lookup(request, certificate_id)
    with transaction(request, write=False) as session:
        proof = None if cert is None else _logged(request, session, cert)
        keys = jwks(session)
    if cert is None or proof is None:
        return error_page(request, 404, "Certificate not found", _NOT_FOUND_MESSAGE)
    notary = get_context(request).notary
    bundle = CertificateBundle(
        proof.jws, TlogProof.parse(proof.proof), notary.checkpoint_verifier(cert.mode), keys
    )
    return Response(
        bundle.format() + "\n",
        media_type="application/json",
        headers={
            "Cache-Control": "public, max-age=60",
            "Content-Disposition": (
                f'attachment; filename="{cert.certificate_number}.certificate.json"'
            ),
        },
    )


@router.get("/cert/{certificate_id}")
def proof_page(certificate_id: str, request: Request) -> Response:
    return _proof(request, certificate_id)


@router.get("/verify/{certificate_number}")
def verify_page(certificate_number: str, request: Request) -> Response:
    return _proof(request, certificate_number)


@router.get("/cert/{certificate_id}/badge.svg")
def badge(certificate_id: str, request: Request) -> Response:
    cert = _lookup(request, certificate_id)
    if cert is None:
        response = render_svg(request, "badge.svg", max_age=60, state="unknown")
        response.status_code = 404
        return response
    max_age = get_context(request).settings.status_max_age_seconds
    return render_svg(request, "badge.svg", max_age=max_age, state=cert.status)
