"""Minting, authenticating and revoking API keys.

Keys are 190 bits of randomness, so a plain SHA-256 is the right hash at rest (as for
GitHub's and Stripe's tokens): a slow password hash would add nothing against guessing and
cost milliseconds on every request. The plaintext is returned once, from `create_key`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
import string
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Text, bindparam, cast, select
from sqlalchemy.orm import Session

from soundseal.db.base import utcnow
from soundseal.db.fastread import Reader, fetch_one
from soundseal.errors import InvalidInput, NotFound
from soundseal.ids import new_id
from soundseal.registry.accounts.models import Account
from soundseal.registry.keys.models import ApiKey
from soundseal.registry.keys.scopes import PUBLISHABLE_SCOPES, parse_scopes

__all__ = ["Principal", "authenticate", "create_key", "hash_key", "list_keys", "revoke_key"]

KeyKind = Literal["publishable", "secret"]
Mode = Literal["live", "test"]

_ALPHABET = string.ascii_letters + string.digits
_KIND_PREFIX = {"publishable": "pk", "secret": "sk"}


@dataclass(frozen=True)
class Principal:
    """Who is calling: resolved from a key, never from anything the caller asserts."""

    key_id: str
    account_id: str
    kind: str
    mode: str
    scopes: frozenset[str]
    # The workspace's API tier, read with the key: it sets the monthly quota.
    tier: str = "free"

    @property
    def is_test(self) -> bool:
        return self.mode == "test"


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def looks_like_key(plaintext: str) -> bool:
    return plaintext.startswith(("ss_pk_live_", "ss_pk_test_", "ss_sk_live_", "ss_sk_test_"))


def create_key(
    session: Session,
    *,
    account_id: str,
    kind: str,
    mode: str = "live",
    scopes: str | list[str] | None = None,
    name: str | None = None,
) -> tuple[ApiKey, str]:
    if kind not in _KIND_PREFIX:
        raise InvalidInput("kind must be 'secret' or 'publishable'", field="kind")
    if mode not in ("live", "test"):
        raise InvalidInput("mode must be 'live' or 'test'", field="mode")
    granted = parse_scopes(scopes)
    if kind == "publishable":
        granted = list(PUBLISHABLE_SCOPES)
    body = "".join(secrets.choice(_ALPHABET) for _ in range(32))
    plaintext = f"ss_{_KIND_PREFIX[kind]}_{mode}_{body}"
    key = ApiKey(
        id=new_id("key"),
        account_id=account_id,
        kind=kind,
        mode=mode,
        scopes=granted,
        prefix=f"{plaintext[:15]}…{plaintext[-4:]}",
        key_hash=hash_key(plaintext),
        name=name,
        created_at=utcnow(),
    )
    session.add(key)
    session.flush()
    return key, plaintext


# Built once: authentication runs on every request, and a prebuilt Core statement skips
# the per-call statement construction and ORM result processing.
_AUTHENTICATE = select(
    ApiKey.id,
    ApiKey.account_id,
    ApiKey.kind,
    ApiKey.mode,
    # As stored: decoded below through a cache, since a few distinct scope sets serve
    # every request.
    cast(ApiKey.scopes, Text).label("scopes"),
    Account.api_tier,
).where(
    ApiKey.key_hash == bindparam("key_hash"),
    ApiKey.revoked_at.is_(None),
    Account.id == ApiKey.account_id,
)


@functools.lru_cache(maxsize=256)
def _scope_set(stored: str) -> frozenset[str]:
    return frozenset(json.loads(stored))


def authenticate(reader: Reader, plaintext: str) -> Principal | None:
    """The principal for a presented key, or None if it is unknown, revoked or malformed."""
    # Every key minted is ASCII; anything else (a lone surrogate cannot even be encoded
    # to hash it) is no key of ours.
    if not plaintext.isascii() or not looks_like_key(plaintext):
        return None
    row = fetch_one(reader, _AUTHENTICATE, {"key_hash": hash_key(plaintext)})
    if row is None:
        return None
    return Principal(
        key_id=row.id,
        account_id=row.account_id,
        kind=row.kind,
        mode=row.mode,
        scopes=_scope_set(row.scopes),
        tier=row.api_tier,
    )


def list_keys(session: Session, account_id: str) -> list[ApiKey]:
    return list(
        session.scalars(
            select(ApiKey).where(ApiKey.account_id == account_id).order_by(ApiKey.id)
        ).all()
    )


def revoke_key(session: Session, key_id: str) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"No API key {key_id!r}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key


def key_view(key: ApiKey) -> dict[str, object]:
    """How a key is shown after creation: never the secret, never its hash."""
    return {
        "id": key.id,
        "kind": key.kind,
        "mode": key.mode,
        "scopes": list(key.scopes),
        "prefix": key.prefix,
        "name": key.name,
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }
