"""Webhook endpoints, the deliveries queued for them, and what their owners can do with both.

Functions take a session and never commit. Deliveries are queued by `fan_out`, which
`soundseal.registry.events.services.emit` calls in the transaction that records the event:
a rolled-back change queues nothing, a committed one has its delivery rows committed with
it, and the worker needs no cursor over the outbox (which, with concurrent writers, could
skip an event committed late under an earlier ID).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from soundseal.db.base import utcnow
from soundseal.errors import Conflict, ErrorCode, InvalidInput, NotFound
from soundseal.ids import new_id
from soundseal.registry.events.models import Event
from soundseal.registry.events.types import EVENT_TYPES
from soundseal.registry.webhooks.addresses import check_url
from soundseal.registry.webhooks.models import WebhookDelivery, WebhookEndpoint
from soundseal.registry.webhooks.signing import new_secret
from soundseal.registry.webhooks.wakeup import TRANSACTION_CACHES, mark_queued

__all__ = [
    "DEFAULT_EVENTS",
    "TEST_EVENT_TYPE",
    "Update",
    "create_endpoint",
    "delete_endpoint",
    "event_type_of",
    "fan_out",
    "get_delivery",
    "get_endpoint",
    "list_deliveries",
    "list_endpoints",
    "redeliver",
    "send_test_event",
    "update_endpoint",
    "validate_events",
]

DEFAULT_EVENTS = ["certificate.created"]
# Sent only by `send_test_event`, to one endpoint; not subscribable.
TEST_EVENT_TYPE = "webhook.test"
MAX_DESCRIPTION = 500


def validate_events(events: Iterable[str], *, field: str = "events") -> list[str]:
    """The declared event types asked for, in the declared order; unknown ones refused."""
    wanted = list(events)
    unknown = sorted(set(wanted) - set(EVENT_TYPES))
    if unknown:
        raise InvalidInput(
            f"Unknown event type(s): {', '.join(unknown)}. Available: {', '.join(EVENT_TYPES)}",
            field=field,
        )
    if not wanted:
        raise InvalidInput("Subscribe to at least one event type", field=field)
    return [t for t in EVENT_TYPES if t in wanted]


def _check_description(description: str | None) -> str | None:
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise InvalidInput(
            f"description is longer than {MAX_DESCRIPTION} characters", field="description"
        )
    return description


def create_endpoint(
    session: Session,
    *,
    account_id: str,
    mode: str,
    url: str,
    events: list[str] | None,
    description: str | None,
    allow_private: bool,
) -> WebhookEndpoint:
    """A new endpoint; its `secret` is shown to the caller now and never again."""
    now = utcnow()
    endpoint = WebhookEndpoint(
        id=new_id("wh_test" if mode == "test" else "wh"),
        account_id=account_id,
        mode=mode,
        url=check_url(url, allow_private=allow_private),
        description=_check_description(description),
        events=validate_events(DEFAULT_EVENTS if events is None else events),
        secret=new_secret(),
        is_active=True,
        disabled_reason=None,
        success_count=0,
        failure_count=0,
        created_at=now,
        updated_at=now,
    )
    session.add(endpoint)
    _flush_quietly(session)
    _forget_subscribers(session)
    return endpoint


def _flush_quietly(session: Session) -> None:
    """Write pending changes that may carry a secret. A database error's message lists the
    statement's parameters, and unhandled errors are logged: raise one without them."""
    try:
        session.flush()
    except DBAPIError as exc:
        raise RuntimeError(f"writing a webhook endpoint failed: {exc.orig!r}"[:300]) from None


def list_endpoints(session: Session, *, account_id: str, mode: str) -> list[WebhookEndpoint]:
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.account_id == account_id, WebhookEndpoint.mode == mode
    )
    return list(session.scalars(query.order_by(WebhookEndpoint.id)))


def get_endpoint(
    session: Session, *, account_id: str, mode: str, endpoint_id: str, lock: bool = False
) -> WebhookEndpoint:
    """The workspace's endpoint in this mode; another workspace's or mode's is not found."""
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.id == endpoint_id,
        WebhookEndpoint.account_id == account_id,
        WebhookEndpoint.mode == mode,
    )
    if lock:
        query = query.with_for_update()
    endpoint = session.scalars(query).one_or_none()
    if endpoint is None:
        raise NotFound(f"No webhook {endpoint_id!r} in this workspace", field="id")
    return endpoint


@dataclass(frozen=True)
class Update:
    """A PATCH: None leaves a field as it is."""

    url: str | None = None
    events: list[str] | None = None
    is_active: bool | None = None
    rotate_secret: bool = False
    description: str | None = None


def update_endpoint(
    session: Session, endpoint: WebhookEndpoint, change: Update, *, allow_private: bool
) -> list[str]:
    """Apply `change` and say which fields it touched (validated first: all or nothing).

    Re-activating an endpoint resets its failure count and re-queues every delivery that
    was dead-lettered, each with a fresh retry schedule.
    """
    url = check_url(change.url, allow_private=allow_private) if change.url is not None else None
    events = validate_events(change.events) if change.events is not None else None
    description = _check_description(change.description)
    updated: list[str] = []
    if url is not None:
        endpoint.url = url
        updated.append("url")
    if events is not None:
        endpoint.events = events
        updated.append("events")
    if description is not None:
        endpoint.description = description
        updated.append("description")
    if change.rotate_secret:
        endpoint.secret = new_secret()
        updated.append("rotate_secret")
    if change.is_active is not None:
        updated.append("is_active")
        if change.is_active and not endpoint.is_active:
            endpoint.is_active = True
            endpoint.disabled_reason = None
            endpoint.failure_count = 0
            _requeue_dead(session, endpoint.id)
        elif not change.is_active and endpoint.is_active:
            endpoint.is_active = False
            endpoint.disabled_reason = "manual"
    if not updated:
        raise InvalidInput(
            "Nothing to update: send url, events, is_active, rotate_secret or description",
            field="body",
        )
    endpoint.updated_at = utcnow()
    _flush_quietly(session)
    _forget_subscribers(session)
    return updated


