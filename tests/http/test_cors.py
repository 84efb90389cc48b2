"""CORS: operations a publishable key may call are open to browsers on any origin, without
credentials; operations that need a secret key send no CORS headers at all."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.testclient import TestClient

from soundseal.http.edge import route_policy
from tests.factories import Factory

ORIGIN = {"Origin": "https://shop.example"}


def _preflight(client: TestClient, method: str, path: str) -> dict[str, str]:
    response = client.options(
        path,
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    return {k.lower(): v for k, v in response.headers.items()} | {
        "status": str(response.status_code)
    }


def test_reads_a_publishable_key_may_make_answer_preflights(client: TestClient) -> None:
    for method, path in (
        ("GET", "/api/v1/certificates/cer_test_synthetic/status"),
        ("GET", "/api/v1/certificates/cer_test_synthetic"),
        ("GET", "/api/v1/verify"),
        ("POST", "/api/v1/verify"),
        ("GET", "/api/v1/certificates/changes"),
    ):
        headers = _preflight(client, method, path)
        assert headers["status"] == "204", (method, path)
        assert headers["access-control-allow-origin"] == "*"
        assert headers["access-control-allow-methods"] == method
        allowed = {h.strip().lower() for h in headers["access-control-allow-headers"].split(",")}
        assert allowed == {"authorization", "x-api-key", "content-type"}
        assert "access-control-allow-credentials" not in headers


def test_secret_key_operations_refuse_preflights(client: TestClient) -> None:
    for method, path in (
        ("GET", "/api/v1/credits"),
        ("POST", "/api/v1/certificates"),
        ("POST", "/api/v1/webhooks"),
        ("GET", "/api/v1/claims"),
        ("POST", "/api/v1/identify"),
        ("GET", "/api/v1/certificates/cer_x/versions"),
    ):
        headers = _preflight(client, method, path)
        assert "access-control-allow-origin" not in headers, (method, path)
        assert headers["status"] != "204"


def test_answers_to_open_reads_carry_cors_headers_errors_included(
    client: TestClient, factory: Factory
) -> None:
    publishable = factory.key(kind="publishable")
    for headers, status in (({}, 200), (publishable.headers, 200), ({"X-API-Key": "bad"}, 401)):
        response = client.get(
            "/api/v1/certificates/cer_test_synthetic/status", headers={**ORIGIN, **headers}
        )
        assert response.status_code == status
        assert response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers
        exposed = {h.strip() for h in response.headers["access-control-expose-headers"].split(",")}
        assert {"X-Request-Id", "X-RateLimit-Remaining", "Retry-After"} <= exposed


def test_answers_to_secret_key_operations_carry_none(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    for response in (
        client.get("/api/v1/credits", headers={**ORIGIN, **key.headers}),
        client.post("/api/v1/certificates", json={}, headers={**ORIGIN, **key.headers}),
        client.get("/api/v1/webhooks", headers=ORIGIN),
    ):
        assert not any(h.startswith("access-control-") for h in response.headers)


def test_the_open_operations_are_those_a_publishable_key_can_call(app: FastAPI) -> None:
    """Derived from the scopes, so a new endpoint is right by construction: this lists
    the outcome, to notice when it changes."""
    routes = []
    stack = list(app.router.routes)
    while stack:
        route = stack.pop(0)
        inner = getattr(route, "original_router", None)
        if inner is not None:
            stack[0:0] = inner.routes
        else:
            routes.append(route)
    open_operations = {
        (method, route.path)
        for route in routes
        if route_policy(route).cors
        for method in getattr(route, "methods", None) or ()
        if method != "HEAD"
    }
    assert open_operations == {
        ("GET", "/api/v1/certificates/{certificate_id}/status"),
        ("GET", "/api/v1/verify"),
        ("POST", "/api/v1/verify"),
        ("GET", "/api/v1/certificates/changes"),
        ("GET", "/api/v1/certificates"),
        ("GET", "/api/v1/certificates/{id_or_number}"),
        ("GET", "/api/v1/certificates/{certificate_id}/contributors"),
        ("GET", "/api/v1/certificates/{certificate_id}/signed"),
        # The transparency logs and the signing keys: public, for any page to check.
        ("GET", "/.well-known/jwks.json"),
        ("GET", "/log/{mode}/checkpoint"),
        ("GET", "/log/{mode}/checkpoint/witnessed"),
        ("GET", "/log/{mode}/revocations"),
        ("GET", "/log/{mode}/tile/{tile_path:path}"),
        ("GET", "/api/v1/log/{mode}"),
        ("GET", "/api/v1/log/{mode}/inclusion"),
        ("GET", "/api/v1/log/{mode}/consistency"),
    }
