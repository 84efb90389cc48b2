from __future__ import annotations

from starlette.testclient import TestClient

from soundseal.web.security import PAGE_CSP


def test_every_response_carries_a_csp(client: TestClient) -> None:
    for path in (
        "/",
        "/login",
        "/cert/cer_test_synthetic",
        "/cert/nope",
        "/api/v1/certificates",
        "/api/v1/public/status?ids=cer_test_synthetic",
        "/static/site.css",
    ):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp, path
        assert "'unsafe-inline'" not in csp, path
        assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/").headers["content-security-policy"] == PAGE_CSP


def test_https_deployments_get_hsts(client: TestClient) -> None:
    # The test settings' public URL is https.
    assert client.get("/").headers["strict-transport-security"].startswith("max-age=")


def test_the_api_docs_page_may_load_its_bundle(client: TestClient) -> None:
    csp = client.get("/api/v1/docs").headers["content-security-policy"]
    assert "https://cdn.jsdelivr.net" in csp
    assert "frame-ancestors 'none'" in csp


def test_pages_use_no_inline_script_or_style(client: TestClient) -> None:
    import re

    page = client.get("/cert/cer_test_synthetic").text + client.get("/signup").text
    assert " style=" not in page
    scripts = re.findall(r"<script([^>]*)>", page)
    assert all('type="application/ld+json"' in s or "src=" in s for s in scripts)
