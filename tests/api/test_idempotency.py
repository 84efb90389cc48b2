"""Idempotency-Key: replays, refusals, and exactly one resource under concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from starlette.testclient import TestClient

from tests.conftest import LiveServer
from tests.factories import Factory, sha256_of


def body(n: str) -> dict[str, str]:
    return {"track_title": "T", "artist_name": "A", "sha256_fingerprint": sha256_of(n)}


def test_same_key_and_body_replays_the_first_response(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    headers = {**key.headers, "Idempotency-Key": "create-1"}
    first = client.post("/api/v1/certificates", json=body("i1"), headers=headers)
    second = client.post("/api/v1/certificates", json=body("i1"), headers=headers)
    assert first.status_code == second.status_code == 201
    assert "idempotency-replayed" not in first.headers
    assert second.headers["idempotency-replayed"] == "true"
    assert second.json() == first.json()
    assert second.headers["x-request-id"] != first.headers["x-request-id"]
    total = client.get("/api/v1/certificates", headers=key.headers).json()["pagination"]["total"]
    assert total == 1


def test_same_key_with_another_body_is_refused(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    headers = {**key.headers, "Idempotency-Key": "create-2"}
    assert client.post("/api/v1/certificates", json=body("i2"), headers=headers).status_code == 201
    response = client.post("/api/v1/certificates", json=body("other"), headers=headers)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert (
        client.get("/api/v1/certificates", headers=key.headers).json()["pagination"]["total"] == 1
    )


def test_keys_are_scoped_to_the_account(client: TestClient, factory: Factory) -> None:
    first, second = factory.key(), factory.key()
    a = client.post(
        "/api/v1/certificates",
        json=body("i3"),
        headers={**first.headers, "Idempotency-Key": "shared"},
    )
    b = client.post(
        "/api/v1/certificates",
        json=body("i4"),
        headers={**second.headers, "Idempotency-Key": "shared"},
    )
    assert a.status_code == b.status_code == 201
    assert a.json()["certificate"]["id"] != b.json()["certificate"]["id"]


def test_client_errors_are_replayed_too(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    headers = {**key.headers, "Idempotency-Key": "bad-1"}
    bad = {"track_title": "T", "artist_name": "A", "sha256_fingerprint": "x"}
    first = client.post("/api/v1/certificates", json=bad, headers=headers)
    again = client.post("/api/v1/certificates", json=bad, headers=headers)
    assert first.status_code == again.status_code == 400
    assert again.headers["idempotency-replayed"] == "true"


def test_a_malformed_idempotency_key_is_refused(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    response = client.post(
        "/api/v1/certificates",
        json=body("i5"),
        headers={**key.headers, "Idempotency-Key": "x" * 300},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "Idempotency-Key"


def test_without_a_valid_key_the_request_is_refused_not_recorded(client: TestClient) -> None:
    response = client.post(
        "/api/v1/certificates",
        json=body("i6"),
        headers={"Idempotency-Key": "k", "Authorization": "Bearer ss_sk_live_nope"},
    )
    assert response.status_code == 401


def test_concurrent_requests_with_one_key_create_exactly_one(
    live_server: LiveServer, factory: Factory
) -> None:
    key = factory.key()
    headers = {**key.headers, "Idempotency-Key": "race-1"}

    def post(_: int) -> httpx.Response:
        return httpx.post(
            f"{live_server.url}/api/v1/certificates", json=body("race"), headers=headers, timeout=30
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(post, range(8)))
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert len({r.json()["certificate"]["id"] for r in responses}) == 1
    assert sum(1 for r in responses if "idempotency-replayed" not in r.headers) == 1
    listed = httpx.get(f"{live_server.url}/api/v1/certificates", headers=key.headers).json()
    assert listed["pagination"]["total"] == 1
