"""The OpenAPI description covers every endpoint, its auth and its errors."""

from __future__ import annotations

from starlette.testclient import TestClient


def test_openapi_31_describes_every_route(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert {"bearer", "apiKey"} <= set(spec["components"]["securitySchemes"])
    paths = spec["paths"]
    for path in (
        "/api/v1/certificates",
        "/api/v1/certificates/{id_or_number}",
        "/api/v1/certificates/{certificate_id}/status",
        "/api/v1/certificates/{certificate_id}/revoke",
        "/api/v1/certificates/changes",
        "/api/v1/verify",
    ):
        assert path in paths, path
    for path, operations in paths.items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "401" in responses or "400" in responses, f"{method} {path}"
            assert "429" in responses, f"{method} {path}"
            assert operation["x-required-scope"], f"{method} {path}"


def test_interactive_docs_page(client: TestClient) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert "openapi.json" in response.text


def test_scopes_in_the_spec_are_the_ones_enforced(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["paths"]["/api/v1/certificates"]["post"]["x-required-scope"] == (
        "certificates:write"
    )
    assert spec["paths"]["/api/v1/verify"]["get"]["x-required-scope"] == "verify:read"
    changes = spec["paths"]["/api/v1/certificates/changes"]["get"]
    assert changes["x-required-scope"] == "any valid key"
