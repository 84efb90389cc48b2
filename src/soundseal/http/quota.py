"""Each workspace's monthly request quota, set by its API tier.

Counted per calendar month (UTC) in the rate limiter's storage: in memory for one process,
or Redis when `SOUNDSEAL_REDIS_URL` is set, so every server process shares one count and a
restart does not forget it. The counter's key names the month, so a new month starts a new
count; it expires a little after its month ends.
"""

from __future__ import annotations

from datetime import UTC, datetime

from limits.storage import Storage

__all__ = ["MonthlyQuota", "month_of", "seconds_until_next_month"]

_KEEP_S = 32 * 24 * 3600


def month_of(now: datetime) -> str:
    return f"{now.year:04d}-{now.month:02d}"


def seconds_until_next_month(now: datetime) -> int:
    start = datetime(now.year + now.month // 12, now.month % 12 + 1, 1, tzinfo=UTC)
    return max(1, int((start - now).total_seconds()))


class MonthlyQuota:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    @staticmethod
    def _key(account_id: str, now: datetime) -> str:
        return f"soundseal/quota/{account_id}/{month_of(now)}"

    def hit(self, account_id: str, now: datetime | None = None) -> int:
        """Count one request; the month's count including it."""
        now = now or datetime.now(UTC)
        return int(self.storage.incr(self._key(account_id, now), _KEEP_S))

    def used(self, account_id: str, now: datetime | None = None) -> int:
        now = now or datetime.now(UTC)
        return int(self.storage.get(self._key(account_id, now)))
