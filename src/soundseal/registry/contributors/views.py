"""How contributors are shown: to the owner (with email), publicly, and in events."""

from __future__ import annotations

from typing import Any

from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.views import iso
from soundseal.registry.contributors.models import Contributor

__all__ = ["contributor_event_data", "contributor_history_detail", "contributor_view"]


def contributor_view(contributor: Contributor, *, owner: bool) -> dict[str, Any]:
    """Email and who invited are the owner's to see; name, role and status are public."""
    view: dict[str, Any] = {
        "id": contributor.id,
        "name": contributor.name,
        "role": contributor.role,
        "status": contributor.status,
        "invited_at": iso(contributor.invited_at),
        "acknowledged_at": iso(contributor.acknowledged_at),
    }
    if owner:
        view["email"] = contributor.email
        view["invited_by"] = contributor.invited_by
    return view


def contributor_event_data(contributor: Contributor, cert: Certificate) -> dict[str, Any]:
    """The `data` of `contributor.*` events: the vendor doc's fields, plus IDs."""
    return {
        "contributor_id": contributor.id,
        "contributor_name": contributor.name,
        "role": contributor.role,
        "certificate_id": cert.id,
        "certificate_number": cert.certificate_number,
        "status": contributor.status,
    }


def contributor_history_detail(contributor: Contributor) -> dict[str, Any]:
    return {
        "id": contributor.id,
        "name": contributor.name,
        "role": contributor.role,
        "status": contributor.status,
    }
