"""The Python client against a real server on loopback."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from soundseal.client import (
    AsyncClient,
    BadRequest,
    Client,
    Conflict,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    RateLimited,
    TransportError,
)
from soundseal.client._client import _Config
from tests.conftest import LiveServer, make_settings
from tests.factories import Factory, sha256_of


def client_for(server: LiveServer, key: str, **kwargs: Any) -> Client:
    return Client(key, server.url, backoff=0.01, **kwargs)


def test_certificate_lifecycle(live_server: LiveServer, factory: Factory) -> None:
    key = factory.key()
    with client_for(live_server, key.key) as registry:
        created = registry.create_certificate(
            track_title="Crystal Rain",
            artist_name="Sasa",
            sha256=sha256_of("c1"),
            isrc="GX-HE7-26-00042",
        )["certificate"]
        assert registry.get_certificate(created["certificate_number"])["id"] == created["id"]
        assert registry.certificate_status(created["id"], fresh=True)["status"] == "active"
        assert registry.verify(isrc="GXHE72600042")["verified"] is True
        registry.revoke_certificate(created["id"], reason="wrong master")
        versions = registry.certificate_versions(created["id"])["versions"]
        assert [v["change"] for v in versions] == ["created", "revoked"]
        feed = list(registry.iter_changes(since_sequence=0, limit=1))
        assert [c["type"] for c in feed] == ["certificate.created", "certificate.revoked"]


def test_cursor_pagination_as_an_iterator(live_server: LiveServer, factory: Factory) -> None:
    key = factory.key()
    made = [factory.certificate(key).id for _ in range(5)]
    with client_for(live_server, key.key) as registry:
        assert [c["id"] for c in registry.iter_certificates(page_size=2)] == made[::-1]


def test_errors_are_typed_with_code_and_request_id(
    live_server: LiveServer, factory: Factory
) -> None:
    key = factory.key()
    reader = factory.key(key.account_id, scopes="certificates:read")
    with client_for(live_server, key.key) as registry:
        with pytest.raises(NotFound) as missing:
            registry.get_certificate("cer_01KS9QWHV7PHETYGQAYMHB3DM6")
        assert missing.value.code == "not_found"
        assert missing.value.status == 404
        assert missing.value.request_id.startswith("req_")
        with pytest.raises(BadRequest) as bad:
            registry.create_certificate(track_title="t", artist_name="a", sha256="nope")
        assert bad.value.field == "sha256_fingerprint"
        registry.create_certificate(track_title="t", artist_name="a", sha256=sha256_of("d"))
        with pytest.raises(Conflict) as duplicate:
            registry.create_certificate(track_title="t", artist_name="a", sha256=sha256_of("d"))
        assert duplicate.value.body["match_type"] == "exact"
    with client_for(live_server, reader.key) as registry, pytest.raises(PermissionDenied) as denied:
        registry.create_certificate(track_title="t", artist_name="a", sha256=sha256_of("e"))
    assert denied.value.required_scope == "certificates:write"


def test_the_key_comes_from_the_environment(
    live_server: LiveServer, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = factory.key()
    monkeypatch.setenv("SOUNDSEAL_API_KEY", key.key)
    monkeypatch.setenv("SOUNDSEAL_API_URL", live_server.url)
    with Client() as registry:
        assert registry.list_certificates_page()["pagination"]["total"] == 0
    monkeypatch.delenv("SOUNDSEAL_API_KEY")
    with pytest.raises(ValueError, match="SOUNDSEAL_API_KEY"):
        Client()


class LoseFirstResponse(httpx.HTTPTransport):
    """Sends every request to the real server, but loses the first POST's response, as a
    dropped connection would: the write happened, the client never heard."""

    def __init__(self) -> None:
        super().__init__()
        self.lost = 0
        self.keys: list[str | None] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "POST":
            self.keys.append(request.headers.get("idempotency-key"))
            if not self.lost:
                response.read()
                self.lost += 1
                raise httpx.ReadError("connection reset", request=request)
        return response


def test_a_retried_write_happens_once(live_server: LiveServer, factory: Factory) -> None:
    key = factory.key()
    transport = LoseFirstResponse()
    with client_for(live_server, key.key, transport=transport) as registry:
        created = registry.create_certificate(
            track_title="t", artist_name="a", sha256=sha256_of("retry")
        )
        assert created["success"] is True
        assert transport.lost == 1
        assert len(transport.keys) == 2
        assert transport.keys[0] == transport.keys[1]
        assert transport.keys[0] is not None
        assert registry.list_certificates_page()["pagination"]["total"] == 1


def test_rate_limits_surface_with_retry_after(
    database: Any, tmp_path: Any, factory: Factory
) -> None:
    from soundseal.app import create_app

    app = create_app(make_settings(database, tmp_path, rate_limit_secret=1), database)
    key = factory.key()
    with LiveServer(app) as server, client_for(server, key.key, max_retries=0) as registry:
        registry.list_certificates_page()
        with pytest.raises(RateLimited) as limited:
            registry.list_certificates_page()
    assert limited.value.retry_after >= 1


def _within(seconds: float, call: Callable[[], object]) -> tuple[float, object]:
    """Run `call` in a thread and give up after `seconds`: a client that sleeps for a
    month must fail the test, not hang it."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as exc:  # the outcome under test
            outcome.append(exc)

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"still waiting after {seconds} s"
    return time.monotonic() - started, outcome[0]


