"""The dashboard keeps a certificate to its workspace *and* mode, as the API's keys do: a
certificate's pages are in the mode its ID names, or for a number, in the `?mode=` given."""

from __future__ import annotations

from tests.factories import Factory, WebLogin
from tests.web.conftest import Browser

SignedIn = tuple[Browser, WebLogin]


def test_a_test_certificate_by_number_is_shown_only_in_test_mode(
    signed_in: SignedIn, factory: Factory
) -> None:
    browser, login = signed_in
    cert = factory.certificate(login.key("test"), track_title="Sandbox Take")
    number = cert.certificate_number
    assert browser.get(f"/dashboard/certificates/{cert.id}").status_code == 200
    assert browser.get(f"/dashboard/certificates/{number}?mode=test").status_code == 200
    live = browser.get(f"/dashboard/certificates/{number}")
    assert live.status_code == 404
    assert "Sandbox Take" not in live.text


def test_a_live_certificate_cannot_be_revoked_from_test_mode(
    signed_in: SignedIn, factory: Factory
) -> None:
    browser, login = signed_in
    cert = factory.certificate(login.key("live"))
    page = f"/dashboard/certificates/{cert.id}"
    refused = browser.submit(
        page, f"/dashboard/certificates/{cert.certificate_number}/revoke?mode=test", {"reason": "x"}
    )
    assert refused.status_code == 404
    assert 'class="pill active"' in browser.get(page).text
