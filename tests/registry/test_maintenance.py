"""Purging expired rows: the registry's sweeps and the background thread that runs them."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from starlette.testclient import TestClient

from soundseal.app import create_app
from soundseal.db import Database
from soundseal.db.base import utcnow
from soundseal.registry.idempotency.models import IdempotencyRecord
from soundseal.registry.idempotency.services import Caller, claim_key
from soundseal.registry.logins.models import WebSession, WebUser
from soundseal.registry.logins.services import start_session
from soundseal.registry.maintenance.services import purge_expired
from soundseal.worker.sweeper import Sweeper
from tests.conftest import make_settings
from tests.factories import Factory

CALLER = Caller(key_id="key_x", kind="secret", scopes=frozenset(), required_scope="")


def record(database: Database, key: str, *, hours_ago: float, ttl_hours: float = 24) -> None:
    with database.transaction() as session:
        claim_key(
            session,
            account_id="acc_x",
            mode="live",
            key=key,
            request_hash="0" * 64,
            caller=CALLER,
            ttl=timedelta(hours=ttl_hours),
            now=utcnow() - timedelta(hours=hours_ago),
        )


def keys_left(database: Database) -> set[str]:
    with database.transaction(write=False) as session:
        return set(session.scalars(select(IdempotencyRecord.key)))


def expired_session(factory: Factory, database: Database) -> None:
    login = factory.web_user()
    with database.transaction() as session:
        user = session.get(WebUser, login.user_id)
        assert user is not None
        start_session(session, user, ttl=timedelta(seconds=-1))
        start_session(session, user, ttl=timedelta(hours=1))


def test_purge_removes_expired_rows_and_keeps_live_ones(
    database: Database, factory: Factory
) -> None:
    record(database, "old", hours_ago=25)
    record(database, "just-expired", hours_ago=1, ttl_hours=0.5)
    record(database, "live", hours_ago=23)
    expired_session(factory, database)
    with database.transaction() as session:
        assert purge_expired(session) == {"idempotency_records": 2, "web_sessions": 1}
    assert keys_left(database) == {"live"}
    with database.transaction(write=False) as session:
        assert len(list(session.scalars(select(WebSession)))) == 1
    with database.transaction() as session:
        assert purge_expired(session) == {"idempotency_records": 0, "web_sessions": 0}


def test_the_sweeper_purges_on_its_interval(database: Database) -> None:
    record(database, "old", hours_ago=25)
    record(database, "live", hours_ago=1)
    sweeper = Sweeper(database, interval_seconds=0.05)
    sweeper.start()
    try:
        deadline = time.monotonic() + 10
        while "old" in keys_left(database) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sweeper.stop()
    assert keys_left(database) == {"live"}
    assert not sweeper.thread.is_alive()


def test_the_server_sweeps_in_its_background_work(database: Database, tmp_path: Path) -> None:
    record(database, "old", hours_ago=25)
    record(database, "live", hours_ago=1)
    settings = make_settings(
        database, tmp_path, webhook_worker="embedded", purge_interval_seconds=0.05
    )
    with TestClient(create_app(settings, database)):
        deadline = time.monotonic() + 10
        while "old" in keys_left(database) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert keys_left(database) == {"live"}


def test_the_default_settings_do_not_sweep_at_start(database: Database, tmp_path: Path) -> None:
    record(database, "old", hours_ago=25)
    # The deployment default: the embedded worker, and with it the sweeper.
    settings = make_settings(database, tmp_path, webhook_worker="embedded")
    with TestClient(create_app(settings, database)):
        time.sleep(0.2)
    assert keys_left(database) == {"old"}
