"""The answer to a public verification request in the caller's mode, shared by `GET
/api/v1/verify` (polled by platforms) and `POST /api/v1/verify`."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from soundseal.api.responses import Verification, render
from soundseal.http.context import get_context, lookup
from soundseal.registry.keys.services import Principal
from soundseal.registry.verification.public import verify_certificate

__all__ = ["verification"]


async def verification(
    request: Request,
    principal: Principal,
    certificate_number: str | None,
    sha256: str | None,
    isrc: str | None,
) -> Response:
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
    return render(Verification, body)
