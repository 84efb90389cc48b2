from __future__ import annotations

import json
import re

from starlette.testclient import TestClient

from tests.factories import Factory


def _json_ld(page: str) -> dict[str, object]:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


def test_the_proof_page_shows_the_certificate(client: TestClient, factory: Factory) -> None:
    cert = factory.certificate(
        track_title="Crystal Rain",
        artist_name="Sasa",
        isrc="GBEMI7612345",
        declaration_text="Recorded live at home",
        ai_disclosure={"involvement": "assisted", "tools": ["Mastering Bot"]},
    )
    response = client.get(f"/cert/{cert.id}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for text in (
        "Crystal Rain",
        "Sasa",
        "GB-EMI-76-12345",
        cert.certificate_number,
        cert.sha256,
        "Recorded live at home",
        "Made with AI assistance (tools: Mastering Bot)",
        "Active certificate",
        "Not on file: only the exact file",
        "File a claim",
    ):
        assert text in page, text
    assert "Test-mode certificate" not in page


def test_the_page_carries_json_ld_and_open_graph(client: TestClient, factory: Factory) -> None:
    cert = factory.certificate(track_title="Night Drive", artist_name="Ola", isrc="GBEMI7600001")
    page = client.get(f"/cert/{cert.id}").text
    data = _json_ld(page)
    assert data["@type"] == "MusicRecording"
    assert data["name"] == "Night Drive"
    assert data["byArtist"] == {"@type": "MusicGroup", "name": "Ola"}
    assert data["isrcCode"] == "GB-EMI-76-00001"
    assert data["url"] == f"https://registry.test/cert/{cert.id}"
    assert data["creativeWorkStatus"] == "active"
    assert '<meta property="og:title" content="Night Drive by Ola">' in page
    assert f'<meta property="og:url" content="https://registry.test/cert/{cert.id}">' in page
    assert f'<link rel="canonical" href="https://registry.test/cert/{cert.id}">' in page


def test_a_revoked_certificate_shows_date_and_reason(client: TestClient, factory: Factory) -> None:
    cert = factory.revoke(factory.certificate(), reason="Uploaded by mistake")
    page = client.get(f"/cert/{cert.id}").text
    assert "Revoked" in page
    assert "Uploaded by mistake" in page
    assert cert.revoked_at is not None
    assert cert.revoked_at.strftime("%B %Y") in page
    assert _json_ld(page)["creativeWorkStatus"] == "revoked"


def test_verify_by_number_shows_the_same_page(client: TestClient, factory: Factory) -> None:
    cert = factory.certificate(track_title="By Number")
    for number in (cert.certificate_number, cert.certificate_number.lower()):
        response = client.get(f"/verify/{number}")
        assert response.status_code == 200
        assert "By Number" in response.text
        assert f'href="https://registry.test/cert/{cert.id}"' in response.text


def test_the_sandbox_certificate_has_a_proof_page(client: TestClient) -> None:
    page = client.get("/cert/cer_test_synthetic").text
    assert "Synthetic Sandbox Track" in page
    assert "Test-mode certificate" in page
    assert client.get("/verify/SS-2026-SYNTHET1").status_code == 200


def test_unknown_and_malformed_ids_get_a_404_page(client: TestClient) -> None:
    for path in (
        "/cert/cer_01KS9QWHV7PHETYGQAYMHB3DM6",
        "/cert/not-an-id",
        "/verify/SS-2026-ZZZZZZZZ",
        "/verify/%3Cscript%3E",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")
        assert "Certificate not found" in response.text
        assert "<script>" not in response.text


def test_other_unknown_pages_get_html_for_browsers_and_json_for_the_api(
    client: TestClient,
) -> None:
    page = client.get("/no/such/page", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert "Page not found" in page.text
    api = client.get("/api/v1/nothing-here", headers={"accept": "text/html"})
    assert api.status_code == 404
    assert api.json()["code"] == "not_found"
    plain = client.get("/no/such/page")
    assert plain.json()["code"] == "not_found"


def test_user_text_is_escaped_everywhere_on_the_page(client: TestClient, factory: Factory) -> None:
    attack = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'
    cert = factory.certificate(
        track_title=attack, artist_name=f"A {attack}", declaration_text=attack
    )
    page = client.get(f"/cert/{cert.id}").text
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    # The JSON-LD block holds the title too, with `<` escaped so it cannot close the script.
    assert _json_ld(page)["name"] == attack


def test_the_badge_is_an_svg_per_status(client: TestClient, factory: Factory) -> None:
    active = factory.certificate()
    revoked = factory.revoke(factory.certificate())
    response = client.get(f"/cert/{active.id}/badge.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["cache-control"] == "public, max-age=300"
    assert ">verified<" in response.text
    assert ">revoked<" in client.get(f"/cert/{revoked.id}/badge.svg").text
    missing = client.get("/cert/cer_01KS9QWHV7PHETYGQAYMHB3DM6/badge.svg")
    assert missing.status_code == 404
    assert ">not found<" in missing.text
