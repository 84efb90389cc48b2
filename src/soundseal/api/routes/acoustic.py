"""Acoustic verification: verify-audio with receipts, and 1:N identification."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from soundseal.api.auth import require_scope
from soundseal.api.responses import render
from soundseal.api.responses_acoustic import Identification, ReceiptOut
from soundseal.api.schemas import (
    FingerprintFields,
    IdentifyRequest,
    VerifyAudioRequest,
    error_responses,
)
from soundseal.audio import Fingerprint
from soundseal.errors import NotFound
from soundseal.http.context import get_context, lookup, transaction
from soundseal.matching import CURRENT_POLICY
from soundseal.registry.acoustic import services as acoustic
from soundseal.registry.acoustic.fingerprints import decode_fingerprint
from soundseal.registry.certificates.access import visible_in_mode
from soundseal.registry.certificates.records import read_fingerprint, read_record
from soundseal.registry.certificates.views import iso
from soundseal.registry.keys.services import Principal
from soundseal.urls import verify_url

router = APIRouter(prefix="/api/v1", tags=["acoustic verification"])

_ERRORS = error_responses(400, 401, 403, 404, 413, 422, 429)


def _query(body: FingerprintFields) -> Fingerprint:
    return decode_fingerprint(
        body.fingerprint,
        duration_ms=body.duration_ms,
        encoding=body.encoding,
        algorithm=body.algorithm,
    )


@router.post(
    "/certificates/{certificate_id}/verify-audio",
    response_model=ReceiptOut,
    summary="Does this audio match the certificate's master? (verify:read, secret key)",
    description=(
        "Send the served file's raw Chromaprint fingerprint (`fpcalc -raw`) and its whole "
        "duration. `matched` is true only when the score passes the policy, the duration is "
        "consistent (a full copy, or a trimmed copy or clip inside the master) and the "
        "certificate is active; `policy_accepted` is true while the served policy is a "
        "calibrated one. Every call leaves a receipt."
    ),
    responses=_ERRORS,
)
async def verify_audio(
    certificate_id: str,
    body: VerifyAudioRequest,
    request: Request,
    principal: Principal = require_scope("verify:read", secret_only=True),
) -> Response:
    query = _query(body)

    cert = await lookup(request, lambda reader: read_record(reader, certificate_id))
    if not visible_in_mode(cert, principal.mode):
        raise NotFound(f"No certificate {certificate_id!r}")
    fingerprint = await lookup(request, lambda reader: read_fingerprint(reader, cert.id))

    def run() -> dict[str, Any]:
        # Compare first, then hold the write transaction only for the receipt's INSERT.
        evaluation = acoustic.evaluate(cert, fingerprint, query)
        with transaction(request, write=True) as session:
            receipt = acoustic.record_receipt(
                session,
                evaluation,
                account_id=principal.account_id,
                key_id=principal.key_id,
                mode=principal.mode,
            )
        return acoustic.receipt_view(receipt)

    return render(ReceiptOut, await run_in_threadpool(run))


@router.get(
    "/verification-receipts/{receipt_id}",
    response_model=ReceiptOut,
    summary="A verify-audio receipt, for the workspace and mode that asked "
    "(verify:read, secret key)",
    description="Read with the kind of key that can make one: a secret key of the same "
    "workspace and mode. Another workspace's or mode's receipt is not found (404).",
    responses=error_responses(401, 403, 404, 429),
)
def get_receipt(
    receipt_id: str,
    request: Request,
    principal: Principal = require_scope("verify:read", secret_only=True),
) -> Response:
    with transaction(request, write=False) as session:
        receipt = acoustic.get_receipt(
            session, receipt_id, account_id=principal.account_id, mode=principal.mode
        )
        return render(ReceiptOut, acoustic.receipt_view(receipt))


@router.post(
    "/identify",
    response_model=Identification,
    summary="Which certificates' masters contain this audio? (verify:read, secret key)",
    responses=_ERRORS,
)
async def identify(
    body: IdentifyRequest,
    request: Request,
    principal: Principal = require_scope("verify:read", secret_only=True),
) -> Response:
    query = _query(body)
    index = get_context(request).acoustic
    base_url = get_context(request).settings.public_url

    def run() -> list[dict[str, Any]]:
        with transaction(request, write=False) as session:
            found = acoustic.identify(
                session, index, mode=principal.mode, query=query, limit=body.limit
            )
            return [
                {
                    "certificate_id": f.certificate.id,
                    "certificate_number": f.certificate.certificate_number,
                    "track_title": f.certificate.track_title,
                    "artist_name": f.certificate.artist_name,
                    "status": f.certificate.status,
                    "issued_at": iso(f.certificate.issued_at),
                    "matched": f.decision.matched,
                    "score": round(f.decision.score, 4),
                    "offset_ms": f.decision.offset_ms,
                    "coverage": round(f.coverage, 4),
                    "reasons": list(f.decision.reasons),
                    "verification_url": verify_url(base_url, f.certificate.certificate_number),
                }
                for f in found
            ]

    matches = await run_in_threadpool(run)
    return render(
        Identification,
        {
            "matches": matches,
            "policy_version": CURRENT_POLICY.version,
            "policy_accepted": CURRENT_POLICY.calibrated,
        },
    )
