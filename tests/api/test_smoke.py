from starlette.testclient import TestClient

from tests.factories import Factory, sha256_of


def test_a_secret_key_issues_a_certificate_that_reads_back(
    client: TestClient, factory: Factory
) -> None:
    key = factory.key()
    created = client.post(
        "/api/v1/certificates",
        json={
            "track_title": "Crystal Rain",
            "artist_name": "Sasa",
            "sha256_fingerprint": sha256_of("x"),
        },
        headers=key.headers,
    )
    assert created.status_code == 201, created.text
    cert = created.json()["certificate"]
    assert cert["id"].startswith("cer_")
    assert not cert["id"].startswith("cer_test_")
    read = client.get(f"/api/v1/certificates/{cert['certificate_number']}", headers=key.headers)
    assert read.status_code == 200
    assert read.json()["id"] == cert["id"]
