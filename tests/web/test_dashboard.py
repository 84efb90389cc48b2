from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from soundseal.db import Database
from soundseal.registry.certificates.services import list_versions
from tests.factories import Factory, WebLogin, sha256_of
from tests.web.conftest import BASE_URL, Browser, csrf_of

SignedIn = tuple[Browser, WebLogin]


def _issue(browser: Browser, **fields: str) -> str:
    data = {"track_title": "Blue Hour", "artist_name": "Noa", "sha256": sha256_of("blue"), **fields}
    response = browser.submit("/dashboard/certificates", "/dashboard/certificates", data)
    assert response.status_code == 303, response.text
    return response.headers["location"].split("/")[-1].split("?")[0]


def test_pages_need_a_log_in(browser: Browser) -> None:
    for path in (
        "/dashboard/certificates",
        "/dashboard/keys",
        "/dashboard/usage",
        "/dashboard/billing",
        "/account/password",
    ):
        response = browser.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


def test_issue_a_certificate_by_sha256_and_see_it_audited(
    signed_in: SignedIn, database: Database, client: TestClient
) -> None:
    browser, login = signed_in
    cert_id = _issue(
        browser, isrc="gb-emi-76-12345", ai_involvement="assisted", ai_tools="Mixer A, Mixer B"
    )
    assert cert_id.startswith("cer_")
    assert not cert_id.startswith("cer_test_")
    page = browser.get(f"/dashboard/certificates/{cert_id}?done=created")
    assert "Certificate issued." in page.text
    assert "GB-EMI-76-12345" in page.text
    assert "Made with AI assistance (tools: Mixer A, Mixer B)" in page.text
    assert f"data-soundseal-cert=&#34;{cert_id}&#34;" in page.text  # the snippet, escaped
    assert "/static/embed-widget.js" in page.text
    assert "/embed.js" in page.text
    with database.transaction(write=False) as session:
        versions = list_versions(session, cert_id)
    assert [(v.change, v.actor) for v in versions] == [("created", f"user:{login.user_id}")]
    assert "Blue Hour" in client.get(f"/cert/{cert_id}").text


def test_test_mode_certificates_are_kept_apart(signed_in: SignedIn) -> None:
    browser, _ = signed_in
    test_id = _issue(browser, mode="test", sha256=sha256_of("test"))
    assert test_id.startswith("cer_test_")
    live = browser.get("/dashboard/certificates").text
    test = browser.get("/dashboard/certificates?mode=test").text
    assert test_id not in live
    assert test_id in test


def test_bad_input_and_duplicates_are_explained(signed_in: SignedIn) -> None:
    browser, _ = signed_in
    bad = browser.submit(
        "/dashboard/certificates",
        "/dashboard/certificates",
        {"track_title": "X", "artist_name": "Y", "sha256": "abc"},
    )
    assert bad.status_code == 400
    assert "64 hexadecimal characters" in bad.text
    assert 'value="X"' in bad.text  # the form keeps what was typed
    _issue(browser)
    duplicate = browser.submit(
        "/dashboard/certificates",
        "/dashboard/certificates",
        {"track_title": "Again", "artist_name": "Noa", "sha256": sha256_of("blue")},
    )
    assert duplicate.status_code == 409
    assert "already exists" in duplicate.text


def test_search_by_title_artist_number_and_isrc(signed_in: SignedIn, factory: Factory) -> None:
    browser, login = signed_in
    key = login.key()
    first = factory.certificate(
        key, track_title="Morning Tide", artist_name="Lune", isrc="GBEMI7600042"
    )
    second = factory.certificate(key, track_title="Evening 100%_Sun", artist_name="Sol")
    factory.revoke(second)

    def found(query: str) -> set[str]:
        page = browser.get(f"/dashboard/certificates?{query}").text
        return set(re.findall(r'/dashboard/certificates/(cer_\w+)"', page))

    assert found("q=tide") == {first.id}
    assert found("q=LUNE") == {first.id}
    assert found(f"q={first.certificate_number}") == {first.id}
    assert found("q=GB-EMI-76-00042") == {first.id}
    assert found("q=100%25_") == {second.id}
    assert found("status=revoked") == {second.id}
    assert found("") == {first.id, second.id}


def test_revoke_from_the_dashboard_is_audited(
    signed_in: SignedIn, database: Database, client: TestClient
) -> None:
    browser, login = signed_in
    cert_id = _issue(browser)
    page = f"/dashboard/certificates/{cert_id}"
    response = browser.submit(page, f"{page}/revoke", {"reason": "Wrong master uploaded"})
    assert response.status_code == 303
    assert "Certificate revoked." in browser.get(f"{page}?done=revoked").text
    again = browser.submit(page, f"{page}/revoke", {"reason": "twice"})
    assert again.status_code == 409
    with database.transaction(write=False) as session:
        versions = list_versions(session, cert_id)
    assert [(v.change, v.actor) for v in versions][-1] == ("revoked", f"user:{login.user_id}")
    assert "Wrong master uploaded" in client.get(f"/cert/{cert_id}").text


