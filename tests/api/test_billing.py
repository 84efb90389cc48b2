"""API billing: the tier and usage view, Stripe Checkout, Stripe's webhook, the monthly quota.

Stripe is the one part not run for real: `tests.stripe_fake` stands in for its HTTP API on
loopback, and webhook bodies are signed here exactly as Stripe signs them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from soundseal.app import create_app
from soundseal.db import Database
from soundseal.registry.credits.services import balance
from soundseal.registry.events.services import list_events
from tests.conftest import make_settings
from tests.factories import Factory
from tests.stripe_fake import FakeStripe, fake_stripe, signed_event

WEBHOOK_SECRET = "whsec_test_secret"
WEBHOOK = "/api/v1/billing/stripe/webhook"


@pytest.fixture
def stripe_api() -> Iterator[FakeStripe]:
    with fake_stripe() as fake:
        yield fake


@pytest.fixture
def billing(database: Database, tmp_path: Path, stripe_api: FakeStripe) -> Iterator[TestClient]:
    """A registry with Stripe configured (against the stand-in)."""
    settings = make_settings(
        database,
        tmp_path,
        stripe_secret_key="sk_test_abc",
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=stripe_api.url,
    )
    with TestClient(create_app(settings, database), raise_server_exceptions=False) as client:
        yield client


def completed_session(
    account_id: str, *, kind: str = "tier", event_id: str = "evt_1", **extra: Any
) -> dict[str, Any]:
    metadata = {"account_id": account_id, "kind": kind}
    metadata.update({k: str(v) for k, v in extra.items()})
    return {
        "id": event_id,
        "object": "event",
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": "cs_test_0001",
                "object": "checkout.session",
                "payment_status": "paid",
                "amount_total": 4900,
                "currency": "usd",
                "metadata": metadata,
            }
        },
    }


def deliver(client: TestClient, event: dict[str, Any], secret: str = WEBHOOK_SECRET) -> Any:
    body, signature = signed_event(secret, event)
    return client.post(
        WEBHOOK, content=body, headers={"Stripe-Signature": signature, "Content-Type": "json"}
    )


def test_the_overview_shows_the_tier_usage_and_the_tiers_for_sale(
    client: TestClient, factory: Factory
) -> None:
    key = factory.key()
    for _ in range(3):
        assert client.get("/api/v1/certificates", headers=key.headers).status_code == 200
    body = client.get("/api/v1/billing/checkout", headers=key.headers).json()
    assert body["current_tier"] == "free"
    # The billing view itself is not counted: a workspace over quota must still see it.
    assert body["monthly_requests_used"] == 3
    assert body["monthly_requests_limit"] == 10_000
    assert body["available_tiers"]["free"]["price"] == "$0/month"
    assert body["available_tiers"]["starter"]["price"] == "$49/month"
    assert body["available_tiers"]["starter"]["requests"] == "50,000/month"
    assert body["available_tiers"]["pro"]["requests"] == "500,000/month"
    assert body["billing_enabled"] is False
    assert body["credits_remaining"] == 1000


def test_the_overview_takes_either_billing_scope_as_the_vendor_doc_asks_for_write(
    client: TestClient, factory: Factory
) -> None:
    account = factory.account()
    for scopes in ("billing:read", "billing:write"):
        key = factory.key(account, scopes=scopes)
        assert client.get("/api/v1/billing/checkout", headers=key.headers).status_code == 200
    other = factory.key(account, scopes="certificates:read")
    denied = client.get("/api/v1/billing/checkout", headers=other.headers)
    assert denied.status_code == 403
    assert denied.json()["required_scope"] == "billing:read"


def test_checkout_without_stripe_is_billing_disabled(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    for path, body in (
        ("/api/v1/billing/checkout", {"tier": "starter"}),
        ("/api/v1/billing/credits", {"packs": 1}),
    ):
        response = client.post(path, json=body, headers=key.headers)
        assert response.status_code == 400
        assert response.json()["code"] == "billing_disabled"
        assert "SOUNDSEAL_STRIPE_SECRET_KEY" in response.json()["error"]
    assert client.post(WEBHOOK, content=b"{}").json()["code"] == "billing_disabled"


def test_checkout_creates_a_stripe_session_for_the_tier(
    billing: TestClient, factory: Factory, stripe_api: FakeStripe
) -> None:
    key = factory.key()
    response = billing.post(
        "/api/v1/billing/checkout",
        json={"tier": "starter", "success_url": "https://label.example/thanks"},
        headers=key.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        "checkout_url": "https://checkout.stripe.com/c/pay/cs_test_0001",
        "session_id": "cs_test_0001",
        "tier": "starter",
        "price": "$49.00/month",
    }
    [(path, authorization, form)] = stripe_api.calls
    assert path == "/v1/checkout/sessions"
    assert authorization == "Bearer sk_test_abc"
    assert form["mode"] == "subscription"
    assert form["success_url"] == "https://label.example/thanks"
    assert form["cancel_url"] == "https://registry.test/dashboard/billing?checkout=cancelled"
    assert form["line_items[0][price_data][unit_amount]"] == "4900"
    assert form["line_items[0][price_data][recurring][interval]"] == "month"
    assert form["metadata[account_id]"] == key.account_id
    assert form["metadata[tier]"] == "starter"
    # Nothing changes until Stripe says the payment went through.
    overview = billing.get("/api/v1/billing/checkout", headers=key.headers).json()
    assert overview["current_tier"] == "free"
    assert overview["billing_enabled"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tier": "gold"}, "tier"),
        ({"tier": "free"}, "tier"),
        ({}, "tier"),
        ({"tier": "pro", "success_url": "javascript:alert(1)"}, "success_url"),
        ({"tier": "pro", "cancel_url": "/relative"}, "cancel_url"),
        ({"tier": "pro", "coupon": "FREE"}, "coupon"),
    ],
)
def test_bad_checkout_requests_name_the_field_and_reach_no_stripe(
    billing: TestClient,
    factory: Factory,
    stripe_api: FakeStripe,
    body: dict[str, str],
    field: str,
) -> None:
    response = billing.post("/api/v1/billing/checkout", json=body, headers=factory.key().headers)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field
    assert stripe_api.calls == []


def test_a_stripe_failure_is_a_502_in_the_one_error_shape(
    billing: TestClient, factory: Factory, stripe_api: FakeStripe
) -> None:
    stripe_api.fail_with = 400
    response = billing.post(
        "/api/v1/billing/checkout", json={"tier": "pro"}, headers=factory.key().headers
    )
    assert response.status_code == 502
    body = response.json()
    assert body["code"] == "payment_provider_error"
    assert "cannot currently make live charges" in body["error"]


def test_credit_packs_are_sold_through_checkout(
    billing: TestClient, factory: Factory, stripe_api: FakeStripe
) -> None:
    response = billing.post(
        "/api/v1/billing/credits", json={"packs": 3}, headers=factory.key().headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["credits"] == 300
    assert response.json()["price"] == "$87.00"  # 3 packs at the default $29
    [(_, _, form)] = stripe_api.calls
    assert form["mode"] == "payment"
    assert form["line_items[0][quantity]"] == "3"
    assert form["metadata[credits]"] == "300"
    refused = billing.post(
        "/api/v1/billing/credits", json={"packs": 0}, headers=factory.key().headers
    )
    assert refused.status_code == 400
    assert refused.json()["field"] == "packs"


def test_a_paid_tier_session_upgrades_the_workspace_once(
    billing: TestClient, factory: Factory, database: Database
) -> None:
    key = factory.key()
    event = completed_session(key.account_id, tier="pro")
    first = deliver(billing, event)
    assert first.status_code == 200, first.text
    assert first.json() == {"received": True, "applied": True}
    # Stripe delivers at least once: the same event again changes nothing.
    again = deliver(billing, event)
    assert again.json() == {"received": True, "applied": False, "reason": "already applied"}
    overview = billing.get("/api/v1/billing/checkout", headers=key.headers).json()
    assert overview["current_tier"] == "pro"
    assert overview["monthly_requests_limit"] == 500_000
    with database.transaction(write=False) as session:
        events = list_events(session, account_id=key.account_id, mode="live")
    assert [e.type for e in events] == ["payment.completed"]
    assert events[0].data["tier"] == "pro"
    assert events[0].data["price_paid"] == "49.00"


def test_a_paid_credits_session_grants_the_credits_and_says_so(
    billing: TestClient, factory: Factory, database: Database
) -> None:
    key = factory.key(factory.account(credits=2))
    event = completed_session(key.account_id, kind="credits", credits=200)
    assert deliver(billing, event).json()["applied"] is True
    with database.transaction(write=False) as session:
        assert balance(session, key.account_id) == 202
        types = [e.type for e in list_events(session, account_id=key.account_id, mode="live")]
    assert types == ["payment.completed", "credits.purchased"]


def test_an_unpaid_session_and_foreign_events_are_acknowledged_and_ignored(
    billing: TestClient, factory: Factory
) -> None:
    key = factory.key()
    unpaid = completed_session(key.account_id, tier="pro", event_id="evt_unpaid")
    unpaid["data"]["object"]["payment_status"] = "unpaid"
    answer = deliver(billing, unpaid).json()
    assert answer["applied"] is False
    assert "not paid" in answer["reason"]
    other = {"id": "evt_x", "type": "invoice.created", "data": {"object": {}}}
    assert deliver(billing, other).json()["applied"] is False
    overview = billing.get("/api/v1/billing/checkout", headers=key.headers).json()
    assert overview["current_tier"] == "free"


def test_a_cancelled_subscription_returns_the_workspace_to_free(
    billing: TestClient, factory: Factory
) -> None:
    key = factory.key()
    deliver(billing, completed_session(key.account_id, tier="starter"))
    ended = {
        "id": "evt_2",
        "type": "customer.subscription.deleted",
        "data": {"object": {"metadata": {"account_id": key.account_id, "tier": "starter"}}},
    }
    assert deliver(billing, ended).json()["applied"] is True
    overview = billing.get("/api/v1/billing/checkout", headers=key.headers).json()
    assert overview["current_tier"] == "free"


def test_a_webhook_with_a_bad_signature_changes_nothing(
    billing: TestClient, factory: Factory
) -> None:
    key = factory.key()
    event = completed_session(key.account_id, tier="pro")
    forged = deliver(billing, event, secret="whsec_someone_else")
    assert forged.status_code == 400
    assert forged.json()["code"] == "invalid_signature"
    assert forged.json()["field"] == "Stripe-Signature"
    missing = billing.post(WEBHOOK, content=b"{}")
    assert missing.status_code == 400
    assert missing.json()["field"] == "Stripe-Signature"
    body, signature = signed_event(WEBHOOK_SECRET, event)
    tampered = body.replace(b'"pro"', b'"starter"')
    replayed = billing.post(WEBHOOK, content=tampered, headers={"Stripe-Signature": signature})
    assert replayed.json()["code"] == "invalid_signature"
    overview = billing.get("/api/v1/billing/checkout", headers=key.headers).json()
    assert overview["current_tier"] == "free"


def test_over_the_monthly_quota_requests_get_429_but_billing_still_answers(
    database: Database, tmp_path: Path, factory: Factory
) -> None:
    settings = make_settings(database, tmp_path, tier_requests_free=2)
    with TestClient(create_app(settings, database), raise_server_exceptions=False) as client:
        key = factory.key()
        for _ in range(2):
            assert client.get("/api/v1/certificates", headers=key.headers).status_code == 200
        over = client.get("/api/v1/certificates", headers=key.headers)
        assert over.status_code == 429
        body = over.json()
        assert body["code"] == "monthly_quota_exceeded"
        assert body["current_tier"] == "free"
        assert body["monthly_requests_limit"] == 2
        assert int(over.headers["Retry-After"]) > 0
        overview = client.get("/api/v1/billing/checkout", headers=key.headers)
        assert overview.status_code == 200
        assert overview.json()["monthly_requests_used"] == 3
        # Another workspace has its own count.
        assert client.get("/api/v1/certificates", headers=factory.key().headers).status_code == 200


def test_quotas_can_be_turned_off(database: Database, tmp_path: Path, factory: Factory) -> None:
    settings = make_settings(database, tmp_path, tier_requests_free=1, quotas_enabled=False)
    with TestClient(create_app(settings, database), raise_server_exceptions=False) as client:
        key = factory.key()
        for _ in range(3):
            assert client.get("/api/v1/certificates", headers=key.headers).status_code == 200
