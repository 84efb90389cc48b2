from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from starlette.testclient import TestClient

from soundseal.app import create_app
from soundseal.db import Database
from soundseal.http.serving import UVICORN_OPTIONS
from soundseal.settings import Settings, load_settings
from tests.backends import Backend, postgres_backend, sqlite_backend
from tests.factories import Factory


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """Every test that touches the registry runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield sqlite_backend(tmp_path_factory.mktemp("sqlite"))
    else:
        yield from postgres_backend()


@pytest.fixture
def database(backend: Backend, tmp_path: Path) -> Iterator[Database]:
    db = backend.fresh(tmp_path)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    return make_settings(database, tmp_path)


# Apps built by tests leave webhook delivery (and the sweeper that goes with it) to no one:
# starting and stopping those threads around every test costs more than the test. A test of
# delivery or sweeping asks for them with `webhook_worker="embedded"`.
TEST_DEFAULTS: dict[str, Any] = {"webhook_worker": "external"}


def make_settings(database: Database, tmp_path: Path, **overrides: Any) -> Settings:
    url = database.engine.url.render_as_string(hide_password=False)
    return load_settings(
        data_dir=tmp_path / "data",
        database_url=url,
        public_url="https://registry.test",
        **{**TEST_DEFAULTS, **overrides},
    )


@pytest.fixture
def app(settings: Settings, database: Database) -> FastAPI:
    return create_app(settings, database)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """The in-process ASGI client: no sockets, the whole middleware stack."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def factory(database: Database, settings: Settings) -> Factory:
    return Factory(database, settings)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """A real uvicorn server on a free loopback port, in a thread of the test process."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", **UVICORN_OPTIONS
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server
