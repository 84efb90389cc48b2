"""`/api/v1/verify`: public verification by certificate number, SHA-256 or ISRC."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import Field
from starlette.responses import Response

from soundseal.api import polled
from soundseal.api.auth import check_scope, checks_key, require_scope, resolve_principal
from soundseal.api.responses import Verification
from soundseal.api.schemas import VerifyRequest, error_responses
from soundseal.api.verification import verification
from soundseal.registry.keys.services import Principal

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/verify", tags=["verification"])
# `GET /api/v1/verify` is a polled operation (`soundseal.api.polled`).
polled_router = APIRouter(
    prefix="/api/v1/verify", tags=["verification"], route_class=polled.PolledRoute
)


class VerifyQuery(polled.QueryModel):
    certificate_number: str | None = Field(
        default=None, max_length=32, description="e.g. SS-2026-XXXXXXXX"
    )
    sha256: str | None = Field(
        default=None, max_length=64, description="64-char hex SHA-256 of the audio file"
    )
    isrc: str | None = Field(default=None, max_length=20, description="ISRC (hyphens allowed)")


@polled_router.get(
    "",
    response_model=Verification,
    openapi_extra=polled.parameters(VerifyQuery),
    summary="Verify by certificate number, SHA-256 or ISRC (verify:read)",
    responses=error_responses(400, 401, 403, 404, 429),
)
@checks_key("verify:read", publishable=True)
async def verify_get(request: Request) -> Response:
    principal = check_scope(await resolve_principal(request), "verify:read")
    asked = polled.parse(VerifyQuery, request)
    return await verification(
        request, principal, asked.certificate_number, asked.sha256, asked.isrc
    )


@router.post(
    "",
    response_model=Verification,
    summary="Verify by a SHA-256 (or number, or ISRC) in the body (verify:read)",
    responses=error_responses(400, 401, 403, 413, 429),
)
async def verify_post(
    body: VerifyRequest,
    request: Request,
    principal: Principal = require_scope("verify:read"),
) -> Response:
    return await verification(request, principal, body.certificate_number, body.sha256, body.isrc)
