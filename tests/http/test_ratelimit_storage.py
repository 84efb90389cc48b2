"""The in-process rate-limit storage behaves as `limits`' strategies expect."""

from __future__ import annotations

import pytest
from limits import RateLimitItemPerMinute
from limits.strategies import SlidingWindowCounterRateLimiter

from soundseal.http import ratelimit_storage
from soundseal.http.ratelimit_storage import LocalStorage


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(1_800_000_000.0)  # the start of a one-minute window
    monkeypatch.setattr(ratelimit_storage.time, "time", fake.time)
    return fake


def test_sliding_window_counts_and_refuses(clock: Clock) -> None:
    limiter = SlidingWindowCounterRateLimiter(LocalStorage())
    item = RateLimitItemPerMinute(3)
    assert [limiter.hit(item, "k") for _ in range(4)] == [True, True, True, False]
    assert limiter.get_window_stats(item, "k").remaining == 0
    assert limiter.hit(item, "other")  # keys are independent


def test_the_previous_window_weighs_in_then_fades(clock: Clock) -> None:
    limiter = SlidingWindowCounterRateLimiter(LocalStorage())
    item = RateLimitItemPerMinute(4)
    for _ in range(4):
        assert limiter.hit(item, "k")
    clock.now += 60 + 15  # a quarter into the next window: 3/4 of the 4 previous still count
    assert limiter.hit(item, "k")
    assert not limiter.hit(item, "k")
    clock.now += 120  # two windows later: nothing counts
    assert [limiter.hit(item, "k") for _ in range(4)] == [True] * 4


def test_counters_expire_and_are_swept(clock: Clock) -> None:
    storage = LocalStorage()
    assert storage.incr("a", 10) == 1
    assert storage.incr("a", 10) == 2
    clock.now += 11
    assert storage.get("a") == 0
    assert storage.incr("a", 10) == 1
    clock.now += 3600
    storage.incr("b", 10)  # triggers the sweep
    assert "a" not in storage._counters
    assert storage.reset() == 1
