"""How claims are shown: the vendor doc's fields, and the data of `claim.*` events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.views import iso
from soundseal.registry.claims.models import Claim

__all__ = ["claim_event_data", "claim_history_detail", "claim_view", "effective_status"]


def effective_status(claim: Claim, now: datetime) -> str:
    """The status as of `now`: a pending claim past its deadline *is* expired, whether or
    not the sweep (`expire_overdue_claims`) has written that down yet."""
    if claim.status == "pending" and claim.response_deadline <= now:
        return "expired"
    return claim.status


def claim_view(claim: Claim, cert: Certificate, *, now: datetime) -> dict[str, Any]:
    """The vendor doc's claim, plus the response and the resolution once there are any."""
    return {
        "id": claim.id,
        "type": claim.type,
        "status": effective_status(claim, now),
        "description": claim.description,
        "claimant": {"name": claim.claimant_name, "email": claim.claimant_email},
        "certificate": {
            "id": cert.id,
            "certificate_number": cert.certificate_number,
            "track_title": cert.track_title,
            "artist_name": cert.artist_name,
            "status": cert.status,
        },
        "response_deadline": iso(claim.response_deadline),
        "response": (
            {"text": claim.response, "responded_at": iso(claim.responded_at)}
            if claim.response is not None
            else None
        ),
        "resolution": (
            {
                "outcome": claim.resolution,
                "note": claim.resolution_note,
                "resolved_at": iso(claim.resolved_at),
            }
            if claim.resolution is not None
            else None
        ),
        "livemode": claim.mode == "live",
        "created_at": iso(claim.created_at),
    }


def claim_event_data(claim: Claim, cert: Certificate) -> dict[str, Any]:
    """The `data` of `claim.*` events: the vendor doc's fields, plus IDs and the outcome.

    No claimant email and no free text: events travel to webhook receivers, and what a
    claimant wrote is read through the API by the certificate's owner."""
    return {
        "claim_id": claim.id,
        "claim_type": claim.type,
        "status": claim.status,
        "certificate_id": cert.id,
        "certificate_number": cert.certificate_number,
        "claimant_name": claim.claimant_name,
        "response_deadline": iso(claim.response_deadline),
        "resolution": claim.resolution,
    }


def claim_history_detail(claim: Claim) -> dict[str, Any]:
    """What a claim step keeps in the certificate's version history."""
    return {
        "id": claim.id,
        "type": claim.type,
        "status": claim.status,
        "claimant_name": claim.claimant_name,
        "response_deadline": iso(claim.response_deadline),
        "resolution": claim.resolution,
        "resolution_note": claim.resolution_note,
    }
