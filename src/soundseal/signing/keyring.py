"""The published keys: registering the key a process starts with, listing, retiring, the JWKS.

Every process registers the key it was given when it starts. Processes that share a database
and a key file register the same ``kid``, and all but the first find it there; a process with
a new key publishes it and retires the one that was active, so an operator rotates a fleet by
pointing it at a new file. The table never forgets a key: a retired key stays in the JWKS,
marked retired, so that statements it signed keep verifying for as long as anyone holds them.

At most one key is active: a partial unique index holds it, and the insert that publishes a
key ignores any conflict (``ON CONFLICT DO NOTHING``, on SQLite and PostgreSQL alike) and is
retried, so processes starting at once neither fail nor leave two active keys.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from soundseal.db.base import utcnow
from soundseal.signing.errors import KeyNotActive, KeyringConflict
from soundseal.signing.keys import SigningKey
from soundseal.signing.models import ACTIVE, RETIRED, SigningKeyRecord

__all__ = [
    "JWS_ALGORITHM",
    "jwks",
    "key_status",
    "published_keys",
    "register_key",
    "require_active",
    "retire_key",
]

JWS_ALGORITHM = "EdDSA"
# Each attempt either finds the key, or retires what is active and publishes it; it fails
# only when another process published a different key in between, which is rare twice.
_ATTEMPTS = 5


def _insert(session: Session) -> Callable[..., Any]:
    """The dialect's INSERT, for its ON CONFLICT clause."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def register_key(
    session: Session, key: SigningKey, *, now: datetime | None = None
) -> SigningKeyRecord:
    """Publish ``key`` unless it already is; a newly published key becomes the active one and
    every other key is retired. A key already published keeps its status: a retired key is
    never made active again (the caller decides what a start with one means)."""
    now = now or utcnow()
    for _ in range(_ATTEMPTS):
        known = session.get(SigningKeyRecord, key.kid, populate_existing=True)
        if known is not None:
            return known
        session.execute(
            update(SigningKeyRecord)
            .where(SigningKeyRecord.status == ACTIVE, SigningKeyRecord.kid != key.kid)
            .values(status=RETIRED, retired_at=now)
            .execution_options(synchronize_session=False)
        )
        # No conflict target: a conflict on the kid (the same key, published by another
        # process) or on the one-active index (a different key, published since the update)
        # both leave the row out, and the next attempt sees which it was.
        published = session.execute(
            _insert(session)(SigningKeyRecord)
            .values(kid=key.kid, public_jwk=key.public_jwk, status=ACTIVE, created_at=now)
            .on_conflict_do_nothing()
            .returning(SigningKeyRecord.kid)
        ).first()
        if published is not None:
            record = session.get(SigningKeyRecord, key.kid)
            assert record is not None  # inserted just above
            return record
    raise KeyringConflict(
        f"signing key {key.kid} was not published: other processes kept publishing other keys"
    )


# Built once: every write that signs (each issuance and revocation) asks first.
_STATUS = select(SigningKeyRecord.status).where(SigningKeyRecord.kid == bindparam("kid"))


def key_status(session: Session, kid: str) -> str | None:
    """``active`` or ``retired``; None for a key that is not published."""
    status: str | None = session.execute(_STATUS, {"kid": kid}).scalar()
    return status


def require_active(session: Session, kid: str) -> None:
    """Raise :class:`KeyNotActive` unless ``kid`` is the active key."""
    status = key_status(session, kid)
    if status != ACTIVE:
        raise KeyNotActive(kid, status)


def retire_key(session: Session, kid: str, *, now: datetime | None = None) -> bool:
    """Retire ``kid`` if it is active (it stays published); True when it was."""
    result = session.execute(
        update(SigningKeyRecord)
        .where(SigningKeyRecord.kid == kid, SigningKeyRecord.status == ACTIVE)
        .values(status=RETIRED, retired_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return cast("CursorResult[Any]", result).rowcount > 0


def published_keys(session: Session) -> list[SigningKeyRecord]:
    """Every published key: the active one first, then the retired ones, newest first."""
    active_first = case((SigningKeyRecord.status == ACTIVE, 0), else_=1)
    query = select(SigningKeyRecord).order_by(
        active_first, SigningKeyRecord.created_at.desc(), SigningKeyRecord.kid
    )
    return list(session.scalars(query))


def jwks(session: Session) -> dict[str, Any]:
    """The published keys as an RFC 7517 JWK Set, for verifying statements offline.

    Each key carries ``kid`` (its RFC 7638 thumbprint), ``use: "sig"`` and ``alg: "EdDSA"``.
    A retired key also carries ``"status": "retired"``, a member of soundseal's own (RFC 7517
    lets a JWK hold members it does not define, and verifiers ignore those they do not know):
    it still verifies what it signed, but signs nothing new. The active key has no status
    member.
    """
    keys: list[dict[str, Any]] = []
    for record in published_keys(session):
        entry: dict[str, Any] = {
            **record.public_jwk,
            "kid": record.kid,
            "use": "sig",
            "alg": JWS_ALGORITHM,
        }
        if record.status != ACTIVE:
            entry["status"] = record.status
        keys.append(entry)
    return {"keys": keys}
