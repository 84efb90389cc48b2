"""`/api/v1/verify`: public verification by certificate number, SHA-256 or ISRC."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from soundseal.api.auth import require_scope
from soundseal.api.context import get_context, lookup
from soundseal.api.schemas import VerifyRequest, error_responses
from soundseal.errors import InvalidInput
from soundseal.registry.certificates.services import find_for_verification
from soundseal.registry.certificates.views import verification_view
from soundseal.registry.keys.services import Principal

router = APIRouter(prefix="/api/v1/verify", tags=["verification"])


def one_lookup(
    certificate_number: str | None, sha256: str | None, isrc: str | None
) -> dict[str, str]:
    """The one lookup a verification names, as `{field: value}`; 400 for none or several."""
    given = {
        name: value
        for name, value in (
            ("certificate_number", certificate_number),
            ("sha256", sha256),
            ("isrc", isrc),
        )
        if value is not None
    }
    if len(given) != 1:
        raise InvalidInput(
            "Give exactly one of certificate_number, sha256 or isrc",
            field=next(iter(given), "certificate_number"),
        )
    return given


async def verification(
    request: Request,
    principal: Principal,
    certificate_number: str | None,
    sha256: str | None,
    isrc: str | None,
) -> JSONResponse:
    given = one_lookup(certificate_number, sha256, isrc)
    base_url = get_context(request).settings.public_url
    cert = await lookup(
        request,
        lambda reader: find_for_verification(
            reader,
            mode=principal.mode,
            certificate_number=certificate_number,
            sha256=sha256,
            isrc=isrc,
        ),
    )
    if cert is None:
        what = {"certificate_number": "number", "sha256": "hash", "isrc": "ISRC"}
        name, value = next(iter(given.items()))
        return JSONResponse(
            {
                "verified": False,
                "message": f"No matching certificate found for this {what[name]}",
                name: value,
            }
        )
    body: dict[str, Any] = {
        "verified": cert.status == "active",
        "certificate": verification_view(cert),
        "verification_url": f"{base_url}/verify/{cert.certificate_number}",
    }
    if cert.status != "active":
        body["message"] = f"Certificate {cert.certificate_number} has been revoked"
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
