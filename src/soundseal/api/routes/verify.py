"""`/api/v1/verify`: public verification by certificate number, SHA-256 or ISRC."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from soundseal.api.auth import require_scope
from soundseal.api.schemas import VerifyRequest, error_responses
from soundseal.http.context import get_context, lookup
from soundseal.registry.keys.services import Principal
from soundseal.registry.verification.public import verify_certificate

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/verify", tags=["verification"])


async def verification(
    request: Request,
    principal: Principal,
    certificate_number: str | None,
    sha256: str | None,
    isrc: str | None,
) -> JSONResponse:
    """The public verification answer in the key's mode (GET and POST share it)."""
    base_url = get_context(request).settings.public_url
    body = await lookup(
        request,
        lambda reader: verify_certificate(
            reader,
            mode=principal.mode,
            certificate_number=certificate_number,
            sha256=sha256,
            isrc=isrc,
            base_url=base_url,
        ),
    )
    return JSONResponse(body)


@router.post(
    "",
    summary="Verify by a SHA-256 (or number, or ISRC) in the body (verify:read)",
    responses=error_responses(400, 401, 403, 413, 429),
)
async def verify_post(
    body: VerifyRequest,
    request: Request,
    principal: Principal = require_scope("verify:read"),
) -> JSONResponse:
    return await verification(request, principal, body.certificate_number, body.sha256, body.isrc)
