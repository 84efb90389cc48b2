"""The credit ledger: grants, spending, and what concurrency cannot break."""

from __future__ import annotations

import threading

import pytest

from soundseal.db import Database
from soundseal.errors import InvalidInput, PaymentRequired
from soundseal.registry.accounts.services import create_account
from soundseal.registry.credits.services import balance, grant_credits, list_entries, spend_credit
from soundseal.registry.events.services import list_events
from tests.factories import Factory


def test_a_new_workspace_starts_with_its_signup_credits_on_the_ledger(database: Database) -> None:
    with database.transaction() as session:
        account = create_account(session, email="new@example.com", name="New", signup_credits=10)
    with database.transaction(write=False) as session:
        assert balance(session, account.id) == 10
        (entry,) = list_entries(session, account_id=account.id)
    assert (entry.amount, entry.balance_after, entry.reason) == (10, 10, "signup")


def test_spending_takes_one_credit_and_records_what_for(
    database: Database, factory: Factory
) -> None:
    account = factory.account(credits=2)
    with database.transaction() as session:
        left = spend_credit(
            session, account_id=account, mode="live", reason="certificate", reference="cer_X"
        )
    assert left == 1
    with database.transaction(write=False) as session:
        newest = list_entries(session, account_id=account)[0]
        (event,) = [
            e
            for e in list_events(session, account_id=account, mode="live")
            if e.type == "credits.used"
        ]
    assert (newest.amount, newest.balance_after, newest.reference) == (-1, 1, "cer_X")
    assert event.data == {
        "amount": 1,
        "reason": "certificate",
        "reference": "cer_X",
        "credits_remaining": 1,
    }


def test_an_empty_balance_is_payment_required_and_writes_nothing(
    database: Database, factory: Factory
) -> None:
    account = factory.account(credits=0)
    with pytest.raises(PaymentRequired) as caught, database.transaction() as session:
        spend_credit(session, account_id=account, mode="live", reason="deep_verification")
    assert caught.value.extra == {"credits_remaining": 0}
    with database.transaction(write=False) as session:
        assert list_entries(session, account_id=account) == []
        assert balance(session, account) == 0


def test_test_mode_and_a_registry_without_credits_charge_nothing(
    database: Database, factory: Factory
) -> None:
    account = factory.account(credits=0)
    with database.transaction() as session:
        assert spend_credit(session, account_id=account, mode="test", reason="certificate") is None
        assert (
            spend_credit(
                session, account_id=account, mode="live", reason="certificate", enabled=False
            )
            is None
        )
        assert list_entries(session, account_id=account) == []


@pytest.mark.parametrize("amount", [0, -5, 1_000_001])
def test_a_grant_must_be_a_sensible_positive_amount(
    database: Database, factory: Factory, amount: int
) -> None:
    account = factory.account(credits=0)
    with pytest.raises(InvalidInput, match="amount"), database.transaction() as session:
        grant_credits(session, account_id=account, amount=amount)


def test_concurrent_spenders_never_take_more_than_the_balance(
    database: Database, factory: Factory
) -> None:
    """Eight threads race for five credits: exactly five win, and the ledger adds up."""
    account = factory.account(credits=5)
    wins: list[int] = []
    refusals: list[int] = []
    barrier = threading.Barrier(8)

    def spend() -> None:
        barrier.wait()
        try:
            with database.transaction() as session:
                left = spend_credit(session, account_id=account, mode="live", reason="certificate")
            assert left is not None
            wins.append(left)
        except PaymentRequired:
            refusals.append(0)

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [0, 1, 2, 3, 4]
    assert len(refusals) == 3
    with database.transaction(write=False) as session:
        entries = list_entries(session, account_id=account, limit=100)
        assert balance(session, account) == 0
    assert sum(e.amount for e in entries) == 0
    assert sorted(e.balance_after for e in entries if e.amount < 0) == [0, 1, 2, 3, 4]
