from __future__ import annotations

import hashlib
import re
from pathlib import Path

from tests.api.test_audio_api import samples
from tests.factories import Factory, sha256_of
from tests.web.browser.conftest import Registry, screenshot


def test_sign_up_mint_keys_issue_a_certificate_and_open_its_proof_page(
    page, registry: Registry, factory: Factory, tmp_path: Path
) -> None:
    page.goto(f"{registry.url}/")
    page.get_by_role("link", name="Create a workspace").click()
    page.fill("#email", "maya@example.com")
    page.fill("#workspace", "Maya Records")
    page.fill("#password", "a long passphrase")
    page.get_by_role("button", name="Create workspace").click()
    # Sign-up answers alike for new and taken emails: the new owner then logs in.
    page.wait_for_url("**/login?done=signup")
    assert "its workspace is ready" in page.get_by_test_id("signed-up").inner_text()
    page.fill("#email", "maya@example.com")
    page.fill("#password", "a long passphrase")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard/certificates")
    assert page.get_by_test_id("workspace").inner_text() == "Maya Records"
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["soundseal_session"]["httpOnly"] is True
    assert cookies["soundseal_session"]["sameSite"] == "Lax"

    # API & Webhooks: a test-mode secret key, shown once.
    page.get_by_role("link", name="API & Webhooks").click()
    page.get_by_role("link", name="Test mode").click()
    page.select_option("#kind", "secret")
    page.fill("#name", "catalogue sync")
    page.get_by_role("button", name="Mint test key").click()
    secret = page.get_by_test_id("new-key").inner_text()
    assert re.fullmatch(r"ss_sk_test_[A-Za-z0-9]{32}", secret)
    page.goto(f"{registry.url}/dashboard/keys?mode=test")
    assert page.get_by_test_id("minted").count() == 0
    assert "catalogue sync" in page.content()
    assert secret not in page.content()
    page.get_by_role("link", name="Live").click()
    page.select_option("#kind", "publishable")
    page.get_by_role("button", name="Mint live key").click()
    assert page.get_by_test_id("new-key").inner_text().startswith("ss_pk_live_")

    # Certificates: issue by SHA-256...
    page.get_by_role("link", name="Certificates").click()
    for n, (title, artist) in enumerate(
        [("Tidal Lights", "Maya"), ("Northbound", "Maya & The Keys"), ("Blue Hour", "Maya")]
    ):
        page.fill("#track_title", title)
        page.fill("#artist_name", artist)
        page.fill("#sha256", sha256_of(f"master {n}"))
        page.fill("#isrc", f"GB-MAY-26-0000{n}")
        page.select_option("#ai_involvement", "none")
        page.get_by_role("button", name="Issue certificate").click()
        page.wait_for_url(re.compile(r".*/dashboard/certificates/cer_\w+\?done=created"))
        assert page.get_by_test_id("title").inner_text() == title
        page.get_by_role("link", name="← Certificates").click()

    # ...and by uploading the master.
    master = samples.write_wav(tmp_path / "First Light.wav", samples.render_song(20, seed=81))
    page.fill("#track_title", "First Light")
    page.fill("#artist_name", "Maya")
    page.set_input_files("#audio", str(master))
    page.fill("#isrc", "GB-MAY-26-00010")
    page.select_option("#ai_involvement", "assisted")
    page.fill("#ai_tools", "stem separation")
    page.fill("#declaration_text", "Recorded live at Studio 4; AI used for stem separation only")
    page.locator("#issue").evaluate("card => card.scrollIntoView({block: 'start'})")
    screenshot(page, "upload.png")
    page.get_by_role("button", name="Issue certificate").click()
    page.wait_for_url(re.compile(r".*/dashboard/certificates/cer_\w+\?done=created"))
    assert page.get_by_test_id("title").inner_text() == "First Light"
    assert hashlib.sha256(master.read_bytes()).hexdigest() in page.content()
    page.get_by_test_id("proof-link").click()
    assert page.get_by_test_id("status").text_content() == "Active certificate"
    assert "Not on file" not in page.inner_text("body")  # its fingerprint was kept
    screenshot(page, "proof-page.png", full_page=True)
    page.goto(f"{registry.url}/dashboard/certificates")

    page.fill("input[type=search]", "north")
    page.get_by_role("button", name="Search").click()
    assert page.locator("[data-testid=certificates] tbody tr").count() == 1
    page.get_by_role("link", name="Northbound").click()
    page.get_by_test_id("proof-link").click()
    assert page.get_by_test_id("title").inner_text() == "Northbound"
    assert page.get_by_test_id("status").text_content() == "Active certificate"

    # Revoke (the confirm dialog is accepted) and see it on the proof page.
    page.goto(f"{registry.url}/dashboard/certificates")
    page.get_by_role("link", name="Blue Hour").click()
    page.fill("#reason", "Superseded by the remaster")
    page.get_by_role("button", name="Revoke certificate").click()
    page.wait_for_url("**?done=revoked")
    page.get_by_test_id("proof-link").click()
    assert page.get_by_test_id("status").text_content() == "Revoked"
    assert "Superseded by the remaster" in page.get_by_test_id("revocation").inner_text()
    screenshot(page, "proof-page-revoked.png", full_page=True)

    page.goto(f"{registry.url}/dashboard/certificates")
    assert page.locator("[data-testid=certificates] tbody tr").count() == 4
    screenshot(page, "dashboard.png", full_page=True)

    # Log out: the dashboard asks for a log-in again.
    page.goto(f"{registry.url}/dashboard/certificates")
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{registry.url}/dashboard/keys")
    assert "/login?next=/dashboard/keys" in page.url
