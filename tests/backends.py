"""The real databases and Redis the suite runs against.

SQLite always; PostgreSQL and Redis at `SOUNDSEAL_TEST_POSTGRES_URL` / `SOUNDSEAL_TEST_REDIS_URL`
(defaults: the local servers). Where a server is missing its tests are skipped with the reason,
except under CI (`CI=true`), where a missing server fails the run: a green CI must have
exercised both databases and shared rate limits.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from soundseal.db import Database, create_database, upgrade
from soundseal.registry.models import metadata

POSTGRES_URL = os.environ.get(
    "SOUNDSEAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("SOUNDSEAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# pytest-xdist's worker, "gw0", "gw1", ...; unset in a run without workers.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(what: str, reason: str) -> None:
    message = f"{what} unavailable ({reason})"
    if IN_CI:
        pytest.fail(f"{message}: under CI every backend must run", pytrace=False)
    pytest.skip(message)


def postgres_admin_url() -> str:
    return POSTGRES_URL


def worker_redis_url(url: str, worker: str) -> str:
    """The Redis database of one xdist worker: tests empty theirs (`flushdb`), so workers
    running side by side each get their own, counting down from the configured one."""
    if not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    number = (base - int(worker[2:])) % 16
    return urlunsplit(parts._replace(path=f"/{number}"))


def redis_url_or_skip() -> str:
    import redis

    url = worker_redis_url(REDIS_URL, XDIST_WORKER)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:
        unavailable("Redis", f"{url}: {exc}")
    return url


@dataclass
class Backend:
    """A migrated database of one kind, reset to its freshly migrated state per test."""

    name: str
    url: str
    template: Path | None = None
    seed: dict[str, list[dict[str, Any]]] | None = None

    def fresh(self, tmp_path: Path) -> Database:
        if self.name == "sqlite":
            assert self.template is not None
            target = tmp_path / "registry.sqlite3"
            shutil.copyfile(self.template, target)
            return create_database(f"sqlite:///{target}")
        database = create_database(self.url)
        self.reset(database)
        return database

    def reset(self, database: Database) -> None:
        """Back to the migrated state. DELETE, not TRUNCATE: a test leaves a handful of rows,
        and TRUNCATE's fixed cost per table (new files for each) made it 40 times slower."""
        tables = [t.name for t in reversed(metadata.sorted_tables)]
        statements = [f"DELETE FROM {name}" for name in tables]
        # Identity columns count from 1 again in every test, as in a new registry.
        statements.append("SELECT setval(s.oid, 1, false) FROM pg_class s WHERE s.relkind = 'S'")
        with database.engine.begin() as conn:
            conn.exec_driver_sql("; ".join(statements))
            for table in metadata.sorted_tables:
                rows = (self.seed or {}).get(table.name)
                if rows:
                    conn.execute(table.insert(), rows)


def _snapshot(database: Database) -> dict[str, list[dict[str, Any]]]:
    with database.engine.connect() as conn:
        return {
            t.name: [dict(r._mapping) for r in conn.execute(sa.select(t))]
            for t in metadata.sorted_tables
        }


def sqlite_backend(root: Path) -> Backend:
    template = root / "template.sqlite3"
    database = create_database(f"sqlite:///{template}")
    upgrade(database.engine)
    database.dispose()
    return Backend(name="sqlite", url=f"sqlite:///{template}", template=template)


def postgres_backend() -> Iterator[Backend]:
    admin_url = make_url(postgres_admin_url())
    name = f"soundseal_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        unavailable("PostgreSQL", f"{admin_url.render_as_string(hide_password=True)}: {exc}")
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    database = create_database(url)
    upgrade(database.engine)
    backend = Backend(name="postgresql", url=url, seed=_snapshot(database))
    database.dispose()
    try:
        yield backend
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
