"""The dashboard's webhooks: create (secret shown once), edit, rotate, test, deliveries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from soundseal.db import Database
from soundseal.settings import Settings
from tests.factories import Factory, WebLogin
from tests.web.conftest import Browser, web_settings

SignedIn = tuple[Browser, WebLogin]
URL = "https://hooks.example.com/soundseal"
_SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]+")


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    return web_settings(database, tmp_path, webhook_worker="external")


def _create(browser: Browser, mode: str = "live", **fields: object) -> tuple[str, str]:
    form = {"mode": mode, "url": URL, "events": ["certificate.created"], **fields}
    response = browser.submit("/dashboard/webhooks", "/dashboard/webhooks", form)
    assert response.status_code == 200, response.text
    assert 'data-testid="new-secret"' in response.text
    match = re.search(r'href="/dashboard/webhooks/(wh_[A-Za-z0-9_]+)"', response.text)
    secret = _SECRET.search(response.text)
    assert match
    assert secret
    return match.group(1), secret.group(0)


def test_the_keys_page_links_to_webhooks(signed_in: SignedIn) -> None:
    browser, _ = signed_in
    page = browser.get("/dashboard/keys").text
    assert 'data-testid="webhooks-link"' in page
    assert 'href="/dashboard/webhooks"' in page


def test_create_shows_the_secret_once(signed_in: SignedIn) -> None:
    browser, _ = signed_in
    webhook_id, secret = _create(browser, description="catalogue sync")
    listing = browser.get("/dashboard/webhooks").text
    assert URL in listing
    assert "catalogue sync" in listing
    assert secret not in listing
    assert secret not in browser.get(f"/dashboard/webhooks/{webhook_id}").text
    assert webhook_id not in browser.get("/dashboard/webhooks?mode=test").text


def test_bad_input_is_explained_and_nothing_is_created(signed_in: SignedIn) -> None:
    browser, _ = signed_in
    for fields in (
        {"url": "http://hooks.example.com/x"},
        {"url": "https://10.0.0.7/x"},
        {"events": ["certificate.exploded"]},
        {"events": []},
    ):
        form = {"url": URL, "events": ["certificate.created"], **fields}
        response = browser.submit("/dashboard/webhooks", "/dashboard/webhooks", form)
        assert response.status_code == 400
        assert 'role="alert"' in response.text
    assert 'data-testid="webhooks"' not in browser.get("/dashboard/webhooks").text


def test_edit_rotate_test_redeliver_delete(signed_in: SignedIn) -> None:
    browser, _ = signed_in
    webhook_id, secret = _create(browser)
    page = f"/dashboard/webhooks/{webhook_id}"
    response = browser.submit(page, f"{page}/test", {})
    assert response.headers["location"] == f"{page}?done=webhook_tested"
    detail = browser.get(page).text
    assert 'data-testid="deliveries"' in detail
    assert "webhook.test" in detail
    delivery_id = re.search(r"/deliveries/(whd_[A-Za-z0-9_]+)/redeliver", detail)
    assert delivery_id
    response = browser.submit(page, f"{page}/deliveries/{delivery_id.group(1)}/redeliver", {})
    assert response.headers["location"] == f"{page}?done=redelivered"
    assert browser.get(page).text.count("webhook.test") == 2

    rotated = browser.submit(page, f"{page}/rotate", {})
    assert 'data-testid="rotated"' in rotated.text
    new_secret = _SECRET.search(rotated.text)
    assert new_secret
    assert new_secret.group(0) != secret

    form = {"url": "https://other.example.com/in", "events": ["certificate.revoked"]}
    response = browser.submit(page, page, form)  # "is_active" unticked: switched off
    assert response.status_code == 303
    detail = browser.get(page).text
    assert "https://other.example.com/in" in detail
    assert re.search(r'data-testid="state">off<', detail)
    bad = browser.submit(page, page, {"url": "https://169.254.169.254/", "events": ["x"]})
    assert bad.status_code == 400

    response = browser.submit(page, f"{page}/delete", {})
    assert response.headers["location"] == "/dashboard/webhooks?done=webhook_deleted"
    assert browser.get(page).status_code == 404


def test_forms_need_the_csrf_token(signed_in: SignedIn) -> None:
    browser, _ = signed_in
    webhook_id, _ = _create(browser)
    response = browser.post(f"/dashboard/webhooks/{webhook_id}/rotate", {"csrf_token": "x"})
    assert response.status_code == 403
    response = browser.post("/dashboard/webhooks", {"url": URL, "events": ["credits.used"]})
    assert response.status_code == 403


def test_another_workspaces_webhook_is_not_found(signed_in: SignedIn, factory: Factory) -> None:
    browser, _ = signed_in
    theirs, _ = factory.webhook(factory.key(), URL)
    assert browser.get(f"/dashboard/webhooks/{theirs}").status_code == 404
    response = browser.submit("/dashboard/webhooks", f"/dashboard/webhooks/{theirs}/rotate", {})
    assert response.status_code == 404


def test_a_nul_character_in_a_description_is_a_400(signed_in: SignedIn) -> None:
    browser, _ = signed_in
    form = {"url": URL, "events": ["certificate.created"], "description": "a\x00b"}
    response = browser.submit("/dashboard/webhooks", "/dashboard/webhooks", form)
    assert response.status_code == 400, response.text
    assert 'data-testid="webhooks"' not in browser.get("/dashboard/webhooks").text
