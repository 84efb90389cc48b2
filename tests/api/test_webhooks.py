"""`/api/v1/webhooks`: the vendor doc's endpoints, deliveries, redelivery and test events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from soundseal.app import create_app
from soundseal.db import Database
from soundseal.registry.events.types import EVENT_TYPES
from soundseal.settings import Settings
from tests.conftest import make_settings
from tests.factories import Factory, Key
from tests.receiver import Receiver, until
from tests.signatures import verify_audiverify, verify_official
from tests.worker.conftest import FAST

URL = "https://hooks.example.com/soundseal"


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    # No worker here: these tests are about the API's records, not about sending.
    return make_settings(database, tmp_path, webhook_worker="external")


def create(client: TestClient, key: Key, **body: object) -> dict[str, object]:
    response = client.post("/api/v1/webhooks", json={"url": URL, **body}, headers=key.headers)
    assert response.status_code == 201, response.text
    webhook: dict[str, object] = response.json()["webhook"]
    return webhook


def test_the_secret_is_shown_once_and_the_list_has_stats_and_events(
    client: TestClient, factory: Factory
) -> None:
    key = factory.key()
    response = client.post(
        "/api/v1/webhooks",
        json={"url": URL, "events": ["certificate.revoked", "certificate.created"]},
        headers=key.headers,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True
    assert "will not be shown again" in body["message"]
    webhook = body["webhook"]
    assert webhook["secret"].startswith("whsec_")
    assert webhook["events"] == ["certificate.created", "certificate.revoked"]
    listed = client.get("/api/v1/webhooks", headers=key.headers).json()
    assert listed["available_events"] == list(EVENT_TYPES)
    (item,) = listed["webhooks"]
    assert item["id"] == webhook["id"]
    assert item["is_active"] is True
    assert item["stats"] == {"success_count": 0, "failure_count": 0}
    assert "secret" not in item
    assert webhook["secret"] not in json.dumps(listed)


def test_events_default_to_certificate_created(client: TestClient, factory: Factory) -> None:
    assert create(client, factory.key())["events"] == ["certificate.created"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://hooks.example.com/x"}, "url"),
        ({"url": "ftp://hooks.example.com/x"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "https://user:pw@hooks.example.com/x"}, "url"),
        ({"url": "https://127.0.0.1/x"}, "url"),
        ({"url": "https://10.1.2.3/x"}, "url"),
        ({"url": "https://169.254.169.254/latest/meta-data"}, "url"),
        ({"url": "https://[::1]/x"}, "url"),
        ({"url": "https://100.64.0.1/x"}, "url"),
        ({"url": "https://[::ffff:192.168.0.1]/x"}, "url"),
        ({"url": "https://localhost/x"}, "url"),
        ({"url": "https://hooks example.com/x"}, "url"),
        ({"url": "https://.../x"}, "url"),
        ({"url": "https://hooks.example.com:99999/x"}, "url"),
        ({"url": URL, "events": ["certificate.exploded"]}, "events"),
        ({"url": URL, "events": []}, "events"),
        ({"url": URL, "events": "certificate.created"}, "events"),
        ({"url": URL, "colour": "red"}, "colour"),
        ({}, "url"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    client: TestClient, factory: Factory, body: dict[str, object], field: str
) -> None:
    key = factory.key()
    response = client.post("/api/v1/webhooks", json=body, headers=key.headers)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["code"] == "bad_request"
    assert error["field"] == field
    assert client.get("/api/v1/webhooks", headers=key.headers).json()["webhooks"] == []


def test_scopes_and_key_kinds(client: TestClient, factory: Factory) -> None:
    account = factory.account()
    reader = factory.key(account, scopes="webhooks:read")
    response = client.post("/api/v1/webhooks", json={"url": URL}, headers=reader.headers)
    assert response.status_code == 403
    assert response.json()["required_scope"] == "webhooks:manage"
    assert client.get("/api/v1/webhooks", headers=reader.headers).status_code == 200
    publishable = factory.key(account, kind="publishable")
    assert client.get("/api/v1/webhooks", headers=publishable.headers).status_code == 403
    assert client.get("/api/v1/webhooks").status_code == 401


def test_test_mode_keys_see_only_test_mode_webhooks(client: TestClient, factory: Factory) -> None:
    account = factory.account()
    live, test = factory.key(account), factory.key(account, mode="test")
    webhook = create(client, test)
    assert str(webhook["id"]).startswith("wh_test_")
    assert client.get("/api/v1/webhooks", headers=live.headers).json()["webhooks"] == []
    response = client.patch(
        "/api/v1/webhooks",
        params={"id": webhook["id"]},
        json={"is_active": False},
        headers=live.headers,
    )
    assert response.status_code == 404
    other = factory.key()
    response = client.delete(
        "/api/v1/webhooks", params={"id": webhook["id"]}, headers=other.headers
    )
    assert response.status_code == 404


def test_patch_rotates_the_secret_and_changes_fields(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    webhook = create(client, key)
    response = client.patch(
        "/api/v1/webhooks",
        params={"id": webhook["id"]},
        json={
            "rotate_secret": True,
            "url": "https://other.example.com/in",
            "events": ["certificate.revoked"],
            "is_active": False,
        },
        headers=key.headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["updated_fields"] == ["url", "events", "rotate_secret", "is_active"]
    assert body["new_secret"].startswith("whsec_")
    assert body["new_secret"] != webhook["secret"]
    assert "warning" in body
    (item,) = client.get("/api/v1/webhooks", headers=key.headers).json()["webhooks"]
    assert item["url"] == "https://other.example.com/in"
    assert item["events"] == ["certificate.revoked"]
    assert item["is_active"] is False


def test_a_patch_with_one_bad_field_changes_nothing(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    webhook = create(client, key)
    for body, field in [
        ({"is_active": False, "url": "https://10.0.0.1/x"}, "url"),
        ({"is_active": False, "events": ["nope"]}, "events"),
        ({}, "body"),
        ({"is_active": "maybe"}, "is_active"),
    ]:
        response = client.patch(
            "/api/v1/webhooks", params={"id": webhook["id"]}, json=body, headers=key.headers
        )
        assert response.status_code == 400, response.text
        assert response.json()["field"] == field
    (item,) = client.get("/api/v1/webhooks", headers=key.headers).json()["webhooks"]
    assert item["is_active"] is True
    assert item["url"] == URL
    response = client.patch("/api/v1/webhooks", json={"is_active": True}, headers=key.headers)
    assert response.status_code == 400
    assert response.json()["field"] == "id"


def test_delete(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    webhook = create(client, key)
    factory.certificate(key)  # queues a delivery, deleted with the webhook
    response = client.delete("/api/v1/webhooks", params={"id": webhook["id"]}, headers=key.headers)
    assert response.json() == {"success": True, "message": "Webhook deleted"}
    assert client.get("/api/v1/webhooks", headers=key.headers).json()["webhooks"] == []
    response = client.delete("/api/v1/webhooks", params={"id": webhook["id"]}, headers=key.headers)
    assert response.status_code == 404


def test_deliveries_are_paged_newest_first_and_can_be_redelivered(
    client: TestClient, factory: Factory
) -> None:
    key = factory.key()
    webhook = create(client, key)
    certs = [factory.certificate(key) for _ in range(5)]
    path = f"/api/v1/webhooks/{webhook['id']}/deliveries"
    first = client.get(path, params={"limit": 3}, headers=key.headers).json()
    assert first["pagination"]["has_more"] is True
    cursor = first["pagination"]["next_cursor"]
    second = client.get(path, params={"limit": 3, "cursor": cursor}, headers=key.headers).json()
    assert second["pagination"] == {"limit": 3, "has_more": False, "next_cursor": None}
    deliveries = first["deliveries"] + second["deliveries"]
    assert len(deliveries) == len(certs)
    assert [d["id"] for d in deliveries] == sorted((d["id"] for d in deliveries), reverse=True)
    newest = deliveries[0]
    assert newest["event"] == "certificate.created"
    assert newest["status"] == "pending"
    assert newest["attempts"] == 0
    assert newest["next_attempt_at"] is not None
    response = client.post(f"{path}/{newest['id']}/redeliver", headers=key.headers)
    assert response.status_code == 202
    again = response.json()["delivery"]
    assert again["id"] != newest["id"]
    assert again["event_id"] == newest["event_id"]
    assert client.get(path, headers=key.headers).json()["deliveries"][0]["id"] == again["id"]
    assert client.get(path, params={"status": "gone"}, headers=key.headers).status_code == 400
    assert client.post(f"{path}/whd_nope/redeliver", headers=key.headers).status_code == 404


def test_a_test_event_is_delivered_signed_and_recorded(
    database: Database, factory: Factory, tmp_path: Path
) -> None:
    settings = make_settings(database, tmp_path, **{**FAST, "webhook_worker": "embedded"})
    key = factory.key()
    with Receiver() as receiver, TestClient(create_app(settings, database)) as client:
        response = client.post("/api/v1/webhooks", json={"url": receiver.url}, headers=key.headers)
        webhook = response.json()["webhook"]
        response = client.post(f"/api/v1/webhooks/{webhook['id']}/test", headers=key.headers)
        assert response.status_code == 202
        delivery_id = response.json()["delivery"]["id"]
        (received,) = receiver.wait_for(1)
        assert json.loads(received.body)["event"] == "webhook.test"
        assert received.headers["x-soundseal-delivery"] == delivery_id
        signature = received.headers["x-soundseal-signature"]
        assert verify_audiverify(received.body, signature, webhook["secret"])
        assert verify_official(received.headers, received.body, webhook["secret"])["event"] == (
            "webhook.test"
        )
        path = f"/api/v1/webhooks/{webhook['id']}/deliveries"

        def recorded() -> bool:  # the worker records the outcome just after the response
            return bool(
                client.get(path, headers=key.headers).json()["deliveries"][0]["status"] != "pending"
            )

        until(recorded)
        (row,) = client.get(path, headers=key.headers).json()["deliveries"]
        assert row["status"] == "succeeded"
        assert row["attempts"] == 1
        assert row["last_status_code"] == 200
        assert row["last_latency_ms"] >= 0
        stats = client.get("/api/v1/webhooks", headers=key.headers).json()["webhooks"][0]["stats"]
        assert stats == {"success_count": 1, "failure_count": 0}


def test_patch_takes_its_fields_as_query_parameters_as_the_partner_doc_shows(
    client: TestClient, factory: Factory
) -> None:
    key = factory.key()
    webhook = create(client, key)
    response = client.patch(
        "/api/v1/webhooks",
        params={"id": webhook["id"], "is_active": "false"},
        headers=key.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["updated_fields"] == ["is_active"]
    assert "new_secret" not in response.json()
    (item,) = client.get("/api/v1/webhooks", headers=key.headers).json()["webhooks"]
    assert item["is_active"] is False

    response = client.patch(
        "/api/v1/webhooks",
        params={"id": webhook["id"], "rotate_secret": "true", "is_active": "true"},
        headers=key.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["updated_fields"] == ["rotate_secret", "is_active"]
    assert body["new_secret"].startswith("whsec_")
    assert body["new_secret"] != webhook["secret"]

    response = client.patch(
        "/api/v1/webhooks",
        params=[
            ("id", str(webhook["id"])),
            ("url", "https://other.example.com/in"),
            ("events", "certificate.revoked,claim.filed"),
            ("events", "certificate.created"),
        ],
        headers=key.headers,
    )
    assert response.status_code == 200, response.text
    (item,) = client.get("/api/v1/webhooks", headers=key.headers).json()["webhooks"]
    assert item["url"] == "https://other.example.com/in"
    assert sorted(item["events"]) == ["certificate.created", "certificate.revoked", "claim.filed"]
    assert item["is_active"] is True


def test_patch_refuses_query_and_body_together_and_bad_query_values(
    client: TestClient, factory: Factory
) -> None:
    key = factory.key()
    webhook = create(client, key)
    for params, body, field in [
        ({"is_active": "false"}, {"is_active": True}, "is_active"),
        ({"rotate_secret": "true"}, {"url": "https://other.example.com/in"}, "rotate_secret"),
        ({"is_active": "maybe"}, None, "is_active"),
        ({"rotate_secret": "2"}, None, "rotate_secret"),
        ({"url": "https://10.0.0.1/x"}, None, "url"),
        ({"events": "nope"}, None, "events"),
    ]:
        response = client.patch(
            "/api/v1/webhooks",
            params={"id": webhook["id"], **params},
            json=body,
            headers=key.headers,
        )
        assert response.status_code == 400, (params, body, response.text)
        error = response.json()
        assert (error["code"], error["field"]) == ("bad_request", field), error
        assert error["request_id"]
    (item,) = client.get("/api/v1/webhooks", headers=key.headers).json()["webhooks"]
    assert item["is_active"] is True
    assert item["url"] == URL
    response = client.patch("/api/v1/webhooks", params={"id": webhook["id"]}, headers=key.headers)
    assert (response.status_code, response.json()["field"]) == (400, "body")


def test_the_openapi_shows_patch_query_parameters_and_body(client: TestClient) -> None:
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/webhooks"]["patch"]
    names = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
    assert {"id", "rotate_secret", "is_active", "url", "events"} <= names
    assert operation["requestBody"].get("required", False) is False
    assert "WebhookUpdate" in str(operation["requestBody"])
