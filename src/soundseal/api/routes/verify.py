"""`/api/v1/verify`: public verification by certificate number, SHA-256 or ISRC."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from soundseal.api.auth import require_scope
from soundseal.api.schemas import VerifyRequest, error_responses
from soundseal.api.verification import verification
from soundseal.registry.keys.services import Principal

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/verify", tags=["verification"])


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
