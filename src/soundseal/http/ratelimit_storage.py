"""An in-process storage for `limits`, for the embedded default.

`limits`' own memory storage expires counters from a background timer thread that it starts
again every 10 ms while requests keep coming; under load that thread churn and its sweeps
cost more than everything else a status lookup does. This storage expires counters lazily
when they are read and sweeps stale ones at most once a minute, under one lock. It implements
`limits`' storage interface, so the strategies, items and headers are `limits`' own; Redis
(shared by several processes) still uses `limits`' Redis storage.
"""

from __future__ import annotations

import threading
import time
from math import floor

from limits.storage import Storage
from limits.storage.base import SlidingWindowCounterSupport, TimestampedSlidingWindow

__all__ = ["LocalStorage"]

_SWEEP_SECONDS = 60.0


class LocalStorage(Storage, SlidingWindowCounterSupport, TimestampedSlidingWindow):
    STORAGE_SCHEME = ["soundseal-local"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        self._counters: dict[str, tuple[int, float]] = {}  # key -> (count, expires at)
        self._lock = threading.Lock()
        self._next_sweep = time.time() + _SWEEP_SECONDS
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return ValueError

    def _count(self, key: str, now: float) -> int:
        entry = self._counters.get(key)
        if entry is None or entry[1] <= now:
            return 0
        return entry[0]

    def _sweep(self, now: float) -> None:
        if now >= self._next_sweep:
            self._counters = {k: v for k, v in self._counters.items() if v[1] > now}
            self._next_sweep = now + _SWEEP_SECONDS

    def _add(self, key: str, expiry: float, amount: int, now: float) -> int:
        entry = self._counters.get(key)
        if entry is None or entry[1] <= now:
            entry = (0, now + expiry)
        count = max(entry[0] + amount, 0)
        self._counters[key] = (count, entry[1])
        return count

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            self._sweep(now)
            return self._add(key, expiry, amount, now)

    def get(self, key: str) -> int:
        with self._lock:
            return self._count(key, time.time())

    def get_expiry(self, key: str) -> float:
        with self._lock:
            entry = self._counters.get(key)
        return entry[1] if entry else time.time()

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        with self._lock:
            cleared = len(self._counters)
            self._counters.clear()
        return cleared

    def clear(self, key: str) -> None:
        with self._lock:
            self._counters.pop(key, None)

    def _window(self, key: str, expiry: int, now: float) -> tuple[int, float, int, float]:
        previous_key, current_key = self.sliding_window_keys(key, expiry, now)
        previous = self._count(previous_key, now)
        current = self._count(current_key, now)
        previous_ttl = 0.0 if previous == 0 else (1 - (((now - expiry) / expiry) % 1)) * expiry
        current_ttl = (1 - ((now / expiry) % 1)) * expiry + expiry
        return previous, previous_ttl, current, current_ttl

    def acquire_sliding_window_entry(
        self, key: str, limit: int, expiry: int, amount: int = 1
    ) -> bool:
        if amount > limit:
            return False
        now = time.time()
        with self._lock:
            self._sweep(now)
            previous, previous_ttl, current, _ = self._window(key, expiry, now)
            if floor(previous * previous_ttl / expiry + current) + amount > limit:
                return False
            # The current window's counter outlives it by one window: it is the next
            # window's "previous".
            _, current_key = self.sliding_window_keys(key, expiry, now)
            self._add(current_key, 2 * expiry, amount, now)
            return True

    def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        with self._lock:
            return self._window(key, expiry, time.time())

    def clear_sliding_window(self, key: str, expiry: int) -> None:
        previous_key, current_key = self.sliding_window_keys(key, expiry, time.time())
        with self._lock:
            self._counters.pop(previous_key, None)
            self._counters.pop(current_key, None)
