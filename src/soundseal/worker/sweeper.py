"""The periodic purge of expired rows (`soundseal.registry.maintenance`), on a thread of
whichever process delivers webhooks: the server with the embedded worker, or each
`soundseal worker` of a scaled deployment. `soundseal maintenance purge` does the same once,
for a scheduler."""

from __future__ import annotations

import logging
import threading

from soundseal.db import Database
from soundseal.registry.maintenance.services import purge_expired

__all__ = ["Sweeper"]

logger = logging.getLogger("soundseal.worker")


class Sweeper:
    def __init__(self, database: Database, interval_seconds: float) -> None:
        self.database = database
        self.interval = interval_seconds
        self._stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="purge-sweeper", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self.thread.join(timeout=10)

    def sweep(self) -> dict[str, int]:
        with self.database.transaction(write=True) as session:
            return purge_expired(session)

    def _run(self) -> None:
        # The first sweep waits one interval: a process that starts and stops quickly (a
        # test, a restart loop) does no write it does not need.
        while not self._stopping.wait(self.interval):
            try:
                purged = self.sweep()
            except Exception:
                # A database that is briefly away must not end the sweeps for good.
                logger.exception("purging expired rows failed; retrying in %s s", self.interval)
            else:
                if any(purged.values()):
                    logger.info("purged expired rows: %s", purged)
