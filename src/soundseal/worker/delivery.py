"""The webhook delivery loop: claim due deliveries in batches, send them concurrently,
record the outcomes in bulk.

A few lanes run the loop side by side so that while one lane waits on the database another
is sending: database calls go to threads, sending stays on the event loop. Lanes sleep until
woken (after a commit that queued deliveries, see `soundseal.registry.webhooks.wakeup`), or
until the next retry falls due, or `webhook_poll_seconds` at most.

Requests are made by `webhook_concurrency` senders, each with its own small keep-alive
pool, taking deliveries from one queue. Measured on loopback, one shared pool with many
requests waiting on it spends more time arbitrating its connections than sending (about
300 requests/s with 100 in flight, against over 1,000 for 32 senders).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

import httpcore

from soundseal.db import Database
from soundseal.db.base import utcnow
from soundseal.registry.webhooks import queue
from soundseal.registry.webhooks.queue import Claimed, Outcome
from soundseal.registry.webhooks.signing import delivery_headers
from soundseal.registry.webhooks.wakeup import add_waker, remove_waker
from soundseal.settings import Settings
from soundseal.worker.listen import Listener
from soundseal.worker.transport import new_pool

__all__ = ["DeliveryWorker", "run_loop"]

logger = logging.getLogger("soundseal.worker")

LANES = 4
# A claimed delivery, where its outcome goes, and the monotonic time after which it must not
# be sent any more (its lease would run out before the request's timeout).
Work = asyncio.Queue[tuple[Claimed, "asyncio.Future[Outcome]", float]]
# Per sender: enough for a few receiving hosts at once without reconnecting.
POOL_CONNECTIONS = 4
MAX_ERROR = 500


class DeliveryWorker:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self.schedule = settings.webhook_schedule
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._claiming = asyncio.Lock()
        # Wake-ups counted (on the loop's thread), the count when the queue was last found
        # drained, and when (monotonic) the next delivery is due at the latest.
        self._wakes = 0
        self._drained = -1
        self._due = 0.0
        self._stopping = threading.Event()
        self._listener: Listener | None = None

    def wake(self) -> None:
        """Thread-safe: look for due deliveries now."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            # The loop may close in between: then there is no one left to wake.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._on_wake)

    def stop(self) -> None:
        """Thread-safe: finish the batches in flight, then return from `run`."""
        self._stopping.set()
        self.wake()
        listener = self._listener
        if listener is not None:
            listener.stop()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        add_waker(self.wake)
        listener = self._listener = Listener.start(self.database, self.wake, self._stopping)
        allow_private = self.settings.webhook_allow_private
        pools = [
            new_pool(allow_private=allow_private, max_connections=POOL_CONNECTIONS)
            for _ in range(self.settings.webhook_concurrency)
        ]
        work: Work = asyncio.Queue()
        senders = [asyncio.create_task(self._sender(pool, work)) for pool in pools]
        try:
            await asyncio.gather(*(self._lane(work) for _ in range(LANES)))
        finally:
            for task in senders:
                task.cancel()
            await asyncio.gather(*senders, return_exceptions=True)
            for pool in pools:
                await pool.aclose()
            remove_waker(self.wake)
            if listener is not None:
                listener.join()

    async def _sender(
        self,
        pool: httpcore.AsyncConnectionPool,
        work: Work,
    ) -> None:
        while True:
            claimed, result, send_by = await work.get()
            if time.monotonic() > send_by:
                # Queued behind slow receivers until the claim could run out mid-request:
                # another worker may take it over, so it is not sent now but retried.
                outcome = Outcome(claimed, None, 0, "not sent before its claim ran out")
            else:
                outcome = await self._send(pool, claimed)
            if not result.done():
                result.set_result(outcome)

    async def _lane(self, work: Work) -> None:
        while not self._stopping.is_set():
            try:
                batch, claimed_at = await self._next_batch()
                if batch:
                    loop = asyncio.get_running_loop()
                    results = [loop.create_future() for _ in batch]
                    settings = self.settings
                    lease = settings.webhook_lease_seconds - settings.webhook_timeout_seconds
                    send_by = claimed_at + lease
                    for claimed, result in zip(batch, results, strict=True):
                        work.put_nowait((claimed, result, send_by))
                    outcomes = list(await asyncio.gather(*results))
                    await asyncio.to_thread(self._record, outcomes)
                    continue
            except Exception:
                # The database went away, say: keep the worker alive and try again shortly.
                logger.exception("webhook delivery lane failed; retrying")
                self._due = time.monotonic() + self.settings.webhook_poll_seconds
            if self._stopping.is_set():
                return
            await self._sleep()

    async def _next_batch(self) -> tuple[list[Claimed], float]:
        """Claim a batch, unless nothing can have become due since the queue was last found
        drained: then lanes woken together do not all query the database for nothing.
        With the batch comes the monotonic time just before it was claimed.

        One lane looks at a time. A full batch means more may be waiting, so the next lane
        is let in at once.
        """
        assert self._wake is not None
        async with self._claiming:
            if self._drained == self._wakes and time.monotonic() < self._due:
                return [], 0.0
            seen = self._wakes
            self._wake.clear()
            # Before the claim: its lease runs from the database's clock during the claim.
            claimed_at = time.monotonic()
            batch, due_in = await asyncio.to_thread(self._claim)
            if len(batch) >= self.settings.webhook_batch_size:
                self._wake.set()
            else:
                self._drained = seen
                self._due = time.monotonic() + due_in
            return batch, claimed_at

    async def _sleep(self) -> None:
        """Until woken, or until the next delivery falls due."""
        assert self._wake is not None
        pause = max(0.0, self._due - time.monotonic())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), pause)

    def _on_wake(self) -> None:
        assert self._wake is not None
        self._wakes += 1
        self._wake.set()

    def _claim(self) -> tuple[list[Claimed], float]:
        """A batch, and when the queue has no more: seconds until the next delivery falls due
        (at most the poll interval)."""
        settings = self.settings
        longest = settings.webhook_poll_seconds
        with self.database.transaction(write=True) as session:
            now = utcnow()
            batch = queue.claim(
                session,
                limit=settings.webhook_batch_size,
                lease_seconds=settings.webhook_lease_seconds,
                now=now,
            )
            if len(batch) >= settings.webhook_batch_size:
                return batch, 0.0
            due = queue.next_due(session)
        if due is None:
            return batch, longest
        return batch, max(0.0, min(longest, (due - now) / timedelta(seconds=1)))

    def _record(self, outcomes: list[Outcome]) -> None:
        with self.database.transaction(write=True) as session:
            disabled = queue.record(session, outcomes, schedule=self.schedule, now=utcnow())
        for endpoint_id in disabled:
            logger.warning("webhook %s disabled: its retry schedule failed", endpoint_id)

    async def _send(self, pool: httpcore.AsyncConnectionPool, claimed: Claimed) -> Outcome:
        timeout = self.settings.webhook_timeout_seconds
        if not self.settings.webhook_allow_private and not claimed.url.startswith("https://"):
            # Saved while plain http was allowed; it is not any more.
            return Outcome(claimed, None, 0, "refused: the URL is not https")
        headers = delivery_headers(
            secret=claimed.secret,
            body=claimed.body,
            event_type=claimed.event_type,
            event_id=claimed.event_id,
            delivery_id=claimed.delivery_id,
            at=utcnow(),
        )
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            response = await asyncio.wait_for(
                pool.request(
                    "POST",
                    claimed.url,
                    headers=list(headers.items()),
                    content=claimed.body,
                    extensions={"timeout": {"connect": timeout, "read": timeout}},
                ),
                timeout,
            )
            status = response.status
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except TimeoutError:
            error = f"timed out after {timeout:g} s"
        except Exception as exc:  # any failure of one request is that delivery's outcome
            error = (f"{type(exc).__name__}: {exc}")[:MAX_ERROR]
        latency = round((time.perf_counter() - started) * 1000)
        return Outcome(claimed=claimed, status_code=status, latency_ms=latency, error=error)


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run a worker's event loop, on uvloop when it is installed (it comes with uvicorn's
    standard extras): it about halves the cost of each request."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)
