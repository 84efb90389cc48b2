"""Engines and sessions.

One `Database` per process holds the engine and two session factories: reads run in
autocommit mode; writes on SQLite take the write lock up front (`BEGIN IMMEDIATE`) because
a deferred transaction that later tries to write fails at once with SQLITE_BUSY when another
writer committed in between, instead of waiting its turn.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from soundseal.db.fastread import FastReader

__all__ = ["Database", "create_database"]


@dataclass(frozen=True)
class Database:
    engine: Engine
    read_sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]
    fast: FastReader

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextlib.contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """One unit of work: commit when the block ends, roll back if it raises."""
        factory = self.write_sessions if write else self.read_sessions
        with factory() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get("sqlite_autocommit"):
            return
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("sqlite_immediate") else "BEGIN")


def create_database(url: str, *, pool_size: int = 10) -> Database:
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False}
        kwargs["pool_size"] = pool_size
        kwargs["max_overflow"] = 20
    else:
        kwargs["pool_size"] = pool_size
        kwargs["max_overflow"] = 20
        # No pre-ping: it costs a round trip on every checkout, doubling the cost of the
        # hottest reads. Connections are recycled instead, well inside server-side timeouts.
        kwargs["pool_recycle"] = 1800
    engine = create_engine(parsed, **kwargs)
    # Reads run each statement on its own snapshot, as PostgreSQL's default READ COMMITTED
    # does inside a transaction anyway, and save the BEGIN and ROLLBACK round trips.
    write_bind: Engine
    read_bind: Engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
        write_bind = engine.execution_options(sqlite_immediate=True)
        # Not SQLAlchemy's AUTOCOMMIT level: on SQLite that issues a PRAGMA on every checkout
        # and check-in. Transactions are begun by `_on_begin` above, which simply skips BEGIN.
        read_bind = engine.execution_options(sqlite_autocommit=True)
    else:
        write_bind = engine
        read_bind = engine.execution_options(isolation_level="AUTOCOMMIT")
    return Database(
        engine=engine,
        read_sessions=sessionmaker(bind=read_bind, expire_on_commit=False),
        write_sessions=sessionmaker(bind=write_bind, expire_on_commit=False),
        fast=FastReader(engine),
    )
