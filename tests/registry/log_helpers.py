"""Reading a transparency log back for tests: its rows, the key set, and the note verifier
a client would build from the published JWK."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import select

from soundseal.db import Database
from soundseal.registry.log.models import LogEntry, LogHash
from soundseal.signing import jwks
from soundseal.transparency.note_keys import VerifierKey


def entries(database: Database, mode: str = "live") -> list[bytes]:
    with database.transaction(write=False) as session:
        rows = session.scalars(
            select(LogEntry.entry).where(LogEntry.mode == mode).order_by(LogEntry.index)
        ).all()
        return [bytes(row) for row in rows]


def stored(database: Database, mode: str = "live") -> dict[tuple[int, int], bytes]:
    with database.transaction(write=False) as session:
        rows = session.execute(
            select(LogHash.level, LogHash.index, LogHash.hash).where(LogHash.mode == mode)
        )
        return {(level, index): bytes(value) for level, index, value in rows}


def key_set(database: Database) -> dict[str, Any]:
    with database.transaction(write=False) as session:
        return jwks(session)


def verifier_from_jwks(keys: dict[str, Any], origin: str) -> VerifierKey:
    """The checkpoint verifier a client derives from the active JWK and the log's origin."""
    (active,) = [k for k in keys["keys"] if k.get("status") != "retired"]
    x = active["x"]
    return VerifierKey(origin, base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))
