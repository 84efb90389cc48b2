"""The one error shape: every failure, whatever produced it, reads the same."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from tests.conftest import LiveServer
from tests.factories import Factory, sha256_of


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["error"], str)
    assert body["error"]
    assert body["request_id"] == response.headers["x-request-id"]
    assert body["request_id"].startswith("req_")
    return dict(body)


def test_unknown_route_is_not_found(client: TestClient) -> None:
    body = assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert "/api/v1/nothing-here" in str(body["error"])


def test_wrong_method_is_method_not_allowed(client: TestClient) -> None:
    assert_error(client.delete("/api/v1/verify"), 405, "method_not_allowed")


def test_missing_fields_are_named(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    response = client.post("/api/v1/certificates", json={"track_title": "x"}, headers=key.headers)
    body = assert_error(response, 400, "bad_request")
    assert body["error"] == "Missing required fields: artist_name, sha256_fingerprint"
    assert body["field"] == "artist_name"


def test_invalid_field_is_named(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    response = client.post(
        "/api/v1/certificates",
        json={
            "track_title": "x",
            "artist_name": "y",
            "sha256_fingerprint": "z" * 64,
            "isrc": "nope",
        },
        headers=key.headers,
    )
    body = assert_error(response, 400, "bad_request")
    assert body["field"] == "sha256_fingerprint"


def test_unknown_field_is_refused(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    response = client.post(
        "/api/v1/certificates",
        json={
            "track_title": "x",
            "artist_name": "y",
            "sha256_fingerprint": sha256_of("a"),
            "colour": "red",
        },
        headers=key.headers,
    )
    body = assert_error(response, 400, "bad_request")
    assert body["field"] == "colour"


def test_malformed_json_is_a_bad_request(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    response = client.post(
        "/api/v1/certificates",
        content=b'{"track_title": ',
        headers={**key.headers, "Content-Type": "application/json"},
    )
    body = assert_error(response, 400, "bad_request")
    assert body["error"] == "Request body is not valid JSON"


def test_a_json_array_body_is_a_bad_request(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    response = client.post("/api/v1/certificates", json=[1, 2], headers=key.headers)
    assert_error(response, 400, "bad_request")


def test_bad_query_parameter_is_named(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    body = assert_error(
        client.get("/api/v1/certificates?limit=1000", headers=key.headers), 400, "bad_request"
    )
    assert body["field"] == "limit"


def test_oversized_json_body_is_413(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    big = json.dumps({"track_title": "x" * (1024 * 1024 + 10)})
    response = client.post(
        "/api/v1/certificates",
        content=big,
        headers={**key.headers, "Content-Type": "application/json"},
    )
    assert_error(response, 413, "payload_too_large")


def test_oversized_chunked_body_is_413_over_real_http(
    live_server: LiveServer, factory: Factory
) -> None:
    key = factory.key()

    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"track_title": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}'

    response = httpx.post(
        f"{live_server.url}/api/v1/certificates",
        content=chunks(),
        headers={**key.headers, "Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "payload_too_large")


def test_unexpected_exception_is_500_without_trace(app: FastAPI) -> None:
    @app.get("/api/v1/_boom")
    def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    with TestClient(app, raise_server_exceptions=False) as client:
        body = assert_error(client.get("/api/v1/_boom"), 500, "internal_error")
    assert "hunter2" not in json.dumps(body)
    assert "Traceback" not in json.dumps(body)


def test_well_formed_request_id_is_echoed(client: TestClient) -> None:
    response = client.get("/api/v1/nothing", headers={"X-Request-Id": "trace-42.a_b"})
    assert response.headers["x-request-id"] == "trace-42.a_b"
    assert response.json()["request_id"] == "trace-42.a_b"


@pytest.mark.parametrize("bad", ["has space", "x" * 200, "<script>"])
def test_malformed_request_id_is_replaced(client: TestClient, bad: str) -> None:
    response = client.get("/api/v1/certificates/cer_test_synthetic", headers={"X-Request-Id": bad})
    assert response.status_code == 200
    assert response.headers["x-request-id"].startswith("req_")


def test_success_responses_carry_a_request_id_and_server_timing(client: TestClient) -> None:
    response = client.get("/api/v1/certificates/cer_test_synthetic")
    assert response.headers["x-request-id"].startswith("req_")
    name, _, duration = response.headers["server-timing"].partition(";dur=")
    assert name == "app"
    assert float(duration) > 0
