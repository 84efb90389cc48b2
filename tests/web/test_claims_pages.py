"""The public claim form, the dashboard's claims pages, and contributors on the web."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from soundseal.app import create_app
from soundseal.db import Database
from soundseal.db.base import utcnow
from soundseal.registry.certificates.services import list_versions
from soundseal.registry.claims.models import Claim
from soundseal.registry.contributors.services import list_contributors
from soundseal.registry.events.services import list_events
from tests.factories import Factory, WebLogin
from tests.web.conftest import BASE_URL, Browser, csrf_of, web_settings

SignedIn = tuple[Browser, WebLogin]
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
CLAIM = {
    "type": "ownership",
    "description": "I recorded this.",
    "claimant_name": "Jane Doe",
    "claimant_email": "jane@example.com",
}


def _claims(database: Database) -> list[Claim]:
    with database.transaction(write=False) as session:
        return list(session.query(Claim).order_by(Claim.id))


def test_the_proof_page_links_to_the_claim_form_and_stays_cacheable(
    browser: Browser, factory: Factory
) -> None:
    cert = factory.certificate()
    proof = browser.get(f"/cert/{cert.id}")
    assert f'href="/cert/{cert.id}/claim"' in proof.text
    assert proof.headers["cache-control"] == "public, max-age=60"
    assert "csrf_token" not in proof.text
    form = browser.get(f"/cert/{cert.id}/claim")
    assert form.status_code == 200
    assert form.headers["cache-control"] == "no-store"
    assert csrf_of(form.text)


def test_anyone_files_a_claim_and_sees_a_confirmation(
    browser: Browser, factory: Factory, database: Database
) -> None:
    cert = factory.certificate()
    response = browser.submit(f"/cert/{cert.id}/claim", f"/cert/{cert.id}/claim", CLAIM)
    assert response.status_code == 303, response.text
    (claim,) = _claims(database)
    assert response.headers["location"] == f"/cert/{cert.id}/claim/filed/{claim.id}"
    assert (claim.filed_by, claim.status, claim.mode) == ("public_form", "pending", "live")
    page = browser.get(response.headers["location"])
    assert page.status_code == 200
    assert claim.id in page.text
    assert 'data-testid="deadline"' in page.text
    assert browser.get(f"/cert/{cert.id}/claim/filed/clm_nope").status_code == 404
    with database.transaction(write=False) as session:
        assert [v.change for v in list_versions(session, cert.id)][-1] == "claim.filed"
        events = list_events(session, account_id=cert.account_id, mode="live")
    assert events[-1].type == "claim.filed"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("type", "piracy"),
        ("description", " "),
        ("claimant_name", ""),
        ("claimant_email", "not-an-email"),
    ],
)
def test_a_bad_field_redisplays_the_form_naming_it(
    browser: Browser, factory: Factory, database: Database, field: str, value: str
) -> None:
    cert = factory.certificate()
    data = {**CLAIM, field: value}
    response = browser.submit(f"/cert/{cert.id}/claim", f"/cert/{cert.id}/claim", data)
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.text
    assert "Jane Doe" in response.text or field == "claimant_name"
    assert _claims(database) == []


def test_the_form_needs_its_csrf_token_and_this_site(
    browser: Browser, factory: Factory, database: Database
) -> None:
    cert = factory.certificate()
    browser.get(f"/cert/{cert.id}/claim")
    assert browser.post(f"/cert/{cert.id}/claim", {**CLAIM, "csrf_token": "x"}).status_code == 403
    token = csrf_of(browser.get(f"/cert/{cert.id}/claim").text)
    foreign = browser.post(
        f"/cert/{cert.id}/claim", {**CLAIM, "csrf_token": token}, origin="https://evil.example"
    )
    assert foreign.status_code == 403
    assert _claims(database) == []


def test_the_public_form_is_rate_limited_per_ip(
    database: Database, factory: Factory, tmp_path: Path
) -> None:
    app: FastAPI = create_app(web_settings(database, tmp_path, rate_limit_public_claims=2))
    cert = factory.certificate()
    with TestClient(app, base_url=BASE_URL) as client:
        browser = Browser(client)
        statuses = [
            browser.submit(f"/cert/{cert.id}/claim", f"/cert/{cert.id}/claim", CLAIM).status_code
            for _ in range(3)
        ]
        assert statuses == [303, 303, 429]
        limited = browser.submit(f"/cert/{cert.id}/claim", f"/cert/{cert.id}/claim", CLAIM)
        assert "Retry-After" in limited.headers
    assert len(_claims(database)) == 2


def test_revoked_and_unknown_certificates(browser: Browser, factory: Factory) -> None:
    revoked = factory.revoke(factory.certificate())
    assert "takes no further claims" in browser.get(f"/cert/{revoked.id}").text
    response = browser.submit(f"/cert/{revoked.id}/claim", f"/cert/{revoked.id}/claim", CLAIM)
    assert response.status_code == 400
    assert browser.get("/cert/cer_01J0000000000000000000000Z/claim").status_code == 404


def test_a_claim_description_is_shown_as_text(
    browser: Browser, factory: Factory, database: Database
) -> None:
    login = factory.web_user()
    cert = factory.certificate(login.key())
    data = {**CLAIM, "description": XSS, "claimant_name": XSS}
    browser.submit(f"/cert/{cert.id}/claim", f"/cert/{cert.id}/claim", data)
    (claim,) = _claims(database)
    browser.log_in(login)
    for path in ("/dashboard/claims", f"/dashboard/claims/{claim.id}"):
        page = browser.get(path).text
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_the_owner_lists_reads_and_answers_claims(
    signed_in: SignedIn, factory: Factory, database: Database
) -> None:
    browser, login = signed_in
    cert = factory.certificate(login.key())
    claim = factory.claim(cert, description="It is mine.")
    other = factory.claim(factory.certificate())  # another workspace's
    listing = browser.get("/dashboard/claims").text
    assert claim.id in listing
    assert other.id not in listing
    assert browser.get(f"/dashboard/claims/{other.id}").status_code == 404
    page = f"/dashboard/claims/{claim.id}"
    assert "It is mine." in browser.get(page).text
    empty = browser.submit(page, f"{page}/respond", {"response": " "})
    assert empty.status_code == 400
    done = browser.submit(page, f"{page}/respond", {"response": "Here are the stems."})
    assert done.status_code == 303
    shown = browser.get(done.headers["location"]).text
    assert "Response sent." in shown
    assert "Here are the stems." in shown
    assert 'action="/dashboard/claims/' not in shown  # answered: no second form
    token = csrf_of(browser.get(page).text)
    again = browser.post(f"{page}/respond", {"csrf_token": token, "response": "More"})
    assert again.status_code == 409
    assert browser.post(f"{page}/respond", {"response": "No token"}).status_code == 403
    with database.transaction(write=False) as session:
        (version,) = [v for v in list_versions(session, cert.id) if v.change == "claim.responded"]
    assert version.actor == f"user:{login.user_id}"


def test_status_filter_and_modes(signed_in: SignedIn, factory: Factory) -> None:
    browser, login = signed_in
    live = factory.claim(factory.certificate(login.key()))
    overdue = factory.claim(factory.certificate(login.key()), now=utcnow() - timedelta(days=20))
    test = factory.claim(factory.certificate(login.key("test")))
    expired = browser.get("/dashboard/claims?status=expired").text
    assert overdue.id in expired
    assert live.id not in expired
    assert test.id in browser.get("/dashboard/claims?mode=test").text
    assert test.id not in browser.get("/dashboard/claims").text
    assert "deadline passed" in browser.get(f"/dashboard/claims/{overdue.id}").text


def test_an_unanswered_claim_shows_on_the_proof_page(browser: Browser, factory: Factory) -> None:
    cert = factory.certificate()
    assert 'data-testid="unanswered"' not in browser.get(f"/cert/{cert.id}").text
    factory.claim(cert, now=utcnow() - timedelta(days=15))
    assert 'data-testid="unanswered"' in browser.get(f"/cert/{cert.id}").text


def test_invite_a_contributor_who_acknowledges_once(
    signed_in: SignedIn, factory: Factory, database: Database
) -> None:
    browser, login = signed_in
    cert = factory.certificate(login.key())
    page = f"/dashboard/certificates/{cert.id}"
    bad = browser.submit(
        page, f"{page}/contributors", {"name": "Mia", "role": "", "email": "m@x.io"}
    )
    assert bad.status_code == 400
    invited = browser.submit(
        page, f"{page}/contributors", {"name": XSS, "role": "Mixer", "email": "mia@example.com"}
    )
    assert invited.status_code == 200
    assert 'data-testid="invite-link"' in invited.text
    assert "<script>alert" not in invited.text
    link = invited.text.split(f"{BASE_URL}/contributors/ack/")[1].split("<")[0].strip()
    assert 'data-testid="invite-link"' not in browser.get(page).text  # shown once
    ack_path = f"/contributors/ack/{link}"
    # A visitor without a session: the link is the credential.
    anonymous = Browser(browser.client)
    browser.client.cookies.clear()
    opened = anonymous.get(ack_path)
    assert opened.status_code == 200
    assert opened.headers["referrer-policy"] == "no-referrer"
    assert "<script>alert" not in opened.text
    confirmed = anonymous.submit(ack_path, ack_path, {})
    assert confirmed.status_code == 200
    assert 'data-testid="acknowledged"' in confirmed.text
    assert anonymous.get(ack_path).status_code == 410
    token = csrf_of(anonymous.get(f"/cert/{cert.id}/claim").text)
    assert anonymous.post(ack_path, {"csrf_token": token}).status_code == 410
    proof = anonymous.get(f"/cert/{cert.id}").text
    assert 'data-testid="contributors"' in proof
    assert "&lt;script&gt;" in proof
    with database.transaction(write=False) as session:
        (row,) = list_contributors(session, cert.id)
        changes = [v.change for v in list_versions(session, cert.id)]
    assert row.status == "acknowledged"
    assert changes[-2:] == ["contributor.invited", "contributor.acknowledged"]


def test_pending_contributors_are_not_on_the_proof_page(browser: Browser, factory: Factory) -> None:
    cert = factory.certificate()
    factory.contributor(cert, name="Not Yet Confirmed")
    assert "Not Yet Confirmed" not in browser.get(f"/cert/{cert.id}").text
    assert browser.get("/contributors/ack/ack_unknown").status_code == 410


def test_a_nul_character_in_a_claim_is_a_400_and_nothing_is_filed(
    browser: Browser, factory: Factory, database: Database
) -> None:
    cert = factory.certificate()
    data = {**CLAIM, "description": "I recorded\x00 this."}
    response = browser.submit(f"/cert/{cert.id}/claim", f"/cert/{cert.id}/claim", data)
    assert response.status_code == 400, response.text
    assert "description" in response.text
    assert _claims(database) == []
