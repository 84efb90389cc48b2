"""The PostgreSQL `LISTEN` thread: woken by `NOTIFY`, back after losing its connection, and
gone as soon as it is stopped."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import psycopg
import pytest

from soundseal.db import Database
from soundseal.registry.webhooks.wakeup import CHANNEL
from soundseal.worker.listen import Listener
from tests.backends import Backend, postgres_backend


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    """PostgreSQL only: elsewhere there is no listener."""
    yield from postgres_backend()


class Wakes:
    def __init__(self) -> None:
        self.count = 0
        self.changed = threading.Condition()

    def __call__(self) -> None:
        with self.changed:
            self.count += 1
            self.changed.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: self.count >= count, timeout), self.count


@pytest.fixture
def listening(database: Database) -> Iterator[tuple[Listener, Wakes, threading.Event]]:
    wakes = Wakes()
    stopping = threading.Event()
    listener = Listener.start(database, wakes, stopping)
    assert listener is not None
    # The first wake-up comes once it listens.
    wakes.wait_for(1)
    yield listener, wakes, stopping
    stopping.set()
    listener.stop()
    listener.join()


def _psql(database: Database, sql: str) -> None:
    url = database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def test_a_notify_from_another_connection_wakes_it(
    listening: tuple[Listener, Wakes, threading.Event], database: Database
) -> None:
    _, wakes, _ = listening
    _psql(database, f"NOTIFY {CHANNEL}")
    wakes.wait_for(2)
    _psql(database, f"NOTIFY {CHANNEL}")
    wakes.wait_for(3)


def test_it_listens_again_after_losing_its_connection(
    listening: tuple[Listener, Wakes, threading.Event], database: Database
) -> None:
    _, wakes, _ = listening
    _psql(
        database,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE query = 'LISTEN {CHANNEL}' AND datname = current_database()",
    )
    # Reconnecting wakes the worker (a notification may have been missed)...
    wakes.wait_for(2)
    # ...and notifications reach it again.
    deadline = time.monotonic() + 10
    while wakes.count < 3 and time.monotonic() < deadline:
        _psql(database, f"NOTIFY {CHANNEL}")
        time.sleep(0.05)
    wakes.wait_for(3)


def test_a_stop_ends_its_wait_at_once(
    listening: tuple[Listener, Wakes, threading.Event],
) -> None:
    listener, _, stopping = listening
    # Well inside a wait on the connection.
    time.sleep(0.05)
    started = time.monotonic()
    stopping.set()
    listener.stop()
    listener.join()
    took = time.monotonic() - started
    assert not listener.thread.is_alive()
    assert took < 0.3, f"the listener took {took:.2f} s to stop"
