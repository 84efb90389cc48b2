"""The event types soundseal emits: one list, used by validation, docs and `available_events`."""

from __future__ import annotations

__all__ = ["EVENT_TYPES"]

EVENT_TYPES: tuple[str, ...] = (
    "certificate.created",
    "certificate.updated",
    "certificate.revoked",
    "claim.filed",
    "claim.responded",
    "claim.resolved",
    # Not in the vendor doc, whose claims can expire too: soundseal says when it happens.
    "claim.expired",
    "contributor.invited",
    "contributor.acknowledged",
    "payment.completed",
    "credits.purchased",
    "credits.used",
)
