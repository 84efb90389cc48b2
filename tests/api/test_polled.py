"""The polled operations (status, GET verify): documented and refused like every other."""

from __future__ import annotations

import pytest
from fastapi import Request
from starlette.responses import Response
from starlette.testclient import TestClient

from soundseal.api.polled import PolledRoute
from tests.factories import Factory


def test_a_bad_query_value_is_a_400_naming_the_field(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    status = client.get(
        f"/api/v1/certificates/{cert.id}/status?no_cache=maybe", headers=key.headers
    )
    assert status.status_code == 400
    assert status.json()["code"] == "bad_request"
    assert status.json()["field"] == "no_cache"
    verify = client.get("/api/v1/verify?sha256=" + "a" * 65, headers=key.headers)
    assert verify.status_code == 400
    assert verify.json()["field"] == "sha256"


def test_no_query_gives_the_defaults_and_unknown_parameters_are_ignored(
    client: TestClient, factory: Factory
) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    plain = client.get(f"/api/v1/certificates/{cert.id}/status", headers=key.headers)
    extra = client.get(f"/api/v1/certificates/{cert.id}/status?page=2", headers=key.headers)
    assert plain.headers["cache-control"].startswith("private, max-age=")
    assert extra.headers["cache-control"] == plain.headers["cache-control"]
    assert plain.json() == extra.json()


def test_the_document_lists_the_parameters_of_the_query_model(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    status = spec["paths"]["/api/v1/certificates/{certificate_id}/status"]["get"]
    assert {(p["name"], p["in"]) for p in status["parameters"]} == {
        ("certificate_id", "path"),
        ("no_cache", "query"),
    }
    verify = spec["paths"]["/api/v1/verify"]["get"]
    limits = {p["name"]: p["schema"] for p in verify["parameters"]}
    assert set(limits) == {"certificate_number", "sha256", "isrc"}
    assert max(s["maxLength"] for s in limits["sha256"]["anyOf"] if "maxLength" in s) == 64
    assert verify["x-required-scope"] == "verify:read"


def test_a_polled_endpoint_may_take_only_the_request() -> None:
    async def takes_more(request: Request, page: int = 1) -> Response:
        return Response()

    with pytest.raises(TypeError, match="only the request"):
        PolledRoute("/x", takes_more, methods=["GET"])
