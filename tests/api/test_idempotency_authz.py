"""Idempotency replays pass the same checks as the request that made them, and the
records they come from keep no secrets."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from soundseal.db import Database
from soundseal.registry.idempotency.models import IdempotencyRecord
from tests.factories import Factory, Key, sha256_of

HOOK = {"url": "https://hooks.example.com/soundseal", "events": ["certificate.created"]}


def _post(client: TestClient, path: str, key: Key, idem: str, body: Any) -> Any:
    return client.post(path, json=body, headers={**key.headers, "Idempotency-Key": idem})


def _records(database: Database) -> list[IdempotencyRecord]:
    with database.transaction(write=False) as session:
        rows = list(session.scalars(select(IdempotencyRecord)))
        session.expunge_all()
        return rows


def _webhook_count(client: TestClient, key: Key) -> int:
    return len(client.get("/api/v1/webhooks", headers=key.headers).json()["webhooks"])


def test_a_publishable_key_cannot_replay_a_webhook_creation(
    client: TestClient, factory: Factory
) -> None:
    owner = factory.key()
    publishable = factory.key(owner.account_id, kind="publishable")
    first = _post(client, "/api/v1/webhooks", owner, "k1", HOOK)
    assert first.status_code == 201
    replay = _post(client, "/api/v1/webhooks", publishable, "k1", HOOK)
    assert replay.status_code == 403, replay.text
    assert replay.json()["code"] == "forbidden"
    assert "idempotency-replayed" not in replay.headers
    assert "secret" not in replay.text.replace("secret key", "")


def test_a_narrow_secret_key_cannot_replay_a_webhook_creation(
    client: TestClient, factory: Factory
) -> None:
    owner = factory.key()
    reader = factory.key(owner.account_id, scopes="certificates:read")
    assert _post(client, "/api/v1/webhooks", owner, "k1", HOOK).status_code == 201
    replay = _post(client, "/api/v1/webhooks", reader, "k1", HOOK)
    assert replay.status_code == 403, replay.text
    assert replay.json()["code"] == "forbidden"
    assert replay.json()["required_scope"] == "webhooks:manage"
    assert "idempotency-replayed" not in replay.headers


def test_a_test_mode_key_neither_replays_nor_collides_with_live_records(
    client: TestClient, factory: Factory
) -> None:
    live = factory.key()
    test = factory.key(live.account_id, mode="test")
    first = _post(client, "/api/v1/webhooks", live, "k1", HOOK)
    other = _post(client, "/api/v1/webhooks", test, "k1", HOOK)
    assert first.status_code == other.status_code == 201
    assert "idempotency-replayed" not in other.headers
    assert other.json()["webhook"]["id"] != first.json()["webhook"]["id"]
    assert _webhook_count(client, live) == _webhook_count(client, test) == 1


def test_a_publishable_key_cannot_claim_the_cli_key_in_advance(
    client: TestClient, factory: Factory, database: Database
) -> None:
    owner = factory.key()
    publishable = factory.key(owner.account_id, kind="publishable")
    sha = sha256_of("master")
    body = {"track_title": "T", "artist_name": "A", "sha256_fingerprint": sha}
    squat = _post(client, "/api/v1/certificates", publishable, f"certify-{sha}", body)
    assert squat.status_code == 403
    assert _records(database) == []
    real = _post(client, "/api/v1/certificates", owner, f"certify-{sha}", body)
    assert real.status_code == 201, real.text
    assert "idempotency-replayed" not in real.headers


def test_a_narrow_key_cannot_claim_a_key_in_advance_either(
    client: TestClient, factory: Factory
) -> None:
    owner = factory.key()
    reader = factory.key(owner.account_id, scopes="certificates:read")
    body = {"track_title": "T", "artist_name": "A", "sha256_fingerprint": sha256_of("m2")}
    assert _post(client, "/api/v1/certificates", reader, "c1", body).status_code == 403
    assert _post(client, "/api/v1/certificates", owner, "c1", body).status_code == 201


def test_a_narrow_key_cannot_claim_a_key_in_advance_through_another_operation(
    client: TestClient, factory: Factory
) -> None:
    """A key holding only `verify:read` may call `POST /api/v1/verify`: its records are
    filed under that scope, so it cannot occupy the key the CLI will certify with."""
    owner = factory.key()
    verifier = factory.key(owner.account_id, scopes="verify:read")
    sha = sha256_of("squatted")
    squat = _post(client, "/api/v1/verify", verifier, f"certify-{sha}", {"sha256": sha})
    assert squat.status_code == 200, squat.text
    body = {"track_title": "T", "artist_name": "A", "sha256_fingerprint": sha}
    real = _post(client, "/api/v1/certificates", owner, f"certify-{sha}", body)
    assert real.status_code == 201, real.text
    assert "idempotency-replayed" not in real.headers


def test_a_narrow_key_learns_nothing_of_records_made_through_other_operations(
    client: TestClient, factory: Factory
) -> None:
    owner = factory.key()
    verifier = factory.key(owner.account_id, scopes="verify:read")
    sha = sha256_of("probed")
    body = {"track_title": "T", "artist_name": "A", "sha256_fingerprint": sha}
    assert _post(client, "/api/v1/certificates", owner, "used", body).status_code == 201
    answers = [
        _post(client, "/api/v1/verify", verifier, idem, {"sha256": sha})
        for idem in ("used", "unused")
    ]
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert [a.json()["verified"] for a in answers] == [True, True]


def test_a_refused_replay_of_a_revocation_reveals_nothing(
    client: TestClient, factory: Factory
) -> None:
    """Ownership lives in the account and mode the record is filed under; the scope and key
    kind are checked again before the record is read."""
    owner = factory.key()
    cert = factory.certificate(owner)
    path = f"/api/v1/certificates/{cert.id}/revoke"
    assert _post(client, path, owner, "r1", {"reason": "Dispute"}).status_code == 200
    for other in (
        factory.key(owner.account_id, scopes="certificates:read"),
        factory.key(owner.account_id, kind="publishable"),
    ):
        refused = _post(client, path, other, "r1", {"reason": "Dispute"})
        assert refused.status_code == 403, refused.text
        assert "idempotency-replayed" not in refused.headers
    stranger = factory.key()
    refused = _post(client, path, stranger, "r1", {"reason": "Dispute"})
    assert refused.status_code == 404
    test_mode = factory.key(owner.account_id, mode="test")
    assert _post(client, path, test_mode, "r1", {"reason": "Dispute"}).status_code == 404


def test_a_key_with_the_same_rights_replays(client: TestClient, factory: Factory) -> None:
    owner = factory.key()
    colleague = factory.key(owner.account_id, scopes="webhooks:manage,webhooks:read")
    first = _post(client, "/api/v1/webhooks", owner, "k1", HOOK)
    again = _post(client, "/api/v1/webhooks", colleague, "k1", HOOK)
    assert again.status_code == 201
    assert again.headers["idempotency-replayed"] == "true"
    assert again.json()["webhook"]["id"] == first.json()["webhook"]["id"]
    assert _webhook_count(client, owner) == 1


def test_the_record_keeps_who_made_it(
    client: TestClient, factory: Factory, database: Database
) -> None:
    owner = factory.key()
    assert _post(client, "/api/v1/webhooks", owner, "k1", HOOK).status_code == 201
    (record,) = _records(database)
    assert (record.key_id, record.key_kind, record.required_scope) == (
        owner.id,
        "secret",
        "webhooks:manage",
    )


def test_webhook_secrets_are_not_stored_nor_replayed(
    client: TestClient, factory: Factory, database: Database
) -> None:
    owner = factory.key()
    first = _post(client, "/api/v1/webhooks", owner, "k1", HOOK)
    secret = first.json()["webhook"]["secret"]
    assert secret.startswith("whsec_")
    replay = _post(client, "/api/v1/webhooks", owner, "k1", HOOK)
    assert replay.status_code == 201
    assert replay.headers["idempotency-replayed"] == "true"
    assert replay.headers["idempotency-redacted"] == "webhook.secret"
    assert replay.json()["webhook"]["secret"] is None
    assert replay.json()["webhook"]["id"] == first.json()["webhook"]["id"]
    assert secret not in replay.text
    (record,) = _records(database)
    assert record.response_body is not None
    assert secret.encode() not in record.response_body
    assert secret not in json.dumps(record.response_headers)


def test_a_rotated_secret_is_not_stored_nor_replayed(
    client: TestClient, factory: Factory, database: Database
) -> None:
    owner = factory.key()
    webhook_id, _ = factory.webhook(owner, "https://hooks.example.com/a")
    path = f"/api/v1/webhooks?id={webhook_id}"
    headers = {**owner.headers, "Idempotency-Key": "rot-1"}
    first = client.patch(path, json={"rotate_secret": True}, headers=headers)
    secret = first.json()["new_secret"]
    replay = client.patch(path, json={"rotate_secret": True}, headers=headers)
    assert replay.headers["idempotency-replayed"] == "true"
    assert replay.headers["idempotency-redacted"] == "new_secret"
    assert replay.json()["new_secret"] is None
    (record,) = _records(database)
    assert secret.encode() not in (record.response_body or b"")


def test_a_webhook_update_without_a_secret_replays_whole(
    client: TestClient, factory: Factory
) -> None:
    owner = factory.key()
    webhook_id, _ = factory.webhook(owner, "https://hooks.example.com/a")
    path = f"/api/v1/webhooks?id={webhook_id}"
    headers = {**owner.headers, "Idempotency-Key": "upd-1"}
    first = client.patch(path, json={"description": "Main"}, headers=headers)
    replay = client.patch(path, json={"description": "Main"}, headers=headers)
    assert replay.headers["idempotency-replayed"] == "true"
    assert "idempotency-redacted" not in replay.headers
    assert replay.json() == first.json()


def test_contributor_links_are_not_stored_nor_replayed(
    client: TestClient, factory: Factory, database: Database
) -> None:
    owner = factory.key()
    cert = factory.certificate(owner)
    path = f"/api/v1/certificates/{cert.id}/contributors"
    body = {"name": "John Producer", "role": "Producer", "email": "john@example.com"}
    first = _post(client, path, owner, "inv-1", body)
    link = first.json()["contributor"]["acknowledgement_url"]
    token = link.rsplit("/", 1)[1]
    for other in (
        factory.key(owner.account_id, kind="publishable"),
        factory.key(owner.account_id, scopes="certificates:read"),
    ):
        assert _post(client, path, other, "inv-1", body).status_code == 403
    replay = _post(client, path, owner, "inv-1", body)
    assert replay.status_code == 201
    assert replay.headers["idempotency-redacted"] == "contributor.acknowledgement_url"
    assert replay.json()["contributor"]["acknowledgement_url"] is None
    assert replay.json()["contributor"]["id"] == first.json()["contributor"]["id"]
    (record,) = _records(database)
    assert token.encode() not in (record.response_body or b"")


@pytest.mark.parametrize("kind", ["publishable", "secret"])
def test_publishable_keys_never_create_records(
    client: TestClient, factory: Factory, database: Database, kind: str
) -> None:
    """`POST /api/v1/verify` is open to publishable keys: it runs, without idempotency."""
    key = factory.key(kind=kind)
    cert = factory.certificate(key)
    body = {"certificate_number": cert.certificate_number}
    response = _post(client, "/api/v1/verify", key, "v1", body)
    assert response.status_code == 200, response.text
    assert len(_records(database)) == (0 if kind == "publishable" else 1)
