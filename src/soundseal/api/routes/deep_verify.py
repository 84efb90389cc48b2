"""`GET /api/v1/verify/deep`: premium verification, charged 1 credit.

Deep verification spends the caller's credits, so it needs a secret key: a publishable key
sits in web pages, and anyone who copies it must not be able to spend the workspace's
credits. A lookup that finds nothing is free.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from soundseal.api.auth import require_scope
from soundseal.api.context import get_context, transaction
from soundseal.api.routes.verify import one_lookup
from soundseal.api.schemas import error_responses
from soundseal.registry.acoustic.services import duplicate_work_scan
from soundseal.registry.certificates import services as certificates
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.views import certificate_view, version_view
from soundseal.registry.contributors.services import list_contributors
from soundseal.registry.contributors.views import contributor_view
from soundseal.registry.credits.services import balance, spend_credit
from soundseal.registry.keys.services import Principal

router = APIRouter(prefix="/api/v1/verify", tags=["verification"])

Text = Annotated[str | None, Query(max_length=64)]


@router.get(
    "/deep",
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
) -> JSONResponse:
    given = one_lookup(certificate_number, sha256, isrc)
    context = get_context(request)
    settings = context.settings

    def scan() -> dict[str, Any]:
        with transaction(request, write=True) as session:
            found = certificates.find_for_verification(
                session,
                mode=principal.mode,
                certificate_number=certificate_number,
                sha256=sha256,
                isrc=isrc,
            )
            if found is None:
                name, value = next(iter(given.items()))
                return {
                    "verified": False,
                    "message": f"No matching certificate found for this {name}",
                    name: value,
                    "credits_remaining": _remaining(session, principal, settings.credits_enabled),
                }
            remaining = spend_credit(
                session,
                account_id=principal.account_id,
                mode=principal.mode,
                reason="deep_verification",
                reference=found.id,
                actor=principal.key_id,
                enabled=settings.credits_enabled,
            )
            cert = session.get(Certificate, found.id)
            assert cert is not None
            owner = cert.account_id == principal.account_id
            view = certificate_view(cert, base_url=settings.public_url, owner=owner)
            body: dict[str, Any] = {
                "verified": cert.status == "active",
                "certificate": view,
                "ai_disclosure": cert.ai_disclosure,
                "deep_scan": {
                    **duplicate_work_scan(
                        session, context.acoustic, cert, base_url=settings.public_url
                    ),
                    "ai_detection_status": "not_run",
                },
                # The owner sees every invitation; others only the credits confirmed by
                # the contributors themselves, without their emails.
                "contributors": [
                    contributor_view(c, owner=owner)
                    for c in list_contributors(session, cert.id, acknowledged_only=not owner)
                ],
                "version_history": [
                    _version(version_view(v), owner=owner)
                    for v in certificates.list_versions(session, cert.id)
                ],
                "credits_remaining": (
                    remaining
                    if remaining is not None
                    else _remaining(session, principal, settings.credits_enabled)
                ),
            }
            if cert.status != "active":
                body["message"] = f"Certificate {cert.certificate_number} has been revoked"
            return body

    return JSONResponse(await run_in_threadpool(scan))


def _version(view: dict[str, Any], *, owner: bool) -> dict[str, Any]:
    """A history entry; others' entries without the owner-only fields (who, the file name)."""
    if owner:
        return view
    snapshot = {k: v for k, v in view["snapshot"].items() if k != "audio_file_name"}
    # Who filed a claim, and whom the owner invited before they confirmed, are the owner's.
    if "claim" in snapshot:
        snapshot["claim"] = {k: v for k, v in snapshot["claim"].items() if k != "claimant_name"}
    if "contributor" in snapshot and view["change"] != "contributor.acknowledged":
        snapshot["contributor"] = {
            k: v for k, v in snapshot["contributor"].items() if k not in ("name", "role")
        }
    return {**{k: v for k, v in view.items() if k != "actor"}, "snapshot": snapshot}


def _remaining(session: Any, principal: Principal, enabled: bool) -> int | None:
    return balance(session, principal.account_id) if enabled else None
