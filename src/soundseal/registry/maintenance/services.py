"""Sweeps that delete rows nobody will read again.

Each sweep deletes by an indexed expiry column, so running them often is cheap and running
two at once (two servers, a server and `soundseal maintenance purge`) is harmless. A new
kind of expiring row joins by adding its function to `SWEEPS`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from soundseal.registry.idempotency.services import purge_expired as purge_idempotency
from soundseal.registry.logins.services import purge_expired_sessions

__all__ = ["SWEEPS", "purge_expired"]

SWEEPS: dict[str, Callable[[Session], int]] = {
    "idempotency_records": purge_idempotency,
    "web_sessions": purge_expired_sessions,
}


def purge_expired(session: Session) -> dict[str, int]:
    """Run every sweep; the rows each deleted, by name."""
    return {name: sweep(session) for name, sweep in SWEEPS.items()}
