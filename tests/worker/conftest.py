from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from soundseal.db import Database
from soundseal.settings import Settings
from soundseal.worker.embedded import EmbeddedWorker
from tests.conftest import make_settings

# A schedule of three quick retries: a whole schedule runs out in about a second.
FAST = {
    "webhook_retry_schedule": "0.1,0.2,0.3",
    "webhook_timeout_seconds": 2,
    "webhook_lease_seconds": 3,
    "webhook_poll_seconds": 0.2,
    "webhook_allow_private": True,
    "webhook_worker": "external",
}


def worker_settings(database: Database, tmp_path: Path, **overrides: Any) -> Settings:
    return make_settings(database, tmp_path, **{**FAST, **overrides})


@pytest.fixture
def start_worker(database: Database, tmp_path: Path) -> Iterator[Callable[..., EmbeddedWorker]]:
    """Start a delivery worker thread (stopped after the test) with the fast settings."""
    started: list[EmbeddedWorker] = []

    def start(db: Database | None = None, **overrides: Any) -> EmbeddedWorker:
        worker = EmbeddedWorker(db or database, worker_settings(database, tmp_path, **overrides))
        worker.start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
