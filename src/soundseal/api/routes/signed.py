"""What the registry signs, over HTTP: its published keys, and a certificate's statement.

`GET /.well-known/jwks.json` is where any verifier gets the keys (RFC 8615's well-known
prefix, so a JOSE library finds them at the registry's origin). It holds public keys only,
changes only when a key is rotated, and is served to anyone, cached for five minutes.

`GET /api/v1/certificates/{id}/signed` gives a certificate's latest signed statement with
its offline proof of logging, read under the same rule as the certificate itself.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from soundseal.api.auth import mark_key_check, require_scope, resolve_principal
from soundseal.api.responses_log import CertificateStatementProof, JsonWebKeySet
from soundseal.api.schemas import error_responses
from soundseal.http.context import get_context, transaction
from soundseal.registry.keys.services import Principal
from soundseal.registry.log.services import readable_certificate_proof
from soundseal.registry.log.views import certificate_proof_view
from soundseal.signing import jwks

__all__ = ["router"]

router = APIRouter(tags=["signed statements"])


async def _anyone(request: Request) -> None:
    """No key is needed; a key given is still checked, and callers are rate limited."""
    await resolve_principal(request)


mark_key_check(_anyone, "none (public)", publishable=True)


@router.get(
    "/.well-known/jwks.json",
    summary="The registry's signing keys (JWK Set): active and retired",
    response_model=JsonWebKeySet,
    response_model_exclude_none=True,
    dependencies=[Depends(_anyone)],
    openapi_extra={"security": []},
    responses=error_responses(400, 401, 429),
)
def jwk_set(request: Request, response: Response) -> JsonWebKeySet:
    with transaction(request, write=False) as session:
        keys = jwks(session)
    response.headers["Cache-Control"] = "public, max-age=300"
    return JsonWebKeySet.model_validate(keys)


@router.get(
    "/api/v1/certificates/{certificate_id}/signed",
    summary="A certificate's latest signed statement and its proof of logging (certificates:read)",
    response_model=CertificateStatementProof,
    responses=error_responses(400, 401, 403, 404, 429),
)
def signed_statement(
    certificate_id: str,
    request: Request,
    response: Response,
    principal: Principal = require_scope("certificates:read"),
) -> CertificateStatementProof:
    notary = get_context(request).notary
    with transaction(request, write=False) as session:
        proof = readable_certificate_proof(session, notary, certificate_id, principal=principal)
        view = certificate_proof_view(notary, proof)
    response.headers["Cache-Control"] = "private, no-cache"
    return CertificateStatementProof.model_validate(view)
