"""The platform database: any SQLAlchemy URL (SQLite or PostgreSQL)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from soundseal.db import Database, create_database
from soundseal.platform.log_check import pin_log_key
from soundseal.platform.models import PlatformBase

__all__ = ["PlatformStore", "open_store"]


class PlatformStore:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.sessions: sessionmaker[Session] = database.write_sessions

    def create_schema(self) -> None:
        """Create the platform's tables if they are missing (idempotent)."""
        PlatformBase.metadata.create_all(self.database.engine)

    def dispose(self) -> None:
        self.database.dispose()


def open_store(url: str, *, create: bool = True, log_key: str | None = None) -> PlatformStore:
    """The platform's database at `url`. With `log_key` (the registry's log verifier key, as
    `GET /api/v1/log/<mode>` gives it in `verifier_key`), pin it: a store keeps the first key
    pinned, and refuses another (`ValueError`; `pin_log_key(..., replace=True)` replaces it)."""
    store = PlatformStore(create_database(url, pool_size=5))
    if create:
        store.create_schema()
    if log_key is not None:
        try:
            pin_log_key(store.sessions, log_key)
        except ValueError:
            store.dispose()
            raise
    return store