def test_the_monthly_quota_is_raised_at_once_not_slept_on(
    database: Any, tmp_path: Any, factory: Factory
) -> None:
    from soundseal.app import create_app
    from soundseal.platform import open_store, poll_once

    app = create_app(make_settings(database, tmp_path, tier_requests_free=2), database)
    key = factory.key()
    store = open_store(f"sqlite:///{tmp_path / 'platform.sqlite3'}")
    with LiveServer(app) as server, client_for(server, key.key) as registry:
        registry.list_certificates_page()
        registry.list_certificates_page()
        elapsed, outcome = _within(20, registry.list_certificates_page)
        assert isinstance(outcome, QuotaExceeded)
        assert isinstance(outcome, RateLimited)  # what callers already catch
        assert outcome.code == "monthly_quota_exceeded"
        assert outcome.retry_after > 3600  # the server's answer: the next month
        assert elapsed < 5
        # The platform's poller reports the failure instead of sleeping until next month.
        elapsed, result = _within(20, lambda: poll_once(registry, store.sessions))
        assert elapsed < 5
        assert getattr(result, "ok", None) is False
    store.dispose()


def test_a_long_retry_after_is_capped(database: Any, tmp_path: Any, factory: Factory) -> None:
    from soundseal.app import create_app

    app = create_app(make_settings(database, tmp_path, rate_limit_secret=1), database)
    key = factory.key()
    with (
        LiveServer(app) as server,
        client_for(server, key.key, max_retries=2, max_retry_wait=0.3) as registry,
    ):
        # The limiter counts in windows aligned to the minute: a retry landing in the next
        # window would get a fresh budget, so the calls start well inside one.
        if time.time() % 60 > 55:
            time.sleep(60 - time.time() % 60 + 0.1)
        registry.list_certificates_page()
        elapsed, outcome = _within(20, registry.list_certificates_page)
    # The server asked for up to a minute before each retry; the client waited 0.3 s twice.
    assert isinstance(outcome, RateLimited)
    assert not isinstance(outcome, QuotaExceeded)
    assert outcome.retry_after > 1
    assert 0.6 <= elapsed < 10


def test_retry_policy() -> None:
    config = _Config("ss_sk_test_x", "http://x", max_retries=2, backoff=0.1)
    request = httpx.Request("GET", "http://x/")
    limited = httpx.Response(429, headers={"Retry-After": "7"}, request=request)
    assert config.delay(0, limited) == 7.0
    month = httpx.Response(429, headers={"Retry-After": "2592000"}, request=request)
    assert config.delay(0, month) == 60.0  # capped at max_retry_wait
    quota = httpx.Response(
        429,
        headers={"Retry-After": "2592000"},
        json={"error": "over quota", "code": "monthly_quota_exceeded"},
        request=request,
    )
    assert config.delay(0, quota) is None  # never retried
    assert config.delay(2, limited) is None  # retries exhausted
    assert 0 <= (config.delay(1, httpx.Response(503, request=request)) or -1) <= 0.2
    assert config.delay(0, httpx.Response(404, request=request)) is None
    assert config.delay(0, None) is not None  # a transport failure is retried


def test_an_unreachable_registry_is_a_transport_error() -> None:
    registry = Client("ss_sk_test_x", "http://127.0.0.1:9", max_retries=1, backoff=0.01)
    with registry, pytest.raises(TransportError):
        registry.certificate_status("cer_test_synthetic")


def test_async_client(live_server: LiveServer, factory: Factory) -> None:
    key = factory.key()

    async def scenario() -> list[str]:
        async with AsyncClient(key.key, live_server.url) as registry:
            created = await registry.create_certificate(
                track_title="a", artist_name="b", sha256=sha256_of("async")
            )
            await registry.create_certificate(
                track_title="c", artist_name="d", sha256=sha256_of("async2")
            )
            status = await registry.certificate_status(created["certificate"]["id"], fresh=True)
            assert status["status"] == "active"
            with pytest.raises(NotFound):
                await registry.get_certificate("SS-2026-AAAAAAAA")
            return [c["id"] async for c in registry.iter_certificates(page_size=1)]

    ids = asyncio.run(scenario())
    assert len(ids) == 2


def test_the_client_imports_without_the_server_dependencies() -> None:
    code = (
        "import sys\n"
        "for name in ('fastapi', 'starlette', 'sqlalchemy', 'uvicorn', 'alembic', 'pydantic',"
        " 'limits', 'numpy'):\n"
        "    sys.modules[name] = None\n"
        "import soundseal.client\n"
        "print(sorted(soundseal.client.__all__)[:2])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "APIError" in out.stdout
