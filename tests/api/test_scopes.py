"""The scope matrix: every endpoint refuses keys that lack its scope, every write refuses
publishable keys, and unknown or revoked keys are 401 everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from soundseal.db import Database
from soundseal.registry.keys.scopes import ALL_SCOPES
from soundseal.registry.keys.services import revoke_key
from tests.factories import Factory, Key, sha256_of


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    scope: str | None  # None: any valid key
    write: bool = False
    body: dict[str, Any] | None = None


ENDPOINTS = [
    Endpoint("GET", "/api/v1/certificates", "certificates:read"),
    Endpoint(
        "POST",
        "/api/v1/certificates",
        "certificates:write",
        True,
        {"track_title": "t", "artist_name": "a", "sha256_fingerprint": sha256_of("m")},
    ),
    Endpoint("GET", "/api/v1/certificates/{cert}", "certificates:read"),
    Endpoint("GET", "/api/v1/certificates/{cert}/status", "certificates:read"),
    Endpoint("GET", "/api/v1/certificates/{cert}/versions", "certificates:read"),
    Endpoint(
        "POST", "/api/v1/certificates/{cert}/revoke", "certificates:write", True, {"reason": "r"}
    ),
    Endpoint("GET", "/api/v1/certificates/changes", None),
    Endpoint("GET", "/api/v1/verify?sha256=" + sha256_of("q"), "verify:read"),
    Endpoint("POST", "/api/v1/verify", "verify:read", False, {"sha256": sha256_of("q")}),
]
IDS = [f"{e.method} {e.path.split('?')[0]}" for e in ENDPOINTS]


def call(client: TestClient, endpoint: Endpoint, cert_id: str, key: Key | None) -> Any:
    headers = key.headers if key else {}
    return client.request(
        endpoint.method, endpoint.path.format(cert=cert_id), json=endpoint.body, headers=headers
    )


@pytest.mark.parametrize(
    "endpoint",
    [e for e in ENDPOINTS if e.scope],
    ids=lambda e: f"{e.method} {e.path.split('?')[0]}",
)
def test_a_key_without_the_scope_is_forbidden(
    client: TestClient, factory: Factory, endpoint: Endpoint
) -> None:
    owner = factory.key()
    cert = factory.certificate(owner)
    others = [s for s in ALL_SCOPES if s != endpoint.scope]
    lacking = factory.key(owner.account_id, scopes=others)
    response = call(client, endpoint, cert.id, lacking)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "forbidden"
    assert response.json()["required_scope"] == endpoint.scope


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_the_scope_alone_is_enough(
    client: TestClient, factory: Factory, endpoint: Endpoint
) -> None:
    owner = factory.key()
    cert = factory.certificate(owner)
    scopes = [endpoint.scope] if endpoint.scope else ["billing:read"]
    only = factory.key(owner.account_id, scopes=scopes)
    response = call(client, endpoint, cert.id, only)
    assert response.status_code in (200, 201), response.text


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e.write], ids=lambda e: f"{e.method} {e.path}"
)
def test_publishable_keys_cannot_write(
    client: TestClient, factory: Factory, endpoint: Endpoint
) -> None:
    owner = factory.key()
    cert = factory.certificate(owner)
    publishable = factory.key(owner.account_id, kind="publishable", scopes=list(ALL_SCOPES))
    response = call(client, endpoint, cert.id, publishable)
    assert response.status_code == 403, response.text
    assert response.json()["required_scope"] == endpoint.scope


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_no_key_is_unauthorized(client: TestClient, factory: Factory, endpoint: Endpoint) -> None:
    cert = factory.certificate()
    response = call(client, endpoint, cert.id, None)
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "unauthorized"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_revoked_and_unknown_keys_are_unauthorized(
    client: TestClient, factory: Factory, database: Database, endpoint: Endpoint
) -> None:
    owner = factory.key()
    cert = factory.certificate(owner)
    with database.transaction() as session:
        revoke_key(session, owner.id)
    unknown = Key(id="key_x", key="ss_sk_live_" + "A" * 32, account_id="", mode="live")
    for key in (owner, unknown):
        response = call(client, endpoint, cert.id, key)
        assert response.status_code == 401, response.text
        assert response.json()["error"] == "Invalid or revoked API key"


def test_publishable_keys_are_read_only_whatever_was_asked(
    factory: Factory, client: TestClient
) -> None:
    publishable = factory.key(kind="publishable", scopes=list(ALL_SCOPES))
    response = client.get("/api/v1/certificates", headers=publishable.headers)
    assert response.status_code == 200
    response = client.post(
        "/api/v1/certificates",
        json={"track_title": "t", "artist_name": "a", "sha256_fingerprint": sha256_of("p")},
        headers=publishable.headers,
    )
    assert response.status_code == 403


def test_x_api_key_header_is_accepted(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    response = client.get("/api/v1/certificates", headers={"X-API-Key": key.key})
    assert response.status_code == 200


def test_a_non_bearer_authorization_header_is_refused(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    response = client.get("/api/v1/certificates", headers={"Authorization": f"Basic {key.key}"})
    assert response.status_code == 401
    assert "Bearer" in response.json()["error"]