def _requeue_dead(session: Session, endpoint_id: str) -> None:
    now = utcnow()
    result = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.status == "dead")
        .values(
            status="pending",
            schedule_base=WebhookDelivery.attempts,
            queued_at=now,
            next_attempt_at=now,
            claimed_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0):
        mark_queued(session)


def delete_endpoint(session: Session, endpoint: WebhookEndpoint) -> None:
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    session.delete(endpoint)
    _forget_subscribers(session)


def fan_out(session: Session, event: Event) -> int:
    """Queue `event` for every endpoint of its workspace and mode that subscribes to it.

    An endpoint its owner switched off gets nothing; one the worker disabled for failing
    gets a dead-lettered row, so re-enabling it delivers what it missed.
    """
    targets = [
        (eid, active)
        for eid, events, active in _subscribers(session, event.account_id, event.mode)
        if event.type in events
    ]
    for endpoint_id, active in targets:
        _queue(session, endpoint_id, event, pending=active)
    if any(active for _, active in targets):
        mark_queued(session)
    return len(targets)


_CACHE = TRANSACTION_CACHES[0]


def _subscribers(session: Session, account_id: str, mode: str) -> list[tuple[str, list[str], bool]]:
    """The workspace's endpoints that take events, read once per transaction: a transaction
    emitting many events (an import, a bulk revocation) pays for one query, not one each."""
    cache: dict[tuple[str, str], list[tuple[str, list[str], bool]]]
    cache = session.info.setdefault(_CACHE, {})
    if (account_id, mode) not in cache:
        rows = session.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.events, WebhookEndpoint.is_active).where(
                WebhookEndpoint.account_id == account_id,
                WebhookEndpoint.mode == mode,
                or_(WebhookEndpoint.is_active, WebhookEndpoint.disabled_reason == "failing"),
            )
        ).all()
        cache[(account_id, mode)] = [(r.id, list(r.events), r.is_active) for r in rows]
    return cache[(account_id, mode)]


def _forget_subscribers(session: Session) -> None:
    session.info.pop(_CACHE, None)


def _queue(session: Session, endpoint_id: str, event: Event, *, pending: bool) -> WebhookDelivery:
    now = utcnow()
    delivery = WebhookDelivery(
        id=new_id("whd_test" if event.mode == "test" else "whd"),
        endpoint_id=endpoint_id,
        event_id=event.id,
        status="pending" if pending else "dead",
        attempts=0,
        schedule_base=0,
        queued_at=now,
        next_attempt_at=now if pending else None,
        created_at=now,
    )
    session.add(delivery)
    return delivery


def send_test_event(session: Session, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a `webhook.test` event to this endpoint alone (active or not: it is a test)."""
    event = Event(
        id=new_id("evt_test" if endpoint.mode == "test" else "evt"),
        account_id=endpoint.account_id,
        mode=endpoint.mode,
        type=TEST_EVENT_TYPE,
        data={"webhook_id": endpoint.id, "message": "A test event from soundseal."},
        created_at=utcnow(),
    )
    session.add(event)
    session.flush()
    delivery = _queue(session, endpoint.id, event, pending=True)
    mark_queued(session)
    return delivery


def get_delivery(session: Session, endpoint: WebhookEndpoint, delivery_id: str) -> WebhookDelivery:
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        raise NotFound(f"No delivery {delivery_id!r} for webhook {endpoint.id!r}")
    return delivery


def redeliver(session: Session, endpoint: WebhookEndpoint, delivery_id: str) -> WebhookDelivery:
    """Send a delivery's event again as a new delivery (the old one keeps its history)."""
    original = get_delivery(session, endpoint, delivery_id)
    if not endpoint.is_active:
        raise Conflict(
            "This webhook is disabled; re-enable it with PATCH is_active=true first",
            code=ErrorCode.WEBHOOK_DISABLED,
        )
    event = session.get(Event, original.event_id)
    assert event is not None  # a foreign key guarantees it
    session.flush()
    delivery = _queue(session, endpoint.id, event, pending=True)
    mark_queued(session)
    return delivery


def event_type_of(session: Session, delivery: WebhookDelivery) -> str:
    event = session.get(Event, delivery.event_id)
    assert event is not None  # a foreign key guarantees it
    return event.type


def list_deliveries(
    session: Session,
    endpoint: WebhookEndpoint,
    *,
    limit: int,
    before: str | None = None,
    status: str | None = None,
) -> tuple[list[WebhookDelivery], dict[str, str]]:
    """Newest first, with each delivery's event type."""
    query = select(WebhookDelivery, Event.type).join(Event, Event.id == WebhookDelivery.event_id)
    query = query.where(WebhookDelivery.endpoint_id == endpoint.id)
    if before is not None:
        query = query.where(WebhookDelivery.id < before)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    rows = session.execute(query.order_by(WebhookDelivery.id.desc()).limit(limit)).all()
    return [d for d, _ in rows], {d.id: t for d, t in rows}
