"""`/embed/verify/{number}`: the verify card other sites frame, and the only framable page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from soundseal.errors import NotFound
from soundseal.http.context import client_ip, transaction
from soundseal.ids import is_certificate_id, is_certificate_number
from soundseal.registry.certificates.services import get_certificate
from soundseal.registry.embeds.services import record_view
from soundseal.web.assets import asset
from soundseal.web.rendering import render
from soundseal.web.security import embed_csp
from soundseal.web.views import format_isrc

router = APIRouter(include_in_schema=False)

_TRUE = ("", "1", "true", "yes", "on")


def _flag(value: str | None) -> bool:
    return value is not None and value.strip().lower() in _TRUE


@router.get("/embed/verify/{certificate_number}")
def embed_verify(
    certificate_number: str,
    request: Request,
    theme: Annotated[str, Query(max_length=10)] = "dark",
    compact: Annotated[str | None, Query(max_length=10)] = None,
    hide_fingerprint: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    css = asset("embed.css")
    context: dict[str, Any] = {
        "theme": theme if theme in ("dark", "light") else "dark",
        "compact": _flag(compact),
        "hide_fingerprint": _flag(hide_fingerprint),
        "css": css.text,
    }
    headers = {
        "Content-Security-Policy": embed_csp(css.csp_hash),
        "Cache-Control": "no-store",
    }
    cert = None
    if is_certificate_number(certificate_number.upper()) or is_certificate_id(certificate_number):
        # A write transaction: opens are counted for the certificate's owner, each viewer
        # once an hour, so reloading the card does not inflate the count.
        with transaction(request, write=True) as session:
            try:
                cert = get_certificate(session, certificate_number)
            except NotFound:
                cert = None
            else:
                record_view(
                    session,
                    cert.id,
                    client=client_ip(request),
                    user_agent=request.headers.get("user-agent", ""),
                )
    if cert is None:
        return render(
            request,
            "embed.html",
            status_code=404,
            headers=headers,
            cert=None,
            number=certificate_number,
            **context,
        )
    return render(
        request,
        "embed.html",
        headers=headers,
        cert=cert,
        number=cert.certificate_number,
        isrc=format_isrc(cert.isrc),
        **context,
    )
