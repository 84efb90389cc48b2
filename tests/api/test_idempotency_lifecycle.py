"""What an Idempotency-Key's record does over its life: a key reused on another route by a
caller without the first route's rights, a request still in progress, one abandoned by a
process that died, and one past its lifetime."""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from sqlalchemy import func, select, update
from starlette.testclient import TestClient

from soundseal.api import idempotency
from soundseal.api.auth import require_scope
from soundseal.app import create_app
from soundseal.db import Database
from soundseal.db.base import utcnow
from soundseal.registry.idempotency.models import IdempotencyRecord
from soundseal.registry.keys.services import Principal
from soundseal.registry.webhooks.models import WebhookEndpoint
from tests.conftest import LiveServer, make_settings
from tests.factories import Factory, Key
from tests.http.test_edge import _read_response, broken_table
from tests.stripe_fake import FakeStripe, fake_stripe

HOOK = {"url": "https://hooks.example.com/soundseal", "events": ["certificate.created"]}


def _post(client: TestClient, path: str, key: Key, idem: str, body: Any) -> Any:
    return client.post(path, json=body, headers={**key.headers, "Idempotency-Key": idem})


def _age_records(database: Database, **values: Any) -> None:
    with database.transaction(write=True) as session:
        session.execute(update(IdempotencyRecord).values(**values))


def _webhooks(client: TestClient, key: Key) -> int:
    return len(client.get("/api/v1/webhooks", headers=key.headers).json()["webhooks"])


def test_a_key_reused_on_another_route_by_a_lesser_caller_runs_as_its_own_request(
    client: TestClient, factory: Factory
) -> None:
    owner = factory.key()
    writer = factory.key(owner.account_id, scopes="certificates:write")
    assert _post(client, "/api/v1/webhooks", owner, "shared", HOOK).status_code == 201
    # Records are filed under the scope of the operation: the writer's "shared" is not the
    # webhook manager's, so it learns nothing about that request (not even that it exists)
    # and its own request is judged on its own merits.
    own = _post(client, "/api/v1/certificates", writer, "shared", {"track_title": "T"})
    assert own.status_code == 400, own.text
    assert own.json()["field"] == "artist_name"
    assert "idempotency-replayed" not in own.headers
    assert "webhooks:manage" not in own.text


def test_a_request_still_in_progress_elsewhere_is_a_409_after_a_wait(
    client: TestClient, factory: Factory, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idempotency, "_WAIT_SECONDS", 0.3)
    key = factory.key()
    assert _post(client, "/api/v1/webhooks", key, "busy", HOOK).status_code == 201
    # As if another server process had claimed the key and were still running the request.
    _age_records(database, state="in_progress", created_at=utcnow())
    again = _post(client, "/api/v1/webhooks", key, "busy", HOOK)
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "idempotency_key_in_use"
    assert _webhooks(client, key) == 1


def test_a_claim_abandoned_by_a_dead_process_is_taken_over(
    client: TestClient, factory: Factory, database: Database
) -> None:
    key = factory.key()
    assert _post(client, "/api/v1/webhooks", key, "orphan", HOOK).status_code == 201
    _age_records(database, state="in_progress", created_at=utcnow() - timedelta(minutes=5))
    again = _post(client, "/api/v1/webhooks", key, "orphan", HOOK)
    assert again.status_code == 201, again.text
    assert "idempotency-replayed" not in again.headers
    assert _webhooks(client, key) == 2
    # The new claim was completed: the next retry replays it.
    replay = _post(client, "/api/v1/webhooks", key, "orphan", HOOK)
    assert replay.headers["idempotency-replayed"] == "true"
    assert replay.json()["webhook"]["id"] == again.json()["webhook"]["id"]


