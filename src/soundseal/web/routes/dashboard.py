"""The signed-in dashboard: certificates, API keys, usage (claims: `dashboard_claims`).

Every query is scoped to the signed-in user's workspace; another workspace's certificate or
key is answered as not found. Certificate changes go through the registry's services with
the user as actor, so they land in the certificate's version history like API changes.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from soundseal.api.context import get_context, transaction
from soundseal.api.edge import accepts_upload
from soundseal.api.uploads import hash_and_fingerprint_upload
from soundseal.errors import Conflict, InvalidInput, NotFound, SoundsealError
from soundseal.registry.certificates import services as certificates
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.queries import count_certificates, search_certificates
from soundseal.registry.contributors.services import list_contributors
from soundseal.registry.credits.services import balance, spend_credit
from soundseal.registry.embeds.services import daily_opens, opens_by_certificate
from soundseal.registry.keys.models import ApiKey
from soundseal.registry.keys.scopes import ALL_SCOPES, PUBLISHABLE_SCOPES
from soundseal.registry.keys.services import create_key, list_keys, revoke_key
from soundseal.registry.logins.services import SignedIn
from soundseal.web.rendering import render
from soundseal.web.sessions import NO_NUL, check_csrf, form_checks, require_user
from soundseal.web.views import ai_disclosure_text, format_isrc, snippets

router = APIRouter(
    prefix="/dashboard", include_in_schema=False, dependencies=[form_checks(session=True)]
)

FormText = Annotated[str, Form(max_length=2000, pattern=NO_NUL)]
PAGE_SIZE = 50
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


def own_certificate(user: SignedIn, cert: Certificate) -> Certificate:
    if cert.account_id != user.account_id:
        raise NotFound(f"No certificate {cert.id!r} in this workspace")
    return cert


@router.get("")
def dashboard_home() -> Response:
    return RedirectResponse("/dashboard/certificates", status_code=303)


@router.get("/certificates")
def certificate_list(
    request: Request,
    mode: str = "live",
    q: Annotated[str, Query(max_length=200)] = "",
    status: str = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    user = require_user(request)
    mode = mode_of(mode)
    status_filter = status if status in ("active", "revoked") else None
    with transaction(request, write=False) as session:
        rows, total = search_certificates(
            session,
            account_id=user.account_id,
            mode=mode,
            query=q,
            status=status_filter,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        opens = opens_by_certificate(session, account_id=user.account_id, mode=mode)
    return dashboard_page(
        request,
        "dashboard/certificates.html",
        user,
        section="certificates",
        mode=mode,
        q=q,
        status=status_filter or "",
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        total=total,
        certificates=rows,
        opens=opens,
        error=error,
        form=form or {},
    )


@router.post("/certificates", dependencies=[accepts_upload()])
def certificate_create(
    request: Request,
    csrf_token: FormText = "",
    mode: FormText = "live",
    track_title: FormText = "",
    artist_name: FormText = "",
    sha256: FormText = "",
    isrc: FormText = "",
    declaration_text: FormText = "",
    ai_involvement: FormText = "",
    ai_tools: FormText = "",
    audio: Annotated[UploadFile | None, File()] = None,
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    mode = mode_of(mode)
    tools = [t.strip() for t in ai_tools.split(",") if t.strip()]
    try:
        acoustic = None
        audio_file_name = None
        if audio is not None and audio.filename:
            # The master itself: hashed and fingerprinted here, as the API's upload does.
            sha256, acoustic = hash_and_fingerprint_upload(
                audio.file,
                max_audio_seconds=get_context(request).settings.max_audio_seconds,
            )
            audio_file_name = audio.filename
        draft = certificates.NewCertificate(
            track_title=track_title,
            artist_name=artist_name,
            sha256=sha256,
            isrc=isrc.strip() or None,
            declaration_text=declaration_text.strip() or "Original Work",
            ai_disclosure=(
                {"involvement": ai_involvement, "tools": tools} if ai_involvement else None
            ),
            audio_file_name=audio_file_name,
            acoustic=acoustic,
        )
        with transaction(request, write=True) as session:
            spend_credit(
                session,
                account_id=user.account_id,
                mode=mode,
                reason="certificate",
                actor=user.actor,
                enabled=get_context(request).settings.credits_enabled,
            )
            cert = certificates.create_certificate(
                session,
                account_id=user.account_id,
                mode=mode,
                draft=draft,
                actor=user.actor,
                base_url=get_context(request).settings.public_url,
                acoustic_index=get_context(request).acoustic,
            )
    except SoundsealError as exc:
        form = {
            "track_title": track_title,
            "artist_name": artist_name,
            "sha256": sha256,
            "isrc": isrc,
            "declaration_text": declaration_text,
            "ai_involvement": ai_involvement,
            "ai_tools": ai_tools,
        }
        response = certificate_list(request, mode=mode, error=exc.message, form=form)
        response.status_code = {"duplicate": 409, "payment_required": 402}.get(exc.code, 400)
        return response
    return RedirectResponse(f"/dashboard/certificates/{cert.id}?done=created", status_code=303)


@router.get("/certificates/{certificate_id}")
def certificate_detail(certificate_id: str, request: Request) -> Response:
    return certificate_page(request, require_user(request), certificate_id)


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
    with transaction(request, write=False) as session:
        cert = own_certificate(user, certificates.get_certificate(session, certificate_id))
        versions = certificates.list_versions(session, cert.id)
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


@router.post("/certificates/{certificate_id}/revoke")
def certificate_revoke(
    certificate_id: str, request: Request, csrf_token: FormText = "", reason: FormText = ""
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    try:
        with transaction(request, write=True) as session:
            cert = own_certificate(user, certificates.get_certificate(session, certificate_id))
            certificates.revoke_certificate(
                session,
                cert,
                reason=reason,
                actor=user.actor,
                base_url=get_context(request).settings.public_url,
            )
    except (InvalidInput, Conflict) as exc:
        status = 409 if isinstance(exc, Conflict) else 400
        return certificate_page(request, user, certificate_id, error=exc.message, status=status)
    return RedirectResponse(f"/dashboard/certificates/{certificate_id}?done=revoked", 303)


def _keys_page(
    request: Request,
    user: SignedIn,
    mode: str,
    *,
    minted: tuple[ApiKey, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    with transaction(request, write=False) as session:
        keys = [k for k in list_keys(session, user.account_id) if k.mode == mode]
    return dashboard_page(
        request,
        "dashboard/keys.html",
        user,
        section="keys",
        mode=mode,
        keys=sorted(keys, key=lambda k: (k.revoked_at is not None, k.id), reverse=False),
        all_scopes=ALL_SCOPES,
        publishable_scopes=PUBLISHABLE_SCOPES,
        minted=minted,
        error=error,
        status_code=status,
    )


@router.get("/keys")
def keys_page(request: Request, mode: str = "live") -> Response:
    return _keys_page(request, require_user(request), mode_of(mode))


@router.post("/keys")
def key_mint(
    request: Request,
    csrf_token: FormText = "",
    mode: FormText = "live",
    kind: FormText = "secret",
    name: FormText = "",
    scopes: Annotated[list[str] | None, Form()] = None,
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    mode = mode_of(mode)
    try:
        with transaction(request, write=True) as session:
            key, plaintext = create_key(
                session,
                account_id=user.account_id,
                kind=kind,
                mode=mode,
                scopes=(scopes or []) if kind == "secret" else None,
                name=name.strip()[:200] or None,
            )
    except InvalidInput as exc:
        return _keys_page(request, user, mode, error=exc.message, status=400)
    # The plaintext is in this response only: it is never stored and never shown again.
    return _keys_page(request, user, mode, minted=(key, plaintext))


@router.post("/keys/{key_id}/revoke")
def key_revoke(key_id: str, request: Request, csrf_token: FormText = "") -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    with transaction(request, write=True) as session:
        key = session.get(ApiKey, key_id)
        if key is None or key.account_id != user.account_id:
            raise NotFound(f"No API key {key_id!r} in this workspace")
        revoke_key(session, key.id)
        mode = key.mode
    return RedirectResponse(f"/dashboard/keys?mode={mode}&done=key_revoked", status_code=303)


@router.get("/usage")
def usage_page(request: Request, mode: str = "live") -> Response:
    user = require_user(request)
    mode = mode_of(mode)
    with transaction(request, write=False) as session:
        opens = opens_by_certificate(session, account_id=user.account_id, mode=mode)
        counts = count_certificates(session, account_id=user.account_id, mode=mode)
        credits_remaining = balance(session, user.account_id)
        keys = [k for k in list_keys(session, user.account_id) if k.mode == mode]
        top_ids = [cert_id for cert_id, _ in sorted(opens.items(), key=lambda kv: -kv[1])[:20]]
        titles = {
            cert_id: certificates.get_certificate(session, cert_id).track_title
            for cert_id in top_ids
        }
    return dashboard_page(
        request,
        "dashboard/usage.html",
        user,
        section="usage",
        mode=mode,
        counts=counts,
        credits_remaining=credits_remaining,
        live_keys=sum(1 for k in keys if k.revoked_at is None),
        total_opens=sum(opens.values()),
        top=[(cert_id, titles[cert_id], opens[cert_id]) for cert_id in top_ids],
    )
