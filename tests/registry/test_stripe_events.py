"""Applying a Stripe event at the registry level: once per event ID, however often Stripe
delivers it, and a downgrade only by the subscription that set the current tier."""

from __future__ import annotations

from soundseal.db import Database
from soundseal.registry.billing.services import Payment, get_tier
from soundseal.registry.billing.stripe_events import (
    Downgrade,
    Ignored,
    StripeOutcome,
    apply_stripe_event,
)
from soundseal.registry.credits.services import balance, list_entries
from soundseal.registry.events.services import list_events
from tests.factories import Factory


def apply(
    database: Database, event_id: str, meaning: Payment | Downgrade | Ignored
) -> StripeOutcome:
    with database.transaction() as session:
        return apply_stripe_event(
            session, event_id=event_id, type="checkout.session.completed", meaning=meaning
        )


def credits(account_id: str, amount: int = 100) -> Payment:
    return Payment(
        account_id=account_id,
        kind="credits",
        payment_id="cs_test_1",
        amount_total=4900,
        currency="usd",
        credits=amount,
    )


def test_a_credit_purchase_applied_twice_grants_once(database: Database, factory: Factory) -> None:
    account = factory.account(credits=0)
    assert apply(database, "evt_1", credits(account)) == StripeOutcome(applied=True)
    again = apply(database, "evt_1", credits(account))
    assert again == StripeOutcome(applied=False, reason="already applied")
    with database.transaction(write=False) as session:
        assert balance(session, account) == 100
        purchases = [e for e in list_entries(session, account_id=account) if e.reason == "purchase"]
        assert [(e.amount, e.reference) for e in purchases] == [(100, "cs_test_1")]
        types = [e.type for e in list_events(session, account_id=account, mode="live")]
    assert types.count("credits.purchased") == 1
    assert types.count("payment.completed") == 1


def test_a_tier_payment_sets_the_tier_and_only_its_subscription_takes_it_away(
    database: Database, factory: Factory
) -> None:
    account = factory.account()
    tier = Payment(
        account_id=account,
        kind="tier",
        payment_id="cs_test_2",
        amount_total=2900,
        currency="usd",
        tier="starter",
    )
    assert apply(database, "evt_tier", tier).applied
    # Another subscription's end (a tier the workspace is no longer on) changes nothing.
    assert apply(database, "evt_old", Downgrade(account_id=account, tier="pro")).applied
    with database.transaction(write=False) as session:
        assert get_tier(session, account) == "starter"
    assert apply(database, "evt_end", Downgrade(account_id=account, tier="starter")).applied
    assert not apply(database, "evt_end", Downgrade(account_id=account, tier="starter")).applied
    with database.transaction(write=False) as session:
        assert get_tier(session, account) == "free"


def test_an_ignored_event_is_recorded_so_a_redelivery_is_answered_as_already_applied(
    database: Database,
) -> None:
    first = apply(database, "evt_other", Ignored("soundseal does not act on invoice.paid"))
    assert first == StripeOutcome(applied=False, reason="soundseal does not act on invoice.paid")
    again = apply(database, "evt_other", Ignored("soundseal does not act on invoice.paid"))
    assert again.reason == "already applied"
