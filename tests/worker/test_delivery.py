"""Webhook delivery end to end: events committed, sent by the worker over real HTTP to a
receiver on loopback, signed so the vendor doc's verifiers and Standard Webhooks accept."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from soundseal.__about__ import __version__
from soundseal.app import create_app
from soundseal.db import Database
from soundseal.registry.webhooks.models import WebhookDelivery, WebhookEndpoint
from soundseal.registry.webhooks.signing import new_secret
from soundseal.worker.embedded import EmbeddedWorker
from tests.factories import Factory
from tests.receiver import Receiver, until
from tests.signatures import (
    official_refuses,
    verify_audiverify,
    verify_node,
    verify_official,
    verify_standard,
)
from tests.worker.conftest import worker_settings


def test_every_delivery_carries_both_signatures_and_the_headers(
    factory: Factory, start_worker: Callable[..., EmbeddedWorker]
) -> None:
    key = factory.key()
    with Receiver() as receiver:
        _, secret = factory.webhook(key, receiver.url)
        start_worker()
        certs = [factory.certificate(key) for _ in range(3)]
        factory.revoke(certs[0])
        received = receiver.wait_for(4)
    assert sorted(json.loads(r.body)["event"] for r in received) == [
        "certificate.created",
        "certificate.created",
        "certificate.created",
        "certificate.revoked",
    ]
    for r in received:
        payload = json.loads(r.body)
        assert r.headers["x-soundseal-event"] == payload["event"]
        assert r.headers["x-soundseal-delivery"].startswith("whd_")
        assert r.headers["x-soundseal-timestamp"].endswith("Z")
        assert r.headers["user-agent"] == f"Soundseal-Webhooks/{__version__}"
        assert r.headers["content-type"] == "application/json"
        assert r.headers["webhook-id"] == payload["id"]
        assert verify_audiverify(r.body, r.headers["x-soundseal-signature"], secret)
        assert verify_standard(r.headers, r.body, secret)
        assert verify_official(r.headers, r.body, secret) == payload
        tampered = r.body.replace(b'"data"', b'"Data"')
        assert not verify_audiverify(tampered, r.headers["x-soundseal-signature"], secret)
        assert not verify_standard(r.headers, tampered, secret)
        assert official_refuses(r.headers, tampered, secret)
        # Another endpoint's secret, or the right one after `rotate_secret`, is refused too.
        assert official_refuses(r.headers, r.body, new_secret())
    cases = [(r.body, r.headers["x-soundseal-signature"], secret) for r in received]
    tampered_cases = [(b + b" ", s, k) for b, s, k in cases]
    assert verify_node(cases + tampered_cases) == [True] * 4 + [False] * 4


def test_a_receiver_that_fails_then_recovers_gets_every_event(
    factory: Factory, start_worker: Callable[..., EmbeddedWorker], database: Database
) -> None:
    key = factory.key()
    with Receiver() as receiver:
        endpoint_id, secret = factory.webhook(key, receiver.url)
        receiver.answer(500, 500, 503, 500)
        start_worker()
        certs = [factory.certificate(key) for _ in range(5)]
        received = receiver.wait_for(5)
        # The worker records outcomes just after the receiver answered them.
        until(lambda: _endpoint(database, endpoint_id).success_count == 5)
    ids = {json.loads(r.body)["data"]["certificate_id"] for r in received}
    assert ids == {c.id for c in certs}
    assert [r.status for r in receiver.received].count(500) == 3
    # Every attempt, retries included, passes the official library: the same `webhook-id`,
    # signed afresh at its own time.
    for attempt in receiver.received:
        assert (
            verify_official(attempt.headers, attempt.body, secret)["id"]
            == (attempt.headers["webhook-id"])
        )
    endpoint = _endpoint(database, endpoint_id)
    assert endpoint.is_active
    assert endpoint.failure_count == 4


def _endpoint(database: Database, endpoint_id: str) -> WebhookEndpoint:
    with database.transaction(write=False) as session:
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        assert endpoint is not None
        return endpoint


def test_a_receiver_down_for_the_whole_schedule_is_disabled_then_caught_up(
    factory: Factory, database: Database, tmp_path: Path
) -> None:
    """Through the API, with the server's embedded worker: the deployment default."""
    key = factory.key()
    receiver = Receiver()  # not started: connections are refused
    settings = worker_settings(database, tmp_path, webhook_worker="embedded")
    with TestClient(create_app(settings, database)) as client:
        response = client.post(
            "/api/v1/webhooks",
            json={"url": receiver.url, "events": ["certificate.created"]},
            headers=key.headers,
        )
        endpoint_id = response.json()["webhook"]["id"]
        first = factory.certificate(key)
        until(lambda: not _endpoint(database, endpoint_id).is_active)
        (listed,) = client.get("/api/v1/webhooks", headers=key.headers).json()["webhooks"]
        assert listed["is_active"] is False
        assert listed["disabled_reason"] == "failing"
        assert listed["stats"] == {"success_count": 0, "failure_count": 4}
        second = factory.certificate(key)  # while disabled: kept, dead-lettered
        path = f"/api/v1/webhooks/{endpoint_id}/deliveries"
        rows = client.get(path, headers=key.headers).json()["deliveries"]
        assert [(d["status"], d["next_attempt_at"]) for d in rows] == [("dead", None)] * 2
        assert max(d["attempts"] for d in rows) == 4  # the first attempt and three retries
        with receiver:
            response = client.patch(
                "/api/v1/webhooks",
                params={"id": endpoint_id},
                json={"is_active": True},
                headers=key.headers,
            )
            assert response.json()["updated_fields"] == ["is_active"]
            received = receiver.wait_for(2)
            until(lambda: _endpoint(database, endpoint_id).success_count == 2)
    assert {json.loads(r.body)["data"]["certificate_id"] for r in received} == {
        first.id,
        second.id,
    }
    assert _endpoint(database, endpoint_id).failure_count == 0


@pytest.mark.parametrize(
    ("host", "scheme", "error"),
    [
        ("localhost", "https", "non-public"),
        ("127.0.0.1", "https", "non-public"),
        ("[::1]", "https", "non-public"),
        ("10.0.0.1", "https", "non-public"),
        ("169.254.169.254", "https", "non-public"),
        ("127.0.0.1", "http", "not https"),
    ],
)
def test_non_public_or_plain_http_urls_are_refused_when_delivering(
    factory: Factory,
    start_worker: Callable[..., EmbeddedWorker],
    database: Database,
    host: str,
    scheme: str,
    error: str,
) -> None:
    key = factory.key()
    with Receiver() as receiver:
        # Saved while private addresses were allowed; delivered by a worker that forbids them.
        url = f"{scheme}://{host}:{receiver.port}/hooks"
        endpoint_id, _ = factory.webhook(key, url)
        start_worker(webhook_allow_private=False, webhook_retry_schedule="0.1")
        factory.certificate(key)
        until(lambda: not _endpoint(database, endpoint_id).is_active)
        assert receiver.received == []
    with database.transaction(write=False) as session:
        (delivery,) = session.query(WebhookDelivery).filter_by(endpoint_id=endpoint_id).all()
    assert delivery.last_status_code is None
    assert delivery.last_error is not None
    assert error in delivery.last_error
