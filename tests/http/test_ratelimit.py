"""Rate limits per key and per IP, in memory and shared through Redis."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from starlette.testclient import TestClient

from soundseal.app import create_app
from soundseal.db import Database
from tests.backends import redis_url_or_skip
from tests.conftest import LiveServer, make_settings
from tests.factories import Factory


@pytest.fixture(autouse=True)
def clear_of_a_minute_boundary() -> None:
    """The sliding window weighs the previous minute's count by how much of it is left, so a
    burst straddling a minute boundary is (correctly) judged a little more leniently. These
    tests count to exact limits, so each starts clear of a boundary."""
    if 60 - time.time() % 60 < 3:
        time.sleep(4)


def test_a_key_over_its_budget_gets_429_with_retry_after(
    database: Database, tmp_path: Path, factory: Factory
) -> None:
    app = create_app(make_settings(database, tmp_path, rate_limit_secret=5), database)
    key = factory.key()
    with TestClient(app) as client:
        statuses = [client.get("/api/v1/certificates", headers=key.headers) for _ in range(6)]
    assert [r.status_code for r in statuses] == [200] * 5 + [429]
    assert [r.headers["x-ratelimit-remaining"] for r in statuses[:5]] == ["4", "3", "2", "1", "0"]
    limited = statuses[-1]
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.headers["x-ratelimit-limit"] == "5"


def test_each_key_has_its_own_budget(database: Database, tmp_path: Path, factory: Factory) -> None:
    app = create_app(make_settings(database, tmp_path, rate_limit_secret=2), database)
    first, second = factory.key(), factory.key()
    with TestClient(app) as client:
        for _ in range(2):
            client.get("/api/v1/certificates", headers=first.headers)
        assert client.get("/api/v1/certificates", headers=first.headers).status_code == 429
        assert client.get("/api/v1/certificates", headers=second.headers).status_code == 200


def test_publishable_keys_have_their_own_limit(
    database: Database, tmp_path: Path, factory: Factory
) -> None:
    app = create_app(make_settings(database, tmp_path, rate_limit_publishable=1), database)
    key = factory.key(kind="publishable")
    with TestClient(app) as client:
        assert client.get("/api/v1/certificates", headers=key.headers).status_code == 200
        assert client.get("/api/v1/certificates", headers=key.headers).status_code == 429


def test_calls_without_a_key_are_limited_per_ip(database: Database, tmp_path: Path) -> None:
    app = create_app(make_settings(database, tmp_path, rate_limit_anonymous=3), database)
    with TestClient(app) as client:
        codes = [
            client.get("/api/v1/certificates/cer_test_synthetic").status_code for _ in range(4)
        ]
        # Guessing keys is charged to the IP too.
        bad = client.get("/api/v1/certificates", headers={"Authorization": "Bearer ss_sk_live_x"})
        malformed = client.get("/api/v1/certificates", headers={"Authorization": "Basic abc"})
    assert codes == [200, 200, 200, 429]
    assert bad.status_code == 429
    assert malformed.status_code == 429


@pytest.fixture
def redis_url() -> Iterator[str]:
    url = redis_url_or_skip()
    connection = redis.Redis.from_url(url)
    connection.flushdb()
    yield url
    connection.flushdb()


@pytest.mark.redis
def test_servers_sharing_redis_share_one_budget(
    database: Database, tmp_path: Path, factory: Factory, redis_url: str
) -> None:
    settings = make_settings(database, tmp_path, rate_limit_secret=6, redis_url=redis_url)
    key = factory.key()
    with (
        LiveServer(create_app(settings, database)) as one,
        LiveServer(create_app(settings, database)) as two,
    ):
        codes = [
            httpx.get(f"{server.url}/api/v1/certificates", headers=key.headers).status_code
            for server in (one, two, one, two, one, two, one, two)
        ]
    assert codes == [200] * 6 + [429, 429]


def test_in_memory_servers_do_not_share(
    database: Database, tmp_path: Path, factory: Factory
) -> None:
    settings = make_settings(database, tmp_path, rate_limit_secret=2)
    key = factory.key()
    with (
        LiveServer(create_app(settings, database)) as one,
        LiveServer(create_app(settings, database)) as two,
    ):
        codes = [
            httpx.get(f"{server.url}/api/v1/certificates", headers=key.headers).status_code
            for server in (one, one, two, two)
        ]
    assert codes == [200, 200, 200, 200]
