"""What an Idempotency-Key's record does over its life: a key reused on another route by a
caller without the first route's rights, a request still in progress, one abandoned by a
process that died, and one past its lifetime."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from soundseal.api import idempotency
from soundseal.db import Database
from soundseal.db.base import utcnow
from soundseal.registry.idempotency.models import IdempotencyRecord
from tests.factories import Factory, Key

HOOK = {"url": "https://hooks.example.com/soundseal", "events": ["certificate.created"]}


def _post(client: TestClient, path: str, key: Key, idem: str, body: Any) -> Any:
    return client.post(path, json=body, headers={**key.headers, "Idempotency-Key": idem})


def _age_records(database: Database, **values: Any) -> None:
    with database.transaction(write=True) as session:
        session.execute(update(IdempotencyRecord).values(**values))


def _webhooks(client: TestClient, key: Key) -> int:
    return len(client.get("/api/v1/webhooks", headers=key.headers).json()["webhooks"])


def test_a_key_reused_on_another_route_by_a_lesser_caller_is_refused(
    client: TestClient, factory: Factory
) -> None:
    owner = factory.key()
    writer = factory.key(owner.account_id, scopes="certificates:write")
    assert _post(client, "/api/v1/webhooks", owner, "shared", HOOK).status_code == 201
    # The writer may issue certificates, but the key's record was made by a webhook
    # manager: it learns nothing about that request, not even that it differed.
    refused = _post(client, "/api/v1/certificates", writer, "shared", {"track_title": "T"})
    assert refused.status_code == 403, refused.text
    body = refused.json()
    assert body["code"] == "forbidden"
    assert body["required_scope"] == "webhooks:manage"
    assert "Idempotency-Key" in body["error"]
    assert "idempotency-replayed" not in refused.headers


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
