"""Idempotency-Key records.

A key is claimed in its own committed transaction *before* the request runs, so a second
request with the same key, arriving while the first is still running, finds the claim and
waits for its result instead of creating a second resource.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soundseal.db.base import utcnow
from soundseal.registry.idempotency.models import IdempotencyRecord

__all__ = ["Claim", "claim_key", "complete_key", "purge_expired", "release_key"]

# A claim still "in progress" after this long belongs to a request whose process died:
# it may be taken over rather than block the key for a whole day.
ABANDONED_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class Claim:
    outcome: Literal["claimed", "replay", "mismatch", "in_progress"]
    record_id: int
    status: int | None = None
    headers: list[Any] | None = None
    body: bytes | None = None


def _existing(session: Session, account_id: str, mode: str, key: str) -> IdempotencyRecord | None:
    return session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.account_id == account_id,
            IdempotencyRecord.mode == mode,
            IdempotencyRecord.key == key,
        )
    )


def claim_key(
    session: Session,
    *,
    account_id: str,
    mode: str,
    key: str,
    request_hash: str,
    ttl: timedelta,
    now: datetime | None = None,
) -> Claim:
    now = now or utcnow()
    record = _existing(session, account_id, mode, key)
    stale = record is not None and (
        record.expires_at <= now
        or (record.state == "in_progress" and record.created_at <= now - ABANDONED_AFTER)
    )
    if record is not None and stale:
        session.delete(record)
        session.flush()
        record = None
    if record is None:
        record = IdempotencyRecord(
            account_id=account_id,
            mode=mode,
            key=key,
            request_hash=request_hash,
            state="in_progress",
            created_at=now,
            expires_at=now + ttl,
        )
        try:
            with session.begin_nested():
                session.add(record)
                session.flush()
        except IntegrityError:
            record = _existing(session, account_id, mode, key)
            if record is None:  # claimed and released in between: let the caller retry
                return Claim(outcome="in_progress", record_id=0)
        else:
            return Claim(outcome="claimed", record_id=record.id)
    if record.request_hash != request_hash:
        return Claim(outcome="mismatch", record_id=record.id)
    if record.state != "done":
        return Claim(outcome="in_progress", record_id=record.id)
    return Claim(
        outcome="replay",
        record_id=record.id,
        status=record.response_status,
        headers=record.response_headers,
        body=record.response_body,
    )


def complete_key(
    session: Session, record_id: int, *, status: int, headers: list[Any], body: bytes
) -> None:
    record = session.get(IdempotencyRecord, record_id)
    if record is None:
        return
    record.state = "done"
    record.response_status = status
    record.response_headers = headers
    record.response_body = body


def release_key(session: Session, record_id: int) -> None:
    """Forget a claim whose request failed in a way worth retrying (5xx, 429)."""
    session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))


def purge_expired(session: Session, now: datetime | None = None) -> int:
    result = session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= (now or utcnow()))
    )
    return int(getattr(result, "rowcount", 0) or 0)
