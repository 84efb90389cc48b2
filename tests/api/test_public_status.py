from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from soundseal.app import create_app
from soundseal.db import Database
from tests.conftest import make_settings
from tests.factories import Factory

UNKNOWN = "cer_01KS9QWHV7PHETYGQAYMHB3DM6"


def test_statuses_of_known_ids_only(client: TestClient, factory: Factory) -> None:
    active = factory.certificate()
    revoked = factory.revoke(factory.certificate())
    test_mode = factory.certificate(factory.key(mode="test"))
    ids = ",".join([active.id, revoked.id, UNKNOWN, test_mode.id, "cer_test_synthetic"])
    response = client.get(f"/api/v1/public/status?ids={ids}")
    assert response.status_code == 200
    assert response.json() == {
        "data": sorted(
            [
                {"id": active.id, "status": "active"},
                {"id": revoked.id, "status": "revoked"},
                {"id": test_mode.id, "status": "active"},
                {"id": "cer_test_synthetic", "status": "active"},
            ],
            key=lambda item: item["id"],
        )
    }


def test_it_is_public_cacheable_and_open_to_any_origin(client: TestClient) -> None:
    response = client.get(
        "/api/v1/public/status?ids=cer_test_synthetic", headers={"origin": "https://shop.example"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    assert response.headers["cache-control"] == "public, max-age=300"
    assert "set-cookie" not in response.headers
    assert set(response.json()["data"][0]) == {"id", "status"}


def test_ids_are_validated(client: TestClient) -> None:
    for query, message in (
        ("", "ids must list"),
        ("ids=", "ids must list"),
        ("ids=cer_test_synthetic,<script>", "is not a certificate ID"),
        ("ids=" + ",".join([UNKNOWN] * 101), "At most 100"),
    ):
        response = client.get(f"/api/v1/public/status?{query}")
        assert response.status_code == 400, query
        assert response.json()["field"] == "ids"
        assert message in response.json()["error"]
        assert response.headers["access-control-allow-origin"] == "*"
    assert client.get("/api/v1/public/status?ids=" + ",".join([UNKNOWN] * 100)).status_code == 200


def test_it_is_rate_limited_per_ip(database: Database, tmp_path: Path) -> None:
    app = create_app(make_settings(database, tmp_path, rate_limit_public_status=3), database)
    with TestClient(app) as client:
        codes = [
            client.get("/api/v1/public/status?ids=cer_test_synthetic").status_code for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        limited = client.get("/api/v1/public/status?ids=cer_test_synthetic")
        assert limited.json()["code"] == "rate_limited"
        assert "retry-after" in limited.headers
        assert limited.headers["access-control-allow-origin"] == "*"


def test_it_is_in_the_openapi_spec(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/public/status" in paths
    assert not any(p.startswith(("/cert/", "/dashboard")) for p in paths)
