"""Per-key and per-IP rate limits on the `limits` library.

In-memory storage serves one process (the embedded default); with `SOUNDSEAL_REDIS_URL` every
server process shares one budget per key.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItemPerMinute, storage, strategies

from soundseal.http.ratelimit_storage import LocalStorage

__all__ = ["RateLimitResult", "RateLimiter"]


@dataclass(frozen=True)
class RateLimitResult:
    allowed: bool
    limit: int
    remaining: int
    reset_at: float

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset_at)),
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(1, math.ceil(self.reset_at - time.time())))
        return headers


class RateLimiter:
    def __init__(self, storage_uri: str = "memory://") -> None:
        shared = None if storage_uri == "memory://" else storage.storage_from_string(storage_uri)
        # Only synchronous storages: `limits.aio` ones would need awaiting.
        assert shared is None or isinstance(shared, storage.Storage)
        self.storage: storage.Storage = LocalStorage() if shared is None else shared
        # A sliding window counter: two counters per key, smooth at window edges, and cheap
        # on Redis (no per-request list as in a moving window).
        self.strategy = strategies.SlidingWindowCounterRateLimiter(self.storage)
        self._items: dict[int, RateLimitItemPerMinute] = {}

    def hit(self, bucket: str, per_minute: int) -> RateLimitResult:
        item = self._items.get(per_minute)
        if item is None:
            item = self._items[per_minute] = RateLimitItemPerMinute(per_minute)
        allowed = self.strategy.hit(item, "soundseal", bucket)
        stats = self.strategy.get_window_stats(item, "soundseal", bucket)
        return RateLimitResult(
            allowed=bool(allowed),
            limit=per_minute,
            remaining=int(stats.remaining),
            reset_at=float(stats.reset_time),
        )

    def reset(self) -> None:
        self.storage.reset()
