"""The embedded worker: webhook delivery on a thread of the server process (the default,
`webhook_worker=embedded`), started and stopped by the application's lifespan."""

from __future__ import annotations

import threading

from soundseal.db import Database
from soundseal.settings import Settings
from soundseal.worker.delivery import DeliveryWorker, run_loop

__all__ = ["EmbeddedWorker"]


class EmbeddedWorker:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.worker = DeliveryWorker(database, settings)
        # Its own thread and event loop: delivery never competes with request handling
        # for the server's loop, and a slow receiver cannot delay a response.
        self.thread = threading.Thread(target=self._run, name="webhook-worker", daemon=True)

    def _run(self) -> None:
        run_loop(self.worker.run())

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.worker.stop()
        self.thread.join(timeout=self.worker.settings.webhook_timeout_seconds + 5)
