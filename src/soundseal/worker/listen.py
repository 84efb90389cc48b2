"""Cross-process wake-ups on PostgreSQL: `LISTEN` for the `NOTIFY` a committed transaction
sends when it queues deliveries (see `soundseal.registry.webhooks.wakeup`).

The thread waits on two things at once: the connection's socket and one end of a socket
pair that `stop()` writes to. A stop therefore ends the wait at once instead of at the next
tick of a poll, so a server or a test shuts down without waiting for the listener.
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import threading
from collections.abc import Callable

import psycopg

from soundseal.db import Database
from soundseal.registry.webhooks.wakeup import CHANNEL

__all__ = ["Listener"]

logger = logging.getLogger("soundseal.worker")

RECONNECT_SECONDS = 1.0


class Listener:
    def __init__(self, url: str, wake: Callable[[], None], stopping: threading.Event) -> None:
        self.url = url
        self.wake = wake
        self.stopping = stopping
        # Written to by `stop()`; only ever read as "readable", never drained, so a stop
        # stays visible to every later wait of the thread.
        self._interrupt_r, self._interrupt_w = socket.socketpair()
        self._interrupt_r.setblocking(False)
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

    def stop(self) -> None:
        """Thread-safe: end the thread's wait now (the caller has set `stopping`)."""
        with contextlib.suppress(OSError):  # already stopped and closed
            self._interrupt_w.send(b"\0")

    def join(self) -> None:
        self.thread.join(timeout=5)
        if not self.thread.is_alive():
            self._interrupt_r.close()
            self._interrupt_w.close()

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    # A wake-up on (re)connecting: a notification may have been missed.
                    self.wake()
                    self._listen(conn)
            except psycopg.Error:
                if self.stopping.is_set():
                    return
                logger.warning("webhook listener lost its connection; reconnecting")
                self.stopping.wait(RECONNECT_SECONDS)

    def _listen(self, conn: psycopg.Connection[object]) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(conn.fileno(), selectors.EVENT_READ)
            selector.register(self._interrupt_r, selectors.EVENT_READ)
            while not self.stopping.is_set():
                # timeout=0 reads what has arrived (including anything psycopg already
                # buffered, e.g. with the LISTEN's answer) without waiting.
                for _ in conn.notifies(timeout=0):
                    self.wake()
                ready = selector.select()
                if any(key.fileobj is self._interrupt_r for key, _ in ready):
                    return
