"""`/api/v1/certificates`: issue, list, read, revoke and history."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from soundseal.api.auth import checks_key, read_principal, require_scope
from soundseal.api.responses import (
    CertificateAnswer,
    CertificateOut,
    CertificatePageOut,
    VersionsOut,
    render,
)
from soundseal.api.schemas import (
    MAX_OFFSET,
    CertificateCreate,
    CertificateMetadata,
    RevokeRequest,
    error_responses,
)
from soundseal.api.uploads import read_issuance
from soundseal.http.context import get_context, lookup, transaction
from soundseal.http.edge import accepts_upload
from soundseal.registry.certificates import services as certificates
from soundseal.registry.certificates.views import certificate_view, version_view
from soundseal.registry.keys.services import Principal

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/certificates", tags=["certificates"])

_READ_ERRORS = error_responses(400, 401, 403, 404, 429)
# 503: a server still holding a signing key that was rotated away signs (and records) nothing.
_WRITE_ERRORS = error_responses(400, 401, 403, 409, 413, 422, 429, 503)


@router.post(
    "",
    status_code=201,
    response_model=CertificateAnswer,
    summary="Issue a certificate (certificates:write)",
    description=(
        "JSON: `sha256_fingerprint` of the master's bytes, and optionally its whole-length "
        "`fingerprint` + `duration_ms`. Or multipart/form-data: the audio in `file` and the "
        "same metadata as form fields; the server hashes and fingerprints it. Audio matching "
        "an active certificate's master is refused as a duplicate (`match_type`: `exact` or "
        "`acoustic`)."
    ),
    responses=_WRITE_ERRORS,
    dependencies=[accepts_upload()],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": CertificateCreate.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file", "track_title", "artist_name"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            **CertificateMetadata.model_json_schema()["properties"],
                        },
                    }
                },
            },
        }
    },
)
async def create_certificate(
    request: Request,
    principal: Principal = require_scope("certificates:write", secret_only=True),
) -> Response:
    context = get_context(request)
    draft = await read_issuance(request)

    def issue() -> dict[str, Any]:
        with transaction(request, write=True) as session:
            cert = certificates.issue_certificate(
                session,
                account_id=principal.account_id,
                mode=principal.mode,
                draft=draft,
                actor=principal.key_id,
                base_url=context.settings.public_url,
                acoustic_index=context.acoustic,
                credits_enabled=context.settings.credits_enabled,
                notary=context.notary,
                test_mode_audio_hours=context.settings.test_mode_audio_hours,
            )
            record = certificates.record_of(cert)
            return certificate_view(record, base_url=context.settings.public_url, owner=True)

    view = await run_in_threadpool(issue)
    return render(CertificateAnswer, {"success": True, "certificate": view}, status_code=201)


@router.get(
    "",
    response_model=CertificatePageOut,
    summary="List your workspace's certificates (certificates:read)",
    responses=_READ_ERRORS,
)
def list_certificates(
    request: Request,
    principal: Principal = require_scope("certificates:read"),
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[Literal["active", "revoked"] | None, Query()] = None,
    artist: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    base_url = get_context(request).settings.public_url
    owner = principal.kind == "secret"
    with transaction(request, write=False) as session:
        page = certificates.list_certificates(
            session,
            account_id=principal.account_id,
            mode=principal.mode,
            limit=limit,
            offset=offset,
            cursor=cursor,
            status=status,
            artist=artist,
        )
        items = [
            certificate_view(certificates.record_of(c), base_url=base_url, owner=owner)
            for c in page.certificates
        ]
    return render(
        CertificatePageOut,
        {
            "certificates": items,
            "pagination": {
                "total": page.total,
                "limit": page.limit,
                "offset": page.offset,
                "has_more": page.has_more,
                "next_cursor": page.next_cursor,
            },
        },
    )


@router.get(
    "/{id_or_number}",
    response_model=CertificateOut,
    openapi_extra={"x-required-scope": "certificates:read (none for cer_test_synthetic)"},
    summary="Read a certificate by ID or number (certificates:read; the sandbox needs no key)",
    responses=_READ_ERRORS,
)
@checks_key("certificates:read", publishable=True)
async def get_certificate(id_or_number: str, request: Request) -> Response:
    principal = await read_principal(request, id_or_number)
    base_url = get_context(request).settings.public_url
    record = await lookup(request, lambda reader: certificates.read_record(reader, id_or_number))
    cert = certificates.check_readable(record, principal, id_or_number)
    owner = certificates.is_owner(cert, principal)
    return render(CertificateOut, certificate_view(cert, base_url=base_url, owner=owner))


@router.post(
    "/{certificate_id}/revoke",
    response_model=CertificateAnswer,
    summary="Revoke one of your certificates (certificates:write)",
    responses=_WRITE_ERRORS,
)
def revoke_certificate(
    certificate_id: str,
    body: RevokeRequest,
    request: Request,
    principal: Principal = require_scope("certificates:write", secret_only=True),
) -> Response:
    context = get_context(request)
    base_url = context.settings.public_url
    with transaction(request, write=True) as session:
        cert = certificates.revoke_owned(
            session,
            certificate_id,
            account_id=principal.account_id,
            mode=principal.mode,
            reason=body.reason,
            actor=principal.key_id,
            base_url=base_url,
            notary=context.notary,
        )
        view = certificate_view(certificates.record_of(cert), base_url=base_url, owner=True)
    return render(CertificateAnswer, {"success": True, "certificate": view})


@router.get(
    "/{certificate_id}/versions",
    response_model=VersionsOut,
    summary="A certificate's version history (certificates:read, owner)",
    responses=_READ_ERRORS,
)
def list_versions(
    certificate_id: str,
    request: Request,
    principal: Principal = require_scope("certificates:read", secret_only=True),
) -> Response:
    with transaction(request, write=False) as session:
        cert = certificates.get_owned_certificate(
            session, certificate_id, account_id=principal.account_id, mode=principal.mode
        )
        versions: list[dict[str, Any]] = [
            version_view(v) for v in certificates.list_versions(session, cert.id)
        ]
    return render(VersionsOut, {"certificate_id": certificate_id, "versions": versions})