def test_a_page_never_shows_another_workspaces_data(signed_in: SignedIn, factory: Factory) -> None:
    browser, _ = signed_in
    other = factory.web_user()
    theirs = factory.certificate(other.key(), track_title="Not Yours")
    their_key = factory.key(other.account_id)
    assert "Not Yours" not in browser.get("/dashboard/certificates").text
    assert "Not Yours" not in browser.get("/dashboard/certificates?q=Not").text
    detail = browser.get(f"/dashboard/certificates/{theirs.id}")
    assert detail.status_code == 404
    assert "Not Yours" not in detail.text
    token_page = "/dashboard/keys"
    revoke = browser.submit(
        token_page, f"/dashboard/certificates/{theirs.id}/revoke", {"reason": "x"}
    )
    assert revoke.status_code == 404
    key_revoke = browser.submit(token_page, f"/dashboard/keys/{their_key.id}/revoke", {})
    assert key_revoke.status_code == 404
    assert their_key.id not in browser.get("/dashboard/keys").text


def test_mint_keys_shown_once_that_work_on_the_api(signed_in: SignedIn, client: TestClient) -> None:
    browser, _ = signed_in
    response = browser.submit(
        "/dashboard/keys?mode=test",
        "/dashboard/keys",
        {
            "mode": "test",
            "kind": "secret",
            "name": "catalogue sync",
            "scopes": ["certificates:read", "certificates:write"],
        },
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    secret = re.search(r'data-testid="new-key">(ss_sk_test_\w+)<', response.text)
    assert secret, response.text
    key = secret.group(1)
    listed = browser.get("/dashboard/keys?mode=test").text
    assert key not in listed
    assert "catalogue sync" in listed
    headers = {"Authorization": f"Bearer {key}"}
    created = client.post(
        "/api/v1/certificates",
        json={"track_title": "Via API", "artist_name": "K", "sha256_fingerprint": sha256_of("api")},
        headers=headers,
    )
    assert created.status_code == 201
    assert created.json()["certificate"]["id"].startswith("cer_test_")
    publishable = browser.submit("/dashboard/keys", "/dashboard/keys", {"kind": "publishable"})
    assert re.search(r"ss_pk_live_\w+", publishable.text)
    no_scopes = browser.submit("/dashboard/keys", "/dashboard/keys", {"kind": "secret"})
    assert no_scopes.status_code == 400
    assert "At least one scope" in no_scopes.text


def test_revoke_a_key(signed_in: SignedIn, client: TestClient, factory: Factory) -> None:
    browser, login = signed_in
    key = factory.key(login.account_id)
    assert client.get("/api/v1/certificates", headers=key.headers).status_code == 200
    response = browser.submit("/dashboard/keys", f"/dashboard/keys/{key.id}/revoke", {})
    assert response.headers["location"] == "/dashboard/keys?mode=live&done=key_revoked"
    assert client.get("/api/v1/certificates", headers=key.headers).status_code == 401


def test_absent_sections_say_so(signed_in: SignedIn) -> None:
    browser, _ = signed_in
    usage = browser.get("/dashboard/usage").text
    assert 'data-testid="credits-remaining">1000<' in usage
    assert 'href="/dashboard/billing"' in usage
    assert 'href="/api/v1/docs"' in usage


def test_embed_opens_show_in_the_dashboard(
    signed_in: SignedIn, factory: Factory, client: TestClient
) -> None:
    browser, login = signed_in
    cert = factory.certificate(login.key(), track_title="Opened Often")
    # Two viewers (one browser each); a viewer's repeat opens within the hour count once.
    for agent in ("viewer-a", "viewer-b", "viewer-a"):
        client.get(f"/embed/verify/{cert.certificate_number}", headers={"User-Agent": agent})
    detail = browser.get(f"/dashboard/certificates/{cert.id}").text
    assert 'data-testid="embed-opens">2 in the last 30 days' in detail
    assert 'data-testid="total-opens">2<' in browser.get("/dashboard/usage").text


def test_titles_are_escaped_in_the_dashboard(signed_in: SignedIn, factory: Factory) -> None:
    browser, login = signed_in
    cert = factory.certificate(login.key(), track_title="<img src=x onerror=alert(1)>")
    for path in ("/dashboard/certificates", f"/dashboard/certificates/{cert.id}"):
        page = browser.get(path).text
        assert "<img src=x" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page


def _upload(browser: Browser, path: Path, title: str) -> Any:
    token = csrf_of(browser.get("/dashboard/certificates").text)
    with path.open("rb") as handle:
        return browser.client.post(
            "/dashboard/certificates",
            data={"csrf_token": token, "track_title": title, "artist_name": "Noa"},
            files={"audio": (path.name, handle, "application/octet-stream")},
            headers={"accept": "text/html", "origin": BASE_URL},
            follow_redirects=False,
        )


def test_issue_by_uploading_the_master(signed_in: SignedIn, tmp_path: Path) -> None:
    from tests.api.test_audio_api import samples

    browser, _ = signed_in
    master = samples.write_wav(tmp_path / "master.wav", samples.render_song(30, seed=71))
    copy = samples.transcode(master, tmp_path / "copy.mp3", "-b:a", "128k")
    response = _upload(browser, master, "Uploaded")
    assert response.status_code == 303, response.text
    cert_id = response.headers["location"].split("/")[-1].split("?")[0]
    page = browser.get(f"/dashboard/certificates/{cert_id}")
    assert hashlib.sha256(master.read_bytes()).hexdigest() in page.text
    # A re-encode of it is an acoustic duplicate, explained on the page.
    again = _upload(browser, copy, "Copy")
    assert again.status_code == 409
    assert "matches an existing certificate" in again.text
