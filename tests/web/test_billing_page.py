"""The dashboard's billing page: tier, usage, credits and their ledger, and Stripe Checkout.

Stripe is stood in for at its HTTP boundary by `tests.stripe_fake`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from soundseal.app import create_app
from soundseal.db import Database
from tests.factories import Factory, WebLogin
from tests.stripe_fake import FakeStripe, fake_stripe
from tests.web.conftest import BASE_URL, Browser, web_settings

SignedIn = tuple[Browser, WebLogin]


@pytest.fixture
def stripe_api() -> Iterator[FakeStripe]:
    with fake_stripe() as fake:
        yield fake


@pytest.fixture
def paying(
    database: Database, tmp_path: Path, factory: Factory, stripe_api: FakeStripe
) -> Iterator[SignedIn]:
    """Signed in to a registry that sells through Stripe."""
    settings = web_settings(
        database,
        tmp_path,
        stripe_secret_key="sk_test_abc",
        stripe_webhook_secret="whsec_abc",
        stripe_api_base=stripe_api.url,
    )
    app = create_app(settings, database)
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as client:
        browser = Browser(client)
        login = factory.web_user()
        browser.log_in(login)
        yield browser, login


def test_the_billing_page_shows_tier_usage_credits_and_the_ledger(signed_in: SignedIn) -> None:
    browser, _ = signed_in
    page = browser.get("/dashboard/billing").text
    assert 'data-testid="tier">free<' in page
    assert 'data-testid="credits-remaining">1000<' in page
    assert "$49/month" in page
    assert "500,000/month" in page
    assert 'data-testid="billing-disabled"' in page
    assert 'data-testid="upgrade-starter"' not in page
    assert "+1000" in page  # the factory's grant, on the ledger


def test_a_402_points_at_the_billing_page(
    signed_in: SignedIn, client: TestClient, factory: Factory
) -> None:
    browser, _ = signed_in
    broke = factory.key(factory.account(credits=0))
    body = {"track_title": "T", "artist_name": "A", "sha256_fingerprint": "ab" * 32}
    refused = client.post("/api/v1/certificates", json=body, headers=broke.headers)
    assert refused.status_code == 402
    purchase_url = refused.json()["purchase_url"]
    assert purchase_url == f"{BASE_URL}/dashboard/billing"
    assert browser.get(purchase_url.removeprefix(BASE_URL)).status_code == 200


def test_upgrading_sends_the_owner_to_stripe_checkout(
    paying: SignedIn, stripe_api: FakeStripe
) -> None:
    browser, login = paying
    page = browser.get("/dashboard/billing").text
    assert 'data-testid="upgrade-starter"' in page
    assert 'data-testid="upgrade-pro"' in page
    response = browser.submit("/dashboard/billing", "/dashboard/billing/checkout", {"tier": "pro"})
    assert response.status_code == 303
    assert response.headers["location"] == "https://checkout.stripe.com/c/pay/cs_test_0001"
    [(_, _, form)] = stripe_api.calls
    assert form["metadata[account_id]"] == login.account_id
    assert form["metadata[tier]"] == "pro"
    assert form["success_url"] == f"{BASE_URL}/dashboard/billing?checkout=success"
    # Coming back from Checkout says so, and changes nothing by itself: the webhook does.
    back = browser.get("/dashboard/billing?checkout=success").text
    assert "being confirmed by Stripe" in back
    assert 'data-testid="tier">free<' in back


def test_buying_credits_and_bad_choices(paying: SignedIn, stripe_api: FakeStripe) -> None:
    browser, _ = paying
    response = browser.submit("/dashboard/billing", "/dashboard/billing/credits", {"packs": "2"})
    assert response.status_code == 303
    [(_, _, form)] = stripe_api.calls
    assert form["metadata[credits]"] == "200"
    refused = browser.submit("/dashboard/billing", "/dashboard/billing/credits", {"packs": "0"})
    assert refused.status_code == 400
    assert "between 1 and 100 packs" in refused.text
    unknown = browser.submit("/dashboard/billing", "/dashboard/billing/checkout", {"tier": "gold"})
    assert unknown.status_code == 400
    assert "tier must be one of starter, pro" in unknown.text
    assert len(stripe_api.calls) == 1


def test_checkout_without_the_csrf_token_is_refused(
    paying: SignedIn, stripe_api: FakeStripe
) -> None:
    browser, _ = paying
    response = browser.post("/dashboard/billing/checkout", {"tier": "pro"})
    assert response.status_code == 403
    assert stripe_api.calls == []
