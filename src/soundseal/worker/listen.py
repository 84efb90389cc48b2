"""Cross-process wake-ups on PostgreSQL: `LISTEN` for the `NOTIFY` a committed transaction
sends when it queues deliveries (see `soundseal.registry.webhooks.wakeup`)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg

from soundseal.db import Database
from soundseal.registry.webhooks.wakeup import CHANNEL

__all__ = ["Listener"]

logger = logging.getLogger("soundseal.worker")


class Listener:
    def __init__(self, url: str, wake: Callable[[], None], stopping: threading.Event) -> None:
        self.url = url
        self.wake = wake
        self.stopping = stopping
        self.thread = threading.Thread(target=self._run, name="webhook-listen", daemon=True)

    @classmethod
    def start(
        cls, database: Database, wake: Callable[[], None], stopping: threading.Event
    ) -> Listener | None:
        """A started listener on PostgreSQL; None elsewhere (polling and in-process wake-ups
        are all SQLite needs: its writers share one machine)."""
        if database.engine.dialect.name != "postgresql":
            return None
        url = database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        listener = cls(url, wake, stopping)
        listener.thread.start()
        return listener

    def join(self) -> None:
        self.thread.join(timeout=5)

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    # A wake-up on (re)connecting: a notification may have been missed.
                    self.wake()
                    while not self.stopping.is_set():
                        for _ in conn.notifies(timeout=0.5):
                            self.wake()
            except psycopg.Error:
                logger.warning("webhook listener lost its connection; reconnecting")
                self.stopping.wait(1.0)
