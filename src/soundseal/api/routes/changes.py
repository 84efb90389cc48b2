"""`/api/v1/certificates/changes`: the change feed platforms poll for revocations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from soundseal.api.auth import require_key
from soundseal.api.responses import ChangesOut, render
from soundseal.api.schemas import MAX_SEQUENCE, error_responses
from soundseal.db.base import utcnow
from soundseal.http.context import transaction
from soundseal.registry.certificates.views import iso
from soundseal.registry.changes.services import change_view, list_changes
from soundseal.registry.keys.services import Principal

router = APIRouter(prefix="/api/v1/certificates", tags=["change feed"])


@router.get(
    "/changes",
    response_model=ChangesOut,
    summary="Changes to certificates in your key's mode, in sequence order (any valid key)",
    description=(
        "`sequence` is gap-free and strictly increasing, and no reader ever sees an entry "
        "appear below a sequence it has already seen. Store `last_sequence` and pass it as "
        "`since_sequence` next time; reject any page whose sequences are not above it."
    ),
    responses=error_responses(400, 401, 429),
)
def changes(
    request: Request,
    principal: Principal = require_key(),
    since_sequence: Annotated[int, Query(ge=0, le=MAX_SEQUENCE)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    with transaction(request, write=False) as session:
        entries = list_changes(session, mode=principal.mode, since=since_sequence, limit=limit + 1)
    has_more = len(entries) > limit
    entries = entries[:limit]
    return render(
        ChangesOut,
        {
            "changes": [change_view(c) for c in entries],
            "last_sequence": entries[-1].sequence if entries else since_sequence,
            "has_more": has_more,
            "server_time": iso(utcnow()),
        },
        headers={"Cache-Control": "no-store"},
    )
