"""The signed-in dashboard: certificates, API keys, usage (claims: `dashboard_claims`).

Every query is scoped to the signed-in user's workspace; another workspace's certificate or
key is answered as not found. Certificate changes go through the registry's services with
the user as actor, so they land in the certificate's version history like API changes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from soundseal.errors import Conflict, InvalidInput, NotFound, SoundsealError
from soundseal.http.context import get_context, transaction
from soundseal.http.edge import accepts_upload
from soundseal.registry.acoustic.uploads import hash_and_fingerprint_upload
from soundseal.registry.certificates import services as certificates
from soundseal.registry.certificates.queries import count_certificates, search_certificates
from soundseal.registry.credits.services import balance
from soundseal.registry.embeds.services import opens_by_certificate
from soundseal.registry.keys.models import ApiKey
from soundseal.registry.keys.scopes import ALL_SCOPES, PUBLISHABLE_SCOPES
from soundseal.registry.keys.services import create_key, list_keys, revoke_key
from soundseal.registry.logins.services import SignedIn
from soundseal.web.dashboard_pages import (
    FormText,
    certificate_mode,
    certificate_page,
    dashboard_page,
    mode_of,
)
from soundseal.web.sessions import check_csrf, form_checks, require_user

router = APIRouter(
    prefix="/dashboard", include_in_schema=False, dependencies=[form_checks(session=True)]
)

PAGE_SIZE = 50


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
        context = get_context(request)
        with transaction(request, write=True) as session:
            cert = certificates.issue_certificate(
                session,
                account_id=user.account_id,
                mode=mode,
                draft=draft,
                actor=user.actor,
                base_url=context.settings.public_url,
                acoustic_index=context.acoustic,
                credits_enabled=context.settings.credits_enabled,
                notary=context.notary,
                test_mode_audio_hours=context.settings.test_mode_audio_hours,
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
        response.status_code = exc.code.status
        return response
    return RedirectResponse(f"/dashboard/certificates/{cert.id}?done=created", status_code=303)


@router.get("/certificates/{certificate_id}")
def certificate_detail(certificate_id: str, request: Request) -> Response:
    return certificate_page(request, require_user(request), certificate_id)


@router.post("/certificates/{certificate_id}/revoke")
def certificate_revoke(
    certificate_id: str, request: Request, csrf_token: FormText = "", reason: FormText = ""
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    try:
        with transaction(request, write=True) as session:
            certificates.revoke_owned(
                session,
                certificate_id,
                account_id=user.account_id,
                mode=certificate_mode(request, certificate_id),
                reason=reason,
                actor=user.actor,
                base_url=get_context(request).settings.public_url,
                notary=get_context(request).notary,
            )
    except (InvalidInput, Conflict) as exc:
        return certificate_page(
            request, user, certificate_id, error=exc.message, status=exc.code.status
        )
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
        return _keys_page(request, user, mode, error=exc.message, status=exc.code.status)
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
