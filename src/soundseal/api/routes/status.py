"""`GET /api/v1/certificates/{id}/status`: a certificate's current status, which platforms
poll for every track they show (a polled operation: `soundseal.api.polled`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import Field
from starlette.responses import Response

from soundseal.api import polled
from soundseal.api.auth import checks_key, read_principal
from soundseal.api.responses import CertificateStatus, render
from soundseal.api.schemas import error_responses
from soundseal.http.context import get_context, lookup
from soundseal.registry.certificates import services as certificates
from soundseal.registry.certificates.views import status_view

__all__ = ["router"]

router = APIRouter(
    prefix="/api/v1/certificates", tags=["certificates"], route_class=polled.PolledRoute
)

_READ_ERRORS = error_responses(400, 401, 403, 404, 429)


class StatusQuery(polled.QueryModel):
    no_cache: bool = Field(default=False, description="answer fresh, with Cache-Control: no-store")


@router.get(
    "/{certificate_id}/status",
    response_model=CertificateStatus,
    openapi_extra={
        "x-required-scope": "certificates:read (none for cer_test_synthetic)",
        **polled.parameters(StatusQuery, "certificate_id"),
    },
    summary="A certificate's current status (certificates:read; the sandbox needs no key)",
    description="Polled by platforms for every track they show: cacheable for "
    "`status_max_age_seconds` unless `no_cache` asks for a fresh answer.",
    responses=_READ_ERRORS,
)
@checks_key("certificates:read", publishable=True)
async def certificate_status(request: Request) -> Response:
    certificate_id: str = request.path_params["certificate_id"]
    no_cache = polled.parse(StatusQuery, request).no_cache
    principal = await read_principal(request, certificate_id)
    record = await lookup(request, lambda reader: certificates.read_record(reader, certificate_id))
    view = status_view(certificates.check_readable(record, principal, certificate_id))
    max_age = get_context(request).settings.status_max_age_seconds
    cache = "no-store" if no_cache else f"private, max-age={max_age}"
    return render(CertificateStatus, view, headers={"Cache-Control": cache})
