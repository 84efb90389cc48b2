"""The OpenAPI description covers every endpoint, its auth and its errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
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


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_every_reference_in_the_spec_resolves(client: TestClient) -> None:
    # The issuance body embedded a model schema whose `#/$defs/AiDisclosure` pointed nowhere,
    # so clients and fuzzers skipped `ai_disclosure`.
    spec = client.get("/api/v1/openapi.json").json()
    components = spec["components"]["schemas"]
    refs = set(_refs(spec))
    assert refs, "the spec uses references"
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in components, ref
    body = spec["paths"]["/api/v1/certificates"]["post"]["requestBody"]["content"]
    disclosure = body["application/json"]["schema"]["properties"]["ai_disclosure"]
    assert {"$ref": "#/components/schemas/AiDisclosure"} in disclosure["anyOf"]


def test_every_operation_documents_the_errors_it_can_give(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"400", "429"}
            if "{" in path:
                expected.add("404")
            if method in ("post", "put", "patch", "delete"):
                expected |= {"409", "422"}
            if method in ("post", "put", "patch"):
                expected.add("413")
            if not operation["x-required-scope"].startswith(("none", "Stripe")):
                expected |= {"401", "403"}
            assert expected <= set(responses), (method, path, expected - set(responses))
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == error_ref, (method, path, status)
    # Revoking someone else's (or no) certificate is 404, and was undocumented.
    assert (
        "404" in spec["paths"]["/api/v1/certificates/{certificate_id}/revoke"]["post"]["responses"]
    )
    # FastAPI's validation body is never sent: request validation answers 400 in ErrorBody.
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_filters_list_their_values_in_the_spec(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()

    def parameter(path: str, name: str) -> dict[str, Any]:
        params = spec["paths"][path]["get"]["parameters"]
        return next(p["schema"] for p in params if p["name"] == name)

    assert "revoked" in str(parameter("/api/v1/certificates", "status"))
    assert "expired" in str(parameter("/api/v1/claims", "status"))
    assert "dead" in str(parameter("/api/v1/webhooks/{webhook_id}/deliveries", "status"))
    assert "^cre_" in str(parameter("/api/v1/credits", "starting_after"))


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/v1/webhooks", {"GET", "POST", "PATCH", "DELETE"}),
        ("/api/v1/verify", {"GET", "POST"}),
        ("/api/v1/billing/checkout", {"GET", "POST"}),
        ("/api/v1/certificates/cer_x/contributors", {"GET", "POST"}),
    ],
)
def test_a_405_lists_every_method_the_path_serves(
    client: TestClient, path: str, allowed: set[str]
) -> None:
    # Starlette named only the first matching route's methods (or none at all), though
    # these paths are served by several routes.
    response = client.request("PUT", path)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert "PUT" not in response.headers["Allow"]
