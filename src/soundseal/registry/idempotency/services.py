"""Idempotency-Key records.

A key is claimed in its own committed transaction *before* the request runs, so a second
request with the same key, arriving while the first is still running, finds the claim and
waits for its result instead of creating a second resource.

Records are filed under the account, the mode and the scope the route required, so a key
holding one scope can neither read nor occupy the keys used by operations needing another
(a `verify:read` key calling `POST /api/v1/verify` never meets the key the CLI certifies
with). Each record names the key that made it, its kind and the scope its route required. The
route's own authorization runs before a record is looked up (see `soundseal.api.idempotency`);
the record refuses, too, any caller that lacks what the original needed, so a record can
never hand a response to a key that could not have made the request.
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

__all__ = ["Caller", "Claim", "claim_key", "complete_key", "purge_expired", "release_key"]

# A claim still "in progress" after this long belongs to a request whose process died:
# it may be taken over rather than block the key for a whole day.
ABANDONED_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class Caller:
    """The key asking, and the scope the route it calls requires ("" for any key)."""

    key_id: str
    kind: str
    scopes: frozenset[str]
    required_scope: str


@dataclass(frozen=True)
class Claim:
    outcome: Literal["claimed", "replay", "mismatch", "in_progress", "forbidden"]
    record_id: int
    status: int | None = None
    headers: list[Any] | None = None
    body: bytes | None = None
    # Secret fields removed from the stored body (comma-separated paths), if any.
    redacted: str | None = None
    # For "forbidden": what the record's original request needed.
    required_scope: str | None = None


def _refuses(record: IdempotencyRecord, caller: Caller) -> bool:
    if record.key_kind == "secret" and caller.kind != "secret":
        return True
    # An empty scope: the route takes any valid key.
    return bool(record.required_scope) and record.required_scope not in caller.scopes


def _existing(
    session: Session, account_id: str, mode: str, scope: str, key: str
) -> IdempotencyRecord | None:
    return session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.account_id == account_id,
            IdempotencyRecord.mode == mode,
            IdempotencyRecord.required_scope == scope,
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
    caller: Caller,
    ttl: timedelta,
    now: datetime | None = None,
) -> Claim:
    now = now or utcnow()
    record = _existing(session, account_id, mode, caller.required_scope, key)
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
            key_id=caller.key_id,
            key_kind=caller.kind,
            required_scope=caller.required_scope,
            state="in_progress",
            created_at=now,
            expires_at=now + ttl,
        )
        try:
            with session.begin_nested():
                session.add(record)
                session.flush()
        except IntegrityError:
            record = _existing(session, account_id, mode, caller.required_scope, key)
            if record is None:  # claimed and released in between: let the caller retry
                return Claim(outcome="in_progress", record_id=0)
        else:
            return Claim(outcome="claimed", record_id=record.id)
    # Before anything else about the record is told: a caller without the original's
    # rights learns neither its request nor its response.
    if _refuses(record, caller):
        return Claim(outcome="forbidden", record_id=record.id, required_scope=record.required_scope)
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
        redacted=record.redacted,
    )


def complete_key(
    session: Session,
    record_id: int,
    *,
    status: int,
    headers: list[Any],
    body: bytes,
    redacted: str | None = None,
) -> None:
    """Store a finished response; `body` must already be without its secret fields."""
    record = session.get(IdempotencyRecord, record_id)
    if record is None:
        return
    record.state = "done"
    record.response_status = status
    record.response_headers = headers
    record.response_body = body
    record.redacted = redacted


def release_key(session: Session, record_id: int) -> None:
    """Forget a claim whose request failed in a way worth retrying (5xx, 429)."""
    session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Delete the records past their TTL (run by `soundseal.registry.maintenance`)."""
    result = session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= (now or utcnow()))
    )
    return int(getattr(result, "rowcount", 0) or 0)
