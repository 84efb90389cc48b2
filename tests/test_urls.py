"""Every public address of a certificate comes from `soundseal.urls`, and the pages the
addresses name are the ones the registry serves."""

from __future__ import annotations

from starlette.testclient import TestClient

from soundseal import urls
from tests.factories import BASE_URL, Factory


def test_addresses_are_the_public_url_and_the_path() -> None:
    assert urls.proof_url(BASE_URL, "cer_X") == f"{BASE_URL}/cert/cer_X"
    assert urls.verify_url(BASE_URL, "SS-2026-ABCDEFGH") == f"{BASE_URL}/verify/SS-2026-ABCDEFGH"
    assert urls.badge_url(BASE_URL, "cer_X") == f"{BASE_URL}/cert/cer_X/badge.svg"
    assert urls.acknowledgement_url(BASE_URL, "tok") == f"{BASE_URL}/contributors/ack/tok"


def test_the_api_hands_out_addresses_the_registry_serves(
    client: TestClient, factory: Factory
) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    view = client.get(f"/api/v1/certificates/{cert.id}", headers=key.headers).json()
    assert view["proof_url"] == urls.proof_url(BASE_URL, cert.id)
    assert view["verification_url"] == urls.verify_url(BASE_URL, cert.certificate_number)
    for url in (view["proof_url"], view["verification_url"]):
        page = client.get(url.removeprefix(BASE_URL))
        assert page.status_code == 200
        assert cert.certificate_number in page.text
    assert client.get(urls.badge_path(cert.id)).status_code == 200
