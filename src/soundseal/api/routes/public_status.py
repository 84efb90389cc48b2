"""`/api/v1/public/status`: the statuses of up to 100 certificates for the seal widget, without
a key (rate limited per client address, CORS-open, cacheable)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from soundseal.api.responses import PublicStatusesOut, render
from soundseal.api.schemas import error_responses
from soundseal.errors import InvalidInput, RateLimited
from soundseal.http.context import client_ip, get_context, transaction
from soundseal.ids import is_certificate_id
from soundseal.registry.certificates.queries import MAX_STATUS_IDS, public_statuses

router = APIRouter(prefix="/api/v1/public", tags=["public"])


@router.get(
    "/status",
    response_model=PublicStatusesOut,
    summary="Statuses of up to 100 certificates, for the seal widget (no key)",
    responses=error_responses(400, 429),
    openapi_extra={"x-required-scope": "none (public, rate limited per IP)"},
)
def public_status(
    request: Request,
    ids: Annotated[
        str,
        Query(
            max_length=MAX_STATUS_IDS * 41,
            description=f"Up to {MAX_STATUS_IDS} comma-separated certificate IDs (cer_…)",
        ),
    ] = "",
) -> Response:
    """`{"data": [{"id", "status"}]}` for the known IDs among `ids`; unknown ones are left
    out. CORS-enabled for any origin, without credentials; cacheable for five minutes."""
    context = get_context(request)
    settings = context.settings
    limit = settings.rate_limit_public_status
    result = context.limiter.hit(f"public-status:{client_ip(request)}", limit)
    # Error responses carry these too, so a throttled widget can read why.
    request.state.response_headers = {
        "Access-Control-Allow-Origin": "*",
        "Cross-Origin-Resource-Policy": "cross-origin",
        **result.headers(),
    }
    if not result.allowed:
        raise RateLimited(f"Rate limit of {limit} requests per minute exceeded", limit=limit)
    wanted = [part.strip() for part in ids.split(",") if part.strip()]
    if not wanted:
        raise InvalidInput("ids must list 1 to 100 certificate IDs", field="ids")
    if len(wanted) > MAX_STATUS_IDS:
        raise InvalidInput(f"At most {MAX_STATUS_IDS} IDs per request", field="ids")
    malformed = next((i for i in wanted if not is_certificate_id(i)), None)
    if malformed is not None:
        raise InvalidInput(f"{malformed[:60]!r} is not a certificate ID (cer_…)", field="ids")
    with transaction(request, write=False) as session:
        statuses = public_statuses(session, wanted)
    body = {"data": [{"id": cert_id, "status": statuses[cert_id]} for cert_id in sorted(statuses)]}
    return render(
        PublicStatusesOut,
        body,
        headers={"Cache-Control": f"public, max-age={settings.status_max_age_seconds}"},
    )
