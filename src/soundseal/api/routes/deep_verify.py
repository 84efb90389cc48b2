"""`GET /api/v1/verify/deep`: premium verification, charged 1 credit.

Deep verification spends the caller's credits, so it needs a secret key: a publishable key
sits in web pages, and anyone who copies it must not be able to spend the workspace's
credits. A lookup that finds nothing is free.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from soundseal.api.auth import require_scope
from soundseal.api.responses import render
from soundseal.api.responses_contributors import DeepVerification
from soundseal.api.schemas import error_responses
from soundseal.http.context import get_context, transaction
from soundseal.registry.keys.services import Principal
from soundseal.registry.verification.deep import deep_verification

router = APIRouter(prefix="/api/v1/verify", tags=["verification"])

Text = Annotated[str | None, Query(max_length=64)]


@router.get(
    "/deep",
    response_model=DeepVerification,
    summary="Deep verification: full certificate, duplicate-work scan, history (1 credit)",
    description=(
        "Give exactly one of `certificate_number`, `sha256` or `isrc`. Costs 1 credit of the "
        "key's workspace (live mode; test mode is free) when a certificate is found. "
        "`deep_scan.dwd_status` is the duplicate-work scan against the registry's acoustic "
        "index: `clean`, `matches_found` (listed in `dwd_matches`), or `not_fingerprinted` "
        "for a certificate issued by SHA-256 alone. `ai_detection_status` is `not_run`: no "
        "AI-audio detector is configured, and soundseal never reports a verdict it did not "
        "compute."
    ),
    responses=error_responses(400, 401, 402, 403, 429),
)
async def deep_verify(
    request: Request,
    certificate_number: Text = None,
    sha256: Text = None,
    isrc: Text = None,
    principal: Principal = require_scope("verify:read", secret_only=True),
) -> Response:
    context = get_context(request)

    def scan() -> dict[str, Any]:
        with transaction(request, write=True) as session:
            return deep_verification(
                session,
                account_id=principal.account_id,
                mode=principal.mode,
                actor=principal.key_id,
                certificate_number=certificate_number,
                sha256=sha256,
                isrc=isrc,
                base_url=context.settings.public_url,
                acoustic_index=context.acoustic,
                credits_enabled=context.settings.credits_enabled,
            )

    return render(DeepVerification, await run_in_threadpool(scan))
