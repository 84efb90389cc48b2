"""Writing and reading events. Functions take a session and never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soundseal.db.base import utcnow
from soundseal.ids import new_id
from soundseal.registry.events.models import Event
from soundseal.registry.events.types import EVENT_TYPES
from soundseal.registry.webhooks.services import fan_out

__all__ = ["emit", "event_payload", "get_event", "list_events"]


def emit(session: Session, *, account_id: str, mode: str, type: str, data: dict[str, Any]) -> Event:
    """Record that `type` happened, inside the caller's transaction (see `Event`)."""
    if type not in EVENT_TYPES:
        # A programming error, not bad input: every emitter uses a declared type.
        raise ValueError(f"unknown event type {type!r}")
    event = Event(
        id=new_id("evt_test" if mode == "test" else "evt"),
        account_id=account_id,
        mode=mode,
        type=type,
        data=data,
        created_at=utcnow(),
    )
    session.add(event)
    # Deliveries are queued in this same transaction (see `fan_out` for why).
    fan_out(session, event)
    return event


def event_payload(event: Event) -> dict[str, Any]:
    """The body a webhook receives: the vendor doc's `event`, `timestamp`, `data`, plus `id`."""
    return {
        "id": event.id,
        "event": event.type,
        "timestamp": event.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "livemode": event.mode == "live",
        "data": event.data,
    }


def get_event(session: Session, event_id: str) -> Event | None:
    return session.get(Event, event_id)


def list_events(
    session: Session, *, account_id: str, mode: str, after: str | None = None, limit: int = 100
) -> list[Event]:
    """Oldest first (IDs are ULIDs, so ID order is creation order)."""
    query = select(Event).where(Event.account_id == account_id, Event.mode == mode)
    if after is not None:
        query = query.where(Event.id > after)
    return list(session.scalars(query.order_by(Event.id).limit(limit)))