def test_a_record_past_its_lifetime_no_longer_replays(
    client: TestClient, factory: Factory, database: Database
) -> None:
    key = factory.key()
    first = _post(client, "/api/v1/webhooks", key, "old", HOOK)
    assert first.status_code == 201
    _age_records(database, expires_at=utcnow() - timedelta(seconds=1))
    again = _post(client, "/api/v1/webhooks", key, "old", {**HOOK, "url": HOOK["url"] + "/2"})
    assert again.status_code == 201, again.text
    assert "idempotency-replayed" not in again.headers
    assert again.json()["webhook"]["id"] != first.json()["webhook"]["id"]


def test_a_request_without_a_key_passes_through_and_leaves_no_record(
    client: TestClient, database: Database
) -> None:
    response = client.post("/api/v1/webhooks", json=HOOK, headers={"Idempotency-Key": "anon"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    with database.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0


@pytest.fixture
def stripe_api() -> Iterator[FakeStripe]:
    with fake_stripe() as fake:
        yield fake


def test_a_provider_failure_is_not_kept_so_a_retry_runs_again(
    database: Database, tmp_path: Path, factory: Factory, stripe_api: FakeStripe
) -> None:
    settings = make_settings(
        database,
        tmp_path,
        stripe_secret_key="sk_test_abc",
        stripe_webhook_secret="whsec_test_secret",
        stripe_api_base=stripe_api.url,
    )
    key = factory.key()
    with TestClient(create_app(settings, database)) as billing:
        stripe_api.fail_with = 500
        failed = _post(billing, "/api/v1/billing/checkout", key, "pay-1", {"tier": "pro"})
        assert failed.status_code == 502, failed.text
        tried = len(stripe_api.calls)  # the Stripe library's own retries included
        stripe_api.fail_with = None
        retried = _post(billing, "/api/v1/billing/checkout", key, "pay-1", {"tier": "pro"})
        assert retried.status_code == 200, retried.text
        assert "idempotency-replayed" not in retried.headers
        again = _post(billing, "/api/v1/billing/checkout", key, "pay-1", {"tier": "pro"})
        assert again.headers["idempotency-replayed"] == "true"
        assert again.json() == retried.json()
    # The retry reached Stripe; the replay did not.
    assert len(stripe_api.calls) == tried + 1


def test_a_chunked_body_over_the_limit_is_refused_and_claims_nothing(
    live_server: LiveServer, factory: Factory, database: Database
) -> None:
    """The key's request is read whole before it is claimed: one that never ends is cut off
    at the limit, answered 413, and leaves no record behind."""
    key = factory.key()
    head = (
        f"POST /api/v1/webhooks HTTP/1.1\r\nHost: 127.0.0.1:{live_server.port}\r\n"
        f"Authorization: Bearer {key.key}\r\nContent-Type: application/json\r\n"
        "Idempotency-Key: endless\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=10) as sock:
        sock.sendall(head.encode())
        with contextlib.suppress(OSError):  # the server answered and closed
            for _ in range(64):  # 4 MiB, never terminated
                sock.sendall(chunk)
        status, body = _read_response(sock)
    assert status == 413
    assert json.loads(body)["code"] == "payload_too_large"
    with database.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0


def _records(database: Database) -> int:
    with database.transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(IdempotencyRecord)) or 0)


def test_a_client_gone_before_its_body_is_whole_claims_nothing(
    live_server: LiveServer, factory: Factory, database: Database
) -> None:
    """A dropped connection is what a client retries with the same key; the cut-off request
    must neither run nor be kept, or the retry would meet it as a different request (409)."""
    key = factory.key()
    whole = json.dumps(HOOK).encode()
    head = (
        f"POST /api/v1/webhooks HTTP/1.1\r\nHost: 127.0.0.1:{live_server.port}\r\n"
        f"Authorization: Bearer {key.key}\r\nContent-Type: application/json\r\n"
        f"Idempotency-Key: dropped\r\nContent-Length: {len(whole)}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=10) as sock:
        sock.sendall(head.encode() + whole[:10])
    retried = httpx.post(
        f"{live_server.url}/api/v1/webhooks",
        content=whole,
        headers={**key.headers, "Content-Type": "application/json", "Idempotency-Key": "dropped"},
        timeout=30,
    )
    assert retried.status_code == 201, retried.text
    assert "idempotency-replayed" not in retried.headers
    assert _records(database) == 1
    with database.transaction(write=False) as session:
        hooks = session.scalar(select(func.count()).select_from(WebhookEndpoint))
    assert hooks == 1


def test_a_request_failing_unexpectedly_releases_its_claim(
    client: TestClient, factory: Factory, database: Database
) -> None:
    """A 500 is worth retrying: the claim is let go, so the key is free for the retry."""
    key = factory.key()
    with broken_table(database, "webhook_endpoints"):
        failed = _post(client, "/api/v1/webhooks", key, "crash", HOOK)
    assert failed.status_code == 500, failed.text
    assert failed.json()["code"] == "internal_error"
    assert failed.json()["request_id"] == failed.headers["x-request-id"]
    assert "idempotency-replayed" not in failed.headers
    assert _records(database) == 0


def test_an_unclaimed_request_failing_unexpectedly_is_the_one_500(
    client: TestClient, factory: Factory, database: Database
) -> None:
    """A publishable key's request runs without a claim; its failure is answered, not kept."""
    key = factory.key(kind="publishable")
    with broken_table(database, "certificates"):
        failed = _post(client, "/api/v1/verify", key, "crash", {"sha256": "ab" * 32})
    assert failed.status_code == 500, failed.text
    assert failed.json()["code"] == "internal_error"
    assert _records(database) == 0


def test_a_record_refuses_a_caller_let_in_by_the_alternative_scope(
    app: FastAPI, factory: Factory
) -> None:
    """A route may let in either of two scopes; its records are filed under the first, and a
    key holding only the other neither replays nor learns the first key's response."""
    router = APIRouter()

    @router.post("/api/v1/either-scope")
    async def either(
        principal: Principal = require_scope("billing:read", or_scope="billing:write"),
    ) -> dict[str, str]:
        return {"key_id": principal.key_id}

    app.include_router(router)
    owner = factory.key(scopes="billing:read")
    writer = factory.key(owner.account_id, scopes="billing:write")
    with TestClient(app) as client:
        first = _post(client, "/api/v1/either-scope", owner, "either", {})
        assert first.status_code == 200, first.text
        replay = _post(client, "/api/v1/either-scope", owner, "either", {})
        assert replay.headers["idempotency-replayed"] == "true"
        refused = _post(client, "/api/v1/either-scope", writer, "either", {})
        fresh = _post(client, "/api/v1/either-scope", writer, "other", {})
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "forbidden"
    assert refused.json()["required_scope"] == "billing:read"
    assert owner.id not in refused.text
    assert fresh.status_code == 200
    assert fresh.json() == {"key_id": writer.id}


def test_a_keyed_request_still_sees_its_client_connected(app: FastAPI, factory: Factory) -> None:
    """Past the buffered body, a route asking whether its client went away (to stop long
    work) is told by the server, as without a key: the client is still there."""
    router = APIRouter()

    @router.post("/api/v1/still-there")
    async def still_there(
        request: Request, principal: Principal = require_scope("webhooks:manage")
    ) -> dict[str, Any]:
        body = await request.body()
        return {"read": len(body), "disconnected": await request.is_disconnected()}

    app.include_router(router)
    key = factory.key()
    with LiveServer(app) as server:
        answers = [
            httpx.post(
                f"{server.url}/api/v1/still-there",
                content=b"abc",
                headers={**key.headers, **extra},
                timeout=30,
            )
            for extra in ({}, {"Idempotency-Key": "long-work"})
        ]
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert [a.json() for a in answers] == [{"read": 3, "disconnected": False}] * 2
