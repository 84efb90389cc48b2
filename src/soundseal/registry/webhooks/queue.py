"""The worker's side of the delivery table: claim due deliveries, record what happened.

A batch costs a handful of statements whatever its size: one locking SELECT and one UPDATE
to claim it (plus one read each of its endpoints and events), and one executemany per kind
of outcome to record it. On PostgreSQL the claim skips rows other workers hold
(`FOR UPDATE SKIP LOCKED`), so several workers share the queue without waiting on each
other; SQLite has one writer at a time anyway (`BEGIN IMMEDIATE`).
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, func, or_, select, update
from sqlalchemy.orm import Session

from soundseal.registry.events.models import Event
from soundseal.registry.events.services import event_payload
from soundseal.registry.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = ["Claimed", "Outcome", "claim", "next_due", "record"]

_deliveries = cast(Table, WebhookDelivery.__table__)
_endpoints = cast(Table, WebhookEndpoint.__table__)
# Spread retries of deliveries that failed together, so they do not return together.
JITTER = 0.1


@dataclass(frozen=True)
class Claimed:
    """One attempt this worker now owns until `claimed_until`."""

    delivery_id: str
    attempt: int
    endpoint_id: str
    url: str
    secret: str
    event_id: str
    event_type: str
    body: bytes
    schedule_position: int  # 1 for the first attempt of the current schedule
    queued_at: datetime


@dataclass(frozen=True)
class Outcome:
    claimed: Claimed
    status_code: int | None
    latency_ms: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def claim(session: Session, *, limit: int, lease_seconds: float, now: datetime) -> list[Claimed]:
    """Take up to `limit` due deliveries of active endpoints, oldest due first."""
    due = (
        select(WebhookDelivery.id, WebhookDelivery.attempts, WebhookDelivery.schedule_base)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
            WebhookEndpoint.is_active,
        )
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    )
    rows = session.execute(due).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    session.execute(
        update(_deliveries)
        .where(_deliveries.c.id.in_(ids))
        .values(
            attempts=_deliveries.c.attempts + 1,
            claimed_until=now + timedelta(seconds=lease_seconds),
            last_attempt_at=now,
        )
    )
    details = session.execute(
        select(
            WebhookDelivery.id,
            WebhookDelivery.endpoint_id,
            WebhookDelivery.queued_at,
            WebhookEndpoint.url,
            WebhookEndpoint.secret,
            Event,
        )
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .join(Event, Event.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.id.in_(ids))
    ).all()
    by_id = {d.id: d for d in details}
    claimed = []
    for row in rows:
        d = by_id[row.id]
        body = json.dumps(event_payload(d.Event), separators=(",", ":"), ensure_ascii=False)
        claimed.append(
            Claimed(
                delivery_id=row.id,
                attempt=row.attempts + 1,
                endpoint_id=d.endpoint_id,
                url=d.url,
                secret=d.secret,
                event_id=d.Event.id,
                event_type=d.Event.type,
                body=body.encode(),
                schedule_position=row.attempts + 1 - row.schedule_base,
                queued_at=d.queued_at,
            )
        )
    return claimed


def next_due(session: Session) -> datetime | None:
    """When the earliest pending delivery of an active endpoint falls due; a claimed one
    counts from when its lease runs out (that is when it can be claimed again)."""
    held = WebhookDelivery.claimed_until > WebhookDelivery.next_attempt_at
    due = case((held, WebhookDelivery.claimed_until), else_=WebhookDelivery.next_attempt_at)
    query = (
        select(func.min(due))
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.status == "pending", WebhookEndpoint.is_active)
    )
    value: Any = session.scalar(query)
    if isinstance(value, str):  # SQLite hands an aggregate back as the stored text
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return cast(datetime | None, value)


def record(
    session: Session, outcomes: list[Outcome], *, schedule: tuple[float, ...], now: datetime
) -> list[str]:
    """Write a batch's outcomes; returns the IDs of endpoints this disabled.

    Each row is updated only if it still holds the attempt this worker claimed (a lease
    that ran out may have let another worker take it since). A failure is retried after the
    schedule's next delay, or dead-lettered when the schedule is spent; an endpoint whose
    dead-lettered delivery saw no success from it during its whole schedule is disabled,
    and its other pending deliveries are dead-lettered with it, to be re-queued when it is
    re-enabled.
    """
    successes: list[dict[str, Any]] = []
    retries: list[dict[str, Any]] = []
    dead: list[dict[str, Any]] = []
    dead_outcomes: list[Outcome] = []
    for o in outcomes:
        c = o.claimed
        row = {
            "b_id": c.delivery_id,
            "b_attempt": c.attempt,
            "b_code": o.status_code,
            "b_ms": o.latency_ms,
            "b_error": o.error,
        }
        if o.ok:
            successes.append(row)
        elif c.schedule_position <= len(schedule):
            spread = random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 (not a secret)
            delay = schedule[c.schedule_position - 1] * spread
            retries.append({**row, "b_next": now + timedelta(seconds=delay)})
        else:
            dead.append(row)
            dead_outcomes.append(o)
    current = update(_deliveries).where(
        (_deliveries.c.id == bindparam("b_id"))
        & (_deliveries.c.attempts == bindparam("b_attempt"))
        & (_deliveries.c.status == "pending")
    )
    result: dict[str, Any] = {
        "claimed_until": None,
        "last_status_code": bindparam("b_code"),
        "last_latency_ms": bindparam("b_ms"),
        "last_error": bindparam("b_error"),
    }
    conn = session.connection()
    if successes:
        done = {"status": "succeeded", "delivered_at": now, "next_attempt_at": None}
        conn.execute(current.values(**done, **result), successes)
    if retries:
        conn.execute(current.values(next_attempt_at=bindparam("b_next"), **result), retries)
    if dead:
        conn.execute(current.values(status="dead", next_attempt_at=None, **result), dead)
    _count(session, outcomes, now)
    return _disable_failing(session, dead_outcomes, now)


def _count(session: Session, outcomes: list[Outcome], now: datetime) -> None:
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o in outcomes:
        tally[o.claimed.endpoint_id][0 if o.ok else 1] += 1
    # In ID order, so two workers updating the same endpoints never deadlock.
    rows = [
        {"b_id": endpoint_id, "b_ok": ok, "b_failed": failed}
        for endpoint_id, (ok, failed) in sorted(tally.items())
    ]
    succeeded = [r["b_id"] for r in rows if r["b_ok"]]
    session.connection().execute(
        update(_endpoints)
        .where(_endpoints.c.id == bindparam("b_id"))
        .values(
            success_count=_endpoints.c.success_count + bindparam("b_ok"),
            failure_count=_endpoints.c.failure_count + bindparam("b_failed"),
        ),
        rows,
    )
    if succeeded:
        session.execute(
            update(_endpoints).where(_endpoints.c.id.in_(succeeded)).values(last_success_at=now)
        )


def _disable_failing(session: Session, dead: list[Outcome], now: datetime) -> list[str]:
    if not dead:
        return []
    ids = sorted({o.claimed.endpoint_id for o in dead})
    last_success = dict(
        session.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.last_success_at).where(
                WebhookEndpoint.id.in_(ids), WebhookEndpoint.is_active
            )
        ).all()
    )
    failing = sorted(
        {
            o.claimed.endpoint_id
            for o in dead
            if o.claimed.endpoint_id in last_success
            and _no_success_since(last_success[o.claimed.endpoint_id], o.claimed.queued_at)
        }
    )
    if failing:
        session.execute(
            update(_endpoints)
            .where(_endpoints.c.id.in_(failing))
            .values(is_active=False, disabled_reason="failing", updated_at=now)
        )
        session.execute(
            update(_deliveries)
            .where(_deliveries.c.endpoint_id.in_(failing), _deliveries.c.status == "pending")
            .values(status="dead", next_attempt_at=None, claimed_until=None)
        )
    return failing


def _no_success_since(last_success: datetime | None, queued_at: datetime) -> bool:
    return last_success is None or last_success < queued_at
