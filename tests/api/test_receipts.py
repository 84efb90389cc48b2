"""`GET /api/v1/verification-receipts/{id}`: read only by the kind of key that makes receipts
(a secret key with verify:read), of the same workspace and the same mode."""

from __future__ import annotations

from starlette.testclient import TestClient

from soundseal.db import Database
from soundseal.registry.acoustic.services import Evaluation, record_receipt
from tests.factories import Factory, Key


def _receipt(database: Database, factory: Factory, key: Key) -> str:
    """A receipt as verify-audio keeps it, for a certificate of `key`'s mode."""
    cert = factory.certificate(key)
    evaluation = Evaluation(
        certificate_id=cert.id,
        cert_status="active",
        matched=True,
        score=0.91,
        offset_ms=0,
        coverage=1.0,
        reasons=[],
        query_duration_ms=30_000,
        query_sha256="0" * 64,
    )
    with database.transaction() as session:
        receipt = record_receipt(
            session, evaluation, account_id=key.account_id, key_id=key.id, mode=key.mode
        )
        return receipt.id


def _get(client: TestClient, key: Key, receipt_id: str) -> tuple[int, dict[str, object]]:
    response = client.get(f"/api/v1/verification-receipts/{receipt_id}", headers=key.headers)
    return response.status_code, response.json()


def test_a_live_receipt_is_read_by_a_live_secret_key_of_its_workspace(
    client: TestClient, factory: Factory, database: Database
) -> None:
    live = factory.key()
    receipt_id = _receipt(database, factory, live)
    status, body = _get(client, factory.key(live.account_id), receipt_id)
    assert status == 200, body
    assert body["receipt_id"] == receipt_id
    assert body["livemode"] is True


def test_test_mode_keys_do_not_read_live_receipts(
    client: TestClient, factory: Factory, database: Database
) -> None:
    live = factory.key()
    receipt_id = _receipt(database, factory, live)
    test_key = factory.key(live.account_id, mode="test")
    status, body = _get(client, test_key, receipt_id)
    assert status == 404, body
    assert body["code"] == "not_found"
    assert "score" not in body


def test_live_keys_do_not_read_test_receipts(
    client: TestClient, factory: Factory, database: Database
) -> None:
    test_key = factory.key(mode="test")
    receipt_id = _receipt(database, factory, test_key)
    status, body = _get(client, factory.key(test_key.account_id), receipt_id)
    assert status == 404, body
    status, body = _get(client, test_key, receipt_id)
    assert status == 200, body
    assert body["livemode"] is False


def test_publishable_keys_cannot_read_receipts(
    client: TestClient, factory: Factory, database: Database
) -> None:
    live = factory.key()
    receipt_id = _receipt(database, factory, live)
    publishable = factory.key(live.account_id, kind="publishable")
    status, body = _get(client, publishable, receipt_id)
    assert status == 403, body
    assert body["code"] == "forbidden"
    assert body["required_scope"] == "verify:read"
    assert "score" not in body


def test_other_workspaces_and_keys_without_the_scope_are_refused(
    client: TestClient, factory: Factory, database: Database
) -> None:
    live = factory.key()
    receipt_id = _receipt(database, factory, live)
    assert _get(client, factory.key(), receipt_id)[0] == 404
    narrow = factory.key(live.account_id, scopes=["certificates:read"])
    status, body = _get(client, narrow, receipt_id)
    assert status == 403, body
    assert body["required_scope"] == "verify:read"
