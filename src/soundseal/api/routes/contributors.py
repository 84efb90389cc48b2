"""`/api/v1/certificates/{id}/contributors`: the owner invites; the list shows everyone to
the owner and the acknowledged contributors (no emails) to other keys of the same mode."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from soundseal.api.auth import require_scope
from soundseal.api.idempotency import secret_fields
from soundseal.api.responses import render
from soundseal.api.responses_contributors import ContributorInvitation, ContributorList
from soundseal.api.schemas import ContributorInvite, error_responses
from soundseal.db.base import utcnow
from soundseal.http.context import get_context, transaction
from soundseal.registry.certificates import services as certificates
from soundseal.registry.contributors import services as contributors
from soundseal.registry.contributors.views import contributor_view
from soundseal.registry.keys.services import Principal
from soundseal.urls import acknowledgement_url

router = APIRouter(prefix="/api/v1/certificates", tags=["contributors"])


@router.post(
    "/{certificate_id}/contributors",
    status_code=201,
    response_model=ContributorInvitation,
    summary="Invite a contributor to your certificate (certificates:write)",
    description=(
        "Returns the contributor and its one-time `acknowledgement_url`, shown only here: "
        "pass it to the contributor, who confirms the credit there. An Idempotency-Key "
        "replay returns it as null."
    ),
    responses=error_responses(400, 401, 403, 404, 422, 429),
    openapi_extra=secret_fields("contributor.acknowledgement_url"),
)
def invite(
    certificate_id: str,
    body: ContributorInvite,
    request: Request,
    principal: Principal = require_scope("certificates:write", secret_only=True),
) -> Response:
    base_url = get_context(request).settings.public_url
    with transaction(request, write=True) as session:
        cert = certificates.get_owned_certificate(
            session, certificate_id, account_id=principal.account_id, mode=principal.mode
        )
        contributor, token = contributors.invite_contributor(
            session,
            cert,
            name=body.name,
            role=body.role,
            email=body.email,
            actor=principal.key_id,
            now=utcnow(),
        )
        view: dict[str, Any] = contributor_view(contributor, owner=True)
    view["acknowledgement_url"] = acknowledgement_url(base_url, token)
    return render(
        ContributorInvitation,
        {
            "success": True,
            "contributor": view,
            "message": "Send the acknowledgement link to the contributor. It is shown only "
            "once and works once.",
        },
        status_code=201,
    )


@router.get(
    "/{certificate_id}/contributors",
    response_model=ContributorList,
    summary="A certificate's contributors (certificates:read)",
    responses=error_responses(400, 401, 403, 404, 429),
)
def list_contributors(
    certificate_id: str,
    request: Request,
    principal: Principal = require_scope("certificates:read"),
) -> Response:
    with transaction(request, write=False) as session:
        cert = certificates.check_readable(
            certificates.get_certificate(session, certificate_id), principal, certificate_id
        )
        owner = certificates.is_owner(cert, principal)
        rows = contributors.list_contributors(session, cert.id, acknowledged_only=not owner)
        items = [contributor_view(c, owner=owner) for c in rows]
    return render(ContributorList, {"certificate_id": cert.id, "contributors": items})
